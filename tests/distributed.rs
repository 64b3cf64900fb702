//! Many machines through Redis: two `admon worker`s and an `admon crawl --redis` share one
//! frontier in a redis-server the test starts on a loopback port of its own; every page is
//! fetched and kept exactly once, in the store of the process that ran `admon crawl`.

use crate::pages::{self, Completed, PAGES};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

const ADMON: &str = env!("CARGO_BIN_EXE_admon");
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
    let completed = Completed::default();
    // Each page takes 100 ms, so the work spreads over the crawlers.
    let seed = pages::serve(completed.clone(), |_| {
        tokio::time::sleep(Duration::from_millis(100))
    })
    .await;
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
    pages::assert_each_page_kept_once(&data);

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
