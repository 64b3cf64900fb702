//! Many machines through Redis: two `admon worker`s and an `admon crawl --redis` share one
//! frontier in a redis-server the test starts on a loopback port of its own; every page is
//! fetched and kept exactly once, in the store of the process that ran `admon crawl`, which
//! is stopped half-way and started again.

use crate::pages::{self, Completed, PAGES};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

const ADMON: &str = env!("CARGO_BIN_EXE_admon");
/// A redis-server on 127.0.0.1, in a temp dir, without persistence; killed on drop.
pub(crate) struct Redis {
    pub(crate) url: String,
    _child: tokio::process::Child,
    _dir: tempfile::TempDir,
}

pub(crate) async fn redis() -> Redis {
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

/// The length of list `key` in `redis`.
fn llen(redis: &Redis, key: &str) -> u64 {
    let out = std::process::Command::new("redis-cli")
        .args(["-u", &redis.url, "LLEN", key])
        .output()
        .expect("redis-cli is installed with redis-server");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("LLEN {key}: {out:?}"))
}

fn interrupt(child: &tokio::process::Child) {
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
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
    // Each page takes 300 ms, so the work spreads over the crawlers (and the store's crawl
    // can be stopped half-way).
    let seed = pages::serve(completed.clone(), |_| {
        tokio::time::sleep(Duration::from_millis(300))
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    pages::with_trained_model(&data);

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

    let crawl = || {
        admon()
            .arg("--data")
            .arg(&data)
            .args(["crawl", "--json", "--redis", &redis.url, "--seeds", &seed])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let finished = |child: tokio::process::Child| async {
        let out = tokio::time::timeout(Duration::from_secs(240), child.wait_with_output())
            .await
            .expect("the shared crawl ended")
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        summary
    };

    // The store's machine is stopped (Ctrl-C) a few pages in: the pages it took from the
    // workers are kept and let go, none is left held in Redis.
    let first = crawl();
    let deadline = Instant::now() + Duration::from_secs(120);
    while completed.lock().unwrap().len() < 8 {
        assert!(Instant::now() < deadline, "the crawl did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    interrupt(&first);
    let stopped = finished(first).await;
    assert_eq!(stopped["crawl"]["stopped"], true, "{stopped}");
    assert!(
        stopped["crawl"]["waiting"].as_u64().unwrap() > 0,
        "{stopped}"
    );
    assert_eq!(llen(&redis, "admon:ingesting"), 0);

    // Started again, it resumes the shared crawl to the end.
    let summary = finished(crawl()).await;
    let own = (stopped["crawl"]["pages"].as_u64().unwrap()
        + summary["crawl"]["pages"].as_u64().unwrap()) as usize;
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
        interrupt(&worker);
        let status = tokio::time::timeout(Duration::from_secs(30), worker.wait())
            .await
            .expect("the worker stopped")
            .unwrap();
        assert!(status.success(), "{status:?}");
    }
}

/// A worker waits while `redis_max_waiting_pages` pages wait for the store's machine; stopped
/// then, it stops at once and sends nothing more. It never comes back: another worker fetches
/// the pages it had not sent, and the crawl ends with every page kept once.
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_stopped_while_the_store_is_behind_stops_and_no_page_is_lost() {
    let redis = redis().await;
    let seed = pages::serve(Completed::default(), |_| std::future::ready(())).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    pages::with_trained_model(&data);
    let crawl = |max_pages: &str| {
        admon()
            .arg("--data")
            .arg(&data)
            .args(["crawl", "--json", "--max-pages", max_pages])
            .args(["--redis", &redis.url, "--seeds", &seed])
            .output()
    };
    // The store's machine seeds the crawl and keeps one page: the rest is the workers'.
    let seeded = crawl("1").await.unwrap();
    assert!(seeded.status.success(), "{seeded:?}");

    let mut worker = admon()
        .env("ADMON_CRAWLER_REDIS_MAX_WAITING_PAGES", "2")
        .args(["worker", "--redis", &redis.url, "--id", "w1"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while llen(&redis, "admon:pages") < 2 {
        assert!(Instant::now() < deadline, "the worker sent no pages");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        llen(&redis, "admon:pages"),
        2,
        "the worker waits for the store"
    );
    interrupt(&worker);
    let status = tokio::time::timeout(Duration::from_secs(20), worker.wait())
        .await
        .expect("the worker stopped while the store was behind")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut worker.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(stderr.contains("pages not sent"), "{stderr}");
    assert_eq!(
        llen(&redis, "admon:pages"),
        2,
        "nothing sent after the stop"
    );

    // Another worker, and the store's machine keeps everything.
    let mut worker = admon()
        .args(["worker", "--redis", &redis.url, "--id", "w2"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(240), crawl("1000"))
        .await
        .expect("the shared crawl finished")
        .unwrap();
    assert!(finished.status.success(), "{finished:?}");
    pages::assert_each_page_kept_once(&data);
    interrupt(&worker);
    let _ = tokio::time::timeout(Duration::from_secs(30), worker.wait()).await;
}

/// Politeness holds across machines: with two workers and the store's machine crawling one
/// host, the host sees one request at a time (`per_host_concurrency` 1) and one per
/// `per_host_delay_ms` from all of them together.
#[tokio::test(flavor = "multi_thread")]
async fn workers_together_send_a_host_one_request_at_a_time_and_keep_the_delay() {
    const DELAY: Duration = Duration::from_millis(100);
    let redis = redis().await;
    let arrivals: Arc<std::sync::Mutex<Vec<(Instant, Duration)>>> = Arc::default();
    // Odd pages take 150 ms to answer: requests would overlap without shared turns.
    let answer = |k: usize| Duration::from_millis(if k % 2 == 1 { 150 } else { 0 });
    let seed = {
        let arrivals = arrivals.clone();
        pages::serve(Completed::default(), move |k| {
            arrivals.lock().unwrap().push((Instant::now(), answer(k)));
            tokio::time::sleep(answer(k))
        })
        .await
    };
    let polite = |mut command: tokio::process::Command| {
        command
            .env(
                "ADMON_CRAWLER_PER_HOST_DELAY_MS",
                DELAY.as_millis().to_string(),
            )
            .env("ADMON_CRAWLER_PER_HOST_CONCURRENCY", "1");
        command
    };
    let mut workers = Vec::new();
    for id in ["w1", "w2"] {
        let mut worker = polite(admon());
        worker
            .args(["worker", "--redis", &redis.url, "--id", id])
            .stderr(Stdio::null());
        workers.push(worker.spawn().unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    pages::with_trained_model(&dir.path().join("data"));
    let mut crawl = polite(admon());
    crawl
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["crawl", "--json", "--redis", &redis.url, "--seeds", &seed]);
    let out = tokio::time::timeout(Duration::from_secs(240), crawl.output())
        .await
        .expect("the shared crawl finished")
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let own = summary["crawl"]["pages"].as_u64().unwrap() as usize;
    assert!(own < PAGES, "the workers fetched none: {summary}");

    let mut arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), PAGES);
    arrivals.sort();
    for pair in arrivals.windows(2) {
        let ((first, answered_in), (next, _)) = (pair[0], pair[1]);
        let gap = next - first;
        assert!(
            gap >= answered_in,
            "requests overlapped: {gap:?} < {answered_in:?}"
        );
        // Timer and loopback jitter: a few milliseconds.
        assert!(
            gap >= DELAY - Duration::from_millis(20),
            "requests {gap:?} apart"
        );
    }
    for worker in &workers {
        interrupt(worker);
    }
    for mut worker in workers {
        let _ = tokio::time::timeout(Duration::from_secs(30), worker.wait()).await;
    }
}

/// The shared turns themselves: at most `limit` at a host, slots `delay` apart, a back-off
/// pushes the next slot for everyone, and a turn never ended (its worker died) lapses.
#[tokio::test(flavor = "multi_thread")]
async fn shared_turns_are_limited_spaced_backed_off_and_lapse() {
    use admon_crawler::distributed::RedisPoliteness;
    use admon_crawler::SharedPoliteness;
    let redis = redis().await;
    let (a, b) = (
        RedisPoliteness::connect(&redis.url, "a").unwrap(),
        RedisPoliteness::connect(&redis.url, "b").unwrap(),
    );
    let (delay, hold) = (Duration::from_millis(300), Duration::from_secs(30));
    let first = a
        .take_turn("h.test", 1, delay, hold)
        .unwrap()
        .expect("a free host");
    assert_eq!(first.wait, Duration::ZERO);
    assert!(
        b.take_turn("h.test", 1, delay, hold).unwrap().is_none(),
        "one at a time"
    );
    a.end_turn("h.test", &first).unwrap();
    let second = b
        .take_turn("h.test", 1, delay, hold)
        .unwrap()
        .expect("ended");
    assert!(
        second.wait > Duration::from_millis(100) && second.wait <= delay,
        "the next slot is a delay after the first: {:?}",
        second.wait
    );
    b.end_turn("h.test", &second).unwrap();
    // Another host is not held up.
    let other = b.take_turn("g.test", 1, delay, hold).unwrap().unwrap();
    assert_eq!(other.wait, Duration::ZERO);

    a.back_off("h.test", Duration::from_secs(5)).unwrap();
    let after = b.take_turn("h.test", 1, delay, hold).unwrap().unwrap();
    assert!(after.wait > Duration::from_millis(4500), "{:?}", after.wait);
    b.end_turn("h.test", &after).unwrap();

    // A turn held by a process that died lapses after its hold.
    let short = Duration::from_millis(200);
    a.take_turn("k.test", 1, Duration::ZERO, short)
        .unwrap()
        .unwrap();
    assert!(b
        .take_turn("k.test", 1, Duration::ZERO, short)
        .unwrap()
        .is_none());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(b
        .take_turn("k.test", 1, Duration::ZERO, short)
        .unwrap()
        .is_some());
}

/// Jobs in flight go back in the queue: a worker's own when it starts again, and, for the
/// store's machine, those of workers no longer alive (never those of a live one).
#[tokio::test(flavor = "multi_thread")]
async fn jobs_in_flight_go_back_from_a_restarted_or_gone_worker_only() {
    use admon_crawler::distributed::RedisFrontier;
    use admon_crawler::{Frontier, Job};
    let redis = redis().await;
    let job = |n: u32| Job {
        url: format!("http://h.test/{n}"),
        depth: 1,
        seed: "http://h.test/".into(),
        rank: 0,
    };
    let store = RedisFrontier::connect(&redis.url, "store").unwrap();
    store.push(vec![job(1), job(2)], 0).unwrap();
    let (w1, w2) = (
        RedisFrontier::connect(&redis.url, "w1").unwrap(),
        RedisFrontier::connect(&redis.url, "w2").unwrap(),
    );
    for w in [&w1, &w2] {
        w.heartbeat(Duration::from_secs(30)).unwrap();
        let host = w.hosts().unwrap().pop().expect("a host with work");
        assert!(w.take(&host).unwrap().is_some());
    }
    assert!(store.hosts().unwrap().is_empty(), "both jobs in flight");
    assert_eq!(store.requeue_lost().unwrap(), 0, "both workers alive");

    // w1 starts again: its own job goes back.
    let w1_again = RedisFrontier::connect(&redis.url, "w1").unwrap();
    assert_eq!(w1_again.resume().unwrap(), 1);
    assert!(store.take("h.test:80").unwrap().is_some());
    // w2 stops: its job goes back when the store's machine looks.
    w2.gone().unwrap();
    assert_eq!(store.requeue_lost().unwrap(), 1);
    assert_eq!(store.requeue_lost().unwrap(), 0);
    assert!(store.take("h.test:80").unwrap().is_some());
}
