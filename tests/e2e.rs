//! `admon demo` end to end: demo sites on loopback -> crawl (with Chromium) -> classify ->
//! sled store -> dashboard over HTTP; then `admon cases list` on the stopped data dir.

use sha2::Digest;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMON: &str = env!("CARGO_BIN_EXE_admon");

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn admon(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(ADMON)
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ADMON_CONFIG")
        .output()
        .expect("admon runs")
}

#[derive(serde::Deserialize)]
struct Expected {
    flagged: Vec<String>,
    flagged_when_rendered: Vec<String>,
    clean: Vec<String>,
    forbidden_path: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_crawls_classifies_stores_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let child = Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["demo", "--port", &port.to_string()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut demo = Running(child);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            assert_eq!(r.status(), 200);
            assert_eq!(r.text().await.unwrap(), "ok");
            break;
        }
        assert!(
            demo.0.try_wait().unwrap().is_none(),
            "admon demo exited early"
        );
        assert!(Instant::now() < deadline, "dashboard never came up");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // A second process on the same data dir is told who holds it.
    let locked = admon(&data, &["cases", "list"]);
    assert!(!locked.status.success());
    let message = String::from_utf8_lossy(&locked.stderr);
    assert!(
        message.contains("in use by another admon process"),
        "{message}"
    );
    assert!(
        message.contains(&format!("pid {}", demo.0.id())),
        "{message}"
    );

    // Log in as the demo user and read the queue.
    let login_page = http.get(format!("{base}/login")).send().await.unwrap();
    let cookie = login_page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = login_page.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &html[at..at + 48];
    let r = http
        .post(format!("{base}/login"))
        .header("cookie", &cookie)
        .form(&[
            ("username", "demo"),
            ("password", "admon-triage-2026"),
            ("csrf", csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let queue = http
        .get(format!("{base}/queue"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status(), 200);
    let queue = queue.text().await.unwrap();
    assert!(queue.contains("根治糖尿病"), "queue lacks the medical ad");
    assert!(queue.contains("/cases/1"));
    let case = http
        .get(format!("{base}/cases/1"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(case.status(), 200);
    let case = case.text().await.unwrap();
    assert!(case.contains("<mark"), "evidence not highlighted");
    // Triage two cases: the decisions are audited and become training feedback.
    let at = case.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = case[at..at + 48].to_owned();
    for (id, action) in [(1, "confirmed"), (2, "dismissed")] {
        let r = http
            .post(format!("{base}/cases/{id}/action"))
            .header("cookie", &session)
            .form(&[("action", action), ("reason", "e2e"), ("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{action} case {id}");
    }

    // The same dashboard in a real browser.
    let browser_base = base.clone();
    let shots = tokio::task::spawn_blocking(move || crate::browser::drive_dashboard(&browser_base))
        .await
        .unwrap();
    eprintln!("browser screenshots in {}", shots.display());

    // Ctrl-C stops it cleanly.
    assert!(Command::new("kill")
        .args(["-INT", &demo.0.id().to_string()])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = demo.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "admon demo did not stop on SIGINT"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "admon demo exit status {status}");

    let out = admon(&data, &["cases", "list", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let expected: Expected = toml::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/demo/expected.toml"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut categories = BTreeSet::new();
    for case in &cases {
        for key in [
            "id", "state", "category", "score", "url", "text", "articles", "evidence",
        ] {
            assert!(case.get(key).is_some(), "case lacks {key}: {case}");
        }
        assert!(case["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"));
        assert!(case["score"].as_f64().unwrap() > 0.0);
        let evidence = case["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty(), "case without evidence: {case}");
        assert!(evidence
            .iter()
            .all(|e| !e["reason"].as_str().unwrap().is_empty()));
        assert!(!case["articles"].as_array().unwrap().is_empty());
        let text = case["text"].as_str().unwrap();
        for clean in &expected.clean {
            assert!(!text.contains(clean.as_str()), "clean ad flagged: {case}");
        }
        assert!(
            !case["url"]
                .as_str()
                .unwrap()
                .contains(&expected.forbidden_path),
            "robots.txt ignored: {case}"
        );
        for flag in case["flags"].as_array().unwrap() {
            categories.insert(flag.as_str().unwrap().to_owned());
        }
    }
    for want in expected
        .flagged
        .iter()
        .chain(&expected.flagged_when_rendered)
    {
        assert!(
            categories.contains(want),
            "no {want} case; found {categories:?}"
        );
    }
    let primary: BTreeSet<&str> = cases
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert!(primary.len() >= 4, "{primary:?}");

    // Rendered pages keep a picture of each ad on its own.
    assert!(
        cases.iter().any(|c| c["crop_sha256"].is_string()),
        "no case has an ad crop"
    );

    // The evidence chain holds.
    let verify = admon(&data, &["store", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert_eq!(
        cases.iter().find(|c| c["id"] == 1).unwrap()["state"],
        "confirmed"
    );
    assert_eq!(
        cases.iter().find(|c| c["id"] == 2).unwrap()["state"],
        "dismissed"
    );

    // Officers take confirmed cases offline: an evidence pack whose manifest holds.
    let pack = dir.path().join("pack.zip");
    let export = admon(
        &data,
        &[
            "export",
            "--format",
            "pack",
            "--out",
            pack.to_str().unwrap(),
        ],
    );
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    // Case 1, confirmed over HTTP, and the one confirmed from the keyboard in the browser.
    let confirmed = cases.iter().filter(|c| c["state"] == "confirmed").count();
    assert_eq!(confirmed, 2);
    assert!(String::from_utf8_lossy(&export.stdout).contains("exported 2 cases"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&pack).unwrap()).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("manifest.sha256").unwrap(), &mut manifest)
        .unwrap();
    let mut names = Vec::new();
    for line in manifest.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut bytes).unwrap();
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), hash, "{name}");
        names.push(name.to_owned());
    }
    for want in [
        "case-1/case.json",
        "case-1/report.html",
        "case-1/history.json",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    assert!(names
        .iter()
        .any(|n| n.starts_with("captures/capture-") && n.ends_with(".html")));
    assert!(names.iter().any(|n| n == "case-1/captures.txt"));
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("captures/capture-") && n.ends_with(".warc")),
        "the pack carries the WARC record: {names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("captures/capture-") && n.ends_with(".png")),
        "no screenshot in {names:?}"
    );
    let listed = admon(
        &data,
        &["cases", "list", "--state", "exported", "--format", "json"],
    );
    let exported: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(exported.len(), 2);
    assert!(exported.iter().any(|c| c["id"] == 1));
    // Re-exporting is possible.
    let xlsx = dir.path().join("cases.xlsx");
    let again = admon(
        &data,
        &[
            "export",
            "--format",
            "xlsx",
            "--state",
            "exported",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(again.status.success());
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    // Analysts' decisions export as labelled examples and fold into training.
    let feedback = dir.path().join("feedback.jsonl");
    let export = admon(
        &data,
        &["cases", "feedback", "--out", feedback.to_str().unwrap()],
    );
    assert!(export.status.success());
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&feedback)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every decision but those on structural flags (no text to learn from) is an example.
    let decisions = cases
        .iter()
        .filter(|c| c["state"] == "confirmed" || c["state"] == "dismissed")
        .filter(|c| {
            c["state"] == "dismissed"
                || !["unlabelled_ad", "popup_no_close"].contains(&c["category"].as_str().unwrap())
        })
        .count();
    assert_eq!(lines.len(), decisions);
    let dismissed = cases.iter().find(|c| c["id"] == 2).unwrap();
    assert!(lines
        .iter()
        .any(|l| l["label"] == "clean" && l["text"] == dismissed["text"]));
    let confirmed = cases.iter().find(|c| c["id"] == 1).unwrap();
    assert!(lines
        .iter()
        .any(|l| l["label"] == confirmed["category"] && l["text"] == confirmed["text"]));
    let model = dir.path().join("retrained.json");
    let train = admon(
        &data,
        &["train", "--with-feedback", "--out", model.to_str().unwrap()],
    );
    let stdout = String::from_utf8_lossy(&train.stdout);
    assert!(
        train.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&train.stderr)
    );
    assert!(
        stdout.contains(&format!("adding {decisions} analyst decisions")),
        "{stdout}"
    );
    assert!(stdout.contains("macro-F1"), "{stdout}");
    assert!(model.exists());
}
