//! The crawl frontier in sled: the store implements [`Frontier`] so a crawl survives the death
//! of its process.
//!
//! The `frontier` tree holds, by first byte: `q` + entry key (see
//! [`admon_domain::frontier::job_key`]) -> seed number and up to 128 URLs queued together (same
//! host, seed, rank and depth), so a million queued URLs are some ten thousand sled records; `s` + batch
//! number -> the fingerprints (8 bytes each) of the URLs a push queued, so every URL ever
//! queued is remembered (sequential keys: sled's memory grows badly with random ones; the set
//! is read into memory once); `h` + host -> URLs queued for it (the per-host cap); `S` + seed
//! number -> seed URL. One tree, so a push is one atomic sled batch. Taking a job is two plain
//! writes (a sled batch or transaction writes out sled's log buffer each time): the job into
//! `frontier_flight`, then its entry shortened. How many jobs are queued is counted in memory
//! (from the entries, on first use).
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

/// Host, rank, depth and seed number: the URLs of one push that share them make one entry.
type Group = (String, u32, u32, u32);

/// Most URLs in one queue entry.
const ENTRY_URLS: usize = 128;

/// What the frontier keeps in memory: seed URLs by number, as far as this process has read or
/// written them, and the URLs seen (8 bytes of each fingerprint), loaded on first use.
#[derive(Default)]
pub(crate) struct Seeds {
    by_url: HashMap<String, u32>,
    by_number: HashMap<u32, String>,
    seen: Option<std::collections::HashSet<u64>>,
    queued: Option<u64>,
}

fn short_fingerprint(url: &str) -> u64 {
    u64::from_be_bytes(url_fingerprint(url)[..8].try_into().expect("8 bytes"))
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

/// A queue entry: URLs queued together (same host, seed, rank and depth), the first `start`
/// of them already taken. Stored as seed (u32), start (u16), then each URL as a u16 length
/// and its bytes.
struct Entry {
    seed: u32,
    start: u16,
    urls: Vec<String>,
}

impl Entry {
    fn parse(value: &[u8]) -> Option<Entry> {
        let seed = u32::from_be_bytes(value.get(..4)?.try_into().ok()?);
        let start = u16::from_be_bytes(value.get(4..6)?.try_into().ok()?);
        let mut urls = Vec::new();
        let mut rest = &value[6..];
        while !rest.is_empty() {
            let len = u16::from_be_bytes(rest.get(..2)?.try_into().ok()?) as usize;
            urls.push(String::from_utf8_lossy(rest.get(2..2 + len)?).into_owned());
            rest = &rest[2 + len..];
        }
        (!urls.is_empty()).then_some(Entry { seed, start, urls })
    }
}

fn entry(seed: u32, start: u16, urls: &[String]) -> Vec<u8> {
    let mut value = seed.to_be_bytes().to_vec();
    value.extend_from_slice(&start.to_be_bytes());
    for url in urls {
        // URLs longer than 64 KB are traps; the crawler never queues them (max_url_len).
        let url = &url.as_bytes()[..url.len().min(u16::MAX as usize)];
        value.extend_from_slice(&(url.len() as u16).to_be_bytes());
        value.extend_from_slice(url);
    }
    value
}

fn entry_of_one(seed: u32, url: &str) -> Vec<u8> {
    entry(seed, 0, &[url.to_owned()])
}

/// An entry after its first URL was taken.
fn rest_of(rest: &Entry) -> Vec<u8> {
    entry(rest.seed, rest.start + 1, &rest.urls)
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

    fn frontier_push(&self, jobs: Vec<Job>, per_host_cap: usize) -> Result<Vec<String>> {
        let mut seeds = self.frontier_seeds();
        self.load_seen(&mut seeds)?;
        let mut batch = sled::Batch::default();
        let mut counts: HashMap<String, u64> = HashMap::new();
        let mut fingerprints: Vec<u8> = Vec::new();
        // The new URLs of one host, rank, depth and seed make one queue entry.
        let mut groups: std::collections::BTreeMap<Group, (Job, Vec<String>)> = Default::default();
        let mut hosts = Vec::new();
        let mut new = 0u64;
        for job in jobs {
            let Ok(url) = Url::parse(&job.url) else {
                continue;
            };
            let host = host_key(&url);
            let fingerprint = short_fingerprint(&job.url);
            if seeds.seen.as_ref().expect("loaded").contains(&fingerprint) {
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
            seeds.seen.as_mut().expect("loaded").insert(fingerprint);
            fingerprints.extend_from_slice(&fingerprint.to_be_bytes());
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
            let group = groups
                .entry((host.clone(), job.rank, job.depth, seed))
                .or_insert_with(|| (job.clone(), Vec::new()));
            group.1.push(job.url);
            new += 1;
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        if new == 0 {
            return Ok(hosts);
        }
        for ((host, _, _, seed), (job, urls)) in groups {
            // Small entries: taking a URL rewrites the rest of its entry.
            for chunk in urls.chunks(ENTRY_URLS) {
                let key = job_key(&host, &job, self.db.generate_id()?);
                batch.insert(prefixed(b'q', &key), entry(seed, 0, chunk));
            }
        }
        for (host, n) in counts {
            batch.insert(prefixed(b'h', host.as_bytes()), &n.to_be_bytes());
        }
        let number = self.db.generate_id()?;
        batch.insert(prefixed(b's', &number.to_be_bytes()), fingerprints);
        let queued = self.queued(&mut seeds)?;
        self.frontier.apply_batch(batch)?;
        seeds.queued = Some(queued + new);
        Ok(hosts)
    }

    /// How many jobs are queued: counted from the queue entries once, then kept up to date.
    fn queued(&self, seeds: &mut Seeds) -> Result<u64> {
        if let Some(n) = seeds.queued {
            return Ok(n);
        }
        let mut n = 0;
        for item in self.frontier.scan_prefix(b"q") {
            let (_, value) = item?;
            n += Entry::parse(&value).map_or(0, |e| e.urls.len() as u64);
        }
        seeds.queued = Some(n);
        Ok(n)
    }

    /// Reads the URLs seen into memory, once.
    fn load_seen(&self, seeds: &mut Seeds) -> Result<()> {
        if seeds.seen.is_some() {
            return Ok(());
        }
        let mut seen = std::collections::HashSet::new();
        for item in self.frontier.scan_prefix(b"s") {
            let (_, fingerprints) = item?;
            seen.extend(
                fingerprints
                    .chunks_exact(8)
                    .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes"))),
            );
        }
        seeds.seen = Some(seen);
        Ok(())
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

    fn first_queued(&self, host: &str) -> Result<Option<(sled::IVec, Entry)>> {
        match self
            .frontier
            .scan_prefix(prefixed(b'q', &host_prefix(host)))
            .next()
        {
            Some(item) => {
                let (key, value) = item?;
                let entry = Entry::parse(&value).ok_or_else(|| Error::Corrupt {
                    tree: "frontier",
                    message: "bad queue entry".into(),
                })?;
                Ok(Some((key, entry)))
            }
            None => Ok(None),
        }
    }

    /// The job for the first URL of a queue entry (`key` without its `q`).
    fn entry_job(&self, seeds: &mut Seeds, key: &[u8], entry: &Entry) -> Result<Job> {
        let (rank, depth) = rank_and_depth(key);
        Ok(Job {
            url: entry.urls[0].clone(),
            depth,
            seed: self.seed_url(seeds, entry.seed)?,
            rank,
        })
    }

    fn frontier_peek(&self, host: &str) -> Result<Option<Job>> {
        let mut seeds = self.frontier_seeds();
        match self.first_queued(host)? {
            Some((key, entry)) => Ok(Some(self.entry_job(&mut seeds, &key[1..], &entry)?)),
            None => Ok(None),
        }
    }

    fn frontier_take(&self, host: &str) -> Result<Option<(JobKey, Job)>> {
        let mut seeds = self.frontier_seeds();
        let Some((key, mut entry)) = self.first_queued(host)? else {
            return Ok(None);
        };
        let job = self.entry_job(&mut seeds, &key[1..], &entry)?;
        // The job's own key: its entry's, then its place in the entry.
        let mut job_key = key[1..].to_vec();
        job_key.extend_from_slice(&entry.start.to_be_bytes());
        // In flight first, then out of the queue: a crash in between leaves it in both, and
        // resuming keeps the queued one (see `still_queued`).
        self.frontier_flight
            .insert(&job_key, entry_of_one(entry.seed, &job.url))?;
        let queued = self.queued(&mut seeds)?;
        entry.urls.remove(0);
        if entry.urls.is_empty() {
            self.frontier.remove(key)?;
        } else {
            self.frontier.insert(key, rest_of(&entry))?;
        }
        seeds.queued = Some(queued.saturating_sub(1));
        Ok(Some((job_key, job)))
    }

    fn frontier_finish(&self, key: &[u8]) -> Result<()> {
        self.frontier_flight.remove(key)?;
        Ok(())
    }

    fn frontier_resume(&self) -> Result<u64> {
        let mut seeds = self.frontier_seeds();
        let mut queued = self.queued(&mut seeds)?;
        let mut back = 0;
        for item in self.frontier_flight.iter() {
            let (key, value) = item?;
            if self.still_queued(&key)? {
                self.frontier_flight.remove(&key)?;
                back += 1;
                continue;
            }
            // Back in the queue as an entry of its own, keyed by its job key (same host, rank
            // and depth, so it sorts where it was).
            let queued_key = prefixed(b'q', &key);
            if self.frontier.insert(&queued_key, value)?.is_none() {
                queued += 1;
                seeds.queued = Some(queued);
            }
            self.frontier_flight.remove(&key)?;
            back += 1;
        }
        Ok(back)
    }

    /// Whether the job taken under `job_key` (its entry's key, then its place in the entry) is
    /// still first in its entry: the process died between marking it in flight and
    /// shortening the entry.
    fn still_queued(&self, job_key: &[u8]) -> Result<bool> {
        let Some((entry_key, place)) = job_key.split_last_chunk::<2>() else {
            return Ok(false);
        };
        Ok(self
            .frontier
            .get(prefixed(b'q', entry_key))?
            .and_then(|v| Entry::parse(&v))
            .is_some_and(|e| e.start == u16::from_be_bytes(*place)))
    }

    /// Jobs queued or in flight in the store's crawl frontier.
    pub fn frontier_waiting(&self) -> Result<u64> {
        let queued = self.queued(&mut self.frontier_seeds())?;
        Ok(queued + self.frontier_flight.len() as u64)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A process killed between marking a job in flight and shortening its queue entry: the
    /// job is in both, and resuming must queue it once.
    #[test]
    fn a_job_killed_between_its_two_writes_is_queued_once() {
        let dir = tempfile::tempdir().unwrap();
        let job = |url: &str| Job {
            url: url.into(),
            depth: 1,
            seed: "http://a.test/".into(),
            rank: 0,
        };
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .push(vec![job("http://a.test/1"), job("http://a.test/2")], 0)
                .unwrap();
            let (entry_key, before) = store.frontier.scan_prefix(b"q").next().unwrap().unwrap();
            store.take("a.test:80").unwrap().unwrap();
            // The second write never happened.
            store.frontier.insert(entry_key, before).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.resume().unwrap(), 1);
        assert_eq!(store.waiting().unwrap(), 2);
        let mut urls = Vec::new();
        while let Some((_, job)) = store.take("a.test:80").unwrap() {
            urls.push(job.url);
        }
        assert_eq!(urls, ["http://a.test/1", "http://a.test/2"]);
    }
}
