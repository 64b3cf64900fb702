//! Asking a time-stamping authority (RFC 3161, `store.tsa_url`) to time-stamp the newest
//! signed checkpoint of the audit chain, after a crawl, after an export, and on
//! `admon store timestamp`; and checking the replies kept with `openssl ts -verify` for
//! `admon store verify --tsa-ca`.

use admon_store::{timestamp, Checkpoint, Store};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::time::Duration;

/// Has the TSA at `url` time-stamp the newest checkpoint, if it has none yet; returns the
/// audit entry it covers. Needs a signing key (there are no checkpoints without one).
pub async fn stamp(store: &Store, url: &str) -> Result<Option<u64>> {
    // The commit that signs a checkpoint of everything written so far.
    store.flush().context("signing a checkpoint")?;
    let Some(checkpoint) = store.checkpoint_to_timestamp()? else {
        return Ok(None);
    };
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id()) << 32;
    let request = timestamp::request(&timestamp::digest(&checkpoint), nonce);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
        .body(request)
        .send()
        .await
        .with_context(|| format!("asking the TSA at {url}"))?;
    if !response.status().is_success() {
        bail!("the TSA at {url} answered {}", response.status());
    }
    let reply = response.bytes().await.context("reading the TSA's reply")?;
    store
        .keep_timestamp(checkpoint.seq, &reply, nonce)
        .with_context(|| format!("the reply of the TSA at {url}"))?;
    Ok(Some(checkpoint.seq))
}

/// [`stamp`] after a crawl or an export: a TSA that cannot be reached is logged, not fatal
/// (the next one time-stamps the newer checkpoint, which covers this one).
pub async fn stamp_quietly(store: &Store, url: &str) {
    if url.is_empty() {
        return;
    }
    match stamp(store, url).await {
        Ok(Some(seq)) => tracing::info!(seq, "checkpoint time-stamped by the TSA"),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = format!("{e:#}"), "checkpoint not time-stamped"),
    }
}

/// Whether `checkpoint`'s time-stamp verifies with `openssl ts -verify` against the TSA's CA
/// certificate(s) in `ca` (PEM): the TSA's signature, its certificate chain, and the digest.
pub fn openssl_verifies(checkpoint: &Checkpoint, ca: &Path) -> Result<(), String> {
    let reply = checkpoint
        .timestamp
        .as_deref()
        .map(hex::decode)
        .transpose()
        .map_err(|e| e.to_string())?
        .ok_or("not time-stamped")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("reply.tsr");
    std::fs::write(&file, reply).map_err(|e| e.to_string())?;
    let out = std::process::Command::new("openssl")
        .args(["ts", "-verify", "-digest"])
        .arg(hex::encode(timestamp::digest(checkpoint)))
        .arg("-in")
        .arg(&file)
        .arg("-CAfile")
        .arg(ca)
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    match out.status.success() && said.contains("Verification: OK") {
        true => Ok(()),
        false => Err(said
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("; ")),
    }
}
