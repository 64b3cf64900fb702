//! admon.toml: one section per stage, defaults in `Default`, every key overridable by an
//! `ADMON_<SECTION>_<KEY>` environment variable (the loader is handed the environment).

use admon_crawler::CrawlConfig;
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Seed data: lexicons, corpus, filter lists, site selectors, demo sites.
    pub seeds_dir: PathBuf,
    /// `[crawler]`.
    pub crawler: CrawlConfig,
    /// `[classifier]`.
    pub classifier: ClassifierConfig,
    /// `[dashboard]`.
    pub dashboard: DashboardConfig,
    /// `[store]`.
    pub store: StoreConfig,
    /// `[schedule]`.
    pub schedule: ScheduleConfig,
    /// `[filters]`.
    pub filters: FiltersConfig,
}

/// `[filters]`: the filter lists that find ads. The bundled `seeds/filters/*.txt` always run,
/// after these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FiltersConfig {
    /// Lists read from local files (skipped with a warning when missing).
    pub files: Vec<PathBuf>,
    /// Lists `admon filters update` downloads (and `serve` refreshes) into `dir`.
    pub lists: Vec<String>,
    /// Where downloaded lists are kept; empty: `filters/` in the data directory.
    pub dir: PathBuf,
    /// How often `serve` refreshes the downloaded lists, in hours (0: never).
    pub update_hours: u64,
}

impl Default for FiltersConfig {
    fn default() -> Self {
        FiltersConfig {
            files: vec![PathBuf::from(admon_crawler::DEBIAN_EASYLIST)],
            lists: vec![
                "https://easylist-downloads.adblockplus.org/easylistchina.txt".into(),
                "https://filters.adtidy.org/extension/ublock/filters/224.txt".into(),
            ],
            dir: PathBuf::new(),
            update_hours: 24,
        }
    }
}

/// `[schedule]`: the crawl `admon serve` runs on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// When, as a cron expression with seconds (`sec min hour day month weekday`); empty: never.
    pub crawl: String,
    /// Seed URLs or files of URLs, as `admon crawl --seeds` takes them.
    pub seeds: Vec<String>,
    /// The time zone the expression is read in, as an offset from UTC.
    pub utc_offset: String,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            crawl: String::new(),
            seeds: Vec::new(),
            utc_offset: "+08:00".into(),
        }
    }
}

impl ScheduleConfig {
    /// The parsed schedule and time zone, or `None` when no crawl is scheduled.
    pub fn parsed(&self) -> anyhow::Result<Option<(cron::Schedule, chrono::FixedOffset)>> {
        if self.crawl.trim().is_empty() {
            return Ok(None);
        }
        let schedule: cron::Schedule = self.crawl.parse().with_context(|| {
            format!(
                "schedule.crawl `{}` is not a cron expression (sec min hour day month weekday, e.g. \"0 0 2 * * *\")",
                self.crawl
            )
        })?;
        let offset: chrono::FixedOffset = self.utc_offset.parse().map_err(|_| {
            anyhow::anyhow!(
                "schedule.utc_offset `{}` is not an offset like +08:00",
                self.utc_offset
            )
        })?;
        if self.seeds.is_empty() {
            bail!("schedule.seeds is empty: a scheduled crawl needs seed URLs or files");
        }
        Ok(Some((schedule, offset)))
    }
}

/// `[store]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Free space (MB) to keep on the data directory's disk; crawls stop below it.
    pub min_free_mb: u64,
    /// Memory (MB) for sled's page cache; 0: 256 for `serve` and `demo` (the dashboard's queue
    /// stays in memory), 48 for other commands (a crawl stays small).
    pub cache_mb: u64,
    /// The ed25519 key (PKCS#8 PEM, from `admon key init`) that signs checkpoints of the
    /// audit chain; kept outside the data directory. Empty: `$XDG_CONFIG_HOME/admon/
    /// signing-key.pem` (else `~/.config/admon/signing-key.pem`), used when it exists.
    pub signing_key: PathBuf,
    /// An RFC 3161 time-stamping authority (`http(s)://…`, POST `application/timestamp-query`)
    /// that time-stamps the newest signed checkpoint after each crawl and export, and on
    /// `admon store timestamp`. Empty: none.
    pub tsa_url: String,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            min_free_mb: 256,
            cache_mb: 0,
            signing_key: PathBuf::new(),
            tsa_url: String::new(),
        }
    }
}

impl StoreConfig {
    /// Where the signing key is (configured, or the default in the user's config directory).
    pub fn signing_key_path(&self) -> PathBuf {
        if !self.signing_key.as_os_str().is_empty() {
            return self.signing_key.clone();
        }
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .unwrap_or_else(|| PathBuf::from("."));
        config.join("admon").join("signing-key.pem")
    }
}

/// `[classifier]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassifierConfig {
    /// Model file; empty means `model.json` in the data directory.
    pub model: PathBuf,
}

/// `[dashboard]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardConfig {
    /// Address to listen on.
    pub addr: IpAddr,
    /// Port to listen on.
    pub port: u16,
    /// The URL users open; when it is https (a TLS proxy in front), cookies are `Secure` and
    /// answers carry HSTS. Empty: plain http on `addr`.
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client (login limits count the
    /// client's address, not the proxy's).
    pub trusted_proxies: Vec<IpAddr>,
    /// The zone evidence reports and pack entries give times in, as an offset from UTC.
    pub report_utc_offset: String,
}

impl DashboardConfig {
    /// [`DashboardConfig::report_utc_offset`], parsed.
    pub fn report_offset(&self) -> anyhow::Result<time::UtcOffset> {
        let format =
            time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
        time::UtcOffset::parse(self.report_utc_offset.trim(), &format).map_err(|_| {
            anyhow::anyhow!(
                "dashboard.report_utc_offset `{}` is not an offset like +08:00",
                self.report_utc_offset
            )
        })
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seeds_dir: PathBuf::from("seeds"),
            crawler: CrawlConfig::default(),
            classifier: ClassifierConfig::default(),
            dashboard: DashboardConfig::default(),
            store: StoreConfig::default(),
            schedule: ScheduleConfig::default(),
            filters: FiltersConfig::default(),
        }
    }
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig {
            model: PathBuf::new(),
        }
    }
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig {
            addr: [127, 0, 0, 1].into(),
            port: 8080,
            public_url: String::new(),
            trusted_proxies: Vec::new(),
            report_utc_offset: "+08:00".into(),
        }
    }
}

/// Parses `text` (may be empty), applies `ADMON_*` variables from `env`, validates.
pub fn load(text: &str, env: &HashMap<String, String>) -> anyhow::Result<Config> {
    let mut value: toml::Table = toml::from_str(text).context("reading admon.toml")?;
    let sections = [
        "crawler",
        "classifier",
        "dashboard",
        "store",
        "schedule",
        "filters",
    ];
    let mut names: Vec<&String> = env.keys().filter(|k| k.starts_with("ADMON_")).collect();
    names.sort();
    for name in names {
        let rest = name["ADMON_".len()..].to_ascii_lowercase();
        if rest == "data" || rest == "config" || rest == "log" {
            continue; // command-line level, not admon.toml keys
        }
        let (table, key) = match sections.iter().find(|s| rest.starts_with(&format!("{s}_"))) {
            Some(section) => {
                let entry = value
                    .entry(section.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                let Some(table) = entry.as_table_mut() else {
                    bail!("admon.toml: `{section}` must be a table");
                };
                (table, rest[section.len() + 1..].to_owned())
            }
            None => (&mut value, rest),
        };
        let raw = &env[name];
        // A TOML literal when it parses as one (numbers, booleans), else a string.
        let parsed = toml::from_str::<toml::Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.clone()));
        table.insert(key, parsed);
    }
    // Re-read as text so that errors quote the offending key and value.
    let merged = toml::to_string(&value).context("merging ADMON_* variables")?;
    let config: Config = toml::from_str(&merged)
        .context("invalid configuration (admon.toml or ADMON_* variables)")?;
    config.validate()?;
    Ok(config)
}

impl Config {
    fn validate(&self) -> anyhow::Result<()> {
        self.schedule.parsed()?;
        self.dashboard.report_offset()?;
        let c = &self.crawler;
        if c.concurrency == 0 {
            bail!("crawler.concurrency must be at least 1");
        }
        if c.per_host_concurrency == 0 {
            bail!("crawler.per_host_concurrency must be at least 1");
        }
        if c.max_body_bytes < 1024 {
            bail!("crawler.max_body_bytes must be at least 1024");
        }
        if c.timeout_secs == 0 || c.connect_timeout_secs == 0 {
            bail!("crawler.timeout_secs and crawler.connect_timeout_secs must be positive");
        }
        if c.user_agent.trim().is_empty() {
            bail!("crawler.user_agent must name the monitor");
        }
        let public = &self.dashboard.public_url;
        if !public.is_empty()
            && !matches!(url::Url::parse(public), Ok(u) if matches!(u.scheme(), "http" | "https"))
        {
            bail!("dashboard.public_url: `{public}` is not an http(s) URL");
        }
        for list in &self.filters.lists {
            match url::Url::parse(list) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => bail!("filters.lists: `{list}` is not an http(s) URL"),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn example_file_parses_and_equals_defaults() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/seeds/admon.example.toml"
        ))
        .unwrap();
        assert_eq!(load(&text, &HashMap::new()).unwrap(), Config::default());
    }

    #[test]
    fn env_overrides_file() {
        let c = load(
            "[crawler]\nmax_pages = 5\n",
            &env(&[
                ("ADMON_CRAWLER_MAX_PAGES", "7"),
                ("ADMON_DASHBOARD_PORT", "9000"),
            ]),
        )
        .unwrap();
        assert_eq!(c.crawler.max_pages, 7);
        assert_eq!(c.dashboard.port, 9000);
        let c = load("", &env(&[("ADMON_CRAWLER_USER_AGENT", "admon-test/1")])).unwrap();
        assert_eq!(c.crawler.user_agent, "admon-test/1");
    }

    #[test]
    fn bad_config_names_the_key() {
        let e = format!(
            "{:#}",
            load("[crawler]\nmax_pagez = 5\n", &HashMap::new()).unwrap_err()
        );
        assert!(e.contains("max_pagez"), "{e}");
        let e = format!(
            "{:#}",
            load("", &env(&[("ADMON_CRAWLER_MAX_PAGES", "many")])).unwrap_err()
        );
        assert!(e.contains("max_pages"), "{e}");
        let e = format!(
            "{:#}",
            load("[crawler]\nconcurrency = 0\n", &HashMap::new()).unwrap_err()
        );
        assert!(e.contains("crawler.concurrency"), "{e}");
    }

    // Fuzzing (#16): whatever admon.toml holds, loading it answers, never panics. 300 cases.
    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn toml_soup() -> impl Strategy<Value = String> {
            let pieces = prop::sample::select(vec![
                "[crawler]\n",
                "[dashboard]\n",
                "[filters]\n",
                "[schedule]\n",
                "[store]\n",
                "max_pages = ",
                "port = ",
                "addr = ",
                "lists = ",
                "crawl = ",
                "public_url = ",
                "trusted_proxies = ",
                "\"",
                "[",
                "]",
                "{",
                "}",
                ",",
                "=",
                "\n",
                "-1",
                "99999999999999999999",
                "\"https://x/\"",
                "\"0 0 2 * * *\"",
                "true",
                "1.5",
                "\"127.0.0.1\"",
                "国家级",
                "\u{0}",
                "#",
            ]);
            prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
            #[test]
            fn any_config_text_loads_or_says_why(text in toml_soup()) {
                let _ = load(&text, &HashMap::new());
            }
        }
    }
}
