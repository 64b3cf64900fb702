//! A crawl killed with SIGKILL resumes: no page is lost, none is fetched or kept twice.
//!
//! The site counts the responses it completes per page. After a dozen pages it holds every
//! further request open, so the moment of the kill is known: the pages answered are kept
//! (the crawl logs each one) and the requests in flight were never answered. After the kill
//! the gate opens and the same `admon crawl` runs again.

use crate::pages::{self, Completed, PAGES};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

const ADMON: &str = env!("CARGO_BIN_EXE_admon");
/// Pages answered before the gate holds requests.
const BEFORE_KILL: usize = 12;

/// The gate: page responses begun while closed, requests held there.
#[derive(Default)]
struct Gate {
    begun: AtomicUsize,
    held: AtomicUsize,
    open: AtomicBool,
}

fn crawl(data: &std::path::Path, seed: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(ADMON);
    command
        .arg("--data")
        .arg(data)
        .args(["crawl", "--json", "--seeds", seed])
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .env("ADMON_CRAWLER_CONCURRENCY", "4")
        .env("ADMON_CRAWLER_PER_HOST_CONCURRENCY", "4")
        .env("ADMON_LOG", "admon::pipeline=debug")
        .kill_on_drop(true);
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_crawl_resumes_without_losing_or_repeating_a_page() {
    let gate = Arc::new(Gate::default());
    let completed = Completed::default();
    let seed = {
        let gate = gate.clone();
        pages::serve(completed.clone(), move |_| {
            let gate = gate.clone();
            async move {
                if !gate.open.load(Ordering::SeqCst)
                    && gate.begun.fetch_add(1, Ordering::SeqCst) >= BEFORE_KILL
                {
                    // Held until the crawler dies: never answered.
                    gate.held.fetch_add(1, Ordering::SeqCst);
                    std::future::pending::<()>().await;
                }
            }
        })
        .await
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    pages::with_trained_model(&data);

    let mut child = crawl(&data, &seed)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stored = Arc::new(AtomicUsize::new(0));
    {
        let stored = stored.clone();
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("page stored") {
                    stored.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    while stored.load(Ordering::SeqCst) < BEFORE_KILL || gate.held.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the crawl never reached the gate: {} stored, {} held",
            stored.load(Ordering::SeqCst),
            gate.held.load(Ordering::SeqCst)
        );
        assert!(child.try_wait().unwrap().is_none(), "the crawl ended early");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // sled writes what a transaction committed within half a second; then the kill.
    tokio::time::sleep(Duration::from_secs(2)).await;
    child.start_kill().unwrap();
    let status = child.wait().await.unwrap();
    assert!(!status.success(), "killed: {status:?}");
    assert_eq!(
        completed.lock().unwrap().len(),
        BEFORE_KILL,
        "pages answered before the kill"
    );

    gate.open.store(true, Ordering::SeqCst);
    let resumed = tokio::time::timeout(Duration::from_secs(180), crawl(&data, &seed).output())
        .await
        .expect("the resumed crawl finished")
        .unwrap();
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{stderr}");
    assert!(stderr.contains("resuming an unfinished crawl"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
    assert_eq!(summary["crawl"]["resumed"], true, "{summary}");
    assert_eq!(
        summary["crawl"]["pages"],
        (PAGES - BEFORE_KILL) as u64,
        "{summary}"
    );

    // Every page answered exactly once across the two processes...
    {
        let completed = completed.lock().unwrap();
        assert_eq!(completed.len(), PAGES, "pages lost: {completed:?}");
        let twice: Vec<_> = completed.iter().filter(|(_, &n)| n != 1).collect();
        assert!(twice.is_empty(), "pages fetched twice: {twice:?}");
    }
    // ...kept exactly once, and its ad counted once in its case.
    pages::assert_each_page_kept_once(&data);

    // A finished crawl leaves nothing to resume: the next one starts afresh.
    let again = crawl(&data, &seed).output().await.unwrap();
    assert!(again.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(summary["crawl"]["resumed"], false, "{summary}");
    assert_eq!(summary["crawl"]["pages"], PAGES as u64, "{summary}");
    assert!(completed.lock().unwrap().values().all(|&n| n == 2));
}
