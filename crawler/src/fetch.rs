//! HTTP fetching with caps: connect and total timeouts, a redirect limit with loop detection,
//! a body size cap enforced while streaming (decompressed bytes, so gzip bombs stop at the cap),
//! content-type filtering, and robots.txt (RFC 9309, texting_robots) cached per host.

use crate::{CrawlConfig, Error, Result};
use admon_domain::frontier::host_key;
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use texting_robots::Robot;
use url::Url;

/// A fetched response, body possibly truncated at the cap.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// URL requested.
    pub url: Url,
    /// URL after redirects.
    pub final_url: Url,
    /// HTTP status.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Content-Type header.
    pub content_type: Option<String>,
    /// Body (decompressed).
    pub body: Vec<u8>,
    /// Whether the body hit the size cap.
    pub truncated: bool,
    /// The address that answered, when known.
    pub remote: Option<IpAddr>,
}

/// Whether an address is one a public crawl must not reach unasked.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// Whether a URL names a private host literally (IP literal or localhost).
pub fn names_private_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_private(ip.into()),
        Some(url::Host::Ipv6(ip)) => is_private(ip.into()),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        None => true,
    }
}

/// Per-host politeness shared by several crawling processes (the workers of a Redis crawl), on
/// top of each process's own: one host sees at most `limit` requests at a time and one request
/// per `delay` from all of them together.
pub trait SharedPoliteness: Send + Sync {
    /// Takes one of `host`'s `limit` turns (a turn not ended lapses after `hold`) and reserves
    /// its next request slot, `delay` after the slot reserved before it by any process;
    /// returns the turn, or `None` when all are taken.
    fn take_turn(
        &self,
        host: &str,
        limit: usize,
        delay: Duration,
        hold: Duration,
    ) -> Result<Option<Turn>>;
    /// Ends a turn taken with [`SharedPoliteness::take_turn`].
    fn end_turn(&self, host: &str, turn: &Turn) -> Result<()>;
    /// No process requests from `host` for `delay` from now (429, 503).
    fn back_off(&self, host: &str, delay: Duration) -> Result<()>;
}

/// A turn at a host, from [`SharedPoliteness::take_turn`].
#[derive(Debug, Clone)]
pub struct Turn {
    /// Names the turn (to end it).
    pub id: String,
    /// How long to wait for the reserved slot.
    pub wait: Duration,
}

/// How often a process looks again for a turn at a host whose turns are all taken.
const TURN_POLL: Duration = Duration::from_millis(25);

/// Fetches pages politely: robots.txt, per-host delay, caps.
pub struct Fetcher {
    client: reqwest::Client,
    max_body: usize,
    user_agent_token: String,
    delay: Duration,
    robots: Mutex<HashMap<String, Option<Robot>>>,
    next_slot: Mutex<HashMap<String, Instant>>,
    /// Seed hosts, which may resolve to private addresses ([`GuardedResolver`]).
    trusted: Arc<RwLock<HashSet<String>>>,
    /// Fetches in flight per host, at most `per_host_concurrency` each.
    host_permits: Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
    per_host_concurrency: usize,
    /// Politeness shared with other processes, when crawling with them.
    shared: std::sync::OnceLock<Arc<dyn SharedPoliteness>>,
    /// The longest a request can take (connect and whole-request timeouts): a turn's hold.
    longest_request: Duration,
}

/// Resolves host names for the HTTP client, refusing loopback, private and link-local answers
/// for any host that is not a seed's: a public page cannot point the crawler at the intranet
/// through DNS (a name that resolves to 10.0.0.5, or to 127.0.0.1 at the second lookup).
struct GuardedResolver {
    trusted: Arc<RwLock<HashSet<String>>>,
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let trusted = self.allow_private
            || self
                .trusted
                .read()
                .expect("trusted hosts lock")
                .contains(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| trusted || !is_private(a.ip()))
                .collect();
            if allowed.is_empty() {
                if let Some(first) = addrs.first() {
                    return Err(format!(
                        "{host} resolves to a private address ({}); not followed",
                        first.ip()
                    )
                    .into());
                }
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl Fetcher {
    /// A fetcher for one crawl.
    pub fn new(config: &CrawlConfig) -> Result<Fetcher> {
        let max_redirects = config.max_redirects;
        let allow_private = config.allow_private;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().contains(attempt.url()) {
                attempt.error("redirect loop")
            } else if attempt.previous().len() > max_redirects {
                attempt.error(format!("more than {max_redirects} redirects"))
            } else if !allow_private
                && names_private_host(attempt.url())
                && !attempt.previous().iter().any(names_private_host)
            {
                attempt.error("redirect to a private address")
            } else {
                attempt.follow()
            }
        });
        let trusted = Arc::new(RwLock::new(HashSet::new()));
        let client = reqwest::Client::builder()
            .user_agent(&config.user_agent)
            .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
            .timeout(Duration::from_secs(config.timeout_secs))
            .read_timeout(Duration::from_secs(config.connect_timeout_secs.max(5)))
            .redirect(policy)
            .dns_resolver(Arc::new(GuardedResolver {
                trusted: trusted.clone(),
                allow_private,
            }))
            .no_proxy()
            .build()
            .map_err(|e| Error::Fetch {
                url: String::new(),
                message: e.to_string(),
                transient: false,
            })?;
        let token = config
            .user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or("admon")
            .to_owned();
        Ok(Fetcher {
            client,
            max_body: config.max_body_bytes,
            user_agent_token: token,
            delay: Duration::from_millis(config.per_host_delay_ms),
            robots: Mutex::new(HashMap::new()),
            next_slot: Mutex::new(HashMap::new()),
            trusted,
            host_permits: Mutex::new(HashMap::new()),
            per_host_concurrency: config.per_host_concurrency.max(1),
            shared: std::sync::OnceLock::new(),
            longest_request: Duration::from_secs(
                config.connect_timeout_secs + config.timeout_secs + 5,
            ),
        })
    }

    /// Shares per-host politeness with other crawling processes through `shared` (set once).
    pub fn share_politeness(&self, shared: Arc<dyn SharedPoliteness>) {
        let _ = self.shared.set(shared);
    }

    /// Waits for a turn at the URL's host that other processes respect too; returns it, to be
    /// ended after the request. If the shared store fails, this process's own politeness
    /// still holds (logged; nothing is lost).
    async fn shared_turn(
        &self,
        url: &Url,
        delay: Duration,
    ) -> Option<(Arc<dyn SharedPoliteness>, Turn)> {
        let shared = self.shared.get()?.clone();
        let (host, limit, hold) = (
            host_key(url),
            self.per_host_concurrency,
            self.longest_request,
        );
        loop {
            let (ask, key) = (shared.clone(), host.clone());
            let taken =
                tokio::task::spawn_blocking(move || ask.take_turn(&key, limit, delay, hold))
                    .await
                    .map_err(|e| Error::Frontier(e.to_string()))
                    .and_then(|r| r);
            match taken {
                Ok(Some(turn)) => {
                    if !turn.wait.is_zero() {
                        tokio::time::sleep(turn.wait).await;
                    }
                    return Some((shared, turn));
                }
                Ok(None) => tokio::time::sleep(TURN_POLL).await,
                Err(e) => {
                    tracing::warn!(%url, error = %e, "shared politeness unavailable; this process's own limits hold");
                    return None;
                }
            }
        }
    }

    /// Lets `url`'s host resolve to private addresses: seeds are the operator's choice.
    pub fn trust_host_of(&self, url: &Url) {
        if let Some(host) = url.host_str() {
            self.trusted
                .write()
                .expect("trusted hosts lock")
                .insert(host.trim_end_matches('.').to_ascii_lowercase());
        }
    }

    /// Waits until this host may be fetched again, honouring our delay and Crawl-delay;
    /// returns the delay that applies to the host.
    async fn wait_turn(&self, url: &Url, crawl_delay: Option<f32>) -> Duration {
        let delay = crawl_delay
            .map(|s| Duration::from_secs_f32(s.clamp(0.0, 60.0)))
            .unwrap_or_default()
            .max(self.delay);
        let wait = {
            let mut slots = self.next_slot.lock().expect("politeness map");
            let now = Instant::now();
            let slot = slots.entry(host_key(url)).or_insert(now);
            let start = (*slot).max(now);
            *slot = start + delay;
            start - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        delay
    }

    /// Makes every request to the URL's host wait at least `delay` from now (429, 503), other
    /// processes' too when politeness is shared. Call from within the runtime.
    pub fn back_off(&self, url: &Url, delay: Duration) {
        self.push_slot(url, delay);
        if let Some(shared) = self.shared.get().cloned() {
            let (host, url) = (host_key(url), url.to_string());
            tokio::task::spawn_blocking(move || {
                if let Err(e) = shared.back_off(&host, delay) {
                    tracing::warn!(url, error = %e, "shared back-off not recorded");
                }
            });
        }
    }

    /// This process sends the URL's host nothing for `delay` from now.
    fn push_slot(&self, url: &Url, delay: Duration) {
        let mut slots = self.next_slot.lock().expect("politeness map");
        let until = Instant::now() + delay;
        let slot = slots.entry(host_key(url)).or_insert(until);
        *slot = (*slot).max(until);
    }

    /// robots.txt for the URL's host: whether it may be fetched, and the Crawl-delay.
    async fn robots(&self, url: &Url) -> (bool, Option<f32>) {
        let key = host_key(url);
        let cached = self
            .robots
            .lock()
            .expect("robots cache")
            .get(&key)
            .map(|r| {
                r.as_ref()
                    .map_or((true, None), |r| (r.allowed(url.as_str()), r.delay))
            });
        if let Some(answer) = cached {
            return answer;
        }
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let robot = match self.raw_get(&robots_url, 512 * 1024).await {
            Ok(f) if (200..300).contains(&f.status) => {
                Robot::new(&self.user_agent_token, &f.body).ok()
            }
            // RFC 9309: server errors mean "assume complete disallow".
            Ok(f) if f.status >= 500 => {
                Robot::new(&self.user_agent_token, b"User-agent: *\nDisallow: /").ok()
            }
            _ => None,
        };
        let answer = robot
            .as_ref()
            .map_or((true, None), |r| (r.allowed(url.as_str()), r.delay));
        self.robots.lock().expect("robots cache").insert(key, robot);
        answer
    }

    /// The sitemaps robots.txt lists for the URL's host (after it was read).
    pub async fn robots_sitemaps(&self, url: &Url) -> Vec<String> {
        self.robots(url).await;
        self.robots
            .lock()
            .expect("robots cache")
            .get(&host_key(url))
            .and_then(|r| r.as_ref().map(|r| r.sitemaps.clone()))
            .unwrap_or_default()
    }

    /// Fetches a page, after robots.txt and the host's politeness delay.
    pub async fn fetch(&self, url: &Url) -> Result<Fetched> {
        let (allowed, crawl_delay) = self.robots(url).await;
        if !allowed {
            return Err(Error::RobotsDenied {
                url: url.to_string(),
            });
        }
        self.in_turn(url, crawl_delay, self.raw_get(url, self.max_body), false)
            .await
    }

    /// Runs `request`, which makes the URL's host answer (Chromium loading a page fetched
    /// before), in a turn at the host as a fetch is: after the delay since the host's last
    /// request, within its concurrency. As its requests may go out at any moment of it, the
    /// host's next request waits the delay from its end.
    pub async fn politely<T>(&self, url: &Url, request: impl std::future::Future<Output = T>) -> T {
        let (_, crawl_delay) = self.robots(url).await;
        self.in_turn(url, crawl_delay, request, true).await
    }

    /// Runs `request` in a turn at the URL's host; with `delay_from_end`, the next request
    /// waits the delay from the end of this one, not from its start.
    async fn in_turn<T>(
        &self,
        url: &Url,
        crawl_delay: Option<f32>,
        request: impl std::future::Future<Output = T>,
        delay_from_end: bool,
    ) -> T {
        // Held from the politeness wait to the end of the request: one host sees at most
        // `per_host_concurrency` of our requests at a time.
        let permits = self
            .host_permits
            .lock()
            .expect("host permits")
            .entry(host_key(url))
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(self.per_host_concurrency)))
            .clone();
        let _permit = permits.acquire_owned().await.expect("never closed");
        let delay = self.wait_turn(url, crawl_delay).await;
        let turn = self.shared_turn(url, delay).await;
        let answered = request.await;
        if delay_from_end {
            self.push_slot(url, delay);
        }
        if let Some((shared, turn)) = turn {
            let host = host_key(url);
            let ended = tokio::task::spawn_blocking(move || {
                let pushed = match delay_from_end {
                    true => shared.back_off(&host, delay),
                    false => Ok(()),
                };
                pushed.and(shared.end_turn(&host, &turn))
            })
            .await;
            if !matches!(ended, Ok(Ok(()))) {
                tracing::warn!(%url, "shared turn not ended; it lapses by itself");
            }
        }
        answered
    }

    async fn raw_get(&self, url: &Url, cap: usize) -> Result<Fetched> {
        let err = |e: reqwest::Error| Error::Fetch {
            url: url.to_string(),
            transient: e.is_timeout() || e.is_connect(),
            message: format!("{e:#}"),
        };
        let response = self.client.get(url.clone()).send().await.map_err(err)?;
        let status = response.status().as_u16();
        let final_url = response.url().clone();
        let remote = response.remote_addr().map(|a| a.ip());
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Room for the announced length up front (no regrowing and copying a 40 KB page four
        // times), but no more than 1 MB for a length that may be a lie.
        let announced = response.content_length().unwrap_or(0).min(1 << 20) as usize;
        let mut body = Vec::with_capacity(announced.min(cap));
        let mut truncated = false;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(err)?;
            let room = cap.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            url: url.clone(),
            final_url,
            status,
            headers,
            content_type,
            body,
            truncated,
            remote,
        })
    }
}
