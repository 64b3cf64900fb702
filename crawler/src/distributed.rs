//! Many worker machines through Redis. Every crawling process shares one [`RedisFrontier`]
//! (per-host queues in sorted sets, in key order; URLs seen; jobs in flight by worker), and
//! the pages workers capture travel to the machine that keeps the store through a
//! [`PageQueue`]. Each Redis change is one Lua script, so it is atomic.
//!
//! A job stays "in flight" (owned by its worker) until the store's machine has kept its page
//! and marks it done, or its worker finishes it without a page. Workers say they are alive
//! every few seconds ([`RedisFrontier::heartbeat`]); the jobs of a worker that stopped saying
//! so (it died, or stopped) go back in the queue for the others
//! ([`RedisFrontier::requeue_lost`]), and a worker started again with the same id puts its
//! own back at once. A page that arrives late from a worker thought gone is kept once. Pages taken
//! from the queue are held in an "ingesting" list until kept, so a store machine that dies
//! loses none; the store skips a page whose job it already kept.
//!
//! Politeness is shared too ([`RedisPoliteness`]): one host sees at most
//! `per_host_concurrency` requests at a time and one request per delay (ours, Crawl-delay or a
//! 429/503 back-off) from all the workers together, timed by Redis's clock.

use crate::{Delivered, Error, Result};
use admon_domain::frontier::{
    self, host_key, job_key, url_fingerprint, Frontier, FrontierError, Job, JobKey,
};
use admon_domain::{AdSample, Capture, CapturedPage, Listing, Load, Shot};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Duration;
use url::Url;

/// Redis keys start with this.
const PREFIX: &str = "admon:";

fn failed(e: redis::RedisError) -> FrontierError {
    FrontierError(format!("redis: {e}"))
}

fn connect(url: &str) -> Result<redis::Connection> {
    redis::Client::open(url)
        .and_then(|c| c.get_connection())
        .map_err(|e| Error::Frontier(format!("redis at {url}: {e}")))
}

const PUSH: &str = r#"
local p, cap = ARGV[1], tonumber(ARGV[2])
local added, marked = {}, {}
for i = 3, #ARGV, 4 do
  local host, fp, key, job = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local taken = tonumber(redis.call('HGET', p .. 'hostcount', host) or '0')
  if (cap == 0 or taken < cap) and redis.call('SADD', p .. 'seen', fp) == 1 then
    redis.call('HINCRBY', p .. 'hostcount', host, 1)
    redis.call('ZADD', p .. 'q:' .. host, 0, key)
    redis.call('HSET', p .. 'jobs', key, job)
    redis.call('SADD', p .. 'hosts', host)
    redis.call('INCR', p .. 'waiting')
    if not marked[host] then
      marked[host] = true
      table.insert(added, host)
    end
  end
end
return added
"#;

const TAKE: &str = r#"
local p, host = ARGV[1], ARGV[2]
local got = redis.call('ZPOPMIN', p .. 'q:' .. host)
if redis.call('ZCARD', p .. 'q:' .. host) == 0 then
  redis.call('SREM', p .. 'hosts', host)
end
if #got == 0 then
  return false
end
redis.call('HSET', p .. 'flight', got[1], ARGV[3])
return {got[1], redis.call('HGET', p .. 'jobs', got[1])}
"#;

const FINISH: &str = r#"
local p = ARGV[1]
if redis.call('HDEL', p .. 'flight', ARGV[2]) == 1 then
  redis.call('HDEL', p .. 'jobs', ARGV[2])
  redis.call('DECR', p .. 'waiting')
end
return 0
"#;

/// Puts jobs in flight back in their queues: with ARGV[3] = "own", those of worker ARGV[2];
/// otherwise those of every other worker that is no longer alive.
const REQUEUE: &str = r#"
local p, worker, own = ARGV[1], ARGV[2], ARGV[3] == 'own'
local all = redis.call('HGETALL', p .. 'flight')
local n, alive = 0, {}
for i = 1, #all, 2 do
  local owner, back = all[i + 1], false
  if own then
    back = owner == worker
  elseif owner ~= worker then
    if alive[owner] == nil then
      alive[owner] = redis.call('EXISTS', p .. 'alive:' .. owner) == 1
    end
    back = not alive[owner]
  end
  if back then
    local key = all[i]
    local host = string.sub(key, 1, string.find(key, '\0', 1, true) - 1)
    redis.call('HDEL', p .. 'flight', key)
    redis.call('ZADD', p .. 'q:' .. host, 0, key)
    redis.call('SADD', p .. 'hosts', host)
    n = n + 1
  end
end
return n
"#;

/// Takes a turn at a host: expired turns are dropped; with fewer than `limit` left, the host's
/// next slot is reserved (`delay` after the last one) and the turn held until the slot plus
/// `hold`. Returns the wait for the slot in ms, or -1 when every turn is taken.
const TAKE_TURN: &str = r#"
local p, host, limit, delay, hold, id = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local turns, slot_key = p .. 'turns:' .. host, p .. 'slot:' .. host
redis.call('ZREMRANGEBYSCORE', turns, '-inf', now)
if redis.call('ZCARD', turns) >= limit then
  return -1
end
local start = math.max(tonumber(redis.call('GET', slot_key) or '0'), now)
redis.call('SET', slot_key, start + delay, 'PX', start + delay - now + 60000)
redis.call('ZADD', turns, start + hold, id)
redis.call('PEXPIRE', turns, start + hold - now + 1000)
return start - now
"#;

/// Pushes a host's next slot to at least `delay` ms from now.
const BACK_OFF: &str = r#"
local p, host, delay = ARGV[1], ARGV[2], tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot_key = p .. 'slot:' .. host
local slot = math.max(tonumber(redis.call('GET', slot_key) or '0'), now + delay)
redis.call('SET', slot_key, slot, 'PX', slot - now + 60000)
return 0
"#;

/// Per-host politeness shared by every process of a Redis crawl: turns (requests in flight
/// at a host) in a sorted set by expiry, the host's next request slot in a key, both timed by
/// Redis's clock (workers' clocks may differ) and expiring by themselves (a worker that dies
/// holding a turn blocks no one for longer than a request can take).
pub struct RedisPoliteness {
    con: Mutex<redis::Connection>,
    /// Names this process's turns.
    me: String,
    taken: std::sync::atomic::AtomicU64,
    scripts: [redis::Script; 2],
}

impl RedisPoliteness {
    /// Connects to Redis at `url`; `me` names this process (its worker id).
    pub fn connect(url: &str, me: &str) -> Result<RedisPoliteness> {
        Ok(RedisPoliteness {
            con: Mutex::new(connect(url)?),
            me: format!("{me}:{}", std::process::id()),
            taken: Default::default(),
            scripts: [TAKE_TURN, BACK_OFF].map(redis::Script::new),
        })
    }

    fn con(&self) -> std::sync::MutexGuard<'_, redis::Connection> {
        self.con.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn ms(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

impl crate::SharedPoliteness for RedisPoliteness {
    fn take_turn(
        &self,
        host: &str,
        limit: usize,
        delay: Duration,
        hold: Duration,
    ) -> Result<Option<crate::Turn>> {
        let n = self
            .taken
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("{}:{n}", self.me);
        let wait: i64 = self.scripts[0]
            .arg(PREFIX)
            .arg(host)
            .arg(limit.max(1))
            .arg(ms(delay))
            .arg(ms(hold))
            .arg(&id)
            .invoke(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))?;
        Ok((wait >= 0).then(|| crate::Turn {
            id,
            wait: Duration::from_millis(wait as u64),
        }))
    }

    fn end_turn(&self, host: &str, turn: &crate::Turn) -> Result<()> {
        redis::cmd("ZREM")
            .arg(format!("{PREFIX}turns:{host}"))
            .arg(&turn.id)
            .query::<()>(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))
    }

    fn back_off(&self, host: &str, delay: Duration) -> Result<()> {
        self.scripts[1]
            .arg(PREFIX)
            .arg(host)
            .arg(ms(delay))
            .invoke::<i64>(&mut *self.con())
            .map(drop)
            .map_err(|e| Error::Frontier(failed(e).0))
    }
}

/// The crawl frontier in Redis, shared by every worker.
pub struct RedisFrontier {
    con: Mutex<redis::Connection>,
    /// Who takes jobs through this handle (owner of its in-flight jobs).
    worker: String,
    scripts: [redis::Script; 4],
}

impl RedisFrontier {
    /// Connects to Redis at `url` (`redis://host:port/db`) as worker `worker`.
    pub fn connect(url: &str, worker: &str) -> Result<RedisFrontier> {
        Ok(RedisFrontier {
            con: Mutex::new(connect(url)?),
            worker: worker.to_owned(),
            scripts: [PUSH, TAKE, FINISH, REQUEUE].map(redis::Script::new),
        })
    }

    fn con(&self) -> std::sync::MutexGuard<'_, redis::Connection> {
        self.con.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Says this worker is alive for `ttl` more (call every few seconds, well within it).
    pub fn heartbeat(&self, ttl: Duration) -> Result<()> {
        redis::cmd("SET")
            .arg(format!("{PREFIX}alive:{}", self.worker))
            .arg(1)
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64)
            .query::<()>(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))
    }

    /// Says this worker has stopped: its jobs in flight go to the others at once.
    pub fn gone(&self) -> Result<()> {
        redis::cmd("DEL")
            .arg(format!("{PREFIX}alive:{}", self.worker))
            .query::<()>(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))
    }

    /// Puts back in the queue the jobs in flight with other workers that are no longer alive
    /// (no heartbeat); returns how many.
    pub fn requeue_lost(&self) -> Result<u64> {
        self.scripts[3]
            .prepare_invoke()
            .arg(PREFIX)
            .arg(&self.worker)
            .arg("lost")
            .invoke(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))
    }

    /// Forgets the whole shared crawl (queues, URLs seen, jobs in flight, pages not yet
    /// kept), for a fresh one.
    pub fn reset(&self) -> Result<()> {
        let mut con = self.con();
        let hosts: Vec<Vec<u8>> = redis::cmd("SMEMBERS")
            .arg(format!("{PREFIX}hosts"))
            .query(&mut *con)
            .map_err(failed)?;
        let mut del = redis::cmd("DEL");
        for host in hosts {
            let mut key = format!("{PREFIX}q:").into_bytes();
            key.extend_from_slice(&host);
            del.arg(key);
        }
        for name in [
            "seen",
            "hostcount",
            "jobs",
            "hosts",
            "flight",
            "waiting",
            "pages",
            "ingesting",
        ] {
            del.arg(format!("{PREFIX}{name}"));
        }
        del.query::<()>(&mut *con).map_err(failed)?;
        Ok(())
    }
}

impl Frontier for RedisFrontier {
    fn push(&self, jobs: Vec<Job>, per_host_cap: usize) -> frontier::Result<Vec<String>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let mut con = self.con();
        // Arrival numbers for the whole batch at once.
        let last: u64 = redis::cmd("INCRBY")
            .arg(format!("{PREFIX}arrival"))
            .arg(jobs.len())
            .query(&mut *con)
            .map_err(failed)?;
        let first = last + 1 - jobs.len() as u64;
        let mut invocation = self.scripts[0].prepare_invoke();
        invocation.arg(PREFIX).arg(per_host_cap);
        for (i, job) in jobs.iter().enumerate() {
            let Ok(url) = Url::parse(&job.url) else {
                continue;
            };
            let host = host_key(&url);
            invocation
                .arg(&host)
                .arg(&url_fingerprint(&job.url)[..])
                .arg(job_key(&host, job, first + i as u64))
                .arg(serde_json::to_vec(job).expect("jobs serialise"));
        }
        invocation.invoke(&mut *con).map_err(failed)
    }

    fn hosts(&self) -> frontier::Result<Vec<String>> {
        redis::cmd("SMEMBERS")
            .arg(format!("{PREFIX}hosts"))
            .query(&mut *self.con())
            .map_err(failed)
    }

    fn peek(&self, host: &str) -> frontier::Result<Option<Job>> {
        let mut con = self.con();
        let first: Vec<Vec<u8>> = redis::cmd("ZRANGE")
            .arg(format!("{PREFIX}q:{host}"))
            .arg(0)
            .arg(0)
            .query(&mut *con)
            .map_err(failed)?;
        let Some(key) = first.first() else {
            return Ok(None);
        };
        let job: Option<Vec<u8>> = redis::cmd("HGET")
            .arg(format!("{PREFIX}jobs"))
            .arg(key)
            .query(&mut *con)
            .map_err(failed)?;
        Ok(job.and_then(|j| serde_json::from_slice(&j).ok()))
    }

    fn take(&self, host: &str) -> frontier::Result<Option<(JobKey, Job)>> {
        let got: Option<(Vec<u8>, Vec<u8>)> = self.scripts[1]
            .prepare_invoke()
            .arg(PREFIX)
            .arg(host)
            .arg(&self.worker)
            .invoke(&mut *self.con())
            .map_err(failed)?;
        Ok(got.and_then(|(key, job)| Some((key, serde_json::from_slice(&job).ok()?))))
    }

    fn finish(&self, key: &[u8]) -> frontier::Result<()> {
        self.scripts[2]
            .prepare_invoke()
            .arg(PREFIX)
            .arg(key)
            .invoke::<()>(&mut *self.con())
            .map_err(failed)
    }

    fn resume(&self) -> frontier::Result<u64> {
        self.scripts[3]
            .prepare_invoke()
            .arg(PREFIX)
            .arg(&self.worker)
            .arg("own")
            .invoke(&mut *self.con())
            .map_err(failed)
    }

    fn waiting(&self) -> frontier::Result<u64> {
        let n: Option<i64> = redis::cmd("GET")
            .arg(format!("{PREFIX}waiting"))
            .query(&mut *self.con())
            .map_err(failed)?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    fn started(&self) -> frontier::Result<bool> {
        redis::cmd("EXISTS")
            .arg(format!("{PREFIX}seen"))
            .query(&mut *self.con())
            .map_err(failed)
    }
}

/// A delivered page on the wire: a JSON head, then the raw body, the screenshot and the ad
/// crops, whose lengths the head gives.
#[derive(Serialize, Deserialize)]
struct Head {
    key: Vec<u8>,
    capture: Capture,
    html: String,
    ads: Vec<AdSample>,
    listings: Vec<Listing>,
    body: usize,
    screenshot: Option<usize>,
    crops: Vec<Option<usize>>,
    /// Chromium's loads, their bodies after the crops.
    #[serde(default)]
    loads: Vec<Load>,
    /// Pictures from checks, their PNGs after the loads' bodies.
    #[serde(default)]
    shots: Vec<Shot>,
}

/// Encodes a delivered page for the [`PageQueue`].
pub fn encode_page(d: &Delivered) -> Vec<u8> {
    let page = &d.page;
    let head = Head {
        key: d.key.clone(),
        capture: page.capture.clone(),
        html: page.html.clone(),
        ads: page.ads.clone(),
        listings: page.listings.clone(),
        body: page.body.len(),
        screenshot: page.screenshot.as_ref().map(Vec::len),
        crops: page
            .ads
            .iter()
            .map(|a| a.crop.as_ref().map(Vec::len))
            .collect(),
        loads: page.loads.clone(),
        shots: page.shots.clone(),
    };
    let head = serde_json::to_vec(&head).expect("pages serialise");
    let mut out = Vec::with_capacity(8 + head.len() + page.body.len());
    out.extend_from_slice(&(head.len() as u64).to_be_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&page.body);
    out.extend_from_slice(page.screenshot.as_deref().unwrap_or_default());
    for ad in &page.ads {
        out.extend_from_slice(ad.crop.as_deref().unwrap_or_default());
    }
    for bytes in page
        .loads
        .iter()
        .map(|l| &l.body)
        .chain(page.shots.iter().map(|s| &s.png))
    {
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// Decodes what [`encode_page`] made.
pub fn decode_page(bytes: &[u8]) -> Result<Delivered> {
    let bad = |why: &str| Error::Frontier(format!("a page from the queue is malformed: {why}"));
    let head_len = bytes
        .get(..8)
        .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")) as usize)
        .ok_or_else(|| bad("short"))?;
    let head: Head = serde_json::from_slice(
        bytes
            .get(8..8usize.saturating_add(head_len))
            .ok_or_else(|| bad("short head"))?,
    )
    .map_err(|e| bad(&e.to_string()))?;
    let mut rest = &bytes[8 + head_len..];
    let mut take = |n: usize| -> Result<Vec<u8>> {
        if rest.len() < n {
            return Err(bad("short body"));
        }
        let (taken, left) = rest.split_at(n);
        rest = left;
        Ok(taken.to_vec())
    };
    let body = take(head.body)?;
    let screenshot = head.screenshot.map(&mut take).transpose()?;
    let mut ads = head.ads;
    for (ad, len) in ads.iter_mut().zip(head.crops) {
        ad.crop = len.map(&mut take).transpose()?;
    }
    let mut sized = || -> Result<Vec<u8>> {
        let len = take(8)?;
        take(u64::from_be_bytes(len.try_into().expect("8 bytes")) as usize)
    };
    let mut loads = head.loads;
    for load in &mut loads {
        load.body = sized()?;
    }
    let mut shots = head.shots;
    for shot in &mut shots {
        shot.png = sized()?;
    }
    Ok(Delivered {
        key: head.key,
        page: CapturedPage {
            capture: head.capture,
            body,
            loads,
            shots,
            html: head.html,
            screenshot,
            ads,
            listings: head.listings,
        },
    })
}

/// Pages on their way from workers to the machine that keeps the store.
pub struct PageQueue {
    con: Mutex<redis::Connection>,
}

impl PageQueue {
    /// Connects to Redis at `url`.
    pub fn connect(url: &str) -> Result<PageQueue> {
        Ok(PageQueue {
            con: Mutex::new(connect(url)?),
        })
    }

    fn con(&self) -> std::sync::MutexGuard<'_, redis::Connection> {
        self.con.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends a page to the store's machine.
    pub fn push(&self, d: &Delivered) -> Result<()> {
        redis::cmd("LPUSH")
            .arg(format!("{PREFIX}pages"))
            .arg(encode_page(d))
            .query::<()>(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))
    }

    /// Pages waiting to be kept.
    pub fn len(&self) -> Result<u64> {
        redis::cmd("LLEN")
            .arg(format!("{PREFIX}pages"))
            .query(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))
    }

    /// Whether no page is waiting.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The next page, waiting up to `wait`; it stays held (as the returned bytes) until
    /// [`PageQueue::kept`].
    pub fn pop(&self, wait: Duration) -> Result<Option<(Vec<u8>, Delivered)>> {
        let raw: Option<Vec<u8>> = redis::cmd("BLMOVE")
            .arg(format!("{PREFIX}pages"))
            .arg(format!("{PREFIX}ingesting"))
            .arg("RIGHT")
            .arg("LEFT")
            .arg(wait.as_secs_f64())
            .query(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))?;
        match raw {
            None => Ok(None),
            Some(raw) => {
                let page = decode_page(&raw)?;
                Ok(Some((raw, page)))
            }
        }
    }

    /// Lets go of a page taken with [`PageQueue::pop`], once it is kept.
    pub fn kept(&self, raw: &[u8]) -> Result<()> {
        redis::cmd("LREM")
            .arg(format!("{PREFIX}ingesting"))
            .arg(1)
            .arg(raw)
            .query::<()>(&mut *self.con())
            .map_err(|e| Error::Frontier(failed(e).0))
    }

    /// Puts back pages held by a store machine that died before keeping them; returns how
    /// many.
    pub fn requeue_held(&self) -> Result<u64> {
        let mut n = 0;
        loop {
            let moved: Option<Vec<u8>> = redis::cmd("LMOVE")
                .arg(format!("{PREFIX}ingesting"))
                .arg(format!("{PREFIX}pages"))
                .arg("RIGHT")
                .arg("RIGHT")
                .query(&mut *self.con())
                .map_err(|e| Error::Frontier(failed(e).0))?;
            if moved.is_none() {
                return Ok(n);
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cross_the_wire_whole() {
        let mut page = CapturedPage::from_html("http://a.test/", "<p>你好</p>");
        page.screenshot = Some(vec![1, 2, 3]);
        page.ads.push(AdSample {
            page_url: "http://a.test/".into(),
            text: "广告 全网最低价".into(),
            landing_url: None,
            image_urls: Vec::new(),
            selector: "div.ad".into(),
            path: "html:nth-of-type(1) > body:nth-of-type(1) > div:nth-of-type(1)".into(),
            frame: None,
            form: admon_domain::AdForm::Banner,
            labelled: true,
            closable: None,
            position: None,
            rule: "##.ad".into(),
            crop: Some(vec![9; 5]),
        });
        // What Chromium loaded, and a pop-up check's pictures, cross too.
        let at = page.capture.fetched_at;
        page.loads.push(admon_domain::Load {
            url: "http://a.test/ad.png".into(),
            status: 200,
            reason: "OK".into(),
            version: "HTTP/1.1".into(),
            headers: vec![("content-type".into(), "image/png".into())],
            body: vec![7; 3],
            truncated: true,
            ip: Some("127.0.0.1".into()),
            received_at: at,
        });
        page.shots.push(admon_domain::Shot {
            name: "popup-1-before".into(),
            png: vec![8; 4],
            at,
        });
        let d = Delivered {
            page,
            key: b"a.test:80\0\x01".to_vec(),
        };
        let back = decode_page(&encode_page(&d)).unwrap();
        assert_eq!(back.page.loads[0].body, vec![7; 3]);
        assert!(back.page.loads[0].truncated);
        assert_eq!(back.page.loads[0].url, "http://a.test/ad.png");
        assert_eq!(back.page.shots[0].png, vec![8; 4]);
        assert_eq!(back.page.shots[0].name, "popup-1-before");
        assert_eq!(back.key, d.key);
        assert_eq!(back.page.body, d.page.body);
        assert_eq!(back.page.screenshot, d.page.screenshot);
        assert_eq!(back.page.ads[0].crop, Some(vec![9; 5]));
        assert_eq!(back.page.capture, d.page.capture);
        assert!(decode_page(&encode_page(&d)[..20]).is_err());
    }
}
