//! The frontier: the URLs a crawl has yet to fetch, queued per host.
//!
//! A [`Frontier`] keeps the jobs and remembers every URL ever added (so none is queued twice);
//! the crawl loop decides which host goes next. Each host's jobs are in key order: seed rank
//! (the first seed listed comes first), then depth, then arrival. A job taken for fetching
//! moves to "in flight" and leaves the frontier only when its page is kept (the consumer of
//! the crawl marks it done in the same write as the page) or when it ends without one
//! ([`Frontier::finish`]). A crawl that dies therefore resumes with everything it had not
//! finished: the in-flight jobs go back to the queue ([`Frontier::resume`]).
//!
//! The crawler schedules from a frontier; the store implements a persistent one in sled with
//! the same keys ([`job_key`]). [`MemoryFrontier`] lives for one crawl.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use url::Url;

/// One URL to crawl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The normalised URL.
    pub url: String,
    /// Links followed from the seed to get here (0 for the seed itself).
    pub depth: u32,
    /// The seed it was found from; scope rules are checked against it.
    pub seed: String,
    /// The seed's rank: 0 for the first seed listed. Lower ranks are fetched first.
    pub rank: u32,
}

/// A job's place in its frontier; handed back to mark the job done.
pub type JobKey = Vec<u8>;

/// A frontier that cannot be read or written, with the reason (for the store's frontier, the
/// store's error, such as a full disk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontierError(pub String);

impl std::fmt::Display for FrontierError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FrontierError {}

/// What frontier calls return.
pub type Result<T> = std::result::Result<T, FrontierError>;

/// Where a crawl's URLs wait. Implementations make each call atomic: after a crash a URL is
/// either queued and remembered, or neither; a taken job is queued or in flight, never lost.
pub trait Frontier: Send + Sync {
    /// Queues the jobs whose URL was never added before, at most `per_host_cap` URLs per host
    /// over the frontier's life (0: no cap). Returns the hosts ([`host_key`]) that got jobs.
    fn push(&self, jobs: Vec<Job>, per_host_cap: usize) -> Result<Vec<String>>;
    /// Hosts with jobs queued.
    fn hosts(&self) -> Result<Vec<String>>;
    /// The host's first queued job, left queued.
    fn peek(&self, host: &str) -> Result<Option<Job>>;
    /// Takes the host's first queued job: it is in flight until done or finished.
    fn take(&self, host: &str) -> Result<Option<(JobKey, Job)>>;
    /// Removes an in-flight job that ended without a page to keep (failed, refused by
    /// robots.txt).
    fn finish(&self, key: &[u8]) -> Result<()>;
    /// Puts jobs left in flight by a crawl that died back in the queue; returns how many.
    fn resume(&self) -> Result<u64>;
    /// Jobs queued or in flight.
    fn waiting(&self) -> Result<u64>;
    /// Whether any URL was ever added: `true` means this crawl resumes an earlier one.
    fn started(&self) -> Result<bool>;
}

/// The per-host key of a URL: host and port, as politeness counts them.
pub fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// A job's key: host, NUL, then big-endian rank, depth and an arrival number, so a host's jobs
/// sort by priority and a host's keys share a prefix ([`host_prefix`]).
pub fn job_key(host: &str, job: &Job, arrival: u64) -> JobKey {
    let mut key = host_prefix(host);
    key.extend_from_slice(&job.rank.to_be_bytes());
    key.extend_from_slice(&job.depth.to_be_bytes());
    key.extend_from_slice(&arrival.to_be_bytes());
    key
}

/// The prefix of every key of `host`'s jobs.
pub fn host_prefix(host: &str) -> Vec<u8> {
    let mut key = host.as_bytes().to_vec();
    key.push(0);
    key
}

/// The host a job key belongs to.
pub fn host_of_key(key: &[u8]) -> &str {
    let end = key.iter().position(|&b| b == 0).unwrap_or(key.len());
    std::str::from_utf8(&key[..end]).unwrap_or("")
}

/// 16 bytes of the URL's SHA-256: what "seen" remembers (1M URLs in 16 MB of keys).
pub fn url_fingerprint(url: &str) -> [u8; 16] {
    let digest = Sha256::digest(url.as_bytes());
    digest[..16].try_into().expect("16 bytes")
}

/// A frontier in memory, for one crawl.
#[derive(Default)]
pub struct MemoryFrontier {
    inner: Mutex<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    queue: BTreeMap<JobKey, Job>,
    in_flight: BTreeMap<JobKey, Job>,
    seen: HashSet<[u8; 16]>,
    per_host: HashMap<String, usize>,
    arrivals: u64,
}

impl MemoryFrontier {
    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Frontier for MemoryFrontier {
    fn push(&self, jobs: Vec<Job>, per_host_cap: usize) -> Result<Vec<String>> {
        let mut inner = self.lock();
        let mut hosts = Vec::new();
        for job in jobs {
            let Ok(url) = Url::parse(&job.url) else {
                continue;
            };
            let host = host_key(&url);
            let taken = inner.per_host.get(&host).copied().unwrap_or(0);
            if per_host_cap > 0 && taken >= per_host_cap {
                continue;
            }
            if !inner.seen.insert(url_fingerprint(&job.url)) {
                continue;
            }
            *inner.per_host.entry(host.clone()).or_default() += 1;
            inner.arrivals += 1;
            let key = job_key(&host, &job, inner.arrivals);
            inner.queue.insert(key, job);
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        Ok(hosts)
    }

    fn hosts(&self) -> Result<Vec<String>> {
        let inner = self.lock();
        let mut hosts: Vec<String> = inner
            .queue
            .keys()
            .map(|k| host_of_key(k).to_owned())
            .collect();
        hosts.dedup();
        Ok(hosts)
    }

    fn peek(&self, host: &str) -> Result<Option<Job>> {
        let prefix = host_prefix(host);
        let inner = self.lock();
        Ok(inner
            .queue
            .range(prefix.clone()..)
            .next()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, j)| j.clone()))
    }

    fn take(&self, host: &str) -> Result<Option<(JobKey, Job)>> {
        let prefix = host_prefix(host);
        let mut inner = self.lock();
        let Some(key) = inner
            .queue
            .range(prefix.clone()..)
            .next()
            .map(|(k, _)| k.clone())
            .filter(|k| k.starts_with(&prefix))
        else {
            return Ok(None);
        };
        let job = inner.queue.remove(&key).expect("key just read");
        inner.in_flight.insert(key.clone(), job.clone());
        Ok(Some((key, job)))
    }

    fn finish(&self, key: &[u8]) -> Result<()> {
        self.lock().in_flight.remove(key);
        Ok(())
    }

    fn resume(&self) -> Result<u64> {
        let mut inner = self.lock();
        let in_flight = std::mem::take(&mut inner.in_flight);
        let n = in_flight.len() as u64;
        inner.queue.extend(in_flight);
        Ok(n)
    }

    fn waiting(&self) -> Result<u64> {
        let inner = self.lock();
        Ok((inner.queue.len() + inner.in_flight.len()) as u64)
    }

    fn started(&self) -> Result<bool> {
        Ok(!self.lock().seen.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(url: &str, depth: u32, rank: u32) -> Job {
        Job {
            url: url.into(),
            depth,
            seed: "http://a.test/".into(),
            rank,
        }
    }

    #[test]
    fn a_hosts_jobs_come_by_rank_then_depth_and_never_twice() {
        let f = MemoryFrontier::default();
        let hosts = f
            .push(
                vec![
                    job("http://a.test/deep", 2, 0),
                    job("http://a.test/low-rank", 0, 1),
                    job("http://a.test/", 0, 0),
                    job("http://b.test/", 0, 2),
                    job("http://a.test/", 1, 0),
                ],
                0,
            )
            .unwrap();
        assert_eq!(hosts, ["a.test:80", "b.test:80"]);
        assert_eq!(f.waiting().unwrap(), 4, "the repeated URL is not queued");
        let mut order = Vec::new();
        while let Some((key, job)) = f.take("a.test:80").unwrap() {
            assert_eq!(host_of_key(&key), "a.test:80");
            order.push(job.url);
        }
        assert_eq!(
            order,
            [
                "http://a.test/",
                "http://a.test/deep",
                "http://a.test/low-rank"
            ]
        );
        assert_eq!(f.waiting().unwrap(), 4, "in flight still waits");
        assert_eq!(
            f.resume().unwrap(),
            3,
            "a dead crawl's in-flight jobs come back"
        );
        assert_eq!(f.peek("a.test:80").unwrap().unwrap().url, "http://a.test/");
        let (key, _) = f.take("b.test:80").unwrap().unwrap();
        f.finish(&key).unwrap();
        assert!(f.take("b.test:80").unwrap().is_none());
        assert_eq!(f.waiting().unwrap(), 3);
        assert_eq!(
            f.push(vec![job("http://b.test/", 0, 0)], 0).unwrap().len(),
            0
        );
    }

    #[test]
    fn the_per_host_cap_counts_every_url_ever_queued() {
        let f = MemoryFrontier::default();
        let jobs = (0..5)
            .map(|i| job(&format!("http://a.test/{i}"), 1, 0))
            .collect();
        f.push(jobs, 3).unwrap();
        assert_eq!(f.waiting().unwrap(), 3);
        let (key, _) = f.take("a.test:80").unwrap().unwrap();
        f.finish(&key).unwrap();
        f.push(vec![job("http://a.test/9", 1, 0)], 3).unwrap();
        assert_eq!(f.waiting().unwrap(), 2, "a finished URL still counts");
    }
}
