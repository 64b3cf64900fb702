//! Many machines through Redis: two `admon worker`s and an `admon crawl --redis` share one
//! frontier in a redis-server the test starts on a loopback port of its own; every page is
//! fetched and kept exactly once, in the store of the process that ran `admon crawl`.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

const ADMON: &str = env!("CARGO_BIN_EXE_admon");
/// Pages 0..40: page k links to 3k+1..3k+3.
const PAGES: usize = 40;

/// A redis-server on 127.0.0.1, in a temp dir, without persistence; killed on drop.
struct Redis {
    url: String,
    _child: tokio::process::Child,
    _dir: tempfile::TempDir,
}

async fn redis() -> Redis {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::e2e::free_port();
    let child = tokio::process::Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server is installed (make deps)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "redis-server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Redis {
        url: format!("redis://127.0.0.1:{port}/"),
        _child: child,
        _dir: dir,
    }
}

/// The site: each page takes 100 ms, so the work spreads over the crawlers. Counts the
/// responses written in full, per path.
async fn site(completed: Arc<Mutex<HashMap<String, u32>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let completed = completed.clone();
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
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        let links: String = (3 * k + 1..=3 * k + 3)
                            .filter(|&n| n < PAGES)
                            .map(|n| format!("<a href=\"/p{n}\">{n}</a>"))
                            .collect();
                        (
                            "200 OK",
                            format!(
                                "<html><head><meta charset=\"utf-8\"></head><body><h1>第{k}页</h1>{links}\
                                 <div class=\"ad-banner\"><a href=\"http://shop.example/\">全网最低价，国家级品质</a></div></body></html>"
                            ),
                        )
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

fn admon() -> tokio::process::Command {
    let mut command = tokio::process::Command::new(ADMON);
    command
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .env("ADMON_CRAWLER_CONCURRENCY", "2")
        .env("ADMON_CRAWLER_PER_HOST_CONCURRENCY", "2")
        .env("ADMON_LOG", "admon::pipeline=debug")
        .kill_on_drop(true);
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn workers_share_the_crawl_through_redis_and_every_page_is_kept_once() {
    let redis = redis().await;
    let completed: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let seed = site(completed.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let sent = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for id in ["w1", "w2"] {
        let mut worker = admon()
            .args(["worker", "--redis", &redis.url, "--id", id])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let sent = sent.clone();
        let mut lines = tokio::io::BufReader::new(worker.stderr.take().unwrap()).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("page sent to the store") {
                    sent.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        workers.push(worker);
    }

    let crawl = tokio::time::timeout(
        Duration::from_secs(240),
        admon()
            .arg("--data")
            .arg(&data)
            .args(["crawl", "--json", "--redis", &redis.url, "--seeds", &seed])
            .output(),
    )
    .await
    .expect("the shared crawl finished")
    .unwrap();
    let stderr = String::from_utf8_lossy(&crawl.stderr);
    assert!(crawl.status.success(), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&crawl.stdout).unwrap();
    let own = summary["crawl"]["pages"].as_u64().unwrap() as usize;
    // The workers' last log lines may still be on their way through the pipes.
    let deadline = Instant::now() + Duration::from_secs(10);
    while own + sent.load(Ordering::SeqCst) < PAGES && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let by_workers = sent.load(Ordering::SeqCst);
    assert!(by_workers > 0, "the workers took no jobs: {summary}");
    assert_eq!(own + by_workers, PAGES, "{summary}");
    assert_eq!(summary["crawl"]["waiting"], 0, "{summary}");

    {
        let completed = completed.lock().unwrap();
        assert_eq!(completed.len(), PAGES, "pages lost: {completed:?}");
        assert!(
            completed.values().all(|&n| n == 1),
            "pages fetched twice: {completed:?}"
        );
    }
    crate::resume::assert_each_page_kept_once(&data, PAGES);

    // Workers stop cleanly on Ctrl-C.
    for mut worker in workers {
        let pid = worker.id().unwrap().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        let status = tokio::time::timeout(Duration::from_secs(30), worker.wait())
            .await
            .expect("the worker stopped")
            .unwrap();
        assert!(status.success(), "{status:?}");
    }
}
