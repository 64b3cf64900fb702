//! The command-line contracts: `admon classify` records, bad config, bad input.

use std::io::Write;
use std::process::Command;

const ADMON: &str = env!("CARGO_BIN_EXE_admon");

#[test]
fn classify_keeps_order_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    crate::pages::with_trained_model(&dir.path().join("data"));
    let input = dir.path().join("in.jsonl");
    let mut f = std::fs::File::create(&input).unwrap();
    writeln!(
        f,
        r#"{{"id":"a","kind":"ad","text":"祖传秘方，根治高血压，无效退款"}}"#
    )
    .unwrap();
    writeln!(f, "{{not json").unwrap();
    writeln!(
        f,
        r#"{{"id":"b","kind":"ad","text":"第一次购买台灯立减10元"}}"#
    )
    .unwrap();
    writeln!(f, r#"{{"id":"c","kind":"listing","text":"LV 老花手提包 原单 1:1","title":"LV 老花手提包","price":300,"brand":"LV","seller":"小店"}}"#).unwrap();
    writeln!(f, r#"{{"id":"d","kind":"banner","text":"x"}}"#).unwrap();
    // Regression for #16 (15): one invalid UTF-8 line aborted the run; a huge line was read whole.
    f.write_all(b"{\"id\":\"e\",\"kind\":\"ad\",\"text\":\"\xff\xfe\"}\n")
        .unwrap();
    writeln!(
        f,
        r#"{{"id":"f","kind":"ad","text":"{}"}}"#,
        "最".repeat(1 << 20)
    )
    .unwrap();
    writeln!(f, r#"{{"id":"g","kind":"ad","text":"全网最低价"}}"#).unwrap();
    drop(f);
    let output = dir.path().join("out.jsonl");
    let run = Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["classify", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["flagged"], true);
    assert_eq!(lines[0]["category"], "medical_claim");
    assert!(lines[0]["model"].as_str().unwrap().len() > 3);
    let ev = &lines[0]["evidence"][0];
    let text: Vec<char> = "祖传秘方，根治高血压，无效退款".chars().collect();
    let (s, e) = (
        ev["start"].as_u64().unwrap() as usize,
        ev["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        text[s..e].iter().collect::<String>(),
        ev["text"].as_str().unwrap()
    );
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("line 2"));
    assert_eq!(lines[2]["id"], "b");
    assert_eq!(lines[2]["flagged"], false);
    assert_eq!(lines[2]["category"], "clean");
    assert_eq!(lines[3]["category"], "counterfeit");
    assert_eq!(lines[4]["line"], 5, "unknown kind is an error record");
    assert_eq!(lines[5]["line"], 6);
    assert!(lines[5]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[6]["line"], 7);
    assert!(lines[6]["error"].as_str().unwrap().contains("longer than"));
    assert_eq!(lines[7]["id"], "g");
    // The model was trained on first use and saved, versioned.
    assert!(dir.path().join("data/model.json").exists());
}

#[test]
fn bad_config_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("admon.toml");
    std::fs::write(&config, "[crawler]\nconcurency = 4\n").unwrap();
    let run = Command::new(ADMON)
        .arg("--config")
        .arg(&config)
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["cases", "list"])
        .output()
        .unwrap();
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("concurency"), "{err}");
    let run = Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("data"))
        .env("ADMON_DASHBOARD_PORT", "eighty")
        .args(["cases", "list"])
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("port"));
    let run = Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("data"))
        .env("ADMON_DASHBOARD_REPORT_UTC_OFFSET", "Beijing")
        .args(["cases", "list"])
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("dashboard.report_utc_offset `Beijing`"));
}

#[tokio::test(flavor = "multi_thread")]
async fn crawl_command_fills_the_store_from_a_seed_file() {
    let sites = admon::demo::start(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds.txt");
    std::fs::write(&seeds, format!("# demo portal\n{}\n\n", sites.news)).unwrap();
    let data = dir.path().join("data");
    let run = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["crawl", "--max-pages", "3", "--json", "--seeds"])
        .arg(&seeds)
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .output()
        .await
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["crawl"]["pages"], 3, "{summary}");
    assert!(summary["flagged"].as_u64().unwrap() > 0, "{summary}");
    let list = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["cases", "list", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(list.stdout).unwrap();
    assert!(csv.starts_with("\u{feff}id,state,category"), "{csv}");
    assert!(csv.lines().count() > 1, "{csv}");
    let bad = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["crawl", "--seeds", "ftp//nowhere"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("seed file ftp//nowhere"));
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_a_crawl_cleanly_and_keeps_what_was_fetched() {
    let sites = admon::demo::start(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Slow politeness so the crawl is still running when Ctrl-C arrives.
    let child = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args([
            "crawl",
            "--seeds",
            sites.news.as_str(),
            sites.market.as_str(),
        ])
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "1500")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first pages are in, then interrupt.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !data.join("model.json").exists() {
        assert!(std::time::Instant::now() < deadline, "crawl never started");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("crawl stopped")
        .unwrap();
    assert!(out.status.success(), "exit {:?}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("stopped early by Ctrl-C"), "{stdout}");
    let verify = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["store", "verify"])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let list = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["cases", "list", "--format", "json"])
        .output()
        .unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert!(
        !cases.is_empty(),
        "pages fetched before Ctrl-C were not kept"
    );
}

#[test]
fn a_bad_schedule_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let run = Command::new(ADMON)
        .arg("--data")
        .arg(dir.path())
        .args(["cases", "list"])
        .env("ADMON_SCHEDULE_CRAWL", "every night")
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("schedule.crawl `every night`"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn eval_reports_the_real_test_by_source_the_held_out_spam_and_the_templates() {
    let dir = tempfile::tempdir().unwrap();
    crate::pages::with_trained_model(&dir.path().join("data"));
    let run = Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("data"))
        .arg("eval")
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let out = String::from_utf8(run.stdout).unwrap();
    let sections: Vec<&str> = out.lines().filter(|l| l.starts_with("== ")).collect();
    assert_eq!(
        sections,
        [
            "== real test split (sources never trained on) ==",
            "== held-out disguised spam ==",
            "== templates' test split =="
        ],
        "{out}"
    );
    // Per source: the real test's sources are named; the spam set is one data set.
    assert!(
        out.contains("source                       records violations"),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("gh-addetector4j ")),
        "{out}"
    );
    assert!(out.contains("confusion matrix"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_runs_the_scheduled_crawl_and_counts_it_in_metrics() {
    let sites = admon::demo::start(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate::pages::with_trained_model(&dir.path().join("data"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["serve", "--port", &port.to_string()])
        // Every three seconds, so the test need not wait for the night.
        .env("ADMON_SCHEDULE_CRAWL", "*/3 * * * * *")
        .env("ADMON_SCHEDULE_SEEDS", format!("[\"{}\"]", sites.news))
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_CRAWLER_MAX_PAGES", "2")
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no scheduled crawl finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let Ok(res) = client
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
        else {
            continue;
        };
        let metrics = res.text().await.unwrap();
        if metrics.contains("admon_crawl_runs{outcome=\"finished\"}") {
            let captures: u64 = metrics
                .lines()
                .find_map(|l| l.strip_prefix("admon_records{kind=\"captures\"} "))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            assert!(captures >= 2, "{metrics}");
            break;
        }
    }
    serve.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn store_backup_while_serving_then_restore() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    let add = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args([
            "user",
            "add",
            "ana",
            "--role",
            "analyst",
            "--password",
            "backup-restore-pw-9",
        ])
        .output()
        .unwrap();
    assert!(add.status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["serve", "--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .is_err()
    {
        assert!(std::time::Instant::now() < deadline, "serve never came up");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // The dashboard holds the store: the backup goes through it.
    let backup = dir.path().join("backup");
    let run = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["store", "backup"])
        .arg(&backup)
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert!(run.status.success(), "{out}{err}");
    assert!(err.contains("asking it for a consistent backup"), "{err}");
    assert!(out.contains("backed up"), "{out}");
    serve.kill().await.unwrap();

    let restored = dir.path().join("restored");
    let run = Command::new(ADMON)
        .arg("--data")
        .arg(&restored)
        .args(["store", "restore"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Restoring over a store that holds data is refused.
    let again = Command::new(ADMON)
        .arg("--data")
        .arg(&restored)
        .args(["store", "restore"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
    let verify = Command::new(ADMON)
        .arg("--data")
        .arg(&restored)
        .args(["store", "verify"])
        .output()
        .unwrap();
    assert!(verify.status.success());
}

/// A one-ad page that a crawl flags (one case).
const AD: &str = "<html><body><div class=\"ad-banner\"><a href=\"http://x.example/\">\
                  国家级 全网最低价 特效药</a></div></body></html>";

// #17 (3): the exit status of `store verify` tells the result, and `--read-only` checks a
// store without writing to it.
#[tokio::test(flavor = "multi_thread")]
async fn store_verify_exit_status_tells_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    let site = format!("{}/", crate::pages::serve_fixed(&[("/", AD)]).await);
    let crawl = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["crawl", "--seeds", &site])
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_FILTERS_FILES", "[]")
        .output()
        .unwrap();
    assert!(crawl.status.success(), "{crawl:?}");
    let verify = |args: &[&str]| {
        Command::new(ADMON)
            .arg("--data")
            .arg(&data)
            .args(["store", "verify"])
            .args(args)
            .output()
            .unwrap()
    };
    let ok = verify(&["--read-only"]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    // One byte of evidence changed.
    let segment = data.join("blobs/segment-000001");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap();
    std::os::unix::fs::FileExt::write_all_at(&file, b"X", 10).unwrap();
    for args in [&[][..], &["--read-only"][..]] {
        let bad = verify(args);
        assert_eq!(bad.status.code(), Some(1), "{bad:?}");
        let stdout = String::from_utf8_lossy(&bad.stdout);
        assert!(
            stdout.contains("PROBLEM: evidence blob") && stdout.contains("cases 1"),
            "{stdout}"
        );
    }
    // #17 (4): an export re-hashes the evidence it packs: the case is left out and audited,
    // and the export fails; an export with nothing in it fails too.
    let export = |state: &str| {
        Command::new(ADMON)
            .arg("--data")
            .arg(&data)
            .args(["export", "--format", "pack", "--state", state, "--out"])
            .arg(dir.path().join("pack.zip"))
            .output()
            .unwrap()
    };
    let refused = export("new");
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("was altered"),
        "{refused:?}"
    );
    {
        let store = admon_store::Store::open(&data).unwrap();
        let history = store.history(1).unwrap();
        assert!(
            history.iter().any(|h| h.action == "tampered"),
            "{history:?}"
        );
        assert_eq!(
            store.case(1).unwrap().unwrap().state,
            admon_domain::CaseState::New
        );
    }
    let empty = export("exported");
    assert!(!empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("nothing to export"));
    // Nothing there to check.
    let none = Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("nowhere"))
        .args(["store", "verify", "--read-only"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2), "{none:?}");
    assert!(String::from_utf8_lossy(&none.stderr).contains("could not be checked"));
}

// #17 (2): `admon key init` makes the key that signs the audit chain's head, outside the data
// directory; verify checks the checkpoints against it or a public key given.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_chain_head_is_signed_with_a_key_kept_outside_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("keys/signing-key.pem");
    let admon = |args: &[&str], key: &std::path::Path| {
        Command::new(ADMON)
            .arg("--data")
            .arg(&data)
            .args(args)
            .env("ADMON_STORE_SIGNING_KEY", key)
            .env("ADMON_CRAWLER_RENDER", "never")
            .env("ADMON_FILTERS_FILES", "[]")
            .output()
            .unwrap()
    };
    let inside = admon(&["key", "init"], &data.join("key.pem"));
    assert!(!inside.status.success());
    assert!(String::from_utf8_lossy(&inside.stderr).contains("inside the data directory"));
    let init = admon(&["key", "init"], &key);
    assert!(init.status.success(), "{init:?}");
    assert!(String::from_utf8_lossy(&init.stdout).contains("BEGIN PUBLIC KEY"));
    assert!(
        !admon(&["key", "init"], &key).status.success(),
        "a key was replaced"
    );
    crate::pages::with_trained_model(&data);
    let site = format!("{}/", crate::pages::serve_fixed(&[("/", AD)]).await);
    assert!(admon(&["crawl", "--seeds", &site], &key).status.success());
    let verify = admon(&["store", "verify"], &key);
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{stdout}");
    assert!(stdout.contains("signed through its last entry"), "{stdout}");
    // An officer with the public key only (no signing key on the machine).
    let public = dir.path().join("public.pem");
    std::fs::write(&public, admon(&["key", "public"], &key).stdout).unwrap();
    let nowhere = dir.path().join("no-key.pem");
    let args = ["store", "verify", "--read-only", "--public-key"];
    let officer = admon(&[&args[..], &[public.to_str().unwrap()]].concat(), &nowhere);
    assert!(officer.status.success(), "{officer:?}");
    // Another centre's key: the checkpoints are not vouched for.
    let other = dir.path().join("other.pem");
    assert!(admon(&["key", "init"], &other).status.success());
    std::fs::write(&public, admon(&["key", "public"], &other).stdout).unwrap();
    let wrong = admon(&[&args[..], &[public.to_str().unwrap()]].concat(), &nowhere);
    assert_eq!(wrong.status.code(), Some(1), "{wrong:?}");
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("is signed with another key"));
}

// #17 (6): "stored" was logged (and a Redis worker's page left the shared queue) before the
// write was durable. Now both wait for the sync that makes it so.
#[tokio::test(flavor = "multi_thread")]
async fn pages_are_logged_stored_only_after_the_sync_that_makes_them_durable() {
    const PAGE: &str = "<html><body><a href=\"/b\">b</a><div class=\"ad-banner\">国家级 特效药</div></body></html>";
    const OTHER: &str = "<html><body><div class=\"ad-banner\">全网最低价</div></body></html>";
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    let site = crate::pages::serve_fixed(&[("/", PAGE), ("/b", OTHER)]).await;
    let crawl = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["crawl", "--seeds", &format!("{site}/")])
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_FILTERS_FILES", "[]")
        .env("ADMON_LOG", "admon::pipeline=debug")
        .output()
        .unwrap();
    assert!(crawl.status.success(), "{crawl:?}");
    let log = String::from_utf8_lossy(&crawl.stderr);
    let lines: Vec<&str> = log.lines().collect();
    let stored: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("page stored"))
        .collect();
    assert_eq!(stored.len(), 2, "{log}");
    // Each run of "page stored" lines comes right after the sync that made them durable.
    for i in stored {
        let before = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.contains("page stored"))
            .expect("a line before");
        assert!(
            before.contains("store synced"),
            "stored before a sync: {log}"
        );
    }
}

/// The `warcio` program the WARC tests check records with: `$WARCIO_BIN`, else the one
/// `make test` installs from PyPI into `target/test-venv`, else `warcio` on the PATH.
fn warcio() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("WARCIO_BIN") {
        return path.into();
    }
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv/bin/warcio");
    if venv.is_file() {
        return venv;
    }
    "warcio".into()
}

// #17 (1): the WARC file is the exchange as received (the body still gzip, the reason phrase,
// the headers as sent), dated when the response began, with warcinfo and request records, and
// every record passes `warcio check`.
#[tokio::test(flavor = "multi_thread")]
async fn the_warc_file_holds_the_response_as_received_and_warcio_checks_it() {
    use std::io::Read;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(AD.as_bytes()).unwrap();
        gz.finish().unwrap()
    };
    let mut wire = format!(
        "HTTP/1.1 200 Fine Thanks\r\ncontent-type: text/html; charset=utf-8\r\n\
         content-encoding: gzip\r\ncontent-length: {}\r\nx-served-by: loopback test\r\n\r\n",
        body.len()
    )
    .into_bytes();
    wire.extend_from_slice(&body);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}/", listener.local_addr().unwrap());
    let head_sent = Arc::new(Mutex::new(Vec::new()));
    {
        let (wire, head_sent) = (wire.clone(), head_sent.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (wire, head_sent) = (wire.clone(), head_sent.clone());
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    if !request.starts_with(b"GET / ") {
                        let _ = socket
                            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                            .await;
                        return;
                    }
                    // The head now, the body a second later: the record is dated by the head.
                    let split = wire.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let _ = socket.write_all(&wire[..split]).await;
                    head_sent
                        .lock()
                        .unwrap()
                        .push(time::OffsetDateTime::now_utc());
                    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                    let _ = socket.write_all(&wire[split..]).await;
                });
            }
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    let admon = |args: &[&str]| {
        Command::new(ADMON)
            .arg("--data")
            .arg(&data)
            .args(args)
            .env("ADMON_CRAWLER_RENDER", "never")
            .env("ADMON_FILTERS_FILES", "[]")
            .env("ADMON_CRAWLER_OPERATOR", "张三 (monitoring centre)")
            .output()
            .unwrap()
    };
    let crawl = admon(&["crawl", "--seeds", &site]);
    assert!(crawl.status.success(), "{crawl:?}");
    let pack = dir.path().join("pack.zip");
    let export = admon(&[
        "export",
        "--format",
        "pack",
        "--state",
        "new",
        "--out",
        pack.to_str().unwrap(),
    ]);
    assert!(export.status.success(), "{export:?}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&pack).unwrap()).unwrap();
    let name = zip
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.ends_with(".warc"))
        .expect("a WARC file in the pack")
        .into_owned();
    let mut warc = Vec::new();
    zip.by_name(&name).unwrap().read_to_end(&mut warc).unwrap();
    let file = dir.path().join("capture.warc");
    std::fs::write(&file, &warc).unwrap();

    // The response record's block is the bytes the server sent, byte for byte.
    assert!(
        warc.windows(wire.len()).any(|w| w == wire.as_slice()),
        "the server's bytes are not in the WARC file"
    );
    let text = String::from_utf8_lossy(&warc).to_lowercase();
    for field in [
        "warc-type: warcinfo",
        "warc-type: request",
        "warc-type: response",
        "warc-ip-address: 127.0.0.1",
        "get / http/1.1\r\nhost: 127.0.0.1:",
        "accept-encoding: gzip, deflate, br",
        "operator: 张三 (monitoring centre)",
        "isPartOf: admon crawl run 1",
    ] {
        assert!(
            text.contains(&field.to_lowercase()),
            "no {field:?} in\n{text}"
        );
    }
    // Dated when the head arrived, not when the body ended (1.5 s later) or after.
    let date = text
        .lines()
        .filter_map(|l| l.strip_prefix("warc-date: "))
        .map(|d| {
            time::OffsetDateTime::parse(d.trim(), &time::format_description::well_known::Rfc3339)
                .unwrap()
        })
        .next()
        .expect("a WARC-Date");
    let sent = head_sent.lock().unwrap()[0];
    let after = (date - sent).as_seconds_f64();
    assert!(
        (-0.5..1.0).contains(&after),
        "WARC-Date {date} is {after} s after the head was sent"
    );

    // #17 (5): the report, as HTML and printed to PDF in Chromium for signing, names the run,
    // its operator and the server's address; the PDF is set in Noto CJK.
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        zip.by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_end(&mut bytes)
            .unwrap();
        bytes
    };
    let report = String::from_utf8(read("case-1/report.html")).unwrap();
    for field in [
        "电子数据提取笔录",
        "张三 (monitoring centre)",
        "127.0.0.1",
        "提取人签名",
        // The article, in Chinese.
        "广告法",
    ] {
        assert!(report.contains(field), "no {field} in the report");
    }
    // The category in Chinese, its id after it.
    let case: serde_json::Value = serde_json::from_slice(&read("case-1/case.json")).unwrap();
    let category = case["category"].as_str().unwrap();
    let shown = report
        .split(&format!("（{category}）"))
        .next()
        .filter(|before| before.len() < report.len())
        .and_then(|before| before.rsplit("<td>").next())
        .unwrap_or_else(|| panic!("no Chinese name for {category} in the report"));
    assert!(
        shown
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{shown:?}"
    );
    let pdf = read("case-1/report.pdf");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(
        pdf.windows(11).any(|w| w == b"NotoSansCJK"),
        "the PDF's Chinese is not set in Noto CJK"
    );
    // The reports state the evidence manifest's SHA-256 (it lists every file but them).
    let evidence = read("evidence.sha256");
    let evidence_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&evidence));
    assert!(
        report.contains(&evidence_sha),
        "the report does not state the evidence manifest's hash"
    );
    let evidence = String::from_utf8(evidence).unwrap();
    assert!(
        evidence.contains(".warc") && !evidence.contains("report."),
        "{evidence}"
    );
    let manifest = String::from_utf8(read("manifest.sha256")).unwrap();
    assert!(
        manifest.contains(&format!("{evidence_sha}  evidence.sha256")),
        "{manifest}"
    );
    let pdf_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf));
    assert!(
        manifest.contains(&format!("{pdf_sha}  case-1/report.pdf")),
        "{manifest}"
    );

    let check = Command::new(warcio())
        .args(["check", "-v"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("warcio (make test installs it from PyPI): {e}"));
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Every record's digests were there and checked: warcinfo, request, response, metadata.
    assert_eq!(out.matches("digest pass").count(), 4, "{out}");
}

/// A time-stamping authority on loopback: `openssl ts -reply` with a CA and a TSA certificate
/// made in `dir`. Returns its URL and how many requests it answered.
async fn openssl_tsa(
    dir: &std::path::Path,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    };
    std::fs::write(
        dir.join("ts.cnf"),
        "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = ./serial\ncrypto_device = builtin\n\
         signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\n\
         ordering = yes\ntsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n\
         [ tsa_ext ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n\
         extendedKeyUsage = critical,timeStamping\n",
    )
    .unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=admon test CA",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/CN=admon test TSA",
        ],
    ]
    .concat());
    run(&[
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.pem",
        "-days",
        "2",
        "-extfile",
        "ts.cnf",
        "-extensions",
        "tsa_ext",
    ]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (dir, count) = (dir.to_owned(), answered.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (dir, count) = (dir.clone(), count.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                let body_at = loop {
                    if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&request[..body_at]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while request.len() < body_at + length {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (query, reply) = (dir.join(format!("q{n}.tsq")), dir.join(format!("r{n}.tsr")));
                std::fs::write(&query, &request[body_at..]).unwrap();
                let out = tokio::process::Command::new("openssl")
                    .args(["ts", "-reply", "-config", "ts.cnf", "-queryfile"])
                    .arg(&query)
                    .args(["-inkey", "tsa.key", "-signer", "tsa.pem", "-out"])
                    .arg(&reply)
                    .current_dir(&dir)
                    .output()
                    .await
                    .unwrap();
                assert!(out.status.success(), "openssl ts -reply: {out:?}");
                let body = std::fs::read(&reply).unwrap();
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/timestamp-reply\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            });
        }
    });
    (url, answered)
}

// #17 (2): with a time-stamping authority configured, the newest signed checkpoint is
// time-stamped (RFC 3161) after a crawl and an export, and `store verify --tsa-ca` checks the
// TSA's signature with `openssl ts -verify`; a CA that did not issue the TSA's certificate fails.
#[tokio::test(flavor = "multi_thread")]
async fn checkpoints_are_time_stamped_by_a_tsa_and_verify_checks_them() {
    let dir = tempfile::tempdir().unwrap();
    let tsa_dir = dir.path().join("tsa");
    std::fs::create_dir(&tsa_dir).unwrap();
    let (tsa, answered) = openssl_tsa(&tsa_dir).await;
    let data = dir.path().join("data");
    let key = dir.path().join("keys/signing-key.pem");
    let admon = |args: &[&str]| {
        Command::new(ADMON)
            .arg("--data")
            .arg(&data)
            .args(args)
            .env("ADMON_STORE_SIGNING_KEY", &key)
            .env("ADMON_STORE_TSA_URL", &tsa)
            .env("ADMON_CRAWLER_RENDER", "never")
            .env("ADMON_FILTERS_FILES", "[]")
            .output()
            .unwrap()
    };
    assert!(admon(&["key", "init"]).status.success());
    crate::pages::with_trained_model(&data);
    let site = format!("{}/", crate::pages::serve_fixed(&[("/", AD)]).await);
    let crawl = admon(&["crawl", "--seeds", &site]);
    assert!(crawl.status.success(), "{crawl:?}");
    assert_eq!(
        answered.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "{crawl:?}"
    );
    let ca = tsa_dir.join("ca.pem");
    let verify = admon(&[
        "store",
        "verify",
        "--read-only",
        "--tsa-ca",
        ca.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{verify:?}");
    assert!(stdout.contains("1 of 1 time-stamps verified"), "{stdout}");
    // Nothing new to time-stamp: the TSA is not asked again.
    let again = admon(&["store", "timestamp"]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("time-stamped already"),
        "{again:?}"
    );
    assert_eq!(answered.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The export's audit entries move the head: its checkpoint is time-stamped too.
    let pack = dir.path().join("pack.zip");
    let export = admon(&[
        "export",
        "--format",
        "csv",
        "--state",
        "new",
        "--out",
        pack.to_str().unwrap(),
    ]);
    assert!(export.status.success(), "{export:?}");
    assert_eq!(answered.load(std::sync::atomic::Ordering::SeqCst), 2);
    let verify = admon(&["store", "verify", "--tsa-ca", ca.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&verify.stdout).contains("2 of 2 time-stamps verified"),
        "{verify:?}"
    );
    // Another CA did not issue the TSA's certificate.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ])
        .args([
            "-keyout",
            "o.key",
            "-out",
            "o.pem",
            "-days",
            "2",
            "-subj",
            "/CN=other CA",
        ])
        .current_dir(&other)
        .output()
        .unwrap();
    assert!(made.status.success());
    let wrong = admon(&[
        "store",
        "verify",
        "--tsa-ca",
        other.join("o.pem").to_str().unwrap(),
    ]);
    assert_eq!(wrong.status.code(), Some(1), "{wrong:?}");
    assert!(
        String::from_utf8_lossy(&wrong.stdout).contains("does not verify"),
        "{wrong:?}"
    );
}
