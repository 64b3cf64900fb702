//! Keeps downloaded filter lists current in a directory: `<name>.txt` beside `<name>.meta.json`.
//!
//! A download is conditional (ETag, Last-Modified), skipped while the copy is younger than the
//! list's own `! Expires:`, checked (a list, not an error page; `! Checksum:` when present), and
//! replaces the old copy atomically. When anything fails, the last good copy stays.

use crate::{Error, FilterList, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;
use time::OffsetDateTime;

/// The largest list taken (EasyList is ~2 MB).
const MAX_LIST_BYTES: usize = 32 << 20;
/// How long a list without `! Expires:` is fresh.
const DEFAULT_EXPIRES: Duration = Duration::from_secs(24 * 3600);

/// What a list's update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListUpdate {
    /// A new copy was written, with its version.
    Updated(String),
    /// The server said the copy is current (304).
    NotModified,
    /// The copy is younger than the list's `Expires`; nothing was asked.
    Fresh,
}

/// What is known of a downloaded list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Meta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    checked_at: Option<OffsetDateTime>,
    expires_secs: u64,
}

/// The name a list's URL is kept under: its file name without extension (`easylistchina`).
pub fn list_name(url: &url::Url) -> String {
    let stem = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .and_then(|last| last.split('.').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("list");
    let host = url.host_str().unwrap_or("list");
    // A bare number (AdGuard's filters/224.txt) says little: the host goes with it.
    if stem.chars().all(|c| c.is_ascii_digit()) {
        format!("{host}-{stem}")
    } else {
        stem.chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

/// The list's own freshness: `! Expires: 4 days (update frequency)`, or hours.
fn expires(text: &str) -> Duration {
    let line = text
        .lines()
        .take(40)
        .filter_map(|l| l.strip_prefix('!'))
        .find_map(|l| l.trim().strip_prefix("Expires:"));
    let Some(line) = line else {
        return DEFAULT_EXPIRES;
    };
    let mut words = line.split_whitespace();
    let n: u64 = words.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let unit = if words.next().is_some_and(|u| u.starts_with("hour")) {
        3600
    } else {
        86_400
    };
    Duration::from_secs(n.clamp(1, 30) * unit)
}

/// Whether `text` is a filter list (not an HTML error page or an empty answer), and whether its
/// `! Checksum:` (Adblock Plus: MD5 of the list without that line, base64 without padding)
/// holds when it has one.
fn check_list(text: &str) -> std::result::Result<(), String> {
    let head: String = text.chars().take(512).collect::<String>().to_lowercase();
    if head.contains("<html") || head.contains("<!doctype") {
        return Err("an HTML page, not a filter list".into());
    }
    let rules = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('!') && !l.starts_with('['))
        .count();
    if rules == 0 {
        return Err("no rules in it".into());
    }
    if let Some(sum) = text
        .lines()
        .take(40)
        .find_map(|l| l.strip_prefix("! Checksum:"))
        .map(str::trim)
    {
        use base64::Engine;
        let body: String = text
            .replace("\r\n", "\n")
            .lines()
            .filter(|l| !l.starts_with("! Checksum:"))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let digest = md5::compute(body.as_bytes());
        let mine = base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest.0);
        if mine != sum.trim_end_matches('=') {
            return Err(format!("checksum {sum} does not match its rules ({mine})"));
        }
    }
    Ok(())
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::BadSeed {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Updates the list at `url` in `dir` (conditional GET; skipped while fresh unless `force`).
pub async fn update_list(
    client: &reqwest::Client,
    url: &url::Url,
    dir: &Path,
    force: bool,
) -> Result<ListUpdate> {
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let name = list_name(url);
    let (list_path, meta_path) = (
        dir.join(format!("{name}.txt")),
        dir.join(format!("{name}.meta.json")),
    );
    let meta: Meta = std::fs::read(&meta_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|m: &Meta| m.url == url.as_str() && list_path.exists())
        .unwrap_or_default();
    let now = OffsetDateTime::now_utc();
    if !force {
        if let Some(at) = meta.checked_at {
            if now - at < time::Duration::seconds(meta.expires_secs as i64) {
                return Ok(ListUpdate::Fresh);
            }
        }
    }
    let fetch_err = |message: String| Error::Fetch {
        url: url.to_string(),
        message,
        transient: true,
    };
    let mut request = client.get(url.clone());
    if let Some(etag) = &meta.etag {
        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    if let Some(modified) = &meta.last_modified {
        request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
    }
    let mut response = request.send().await.map_err(|e| fetch_err(e.to_string()))?;
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, last_modified) = (
        header(reqwest::header::ETAG),
        header(reqwest::header::LAST_MODIFIED),
    );
    if status == reqwest::StatusCode::NOT_MODIFIED {
        let meta = Meta {
            checked_at: Some(now),
            etag: etag.or(meta.etag),
            last_modified: last_modified.or(meta.last_modified),
            ..meta
        };
        write_atomic(
            &meta_path,
            &serde_json::to_vec(&meta).expect("meta serialises"),
        )?;
        return Ok(ListUpdate::NotModified);
    }
    if !status.is_success() {
        return Err(Error::Status {
            url: url.to_string(),
            status: status.as_u16(),
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| fetch_err(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_LIST_BYTES {
            return Err(fetch_err(format!("larger than {MAX_LIST_BYTES} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(body).map_err(|e| fetch_err(format!("not UTF-8: {e}")))?;
    check_list(&text).map_err(fetch_err)?;
    let version = FilterList::new(&name, text.clone()).version;
    write_atomic(&list_path, text.as_bytes())?;
    let meta = Meta {
        url: url.to_string(),
        etag,
        last_modified,
        checked_at: Some(now),
        expires_secs: expires(&text).as_secs(),
    };
    write_atomic(
        &meta_path,
        &serde_json::to_vec(&meta).expect("meta serialises"),
    )?;
    Ok(ListUpdate::Updated(version))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it over `path`.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp: PathBuf = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_expiry_and_checks() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            list_name(&u(
                "https://easylist-downloads.adblockplus.org/easylistchina.txt"
            )),
            "easylistchina"
        );
        assert_eq!(
            list_name(&u(
                "https://filters.adtidy.org/extension/ublock/filters/224.txt"
            )),
            "filters.adtidy.org-224"
        );
        assert_eq!(
            expires("! Expires: 4 days (update frequency)\n##.a"),
            Duration::from_secs(4 * 86_400)
        );
        assert_eq!(
            expires("! Expires: 12 hours\n##.a"),
            Duration::from_secs(12 * 3600)
        );
        assert_eq!(expires("##.a"), DEFAULT_EXPIRES);
        assert!(check_list("[Adblock Plus 2.0]\n##.ad\n").is_ok());
        assert!(check_list("<!DOCTYPE html><html>503</html>").is_err());
        assert!(check_list("[Adblock Plus 2.0]\n! Title: x\n").is_err());
        // A checksummed list: MD5 over its lines but the checksum line and blank ones.
        let good = "[Adblock]\n! Checksum: ZCtRu8Q1mUGnUk6rjAn8gA\n! This is a test\n!\n##.ad\n";
        let md5 = md5::compute("[Adblock]\n! This is a test\n!\n##.ad".as_bytes());
        use base64::Engine;
        let sum = base64::engine::general_purpose::STANDARD_NO_PAD.encode(md5.0);
        let good = good.replace("ZCtRu8Q1mUGnUk6rjAn8gA", &sum);
        assert!(check_list(&good).is_ok(), "{good}");
        assert!(check_list(&good.replace("##.ad", "##.ads")).is_err());
    }
}
