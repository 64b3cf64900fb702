//! The small site the crash and distributed tests crawl: pages 0..40 on loopback, page k
//! linking to 3k+1..3k+3 (so depth 3 reaches them all), each carrying the same ad; the server
//! counts the responses it writes in full, per path. The check that a store kept each page
//! once, and a model trained once for the tests that crawl into fresh data directories.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub(crate) const PAGES: usize = 40;

/// Responses written in full, per path.
pub(crate) type Completed = Arc<Mutex<HashMap<String, u32>>>;

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

/// Serves the site on 127.0.0.1; `before(k)` is awaited before page k is answered (to slow
/// or hold it). Returns the seed URL.
pub(crate) async fn serve<F, W>(completed: Completed, before: W) -> String
where
    W: Fn(usize) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let before = Arc::new(before);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (completed, before) = (completed.clone(), before.clone());
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let k = match path.as_str() {
                    "/" => Some(0),
                    p => p.strip_prefix("/p").and_then(|n| n.parse::<usize>().ok()),
                }
                .filter(|&k| k < PAGES);
                let (status, body) = match k {
                    Some(k) => {
                        before(k).await;
                        ("200 OK", page(k))
                    }
                    None => ("404 Not Found", String::new()),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                if socket.write_all(response.as_bytes()).await.is_ok()
                    && socket.flush().await.is_ok()
                    && k.is_some()
                {
                    *completed.lock().unwrap().entry(path).or_default() += 1;
                }
            });
        }
    });
    format!("http://{addr}/")
}

/// Serves `pages` (path, UTF-8 HTML) on 127.0.0.1, anything else 404; returns `http://addr`.
pub(crate) async fn serve_fixed(pages: &'static [(&'static str, &'static str)]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let (status, body) = match pages.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => ("200 OK", *body),
                    None => ("404 Not Found", ""),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

/// The store in `data` holds one capture for each page, and the ad every page carries one
/// sighting per page.
pub(crate) fn assert_each_page_kept_once(data: &std::path::Path) {
    let store = admon_store::Store::open(data).unwrap();
    let mut kept: HashMap<String, u32> = HashMap::new();
    for capture in store.captures() {
        *kept.entry(capture.unwrap().1.capture.url).or_default() += 1;
    }
    assert_eq!(kept.len(), PAGES, "{kept:?}");
    assert!(kept.values().all(|&n| n == 1), "{kept:?}");
    let cases = store
        .list_cases(&admon_store::CaseFilter::default())
        .unwrap();
    let ad = cases
        .iter()
        .find(|c| c.text.contains("全网最低价"))
        .expect("the ad's case");
    assert_eq!(ad.sightings, PAGES as u32, "one sighting per page kept");
    assert_eq!(store.frontier_waiting().unwrap(), 0);
}

/// Puts a model trained once for this test binary in `data`: a crawl on a fresh data
/// directory would train its own first (tens of seconds of CPU each time). `cli` tests
/// training on first use itself.
pub(crate) fn with_trained_model(data: &Path) {
    static TRAINED: OnceLock<PathBuf> = OnceLock::new();
    let model = TRAINED.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("trained-model-{}", std::process::id()));
        let trained = std::process::Command::new(env!("CARGO_BIN_EXE_admon"))
            .arg("--data")
            .arg(&dir)
            .arg("train")
            .output()
            .unwrap();
        assert!(trained.status.success(), "{trained:?}");
        dir.join("model.json")
    });
    std::fs::create_dir_all(data).unwrap();
    std::fs::copy(model, data.join("model.json")).unwrap();
}
