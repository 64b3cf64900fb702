//! Storage faults through the real binary: a data directory on a full disk, and one on a
//! read-only file system, each a small tmpfs mounted in a private mount namespace
//! (`unshare`), so the test needs no privileges beyond user namespaces.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ADMON: &str = env!("CARGO_BIN_EXE_admon");

/// Runs `script` (sh, with `$M` a fresh tmpfs of `size`) in its own user and mount namespace.
fn in_tmpfs(size: &str, script: &str, envs: &[(&str, &str)]) -> Output {
    let mount = tempfile::tempdir().unwrap();
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "--", "sh", "-c"])
        .arg(format!(
            "set -e; mount -t tmpfs -o size={size} tmpfs \"$M\"; {script}"
        ))
        .env("M", mount.path())
        .env("ADMON", ADMON)
        .envs(envs.iter().copied())
        .output()
        .expect("unshare (util-linux) runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("unshare failed") && !stderr.contains("mount: "),
        "could not set up the namespace: {stderr}"
    );
    out
}

/// A site of endless distinct 256 KB pages on loopback, each linking to the next three; and
/// how many pages it has been asked for.
async fn endless_site() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let page: u64 = path.trim_start_matches("/p").parse().unwrap_or(0);
                let body = if path == "/robots.txt" {
                    String::new()
                } else {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let filler: String = (0..256 * 1024 / 16)
                        .map(|i| format!("{:015x} ", (page << 32) ^ i))
                        .collect();
                    format!(
                        "<html><body><a href=\"/p{}\">a</a><a href=\"/p{}\">b</a><a href=\"/p{}\">c</a><p>{filler}</p></body></html>",
                        page * 3 + 1,
                        page * 3 + 2,
                        page * 3 + 3
                    )
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}/p0"), asked)
}

fn assert_clear_failure(out: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "should fail: {stderr}");
    assert!(
        !stderr.contains("panicked"),
        "a panic, not an error: {stderr}"
    );
    assert!(
        stderr.contains("admon: ") && stderr.contains(expected),
        "unclear error: {stderr}"
    );
}

/// Runs `admon --data $M/data CRAWL` (under a 300 s `timeout`, its exit code reported on
/// stderr as "crawl exit N"), then `after`, on a 96 MB tmpfs with a 48 MB free-space reserve
/// (half the disk: room for sled's and tantivy's own bursts after the stop).
async fn on_a_nearly_full_disk(crawl: String, after: &'static str) -> Output {
    let model = tempfile::tempdir().unwrap();
    crate::pages::with_trained_model(model.path());
    tokio::task::spawn_blocking(move || {
        let model_path = model.path().join("model.json");
        in_tmpfs(
            "96m",
            &format!(
                "timeout 300 \"$ADMON\" --data \"$M/data\" {crawl} || echo \"crawl exit $?\" >&2; {after}"
            ),
            &[
                ("ADMON_CRAWLER_RENDER", "never"),
                ("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0"),
                ("ADMON_CRAWLER_MAX_DEPTH", "10"),
                ("ADMON_CLASSIFIER_MODEL", model_path.to_str().unwrap()),
                ("ADMON_STORE_MIN_FREE_MB", "48"),
            ],
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_nearly_full_disk_stops_the_crawl_with_a_clear_error_and_keeps_what_it_stored() {
    let (seed, _) = endless_site().await;
    let out = on_a_nearly_full_disk(
        format!("crawl --max-pages 500 --seeds {seed}"),
        // `timeout`: should sled ever wait forever on a full disk, the test fails, not hangs.
        "exec timeout 120 \"$ADMON\" --data \"$M/data\" store verify",
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("crawl exit 1"),
        "the crawl should fail: {stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "a panic, not an error: {stderr}"
    );
    assert!(
        stderr.contains("MB free on the disk holding") && stderr.contains("48 MB reserve"),
        "unclear error: {stderr}"
    );
    // What was stored before the stop is intact.
    assert!(
        out.status.success(),
        "verify after the stop: {stdout} {stderr}"
    );
    assert!(stdout.contains("store verified"), "{stdout}");
    let blobs: u64 = stdout
        .split("audit entries, ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(blobs >= 6, "pages before the stop were kept: {stdout}");
}

/// The same with the frontier in Redis: the crawl stops with the store's error instead of
/// fetching page after page it can no longer keep.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_a_redis_crawl_too() {
    let redis = crate::distributed::redis().await;
    let (seed, asked) = endless_site().await;
    let out = on_a_nearly_full_disk(
        format!(
            "crawl --redis {} --max-pages 1000 --seeds {seed}",
            redis.url
        ),
        "",
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 1, not 124: it stopped by itself.
    assert!(stderr.contains("crawl exit 1"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("48 MB reserve"), "unclear error: {stderr}");
    // ~100 pages fill the disk; the crawl stopped there, not at its 1,000-page limit.
    let asked = asked.load(Ordering::SeqCst);
    assert!(asked < 500, "{asked} pages fetched after the store gave up");
}

#[test]
fn a_read_only_data_dir_is_a_clear_error() {
    let out = in_tmpfs(
        "8m",
        "\"$ADMON\" --data \"$M/data\" user add ana --role analyst --password read-only-dir-pw-9 >/dev/null; \
         mount -o remount,ro \"$M\"; \
         exec \"$ADMON\" --data \"$M/data\" cases list",
        &[],
    );
    assert_clear_failure(&out, "Read-only file system");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("{}", Path::new("data").display())),
        "names the data directory"
    );
}
