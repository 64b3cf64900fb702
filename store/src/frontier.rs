//! The crawl frontier in sled: the store implements [`Frontier`] so a crawl survives the death
//! of its process. Four trees: `frontier_queue` (job key -> job, see
//! [`admon_domain::frontier::job_key`]), `frontier_flight` (jobs taken, not yet done),
//! `frontier_seen` (URL fingerprints) and `frontier_hosts` (URLs queued per host, for the
//! per-host cap); `meta` counts the jobs waiting.
//!
//! A page's job is marked done inside [`Store::ingest`]'s transaction, with the page: a crawl
//! killed at any point resumes with every job whose page is not kept, and none whose page is.

use crate::records::{decode, encode};
use crate::{Error, Result, Store};
use admon_domain::frontier::{
    host_key, host_of_key, host_prefix, job_key, url_fingerprint, Frontier, FrontierError, Job,
    JobKey,
};
use sled::transaction::{ConflictableTransactionError, Transactional, TransactionalTree};
use url::Url;

const WAITING: &str = "frontier_waiting";

fn read_u64(bytes: Option<sled::IVec>) -> u64 {
    bytes.map_or(0, |v| {
        u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]))
    })
}

/// Inside a transaction: removes an in-flight job and counts it off. A key that is not in
/// flight (already done) changes nothing.
pub(crate) fn mark_done(
    flight: &TransactionalTree,
    meta: &TransactionalTree,
    key: &[u8],
) -> std::result::Result<(), ConflictableTransactionError<Error>> {
    if flight.remove(key)?.is_some() {
        let waiting = read_u64(meta.get(WAITING)?).saturating_sub(1);
        meta.insert(WAITING, &waiting.to_be_bytes())?;
    }
    Ok(())
}

fn failed(e: Error) -> FrontierError {
    FrontierError(e.to_string())
}

fn first_with_prefix(tree: &sled::Tree, prefix: &[u8]) -> Result<Option<(sled::IVec, Job)>> {
    match tree.scan_prefix(prefix).next() {
        Some(item) => {
            let (key, bytes) = item?;
            Ok(Some((key, decode("frontier_queue", &bytes)?)))
        }
        None => Ok(None),
    }
}

impl Store {
    fn frontier_push(&self, jobs: Vec<Job>, per_host_cap: usize) -> Result<Vec<String>> {
        let _writing = self.writing();
        // Arrival numbers come first: sled's id generator is not transactional.
        let mut entries = Vec::with_capacity(jobs.len());
        for job in jobs {
            let Ok(url) = Url::parse(&job.url) else {
                continue;
            };
            let host = host_key(&url);
            let key = job_key(&host, &job, self.db.generate_id()?);
            entries.push((host, url_fingerprint(&job.url), key, encode(&job)));
        }
        let trees = (
            &self.frontier_queue,
            &self.frontier_seen,
            &self.frontier_hosts,
            &self.meta,
        );
        let hosts = crate::records::unwrap_tx(trees.transaction(|(queue, seen, hosts, meta)| {
            let mut added: Vec<String> = Vec::new();
            let mut new = 0u64;
            for (host, fingerprint, key, job) in &entries {
                if seen.get(fingerprint)?.is_some() {
                    continue;
                }
                let taken = read_u64(hosts.get(host.as_bytes())?);
                if per_host_cap > 0 && taken >= per_host_cap as u64 {
                    continue;
                }
                hosts.insert(host.as_bytes(), &(taken + 1).to_be_bytes())?;
                seen.insert(fingerprint, &[])?;
                queue.insert(key.as_slice(), job.as_slice())?;
                new += 1;
                if !added.contains(host) {
                    added.push(host.clone());
                }
            }
            if new > 0 {
                let waiting = read_u64(meta.get(WAITING)?) + new;
                meta.insert(WAITING, &waiting.to_be_bytes())?;
            }
            Ok(added)
        }))?;
        Ok(hosts)
    }

    fn frontier_hosts_queued(&self) -> Result<Vec<String>> {
        let mut hosts = Vec::new();
        let mut from: Vec<u8> = Vec::new();
        // One seek per host: after a host's jobs comes the next host's first.
        while let Some(item) = self.frontier_queue.range(from.clone()..).next() {
            let (key, _) = item?;
            let host = host_of_key(&key).to_owned();
            from = host_prefix(&host);
            *from.last_mut().expect("prefix ends in NUL") = 1;
            hosts.push(host);
        }
        Ok(hosts)
    }

    fn frontier_take(&self, host: &str) -> Result<Option<(JobKey, Job)>> {
        let _writing = self.writing();
        let Some((key, job)) = first_with_prefix(&self.frontier_queue, &host_prefix(host))? else {
            return Ok(None);
        };
        // In flight first, then out of the queue: a crash in between leaves it in both, and
        // resuming puts it back in the queue, once.
        self.frontier_flight.insert(&key, encode(&job))?;
        self.frontier_queue.remove(&key)?;
        Ok(Some((key.to_vec(), job)))
    }

    fn frontier_finish(&self, key: &[u8]) -> Result<()> {
        let _writing = self.writing();
        crate::records::unwrap_tx(
            (&self.frontier_flight, &self.meta)
                .transaction(|(flight, meta)| mark_done(flight, meta, key)),
        )
    }

    fn frontier_resume(&self) -> Result<u64> {
        let _writing = self.writing();
        let mut back = 0;
        for item in self.frontier_flight.iter() {
            let (key, job) = item?;
            self.frontier_queue.insert(&key, job)?;
            self.frontier_flight.remove(&key)?;
            back += 1;
        }
        Ok(back)
    }

    /// Jobs queued or in flight in the store's crawl frontier.
    pub fn frontier_waiting(&self) -> Result<u64> {
        Ok(read_u64(self.meta.get(WAITING)?))
    }

    /// Forgets the crawl frontier (queued jobs and every URL seen), for a fresh crawl. Called
    /// when a crawl has emptied it, or to drop what an unfinished crawl left.
    pub fn frontier_reset(&self) -> Result<()> {
        let _writing = self.writing();
        for tree in [
            &self.frontier_queue,
            &self.frontier_flight,
            &self.frontier_seen,
            &self.frontier_hosts,
        ] {
            tree.clear()?;
        }
        self.meta.remove(WAITING)?;
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
        first_with_prefix(&self.frontier_queue, &host_prefix(host))
            .map(|found| found.map(|(_, job)| job))
            .map_err(failed)
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
        Ok(!self.frontier_seen.is_empty())
    }
}
