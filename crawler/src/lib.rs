//! Turns seed URLs into captured pages and the ads and listings on them.
//!
//! URLs pass through the crawl loop (scope, normalisation, traps, `sitemap`s), `fetch` (robots.txt,
//! politeness, size and time caps), `charset` (GBK and friends), `render` (Chromium, when
//! installed and enabled) and `extract` (EasyList filter lists for ads, schema.org and
//! per-site selectors for listings). Nothing here classifies or stores. Build an
//! [`Extractor`] and a [`Crawler`] from a [`CrawlConfig`], call [`Crawler::run`], and read
//! [`admon_domain::CapturedPage`]s from its channel; or give [`Crawler::run_with`] a persistent
//! [`Frontier`] (per-host queues, priority by seed and depth) so a crawl that dies
//! resumes.

#![warn(missing_docs)]

mod charset;
mod chromium;
mod crawl;
pub mod distributed;
mod error;
mod extract;
mod fetch;
mod filter_update;
mod render;
mod sitemap;

pub use admon_domain::frontier::{Frontier, Job, JobKey, MemoryFrontier};
pub use charset::decode_html;
pub use crawl::{normalise_url, CrawlSummary, Crawler, Delivered, Progress};
pub use error::{Error, Result};
pub use extract::{parse_price, Extracted, Extractor, FilterList, SiteSelectors, DEBIAN_EASYLIST};
pub use fetch::{is_private, Fetched, Fetcher, SharedPoliteness, Turn};
pub use filter_update::{list_name, update_list, ListUpdate};
pub use render::{FrameRead, PopupCheck, Rendered, Renderer, Served, CHROMIUM_ARGS};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Scope rules for one seed, over the `[crawler]` ones. In a seed file they follow the URL:
/// `https://news.example/ max_depth=2 allow=^https://news\.example/ad/ deny=/login`.
/// `allow` patterns replace the configured ones for this seed's links; `deny` patterns add to
/// them; a key may repeat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeedScope {
    /// Stay on the seed's origin.
    pub same_site: Option<bool>,
    /// Links followed this many hops from the seed.
    pub max_depth: Option<u32>,
    /// Most pages taken from one host for this seed (0: no limit).
    pub max_pages_per_host: Option<usize>,
    /// Links followed only when they match one of these regular expressions.
    pub allow: Vec<String>,
    /// Links matching any of these are not followed.
    pub deny: Vec<String>,
}

impl SeedScope {
    /// Parses `key=value` words (`same_site`, `max_depth`, `max_pages_per_host`, `allow`,
    /// `deny`); a bad key or value is an error naming it.
    pub fn parse(words: &str) -> Result<SeedScope> {
        let mut scope = SeedScope::default();
        for word in words.split_whitespace() {
            let bad = |why: &str| crate::Error::BadSeedOption {
                option: word.to_owned(),
                reason: why.to_owned(),
            };
            let (key, value) = word
                .split_once('=')
                .ok_or_else(|| bad("expected key=value"))?;
            match key {
                "same_site" => {
                    scope.same_site = Some(value.parse().map_err(|_| bad("true or false"))?)
                }
                "max_depth" => {
                    scope.max_depth = Some(value.parse().map_err(|_| bad("a whole number"))?)
                }
                "max_pages_per_host" => {
                    scope.max_pages_per_host =
                        Some(value.parse().map_err(|_| bad("a whole number"))?)
                }
                "allow" => scope.allow.push(value.to_owned()),
                "deny" => scope.deny.push(value.to_owned()),
                _ => {
                    return Err(bad(
                        "unknown key (same_site, max_depth, max_pages_per_host, allow, deny)",
                    ))
                }
            }
        }
        Ok(scope)
    }
}

/// When to render pages in Chromium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderMode {
    /// Never: static fetch only.
    Never,
    /// When Chromium is installed.
    Auto,
    /// Always; fail when Chromium is missing.
    Always,
}

/// The `[crawler]` section of admon.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrawlConfig {
    /// User-Agent; its first word is the robots.txt token.
    pub user_agent: String,
    /// Who runs the crawls, as every capture's WARC file and evidence report name them
    /// (the 电子数据提取笔录's operator); empty: the system user running admon.
    pub operator: String,
    /// Stop after this many pages.
    pub max_pages: usize,
    /// Links followed this many hops from a seed.
    pub max_depth: u32,
    /// Fetches in flight across all hosts.
    pub concurrency: usize,
    /// Minimum delay between requests to one host, ms (robots.txt Crawl-delay may raise it).
    pub per_host_delay_ms: u64,
    /// Fetches in flight to one host at a time.
    pub per_host_concurrency: usize,
    /// Most pages taken from one host in a crawl (0: no limit besides `max_pages`).
    pub max_pages_per_host: usize,
    /// Discovered links are followed only when they match one of these regular expressions
    /// (empty: all); seeds are always fetched.
    pub allow: Vec<String>,
    /// Discovered links matching any of these regular expressions are not followed.
    pub deny: Vec<String>,
    /// Connect timeout, s.
    pub connect_timeout_secs: u64,
    /// Whole-request timeout, s.
    pub timeout_secs: u64,
    /// Body cap; larger pages are truncated and marked.
    pub max_body_bytes: usize,
    /// Redirects followed.
    pub max_redirects: usize,
    /// Retries of transient failures (timeouts, 429, 5xx), with exponential back-off.
    pub retries: u32,
    /// Follow links to loopback/private addresses even when the seed is public.
    pub allow_private: bool,
    /// Stay on each seed's origin.
    pub same_site: bool,
    /// Longest URL followed.
    pub max_url_len: usize,
    /// When to render in Chromium.
    pub render: RenderMode,
    /// Chromium binary.
    pub chromium: PathBuf,
    /// Wait after load for late scripts, ms.
    pub render_settle_ms: u64,
    /// Read each seed site's sitemaps (robots.txt `Sitemap:` lines, else /sitemap.xml).
    pub sitemaps: bool,
    /// Most page URLs taken from one site's sitemaps.
    pub max_sitemap_urls: usize,
    /// Redis URL (`redis://host:6379/`) of a frontier shared with `admon worker`s on other
    /// machines; empty: this machine crawls alone, with the frontier in the store.
    pub redis: String,
    /// A worker waits while this many pages wait in Redis for the store's machine (they hold
    /// whole pages: Redis's memory).
    pub redis_max_waiting_pages: usize,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            user_agent: concat!(
                "admon/",
                env!("CARGO_PKG_VERSION"),
                " (internet advertising monitor; +https://admon.example.gov.cn/crawler)"
            )
            .into(),
            operator: String::new(),
            max_pages: 1000,
            max_depth: 3,
            concurrency: 8,
            per_host_delay_ms: 500,
            per_host_concurrency: 1,
            max_pages_per_host: 0,
            allow: Vec::new(),
            deny: Vec::new(),
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_body_bytes: 5 * 1024 * 1024,
            max_redirects: 10,
            retries: 2,
            allow_private: false,
            same_site: true,
            max_url_len: 2048,
            render: RenderMode::Auto,
            chromium: PathBuf::from("/usr/bin/chromium"),
            render_settle_ms: 600,
            sitemaps: true,
            max_sitemap_urls: 50_000,
            redis: String::new(),
            redis_max_waiting_pages: 256,
        }
    }
}
