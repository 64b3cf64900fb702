//! The filter lists a crawl runs, in order: local files (EasyList as Debian ships it), the
//! lists `admon filters update` downloaded into the data directory, and the bundled
//! `seeds/filters/*.txt` last. `admon filters update` and `serve`'s daily refresh keep the
//! downloaded ones current.

use crate::config::Config;
use admon_crawler::{update_list, Extractor, FilterList, ListUpdate};
use anyhow::{Context, Result};

/// Every list a crawl runs, in the order above. A configured file that is missing is skipped
/// with a warning (Debian's EasyList is there only where its package is installed).
pub fn lists(config: &Config) -> Result<Vec<FilterList>> {
    let mut lists = Vec::new();
    for path in &config.filters.files {
        if !path.exists() {
            tracing::warn!(path = %path.display(), "filter list not found; skipped");
            continue;
        }
        lists.push(FilterList::read(path).with_context(|| format!("reading {}", path.display()))?);
    }
    for url in &config.filters.lists {
        let Ok(url) = url::Url::parse(url) else {
            continue; // validated with the config
        };
        let path = config
            .filters
            .dir
            .join(format!("{}.txt", admon_crawler::list_name(&url)));
        if path.exists() {
            lists.push(FilterList::read(&path)?);
        }
    }
    let bundled = config.seeds_dir.join("filters");
    lists.extend(
        FilterList::read_dir(&bundled).with_context(|| format!("reading {}", bundled.display()))?,
    );
    Ok(lists)
}

/// The extractor a crawl runs: [`lists`] and the site selector files. The compiled filter
/// engine is cached in `engine-cache/` beside the downloaded lists (when their directory is
/// known): a start loads it rather than compiling EasyList again.
pub fn extractor(config: &Config) -> Result<Extractor> {
    let cache = (!config.filters.dir.as_os_str().is_empty())
        .then(|| config.filters.dir.join("engine-cache"));
    Extractor::with_cache(
        lists(config)?,
        &config.seeds_dir.join("sites"),
        cache.as_deref(),
    )
    .context("loading filter lists and site selectors")
}

/// Downloads every configured list that is due (all of them with `force`) and says what each
/// did. Fails when any list failed; the others are still updated, and a failed list keeps its
/// last good copy.
pub async fn update(config: &Config, force: bool, out: &mut impl std::io::Write) -> Result<()> {
    let client = reqwest::Client::builder()
        .user_agent(&config.crawler.user_agent)
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .context("building the HTTP client")?;
    let mut failed = 0;
    for raw in &config.filters.lists {
        let url = url::Url::parse(raw).with_context(|| format!("filters.lists: `{raw}`"))?;
        let name = admon_crawler::list_name(&url);
        match update_list(&client, &url, &config.filters.dir, force).await {
            Ok(ListUpdate::Updated(version)) => writeln!(out, "{name}: updated ({version})")?,
            Ok(ListUpdate::NotModified) => writeln!(out, "{name}: not modified")?,
            Ok(ListUpdate::Fresh) => writeln!(out, "{name}: fresh (within its Expires)")?,
            Err(e) => {
                failed += 1;
                writeln!(out, "{name}: failed, last good copy kept: {e}")?;
            }
        }
    }
    anyhow::ensure!(failed == 0, "{failed} filter list(s) could not be updated");
    Ok(())
}

/// Refreshes the lists every `filters.update_hours` while `serve` runs (the first time after
/// one period: `admon filters update` is the way to fetch them now).
pub async fn refresh_forever(config: Config) {
    let hours = config.filters.update_hours;
    if hours == 0 || config.filters.lists.is_empty() {
        return;
    }
    let period = std::time::Duration::from_secs(hours * 3600);
    loop {
        tokio::time::sleep(period).await;
        let mut report = Vec::new();
        match update(&config, false, &mut report).await {
            Ok(()) => {
                tracing::info!(report = %String::from_utf8_lossy(&report), "filter lists refreshed")
            }
            Err(e) => {
                tracing::warn!(error = %e, report = %String::from_utf8_lossy(&report), "filter list refresh failed")
            }
        }
    }
}
