//! A crawl killed with SIGKILL resumes: no page is lost, none is fetched or kept twice.
//!
//! The site counts the responses it completes per page. After a dozen pages it holds every
//! further request open, so the moment of the kill is known: the pages answered are kept
//! (the crawl logs each one) and the requests in flight were never answered. After the kill
//! the gate opens and the same `admon crawl` runs again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

const ADMON: &str = env!("CARGO_BIN_EXE_admon");
/// Pages 0..40: page k links to 3k+1..3k+3, so depth 3 (the default) reaches all of them.
const PAGES: usize = 40;
/// Pages answered before the gate holds requests.
const BEFORE_KILL: usize = 12;

#[derive(Default)]
struct Site {
    /// Responses written in full, per path.
    completed: Mutex<HashMap<String, u32>>,
    /// Page responses begun while the gate was closed.
    begun: AtomicUsize,
    /// Requests held at the gate.
    held: AtomicUsize,
    open: AtomicBool,
}

fn page(k: usize) -> String {
    let links: String = (3 * k + 1..=3 * k + 3)
        .filter(|&n| n < PAGES)
        .map(|n| format!("<a href=\"/p{n}\">第{n}页</a>"))
        .collect();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>第{k}页</title></head>\
         <body><h1>新闻 {k}</h1>{links}\
         <div class=\"ad-banner\"><a href=\"http://shop.example/\">全网最低价，国家级品质</a></div>\
         </body></html>"
    )
}

async fn serve(site: Arc<Site>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let site = site.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let k = match path.as_str() {
                    "/" => Some(0),
                    p => p.strip_prefix("/p").and_then(|n| n.parse::<usize>().ok()),
                };
                let (status, body) = match k {
                    Some(k) if k < PAGES => {
                        if !site.open.load(Ordering::SeqCst)
                            && site.begun.fetch_add(1, Ordering::SeqCst) >= BEFORE_KILL
                        {
                            // Held until the crawler dies: never answered.
                            site.held.fetch_add(1, Ordering::SeqCst);
                            std::future::pending::<()>().await;
                        }
                        ("200 OK", page(k))
                    }
                    _ => ("404 Not Found", String::new()),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                if socket.write_all(response.as_bytes()).await.is_ok()
                    && socket.flush().await.is_ok()
                    && k.is_some_and(|k| k < PAGES)
                {
                    *site.completed.lock().unwrap().entry(path).or_default() += 1;
                }
            });
        }
    });
    format!("http://{addr}/")
}

/// The store in `data` holds one capture for each of the `pages` pages, and the ad every page
/// carries (全网最低价) one sighting per page.
pub(crate) fn assert_each_page_kept_once(data: &std::path::Path, pages: usize) {
    let store = admon_store::Store::open(data).unwrap();
    let mut kept: HashMap<String, u32> = HashMap::new();
    for capture in store.captures() {
        *kept.entry(capture.unwrap().1.capture.url).or_default() += 1;
    }
    assert_eq!(kept.len(), pages, "{kept:?}");
    assert!(kept.values().all(|&n| n == 1), "{kept:?}");
    let cases = store
        .list_cases(&admon_store::CaseFilter::default())
        .unwrap();
    let ad = cases
        .iter()
        .find(|c| c.text.contains("全网最低价"))
        .expect("the ad's case");
    assert_eq!(ad.sightings, pages as u32, "one sighting per page kept");
    assert_eq!(store.frontier_waiting().unwrap(), 0);
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
    let site = Arc::new(Site::default());
    let seed = serve(site.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

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
    while stored.load(Ordering::SeqCst) < BEFORE_KILL || site.held.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the crawl never reached the gate: {} stored, {} held",
            stored.load(Ordering::SeqCst),
            site.held.load(Ordering::SeqCst)
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
        site.completed.lock().unwrap().len(),
        BEFORE_KILL,
        "pages answered before the kill"
    );

    site.open.store(true, Ordering::SeqCst);
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
        let completed = site.completed.lock().unwrap();
        assert_eq!(completed.len(), PAGES, "pages lost: {completed:?}");
        let twice: Vec<_> = completed.iter().filter(|(_, &n)| n != 1).collect();
        assert!(twice.is_empty(), "pages fetched twice: {twice:?}");
    }
    // ...kept exactly once, and its ad counted once in its case.
    assert_each_page_kept_once(&data, PAGES);

    // A finished crawl leaves nothing to resume: the next one starts afresh.
    let again = crawl(&data, &seed).output().await.unwrap();
    assert!(again.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(summary["crawl"]["resumed"], false, "{summary}");
    assert_eq!(summary["crawl"]["pages"], PAGES as u64, "{summary}");
    assert!(site.completed.lock().unwrap().values().all(|&n| n == 2));
}
