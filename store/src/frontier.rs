//! The crawl frontier in sled: the store implements [`Frontier`] so a crawl survives the death
//! of its process.
//!
//! The `frontier` tree holds, by first byte: `q` + job key (see
//! [`admon_domain::frontier::job_key`]) -> seed number and URL, the queued jobs; `s` + URL
//! fingerprint, every URL ever queued; `h` + host -> URLs queued for it (the per-host cap);
//! `S` + seed number -> seed URL; `n` -> how many jobs are queued. One tree, so each change is
//! one atomic sled batch; compact values, so a million queued URLs take about 100 MB.
//! `frontier_flight` holds the jobs taken and not yet done; `frontier_kept` the key of every
//! job whose page was kept, whichever frontier it came from (this one or Redis), so a page
//! delivered twice is kept once.
//!
//! A page's job is marked done inside [`Store::ingest`]'s transaction, with the page: a crawl
//! killed at any point resumes with every job whose page is not kept, and none whose page is.

use crate::{Error, Result, Store};
use admon_domain::frontier::{
    host_key, host_of_key, host_prefix, job_key, url_fingerprint, Frontier, FrontierError, Job,
    JobKey,
};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::HashMap;
use url::Url;

const QUEUED: &[u8] = b"n";

/// Seed URLs by number, as far as this process has read or written them.
#[derive(Default)]
pub(crate) struct Seeds {
    by_url: HashMap<String, u32>,
    by_number: HashMap<u32, String>,
}

fn read_u64(bytes: Option<sled::IVec>) -> u64 {
    bytes.map_or(0, |v| {
        u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]))
    })
}

fn prefixed(tag: u8, rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + rest.len());
    key.push(tag);
    key.extend_from_slice(rest);
    key
}

/// Inside a transaction: removes an in-flight job. A key that is not in flight here (a job
/// from Redis, or already done) changes nothing.
pub(crate) fn mark_done(
    flight: &TransactionalTree,
    key: &[u8],
) -> std::result::Result<(), ConflictableTransactionError<Error>> {
    flight.remove(key)?;
    Ok(())
}

fn failed(e: Error) -> FrontierError {
    FrontierError(e.to_string())
}

/// A job key's rank and depth (after the host and its NUL).
fn rank_and_depth(key: &[u8]) -> (u32, u32) {
    let at = host_of_key(key).len() + 1;
    let field = |from: usize| {
        key.get(from..from + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_be_bytes)
    };
    (field(at), field(at + 4))
}

impl Store {
    fn frontier_seeds(&self) -> std::sync::MutexGuard<'_, Seeds> {
        self.frontier_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn seed_url(&self, seeds: &mut Seeds, n: u32) -> Result<String> {
        if let Some(url) = seeds.by_number.get(&n) {
            return Ok(url.clone());
        }
        let url = self
            .frontier
            .get(prefixed(b'S', &n.to_be_bytes()))?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .ok_or_else(|| Error::Corrupt {
                tree: "frontier",
                message: format!("seed {n} missing"),
            })?;
        seeds.by_number.insert(n, url.clone());
        seeds.by_url.insert(url.clone(), n);
        Ok(url)
    }

    /// A queued job from its key and value (seed number, then URL).
    fn job(&self, seeds: &mut Seeds, key: &[u8], value: &[u8]) -> Result<Job> {
        let (rank, depth) = rank_and_depth(key);
        let seed = value
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
            .ok_or_else(|| Error::Corrupt {
                tree: "frontier",
                message: "short job".into(),
            })?;
        Ok(Job {
            url: String::from_utf8_lossy(&value[4..]).into_owned(),
            depth,
            seed: self.seed_url(seeds, seed)?,
            rank,
        })
    }

    fn frontier_push(&self, jobs: Vec<Job>, per_host_cap: usize) -> Result<Vec<String>> {
        let mut seeds = self.frontier_seeds();
        let mut batch = sled::Batch::default();
        let mut counts: HashMap<String, u64> = HashMap::new();
        let mut fresh = std::collections::HashSet::new();
        let mut hosts = Vec::new();
        let mut new = 0u64;
        for job in jobs {
            let Ok(url) = Url::parse(&job.url) else {
                continue;
            };
            let host = host_key(&url);
            let seen = prefixed(b's', &url_fingerprint(&job.url));
            if !fresh.insert(seen.clone()) || self.frontier.contains_key(&seen)? {
                continue;
            }
            let count = match counts.get(&host) {
                Some(&n) => n,
                None => read_u64(self.frontier.get(prefixed(b'h', host.as_bytes()))?),
            };
            if per_host_cap > 0 && count >= per_host_cap as u64 {
                continue;
            }
            counts.insert(host.clone(), count + 1);
            let seed = match seeds.by_url.get(&job.seed) {
                Some(&n) => n,
                None => {
                    let n = self
                        .frontier
                        .scan_prefix(b"S")
                        .keys()
                        .count()
                        .max(seeds.by_number.len()) as u32;
                    batch.insert(prefixed(b'S', &n.to_be_bytes()), job.seed.as_bytes());
                    seeds.by_url.insert(job.seed.clone(), n);
                    seeds.by_number.insert(n, job.seed.clone());
                    n
                }
            };
            let mut value = seed.to_be_bytes().to_vec();
            value.extend_from_slice(job.url.as_bytes());
            let key = job_key(&host, &job, self.db.generate_id()?);
            batch.insert(prefixed(b'q', &key), value);
            batch.insert(seen, &[]);
            new += 1;
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        if new == 0 {
            return Ok(hosts);
        }
        for (host, n) in counts {
            batch.insert(prefixed(b'h', host.as_bytes()), &n.to_be_bytes());
        }
        let queued = read_u64(self.frontier.get(QUEUED)?) + new;
        batch.insert(QUEUED, &queued.to_be_bytes());
        self.frontier.apply_batch(batch)?;
        Ok(hosts)
    }

    fn frontier_hosts_queued(&self) -> Result<Vec<String>> {
        let mut hosts = Vec::new();
        let mut from = vec![b'q'];
        // One seek per host: after a host's jobs comes the next host's first.
        while let Some(item) = self.frontier.range(from.clone()..).next() {
            let (key, _) = item?;
            if key.first() != Some(&b'q') {
                break;
            }
            let host = host_of_key(&key[1..]).to_owned();
            from = prefixed(b'q', &host_prefix(&host));
            *from.last_mut().expect("prefix ends in NUL") = 1;
            hosts.push(host);
        }
        Ok(hosts)
    }

    fn first_queued(&self, host: &str) -> Result<Option<(sled::IVec, sled::IVec)>> {
        Ok(self
            .frontier
            .scan_prefix(prefixed(b'q', &host_prefix(host)))
            .next()
            .transpose()?)
    }

    fn frontier_peek(&self, host: &str) -> Result<Option<Job>> {
        let mut seeds = self.frontier_seeds();
        match self.first_queued(host)? {
            Some((key, value)) => Ok(Some(self.job(&mut seeds, &key[1..], &value)?)),
            None => Ok(None),
        }
    }

    fn frontier_take(&self, host: &str) -> Result<Option<(JobKey, Job)>> {
        let mut seeds = self.frontier_seeds();
        let Some((key, value)) = self.first_queued(host)? else {
            return Ok(None);
        };
        let job = self.job(&mut seeds, &key[1..], &value)?;
        // In flight first, then out of the queue: a crash in between leaves it in both, and
        // resuming keeps one.
        self.frontier_flight.insert(&key[1..], value)?;
        let mut batch = sled::Batch::default();
        batch.remove(key.clone());
        let queued = read_u64(self.frontier.get(QUEUED)?).saturating_sub(1);
        batch.insert(QUEUED, &queued.to_be_bytes());
        self.frontier.apply_batch(batch)?;
        Ok(Some((key[1..].to_vec(), job)))
    }

    fn frontier_finish(&self, key: &[u8]) -> Result<()> {
        self.frontier_flight.remove(key)?;
        Ok(())
    }

    fn frontier_resume(&self) -> Result<u64> {
        let _seeds = self.frontier_seeds();
        let mut back = 0;
        for item in self.frontier_flight.iter() {
            let (key, value) = item?;
            let queued_key = prefixed(b'q', &key);
            if self.frontier.insert(&queued_key, value)?.is_none() {
                let queued = read_u64(self.frontier.get(QUEUED)?) + 1;
                self.frontier.insert(QUEUED, &queued.to_be_bytes())?;
            }
            self.frontier_flight.remove(&key)?;
            back += 1;
        }
        Ok(back)
    }

    /// Jobs queued or in flight in the store's crawl frontier.
    pub fn frontier_waiting(&self) -> Result<u64> {
        Ok(read_u64(self.frontier.get(QUEUED)?) + self.frontier_flight.len() as u64)
    }

    /// Forgets the crawl frontier (queued jobs and every URL seen), for a fresh crawl. Called
    /// when a crawl has finished, or to drop what an unfinished crawl left.
    pub fn frontier_reset(&self) -> Result<()> {
        let mut seeds = self.frontier_seeds();
        *seeds = Seeds::default();
        for tree in [&self.frontier, &self.frontier_flight, &self.frontier_kept] {
            tree.clear()?;
        }
        Ok(())
    }
}

impl Frontier for Store {
    fn push(
        &self,
        jobs: Vec<Job>,
        per_host_cap: usize,
    ) -> admon_domain::frontier::Result<Vec<String>> {
        self.frontier_push(jobs, per_host_cap).map_err(failed)
    }

    fn hosts(&self) -> admon_domain::frontier::Result<Vec<String>> {
        self.frontier_hosts_queued().map_err(failed)
    }

    fn peek(&self, host: &str) -> admon_domain::frontier::Result<Option<Job>> {
        self.frontier_peek(host).map_err(failed)
    }

    fn take(&self, host: &str) -> admon_domain::frontier::Result<Option<(JobKey, Job)>> {
        self.frontier_take(host).map_err(failed)
    }

    fn finish(&self, key: &[u8]) -> admon_domain::frontier::Result<()> {
        self.frontier_finish(key).map_err(failed)
    }

    fn resume(&self) -> admon_domain::frontier::Result<u64> {
        self.frontier_resume().map_err(failed)
    }

    fn waiting(&self) -> admon_domain::frontier::Result<u64> {
        self.frontier_waiting().map_err(failed)
    }

    fn started(&self) -> admon_domain::frontier::Result<bool> {
        Ok(self
            .frontier
            .scan_prefix(b"s")
            .next()
            .transpose()
            .map_err(|e| failed(e.into()))?
            .is_some())
    }
}
