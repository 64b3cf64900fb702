//! The crawl loop: a frontier of normalised URLs in scope, a bounded set of fetches in flight,
//! and for every HTML page a [`CapturedPage`] sent down the channel.

use crate::extract::{frame_text, rendered_frame_text, Extractor};
use crate::fetch::{names_private_host, Fetched, Fetcher};
use crate::render::Renderer;
use crate::{charset, CrawlConfig, Error, RenderMode, Result, SeedScope};
use admon_domain::frontier::{Frontier, Job, JobKey, MemoryFrontier};
use admon_domain::{AdForm, AdSample, Capture, CapturedPage, Exchange, Shot};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::Url;

/// Live counters for a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    /// Pages captured.
    pub pages: AtomicU64,
    /// Fetches that failed.
    pub errors: AtomicU64,
    /// Body bytes received.
    pub bytes: AtomicU64,
    /// URLs waiting.
    pub queued: AtomicU64,
    /// Set to stop the crawl: no new fetch starts; pages in flight finish and are delivered.
    pub stop: AtomicBool,
}

/// What a crawl did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct CrawlSummary {
    /// Pages captured.
    pub pages: u64,
    /// Failed fetches.
    pub errors: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Ads found.
    pub ads: u64,
    /// Listings found.
    pub listings: u64,
    /// URLs skipped by robots.txt.
    pub robots_denied: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Errors by kind.
    pub error_kinds: BTreeMap<String, u64>,
    /// Whether the crawl was stopped before its frontier emptied.
    pub stopped: bool,
    /// Whether it went on from a crawl that stopped or died.
    pub resumed: bool,
    /// URLs left in the frontier unvisited (page limit reached, or stopped). A stopped crawl
    /// leaves them for the next to resume.
    pub waiting: u64,
}

/// Removes the fragment and tracking parameters; the `url` crate already lowercases the host
/// and drops default ports.
pub fn normalise_url(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !(k.starts_with("utm_")
                    || matches!(k.as_str(), "spm" | "fbclid" | "gclid" | "from"))
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    url
}

/// Crawler traps: overlong URLs, very deep paths, and paths that repeat a segment
/// (`/a/b/a/b/a/b`, `/x/x/x/`).
fn looks_like_trap(url: &Url, max_len: usize) -> bool {
    if url.as_str().len() > max_len {
        return true;
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    segments.len() > 12
        || segments
            .iter()
            .any(|s| segments.iter().filter(|t| *t == s).count() >= 3)
}

/// Turns seed URLs into captured pages.
pub struct Crawler {
    config: CrawlConfig,
    fetcher: Arc<Fetcher>,
    extractor: Arc<Extractor>,
    renderer: Option<Arc<Renderer>>,
    /// The configured scope, and each seed's own (by normalised seed URL).
    scope: Scope,
    seed_scopes: HashMap<String, Scope>,
}

/// Scope rules, compiled.
#[derive(Clone)]
struct Scope {
    same_site: bool,
    max_depth: u32,
    max_pages_per_host: usize,
    allow: regex::RegexSet,
    deny: regex::RegexSet,
}

fn pattern_set(list: &'static str, patterns: &[String]) -> Result<regex::RegexSet> {
    for pattern in patterns {
        regex::Regex::new(pattern).map_err(|e| Error::BadPattern {
            list,
            pattern: pattern.clone(),
            reason: e.to_string(),
        })?;
    }
    regex::RegexSet::new(patterns).map_err(|e| Error::BadPattern {
        list,
        pattern: patterns.join(" "),
        reason: e.to_string(),
    })
}

/// A captured page and the links found on it.
type PageAndLinks = (CapturedPage, Vec<Url>);

/// A page for the crawl's consumer, with its job's key: the consumer keeps the page and then
/// marks the key done in the frontier (the store does both in one write).
#[derive(Debug)]
pub struct Delivered {
    /// The page.
    pub page: CapturedPage,
    /// Its job in the frontier.
    pub key: JobKey,
}

/// Which host fetches next: hosts whose first queued job has the best (rank, depth) go
/// first, hosts of equal priority take turns, and no host has more than
/// `per_host_concurrency` fetches in flight.
struct Turns {
    per_host: usize,
    /// Hosts that may start a fetch now: (rank, depth, turn, host).
    ready: BTreeSet<(u32, u32, u64, String)>,
    /// Hosts in `ready`.
    offered: HashSet<String>,
    in_flight: HashMap<String, usize>,
    turn: u64,
}

impl Turns {
    fn new(per_host: usize) -> Turns {
        Turns {
            per_host: per_host.max(1),
            ready: BTreeSet::new(),
            offered: HashSet::new(),
            in_flight: HashMap::new(),
            turn: 0,
        }
    }

    /// Offers `host` a turn if it has work and room.
    fn offer(&mut self, frontier: &dyn Frontier, host: &str) -> Result<()> {
        if self.in_flight.get(host).copied().unwrap_or(0) >= self.per_host
            || self.offered.contains(host)
        {
            return Ok(());
        }
        if let Some(job) = frontier.peek(host)? {
            self.turn += 1;
            self.ready
                .insert((job.rank, job.depth, self.turn, host.to_owned()));
            self.offered.insert(host.to_owned());
        }
        Ok(())
    }

    /// The next job to fetch, if any host may start one.
    fn next(&mut self, frontier: &dyn Frontier) -> Result<Option<(String, JobKey, Job)>> {
        while let Some((_, _, _, host)) = self.ready.pop_first() {
            self.offered.remove(&host);
            if let Some((key, job)) = frontier.take(&host)? {
                *self.in_flight.entry(host.clone()).or_default() += 1;
                self.offer(frontier, &host)?;
                return Ok(Some((host, key, job)));
            }
        }
        Ok(None)
    }

    /// A fetch for `host` ended.
    fn done(&mut self, frontier: &dyn Frontier, host: &str) -> Result<()> {
        if let Some(n) = self.in_flight.get_mut(host) {
            *n = n.saturating_sub(1);
        }
        self.offer(frontier, host)
    }
}

impl Crawler {
    /// A crawler; starts Chromium when rendering is on (or `auto` and Chromium is installed).
    pub fn new(config: CrawlConfig, extractor: Extractor) -> Result<Crawler> {
        let renderer = match config.render {
            RenderMode::Never => None,
            RenderMode::Auto if !Renderer::available(&config.chromium) => {
                tracing::warn!(path = %config.chromium.display(), "chromium not found; static fetch only");
                None
            }
            _ => Some(Arc::new(Renderer::start(
                &config.chromium,
                Duration::from_millis(config.render_settle_ms),
                Duration::from_secs(config.timeout_secs),
            )?)),
        };
        Ok(Crawler {
            scope: Scope {
                same_site: config.same_site,
                max_depth: config.max_depth,
                max_pages_per_host: config.max_pages_per_host,
                allow: pattern_set("allow", &config.allow)?,
                deny: pattern_set("deny", &config.deny)?,
            },
            seed_scopes: HashMap::new(),
            fetcher: Arc::new(Fetcher::new(&config)?),
            extractor: Arc::new(extractor),
            renderer,
            config,
        })
    }

    /// Gives `seed`'s links their own scope rules (over the configured ones).
    pub fn scope_seed(&mut self, seed: &Url, scope: &SeedScope) -> Result<()> {
        let base = &self.scope;
        let mut deny: Vec<String> = self.config.deny.clone();
        deny.extend(scope.deny.iter().cloned());
        let compiled = Scope {
            same_site: scope.same_site.unwrap_or(base.same_site),
            max_depth: scope.max_depth.unwrap_or(base.max_depth),
            max_pages_per_host: scope.max_pages_per_host.unwrap_or(base.max_pages_per_host),
            allow: if scope.allow.is_empty() {
                base.allow.clone()
            } else {
                pattern_set("allow", &scope.allow)?
            },
            deny: pattern_set("deny", &deny)?,
        };
        self.seed_scopes
            .insert(normalise_url(seed).to_string(), compiled);
        Ok(())
    }

    fn scope_of(&self, seed: &str) -> &Scope {
        self.seed_scopes.get(seed).unwrap_or(&self.scope)
    }

    /// The most pages one crawl takes (`max_pages`).
    pub fn max_pages(&self) -> usize {
        self.config.max_pages
    }

    /// Shares per-host politeness (concurrency, delay, back-off) with the other processes
    /// crawling the same frontier.
    pub fn share_politeness(&self, shared: Arc<dyn crate::SharedPoliteness>) {
        self.fetcher.share_politeness(shared);
    }

    /// Whether pages are rendered in Chromium.
    pub fn renders(&self) -> bool {
        self.renderer.is_some()
    }

    /// Who runs the crawl (the configured operator, else the system user).
    pub fn operator(&self) -> &str {
        self.fetcher.operator()
    }

    /// The renderer, when pages are rendered: [`Renderer::stop`] ends renders in flight.
    pub fn renderer(&self) -> Option<Arc<Renderer>> {
        self.renderer.clone()
    }

    /// One page as a crawl would take it (robots.txt, politeness, caps, rendering as
    /// configured, ad frames fetched), with its ads and listings; no links are followed. The
    /// page's host is trusted as a seed's.
    pub async fn inspect(&self, url: &Url) -> Result<CapturedPage> {
        self.fetcher.trust_host_of(url);
        let renderer = self.renderer.clone();
        let (page, _links) = crawl_page(
            &self.fetcher,
            &self.extractor,
            renderer,
            url,
            self.config.retries,
        )
        .await?;
        Ok(page)
    }

    /// Crawls from `seeds` with a frontier in memory, until it is empty or `max_pages` pages
    /// are captured.
    pub async fn run(
        &self,
        seeds: Vec<Url>,
        out: mpsc::Sender<CapturedPage>,
        progress: Arc<Progress>,
    ) -> Result<CrawlSummary> {
        let frontier = Arc::new(MemoryFrontier::default());
        let (tx, mut rx) = mpsc::channel::<Delivered>(16);
        let forward = async {
            while let Some(d) = rx.recv().await {
                if out.send(d.page).await.is_err() {
                    break;
                }
                frontier.finish(&d.key)?;
            }
            Ok::<(), Error>(())
        };
        let (summary, forwarded) = tokio::join!(
            self.run_with(frontier.clone(), seeds, tx, progress),
            forward
        );
        forwarded?;
        summary
    }

    /// Crawls from `seeds` and whatever `frontier` still holds from a crawl that stopped or
    /// died (call [`Frontier::resume`] once first, to put back what a dead process left in
    /// flight), until no job is left to take or `max_pages` pages are captured. Each page is
    /// delivered with its job's key; the consumer marks it done. Fails only when the frontier
    /// does (a page that fails is counted and the crawl goes on).
    pub async fn run_with(
        &self,
        frontier: Arc<dyn Frontier>,
        seeds: Vec<Url>,
        out: mpsc::Sender<Delivered>,
        progress: Arc<Progress>,
    ) -> Result<CrawlSummary> {
        let started = Instant::now();
        let mut summary = CrawlSummary {
            resumed: frontier.started()?,
            ..CrawlSummary::default()
        };
        let cap = |seed: &str| self.scope_of(seed).max_pages_per_host;
        let seed_jobs: Vec<Job> = seeds
            .iter()
            .enumerate()
            .map(|(rank, seed)| {
                let seed = normalise_url(seed);
                // Seeds are the operator's choice: their hosts may be private.
                self.fetcher.trust_host_of(&seed);
                Job {
                    url: seed.to_string(),
                    depth: 0,
                    seed: seed.to_string(),
                    rank: rank as u32,
                }
            })
            .collect();
        for job in &seed_jobs {
            frontier.push(vec![job.clone()], cap(&job.seed))?;
        }
        // A resumed crawl read its sitemaps the first time.
        if self.config.sitemaps && !summary.resumed {
            for seed in &seed_jobs {
                let seed_url = Url::parse(&seed.url).expect("normalised");
                let jobs = self
                    .sitemap_pages(&seed_url)
                    .await
                    .into_iter()
                    .map(|u| normalise_url(&u))
                    .filter(|u| self.in_scope(u, &seed_url))
                    .map(|u| Job {
                        url: u.to_string(),
                        depth: 1,
                        ..seed.clone()
                    })
                    .collect();
                frontier.push(jobs, cap(&seed.seed))?;
            }
        }
        let mut turns = Turns::new(self.config.per_host_concurrency);
        for host in frontier.hosts()? {
            turns.offer(&*frontier, &host)?;
        }
        type Outcome = (String, JobKey, Job, Result<PageAndLinks>);
        let mut running: JoinSet<Outcome> = JoinSet::new();
        let mut tasks: HashMap<tokio::task::Id, String> = HashMap::new();
        let mut started_pages = 0usize;
        let mut counted_at = Instant::now() - QUEUE_COUNT_EVERY;
        loop {
            while running.len() < self.config.concurrency.max(1)
                && started_pages < self.config.max_pages
                && !progress.stop.load(Ordering::Relaxed)
            {
                let Some((host, key, job)) = turns.next(&*frontier)? else {
                    break;
                };
                started_pages += 1;
                let (Ok(url), Ok(seed)) = (Url::parse(&job.url), Url::parse(&job.seed)) else {
                    frontier.finish(&key)?;
                    turns.done(&*frontier, &host)?;
                    continue;
                };
                self.fetcher.trust_host_of(&seed);
                let fetcher = self.fetcher.clone();
                let extractor = self.extractor.clone();
                let renderer = self.renderer.clone();
                let retries = self.config.retries;
                let task_host = host.clone();
                let handle = running.spawn(async move {
                    let result = crawl_page(&fetcher, &extractor, renderer, &url, retries).await;
                    (host, key, job, result)
                });
                tasks.insert(handle.id(), task_host);
            }
            // A few times a second is enough for the progress bar (the count is not free: a
            // sled tree walk, or a Redis round trip).
            if counted_at.elapsed() >= QUEUE_COUNT_EVERY {
                progress
                    .queued
                    .store(frontier.waiting()?, Ordering::Relaxed);
                counted_at = Instant::now();
            }
            let Some(joined) = running.join_next_with_id().await else {
                break;
            };
            let (host, key, job, result) = match joined {
                Ok((id, outcome)) => {
                    tasks.remove(&id);
                    outcome
                }
                Err(e) => {
                    // A page that panicked: counted; its job stays in flight for the next crawl.
                    tracing::error!(error = %e, "page task failed");
                    summary.errors += 1;
                    if let Some(host) = tasks.remove(&e.id()) {
                        turns.done(&*frontier, &host)?;
                    }
                    continue;
                }
            };
            match result {
                Ok((page, links)) => {
                    summary.pages += 1;
                    summary.bytes += page.body.len() as u64;
                    summary.ads += page.ads.len() as u64;
                    summary.listings += page.listings.len() as u64;
                    progress.pages.fetch_add(1, Ordering::Relaxed);
                    progress
                        .bytes
                        .fetch_add(page.body.len() as u64, Ordering::Relaxed);
                    // Links are queued before the page is delivered: if the crawl dies in
                    // between, the page is fetched again and its links are already known.
                    if job.depth < self.scope_of(&job.seed).max_depth {
                        let seed = Url::parse(&job.seed).expect("parsed when started");
                        let jobs = links
                            .iter()
                            .map(normalise_url)
                            .filter(|link| self.in_scope(link, &seed))
                            .map(|link| Job {
                                url: link.to_string(),
                                depth: job.depth + 1,
                                ..job.clone()
                            })
                            .collect();
                        for host in frontier.push(jobs, cap(&job.seed))? {
                            turns.offer(&*frontier, &host)?;
                        }
                    }
                    if out.send(Delivered { page, key }).await.is_err() {
                        break;
                    }
                }
                Err(e) => {
                    frontier.finish(&key)?;
                    if let Error::RobotsDenied { url } = &e {
                        tracing::info!(url, "robots.txt disallows");
                        summary.robots_denied += 1;
                    } else {
                        tracing::warn!(url = %job.url, error = %e, "page failed");
                        summary.errors += 1;
                        progress.errors.fetch_add(1, Ordering::Relaxed);
                        *summary.error_kinds.entry(error_kind(&e)).or_default() += 1;
                    }
                }
            }
            turns.done(&*frontier, &host)?;
        }
        summary.seconds = started.elapsed().as_secs_f64();
        summary.stopped = progress.stop.load(Ordering::Relaxed);
        summary.waiting = frontier.waiting()?;
        Ok(summary)
    }

    /// Page URLs from the seed site's sitemaps, following sitemap indexes (bounded).
    async fn sitemap_pages(&self, seed: &Url) -> Vec<Url> {
        let mut queue: VecDeque<Url> = self
            .fetcher
            .robots_sitemaps(seed)
            .await
            .iter()
            .filter_map(|s| seed.join(s).ok())
            .collect();
        if queue.is_empty() {
            queue.extend(seed.join("/sitemap.xml").ok());
        }
        let mut pages = Vec::new();
        let mut fetched = 0;
        while let Some(sitemap) = queue.pop_front() {
            if fetched == 50 || pages.len() >= self.config.max_sitemap_urls {
                break;
            }
            fetched += 1;
            match self.fetcher.fetch(&sitemap).await {
                Ok(f) if f.status < 400 => {
                    let parsed = crate::sitemap::parse(&f.body, &f.final_url);
                    queue.extend(parsed.sitemaps);
                    pages.extend(parsed.pages);
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(%sitemap, error = %e, "sitemap not read"),
            }
        }
        pages.truncate(self.config.max_sitemap_urls);
        pages
    }

    fn in_scope(&self, link: &Url, seed: &Url) -> bool {
        if looks_like_trap(link, self.config.max_url_len) {
            return false;
        }
        let scope = self.scope_of(seed.as_str());
        if scope.same_site && link.origin() != seed.origin() {
            return false;
        }
        let text = link.as_str();
        if (!scope.allow.is_empty() && !scope.allow.is_match(text)) || scope.deny.is_match(text) {
            return false;
        }
        self.config.allow_private || !names_private_host(link) || names_private_host(seed)
    }
}

async fn fetch_with_retries(fetcher: &Fetcher, url: &Url, retries: u32) -> Result<Fetched> {
    let mut attempt = 0;
    loop {
        let mut retry_after = None;
        let result = fetcher.fetch(url).await.and_then(|f| {
            if f.status >= 400 {
                retry_after = retry_after_header(&f.headers);
                Err(Error::Status {
                    url: url.to_string(),
                    status: f.status,
                })
            } else {
                Ok(f)
            }
        });
        match result {
            Err(e) if e.is_transient() && attempt < retries => {
                attempt += 1;
                let exponential = Duration::from_millis(500 * 2u64.pow(attempt - 1));
                let backoff = retry_after
                    .unwrap_or_default()
                    .max(exponential)
                    .min(MAX_BACKOFF);
                // The whole host slows down, not just this URL.
                fetcher.back_off(url, backoff);
                tracing::info!(%url, attempt, backoff_ms = backoff.as_millis() as u64, "retrying");
            }
            other => return other,
        }
    }
}

/// Longest wait before a retry, whatever Retry-After asks.
const MAX_BACKOFF: Duration = Duration::from_secs(120);
/// How often the crawl loop counts the jobs waiting, for the progress bar.
const QUEUE_COUNT_EVERY: Duration = Duration::from_millis(200);

/// A short name for the kind of failure, for the summary.
fn error_kind(e: &Error) -> String {
    match e {
        Error::Status { status, .. } => format!("http {status}"),
        Error::Fetch { .. } => "network".into(),
        Error::Render { .. } => "render".into(),
        other => other
            .to_string()
            .split(':')
            .next()
            .unwrap_or("other")
            .to_owned(),
    }
}

/// Retry-After in seconds (the HTTP-date form is rare from throttling servers; treated as absent).
fn retry_after_header(headers: &[(String, String)]) -> Option<Duration> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Runs parsing work (`job`) on the blocking pool: a slow page must not hold up the runtime
/// the crawl and the dashboard share. A job that panicked yields nothing found.
async fn off_runtime<T: Default + Send + 'static>(
    url: &Url,
    job: impl FnOnce() -> T + Send + 'static,
) -> T {
    match tokio::task::spawn_blocking(job).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(%url, error = %e, "reading the page failed");
            T::default()
        }
    }
}

async fn crawl_page(
    fetcher: &Fetcher,
    extractor: &Arc<Extractor>,
    renderer: Option<Arc<Renderer>>,
    url: &Url,
    retries: u32,
) -> Result<PageAndLinks> {
    let mut fetched = fetch_with_retries(fetcher, url, retries).await?;
    let is_html = fetched
        .content_type
        .as_deref()
        .is_none_or(|ct| ct.contains("html") || ct.contains("xml"));
    if !is_html {
        return Err(Error::Fetch {
            url: url.to_string(),
            message: format!("not HTML ({})", fetched.content_type.unwrap_or_default()),
            transient: false,
        });
    }
    let (static_html, charset) =
        charset::decode_html(&fetched.body, fetched.content_type.as_deref());
    let mut rendered = None;
    if let Some(renderer) = renderer {
        let target = fetched.final_url.to_string();
        // Chromium is given the page as fetched, when where it came from is known.
        let response = fetched.remote.map(|address| crate::Served {
            status: fetched.status,
            headers: fetched.headers.clone(),
            body: fetched.body.clone(),
            address,
        });
        let (extractor, page, served) = (
            extractor.clone(),
            fetched.final_url.clone(),
            static_html.clone(),
        );
        // Ads are found in the rendered DOM while the tab is open, so each can be cut out.
        // Chromium is given the page as fetched, but loads what it links to (images, scripts,
        // frames) from the host: politely, like a fetch.
        let job = move || {
            renderer.render(&target, response.as_ref(), |html, drawn| {
                let found = extractor.extract_rendered(&page, html, Some(&served), drawn);
                let targets = found
                    .ads
                    .iter()
                    .map(|a| (a.selector.clone(), a.text.chars().take(24).collect()))
                    .collect();
                (found, targets)
            })
        };
        // The blocking task starts when spawned: spawned in the turn, not before it.
        let politely = fetcher.politely(&fetched.final_url, async move {
            tokio::task::spawn_blocking(job).await
        });
        match politely.await {
            Ok(Ok(r)) => rendered = Some(r),
            Ok(Err(e)) => tracing::warn!(%url, error = %e, "render failed; using the static page"),
            Err(e) => tracing::warn!(%url, error = %e, "render task failed"),
        }
    }
    let (html, screenshot, loads, popups, frames, mut found) = match rendered {
        Some((r, mut found)) => {
            for (ad, crop) in found.ads.iter_mut().zip(r.crops) {
                if let Some((rect, png)) = crop {
                    ad.position = Some(rect);
                    ad.crop = Some(png);
                }
            }
            (
                r.html,
                Some(r.screenshot),
                r.loads,
                r.popups,
                r.frames,
                found,
            )
        }
        None => {
            let found = off_runtime(url, {
                let (extractor, page, html) = (
                    extractor.clone(),
                    fetched.final_url.clone(),
                    static_html.clone(),
                );
                move || extractor.extract(&page, &html, None)
            })
            .await;
            (
                static_html.clone(),
                None,
                Vec::new(),
                Vec::new(),
                Vec::new(),
                found,
            )
        }
    };
    for ad in found
        .ads
        .iter_mut()
        .filter(|a| a.form == AdForm::Iframe && a.text.is_empty())
    {
        let Some(src) = ad.landing_url.as_deref().and_then(|s| Url::parse(s).ok()) else {
            continue;
        };
        // Rendered: the frame as Chromium shows it, scripts run; else its document, fetched.
        if let Some(frame) = frames.iter().find(|f| f.url == src.as_str()) {
            let (text, labelled) = rendered_frame_text(&frame.text);
            ad.text = text;
            ad.labelled |= labelled;
            ad.landing_url = frame.link.clone().or(Some(src.to_string()));
            continue;
        }
        match fetch_with_retries(fetcher, &src, 0).await {
            Ok(frame) => {
                let (frame_html, _) =
                    charset::decode_html(&frame.body, frame.content_type.as_deref());
                let extractor = extractor.clone();
                let (text, labelled, inner) = off_runtime(url, move || {
                    let (text, labelled) = frame_text(&frame_html);
                    let inner = extractor.extract(&frame.final_url, &frame_html, None);
                    (text, labelled, inner)
                })
                .await;
                ad.text = text;
                ad.labelled |= labelled;
                ad.landing_url = inner
                    .links
                    .first()
                    .map(|u| u.to_string())
                    .or(Some(src.to_string()));
            }
            Err(e) => tracing::warn!(%src, error = %e, "ad iframe not fetched"),
        }
    }
    let shots = merge_popups(&mut found.ads, popups, fetched.final_url.as_str());
    // An ad with nothing to show is dropped, but for a slot: where an ad runs is worth knowing.
    found.ads.retain(|a| {
        !a.text.trim().is_empty() || !a.image_urls.is_empty() || a.form == AdForm::Slot
    });
    let exchange = Exchange {
        version: fetched.version.clone(),
        reason: fetched.reason.clone(),
        ip: fetched.remote.map(|ip| ip.to_string()),
        request_headers: std::mem::take(&mut fetched.request_headers),
        // The store's side knows the run.
        run: None,
        operator: fetcher.operator().to_owned(),
    };
    let capture = Capture {
        url: url.to_string(),
        final_url: fetched.final_url.to_string(),
        status: fetched.status,
        headers: std::mem::take(&mut fetched.headers),
        fetched_at: fetched.received_at,
        exchange,
        charset: charset.to_owned(),
        // The store hashes what it keeps, and records that.
        sha256: String::new(),
        truncated: fetched.truncated,
        rendered: screenshot.is_some(),
        filter_lists: extractor
            .lists()
            .iter()
            .map(|(name, version)| format!("{name} {version}"))
            .collect(),
    };
    Ok((
        CapturedPage {
            capture,
            // The evidence is the body as received, content coding kept.
            body: fetched.wire.take().unwrap_or(fetched.body),
            loads,
            shots,
            html,
            screenshot,
            ads: found.ads,
            listings: found.listings,
        },
        found.links,
    ))
}

/// Overlays found by layout in the rendered page: one that holds an ad found otherwise is that
/// ad, now a pop-up whose close control was tried; one that holds none is an ad only when it
/// carries an ad label (a site's own login or cookie dialog is not an ad). Returns each check's
/// pictures, before and after the click, for the WARC file.
fn merge_popups(
    ads: &mut Vec<AdSample>,
    popups: Vec<crate::PopupCheck>,
    page_url: &str,
) -> Vec<Shot> {
    let squeeze = |t: &str| -> String { t.chars().filter(|c| !c.is_whitespace()).collect() };
    let mut shots = Vec::new();
    for (n, popup) in popups.into_iter().enumerate() {
        let text = squeeze(&popup.text);
        let held = ads.iter_mut().find(|ad| {
            let own = squeeze(&ad.text);
            !own.is_empty() && text.contains(&own)
        });
        match held {
            Some(ad) => {
                ad.form = AdForm::Popup;
                ad.closable = Some(popup.closed);
                ad.position.get_or_insert(popup.rect);
                ad.crop.get_or_insert_with(|| popup.before.clone());
            }
            None if crate::extract::has_label(&popup.text) => ads.push(AdSample {
                page_url: page_url.to_owned(),
                text: popup.text.clone(),
                landing_url: None,
                image_urls: Vec::new(),
                selector: "[data-admon-popup]".into(),
                path: String::new(),
                frame: None,
                form: AdForm::Popup,
                labelled: true,
                closable: Some(popup.closed),
                position: Some(popup.rect),
                rule: "layout: a fixed overlay over 30% of the viewport".into(),
                crop: Some(popup.before.clone()),
            }),
            None => {}
        }
        let name = |when: &str| format!("popup-{}-{when}", n + 1);
        shots.push(Shot {
            name: name("before"),
            png: popup.before,
            at: popup.at,
        });
        if let Some(after) = popup.after {
            shots.push(Shot {
                name: name("after-click"),
                png: after,
                at: popup.at,
            });
        }
    }
    shots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_drops_tracking_and_fragments() {
        let u = Url::parse("HTTP://Example.COM:80/a?utm_source=x&id=3&spm=1#top").unwrap();
        assert_eq!(normalise_url(&u).as_str(), "http://example.com/a?id=3");
        let u = Url::parse("http://example.com/a?utm_medium=y").unwrap();
        assert_eq!(normalise_url(&u).as_str(), "http://example.com/a");
    }

    #[test]
    fn traps_are_spotted() {
        let u = Url::parse("http://e.com/a/b/a/b/a/b").unwrap();
        assert!(looks_like_trap(&u, 2048));
        let u = Url::parse("http://e.com/news/2026/11/25/story.html").unwrap();
        assert!(!looks_like_trap(&u, 2048));
        let long = format!("http://e.com/{}", "x".repeat(3000));
        assert!(looks_like_trap(&Url::parse(&long).unwrap(), 2048));
    }
}
