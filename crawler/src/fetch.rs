//! HTTP fetching with caps: connect and total timeouts, a redirect limit with loop detection,
//! a body size cap enforced while streaming and again while decoding (so gzip bombs stop at
//! the cap), content-type filtering, and robots.txt (RFC 9309, texting_robots) cached per host.
//!
//! The response is kept as received, for the WARC record: the body still content-encoded, the
//! HTTP version, reason phrase, headers in order, the time its head arrived and the address
//! that sent it. admon decodes the content itself (gzip, deflate, br), after the fact.

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
    /// Body, content-decoded.
    pub body: Vec<u8>,
    /// The body as received, when it was content-encoded (`body` is it decoded); `None` when
    /// `body` is the body as received.
    pub wire: Option<Vec<u8>>,
    /// Whether the body hit the size cap (as received, or decoded).
    pub truncated: bool,
    /// The address that answered, when known.
    pub remote: Option<IpAddr>,
    /// The HTTP version of the response, as `HTTP/1.1`.
    pub version: String,
    /// The reason phrase as received (hyper keeps one only when it is not the status's usual
    /// phrase; that phrase otherwise, if the status has one).
    pub reason: Option<String>,
    /// When the response's head arrived.
    pub received_at: time::OffsetDateTime,
    /// The request's headers as admon sent them (hyper adds none but `host`), in order.
    pub request_headers: Vec<(String, String)>,
}

/// The content codings admon asks for and decodes.
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// Decodes a body sent with `Content-Encoding: encoding` (codings applied in order, so undone
/// last first), keeping at most `cap` decoded bytes; returns the bytes and whether the cap cut
/// them. An unknown coding, or bytes that do not decode, is an error; but for a body the cap
/// already `cut_short` on the wire, whatever decodes before the stream breaks off is the page.
/// What was received is kept either way.
pub fn decode_content(
    encoding: &str,
    wire: &[u8],
    cap: usize,
    cut_short: bool,
) -> std::io::Result<(Vec<u8>, bool)> {
    use std::io::Read;
    let mut bytes = wire.to_vec();
    let mut truncated = false;
    for coding in encoding
        .rsplit(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let input = std::io::Cursor::new(std::mem::take(&mut bytes));
        let mut reader: Box<dyn Read> = match coding.to_ascii_lowercase().as_str() {
            "identity" => Box::new(input),
            "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(input)),
            // "deflate" is zlib-wrapped by the RFC; some servers send it raw.
            "deflate" => {
                let raw = input.get_ref();
                if raw.len() >= 2
                    && u16::from_be_bytes([raw[0], raw[1]]).is_multiple_of(31)
                    && raw[0] & 0x0f == 8
                {
                    Box::new(flate2::read::ZlibDecoder::new(input))
                } else {
                    Box::new(flate2::read::DeflateDecoder::new(input))
                }
            }
            "br" => Box::new(brotli_decompressor::Decompressor::new(input, 64 * 1024)),
            other => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    format!("content coding {other:?} is not one admon decodes"),
                ))
            }
        };
        let mut buf = [0u8; 16 * 1024];
        while bytes.len() <= cap {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
                Err(_) if cut_short => break,
                Err(e) => return Err(e),
            }
        }
        if bytes.len() > cap {
            bytes.truncate(cap);
            truncated = true;
        }
    }
    Ok((bytes, truncated || cut_short))
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
    user_agent: String,
    operator: String,
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
            // The body is kept as sent: admon decodes it ([`decode_content`]).
            .no_gzip()
            .no_brotli()
            .no_deflate()
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
            user_agent: config.user_agent.clone(),
            operator: match config.operator.trim() {
                "" => std::env::var("USER")
                    .or_else(|_| std::env::var("LOGNAME"))
                    .unwrap_or_else(|_| "unknown".into()),
                named => named.to_owned(),
            },
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

    /// Who runs the crawl ([`CrawlConfig::operator`], else the system user).
    pub fn operator(&self) -> &str {
        &self.operator
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
        let response = self
            .client
            .get(url.clone())
            .header(reqwest::header::ACCEPT_ENCODING, ACCEPT_ENCODING)
            .send()
            .await
            .map_err(err)?;
        let received_at = time::OffsetDateTime::now_utc();
        let status = response.status().as_u16();
        let version = format!("{:?}", response.version());
        let reason = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
            .or_else(|| response.status().canonical_reason().map(str::to_owned));
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
        let encoding = response
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .filter(|e| !e.trim().eq_ignore_ascii_case("identity"));
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
        let mut wire = None;
        if let Some(encoding) = encoding {
            let (decoded, cut) =
                decode_content(&encoding, &body, cap, truncated).map_err(|e| Error::Fetch {
                    url: url.to_string(),
                    message: format!("body not decoded ({encoding}): {e}"),
                    transient: false,
                })?;
            truncated = cut;
            wire = Some(std::mem::replace(&mut body, decoded));
        }
        let request_headers = vec![
            ("host".to_owned(), host_header(&final_url)),
            ("user-agent".to_owned(), self.user_agent.clone()),
            ("accept".to_owned(), "*/*".to_owned()),
            ("accept-encoding".to_owned(), ACCEPT_ENCODING.to_owned()),
        ];
        Ok(Fetched {
            url: url.clone(),
            final_url,
            status,
            headers,
            content_type,
            body,
            wire,
            truncated,
            remote,
            version,
            reason,
            received_at,
            request_headers,
        })
    }
}

/// The `host` header hyper sends for `url`: the host, and the port when it is not the
/// scheme's.
fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const PAGE: &[u8] = "<p>国家级 特效药</p>".as_bytes();

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn each_content_coding_admon_asks_for_is_decoded() {
        let zlib = {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(PAGE).unwrap();
            z.finish().unwrap()
        };
        let raw_deflate = {
            let mut z =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(PAGE).unwrap();
            z.finish().unwrap()
        };
        let br = {
            let mut out = Vec::new();
            brotli::BrotliCompress(&mut &PAGE[..], &mut out, &Default::default()).unwrap();
            out
        };
        for (coding, wire) in [
            ("gzip", gzip(PAGE)),
            ("x-gzip", gzip(PAGE)),
            ("deflate", zlib),
            ("deflate", raw_deflate),
            ("br", br),
            ("identity", PAGE.to_vec()),
            ("gzip, gzip", gzip(&gzip(PAGE))),
        ] {
            let (decoded, cut) = decode_content(coding, &wire, 1 << 20, false).unwrap();
            assert_eq!(decoded, PAGE, "{coding}");
            assert!(!cut);
        }
        let err = decode_content("zstd", b"x", 10, false).unwrap_err();
        assert!(err.to_string().contains("zstd"), "{err}");
        assert!(decode_content("gzip", b"not gzip at all", 10, false).is_err());
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![b' '; 8 << 20]);
        assert!(bomb.len() < 64 << 10);
        let (decoded, cut) = decode_content("gzip", &bomb, 1 << 20, false).unwrap();
        assert_eq!(decoded.len(), 1 << 20);
        assert!(cut);
        // Cut on the wire too: what decodes of it is kept.
        let text: String = (0..50_000).map(|i| format!("{i} ")).collect();
        let wire = gzip(text.as_bytes());
        assert!(wire.len() > 4000);
        let half = &wire[..wire.len() / 2];
        assert!(decode_content("gzip", half, 1 << 20, false).is_err());
        let (partial, cut) = decode_content("gzip", half, 1 << 20, true).unwrap();
        assert!(cut && partial.len() > 1000 && text.as_bytes().starts_with(&partial));
    }
}
