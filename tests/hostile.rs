//! Issue #16's attacks replayed through the real `admon` binary: after each, the dashboard is
//! still up and answering, and `/metrics` counts what it refused.

use std::net::IpAddr;
use std::time::Duration;

const ADMON: &str = env!("CARGO_BIN_EXE_admon");
const PASSWORD: &str = "horse-battery-77x";

/// A one-page site whose ad text starts with characters whose lower case changes length.
const HOSTILE_AD: &str = "<html><body><div class=\"ad-banner\"><a href=\"http://x.example/\">\
                          İ\u{2126}国家级 全网最低价</a></div></body></html>";

fn admon(data: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(ADMON)
        .arg("--data")
        .arg(data)
        .args(args)
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .env("ADMON_FILTERS_FILES", "[]")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "admon {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A client whose requests come from `from` (a loopback address of its own).
fn client(from: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(from))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    page[at..at + 48].to_owned()
}

/// `admon serve` on `data` at a free loopback port, answering; the child and its base URL.
async fn serve(data: &std::path::Path) -> (tokio::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(data)
        .args(["serve", "--port", &port.to_string()])
        .env("ADMON_FILTERS_FILES", "[]")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if up(&base).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up(&base).await, "serve did not start");
    (child, base)
}

/// Whether the dashboard at `base` answers.
async fn up(base: &str) -> bool {
    let res = reqwest::get(format!("{base}/healthz")).await;
    res.is_ok_and(|r| r.status() == 200)
}

/// Opens the login form; its CSRF token.
async fn login_form(c: &reqwest::Client, base: &str) -> String {
    let page = c.get(format!("{base}/login")).send().await.unwrap();
    csrf(&page.text().await.unwrap())
}

/// Logs `user` in from the client's address; returns the status of the login post.
async fn login(c: &reqwest::Client, base: &str, user: &str, password: &str) -> u16 {
    let csrf_token = login_form(c, base).await;
    c.post(format!("{base}/login"))
        .form(&[
            ("username", user),
            ("password", password),
            ("csrf", &csrf_token),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_attack_of_issue_16_is_refused_and_the_dashboard_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    let site = format!("{}/", crate::pages::serve_fixed(&[("/", HOSTILE_AD)]).await);
    admon(&data, &["crawl", "--seeds", &site]);
    admon(
        &data,
        &[
            "user",
            "add",
            "ana",
            "--role",
            "analyst",
            "--password",
            PASSWORD,
        ],
    );
    let token = admon(&data, &["token", "create", "--role", "analyst"]);
    let token = token
        .split_whitespace()
        .find(|w| w.starts_with("admon_"))
        .expect("a token")
        .to_owned();
    let (mut serve, base) = serve(&data).await;

    let analyst = client([127, 0, 0, 1]);
    assert_eq!(login(&analyst, &base, "ana", PASSWORD).await, 303);
    let get = |path: String| {
        let analyst = analyst.clone();
        async move { analyst.get(path).send().await.unwrap() }
    };
    // (1) A page number past any page.
    let res = get(format!("{base}/queue?q=国家级&page=1000000000000000")).await;
    assert_eq!(res.status(), 400);
    assert!(up(&base).await);
    // (2) Deeply nested queries, in the dashboard and the API.
    let nested = |d: usize| format!("{}x{}", "(".repeat(d), ")".repeat(d));
    assert_eq!(
        get(format!("{base}/queue?q={}", nested(3000)))
            .await
            .status(),
        400
    );
    let api = reqwest::Client::new()
        .get(format!("{base}/api/v1/search"))
        .query(&[("q", nested(5000))])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 400);
    assert!(up(&base).await);
    // (6) Search hits an ad whose lower case changes length: highlighted, not a closed connection.
    let res = get(format!("{base}/queue?q=国家级")).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("全网最低价"));
    // (3) Failed logins with huge user names: a 1 MB login is refused unread (413, or the
    // connection closed under the sender), and what is under the body limit is kept to 64
    // characters a name (the dashboard's unit tests count the bytes kept).
    let stranger = client([127, 0, 0, 3]);
    let token_field = login_form(&stranger, &base).await;
    // Huge bodies go on connections of their own (a refused upload leaves its connection
    // unusable, as with any server that stops reading).
    let unpooled = reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 3]))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for i in 0..50 {
        let name = format!("{}{i}", "x".repeat(1 << 20));
        let sent = unpooled
            .post(format!("{base}/login"))
            .form(&[
                ("username", name.as_str()),
                ("password", "x"),
                ("csrf", &token_field),
            ])
            .send()
            .await;
        assert!(
            sent.as_ref().map_or(true, |r| r.status() == 413),
            "{sent:?}"
        );
    }
    assert!(up(&base).await);
    // (8) The stranger locked itself out, not ana: a correct login from elsewhere works.
    for _ in 0..6 {
        login(&stranger, &base, "ana", "wrong password!").await;
    }
    assert_eq!(login(&stranger, &base, "ana", PASSWORD).await, 429);
    assert_eq!(
        login(&client([127, 0, 0, 4]), &base, "ana", PASSWORD).await,
        303
    );
    assert!(up(&base).await);

    // /metrics counts what was refused.
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let count = |status: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!("admon_rejected_requests{{status=\"{status}\"}} "))
            })
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count for {status}: {metrics}"))
    };
    assert!(count("400") >= 3, "{metrics}");
    assert!(count("429") >= 1, "{metrics}");
    assert!(count("413") >= 1, "{metrics}");
    serve.kill().await.unwrap();
}

// (7, 15) Through `admon classify`: a 1 MB ad of one repeated term, an invalid UTF-8 line and
// an oversized line each get their record, and the run goes on.
#[test]
fn classify_survives_huge_repetitive_and_broken_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    let input = dir.path().join("in.jsonl");
    let mut bytes = format!(
        "{{\"id\":\"big\",\"kind\":\"ad\",\"text\":\"{}\"}}\n",
        "国家级".repeat(110_000)
    )
    .into_bytes();
    bytes.extend_from_slice(b"{\"id\":\"bad\",\"kind\":\"ad\",\"text\":\"\xc3\x28\"}\n");
    bytes.extend_from_slice(b"{\"id\":\"ok\",\"kind\":\"ad\",\"text\":\"\xe5\x85\xa8\xe7\xbd\x91\xe6\x9c\x80\xe4\xbd\x8e\xe4\xbb\xb7\"}\n");
    std::fs::write(&input, bytes).unwrap();
    let out = admon(&data, &["classify", "--input", input.to_str().unwrap()]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["id"], "big");
    assert_eq!(lines[0]["category"], "absolute_terms");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[2]["id"], "ok");
}

/// Waits (up to a minute) until Chromium asks for the spinning page's image.
async fn render_began(started: &std::sync::atomic::AtomicBool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !started.load(std::sync::atomic::Ordering::SeqCst) {
        assert!(
            std::time::Instant::now() < deadline,
            "the render never began"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A page whose script never yields, after an image whose request says Chromium has it; its
/// URL, and the flag set once the image is asked for.
async fn spinning_site() -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const PAGE: &str = "<html><body><p>渲染中断</p><img src=\"/started.png\">\
                        <script>for (;;) {}</script></body></html>";
    let started = Arc::new(AtomicBool::new(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}/", listener.local_addr().unwrap());
    {
        let started = started.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let started = started.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0; 4096];
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let path = request.split_whitespace().nth(1).unwrap_or("/");
                    let (status, body) = match path {
                        "/" => ("200 OK", PAGE),
                        "/started.png" => {
                            // Chromium asks for the image: the render is under way.
                            started.store(true, Ordering::SeqCst);
                            ("404 Not Found", "")
                        }
                        _ => ("404 Not Found", ""),
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
    }
    (site, started)
}

// Regression for #17 (6): after `kill -9` of a rendering crawl, Chromium's process tree lived
// on. Chromium now runs in a process group of its own, and the next admon to render kills the
// groups left by admons that are gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_chromium_left_by_a_killed_admon_is_reaped_by_the_next() {
    let (site, started) = spinning_site().await;
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    let mut crawl = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["crawl", "--seeds", &site])
        .env("TMPDIR", &tmp)
        .env("ADMON_CRAWLER_RENDER", "always")
        .env("ADMON_CRAWLER_TIMEOUT_SECS", "120")
        .env("ADMON_FILTERS_FILES", "[]")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    render_began(&started).await;
    let profile = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("admon-chromium-")
        })
        .expect("a chromium profile")
        .path();
    let owner = std::fs::read_to_string(profile.join("admon-owner")).unwrap();
    let group = owner.split_whitespace().nth(1).unwrap().to_owned();
    let group_alive = || {
        std::process::Command::new("kill")
            .args(["-0", "--", &format!("-{group}")])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success()
    };
    assert!(group_alive());
    crawl.start_kill().unwrap();
    crawl.wait().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        group_alive(),
        "nothing left to reap: the test shows nothing"
    );
    // The next admon that renders reaps it.
    std::process::Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("other"))
        .args(["inspect", "--render", "always", "http://127.0.0.1:9/"])
        .env("TMPDIR", &tmp)
        .env("ADMON_FILTERS_FILES", "[]")
        .env("ADMON_CLASSIFIER_MODEL", data.join("model.json"))
        .output()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while group_alive() {
        assert!(
            std::time::Instant::now() < deadline,
            "the orphaned chromium lives on"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!profile.exists(), "its profile was left behind");
}

// Regression for #16 (5): Ctrl-C waited for a render in flight, as long as the page's time
// (here 120 s). Now Chromium is closed at once and the page is kept as fetched.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_a_render_in_flight_at_once_and_keeps_the_page() {
    let (site, started) = spinning_site().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    let child = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["crawl", "--seeds", &site])
        .env("ADMON_CRAWLER_RENDER", "always")
        .env("ADMON_CRAWLER_TIMEOUT_SECS", "120")
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .env("ADMON_FILTERS_FILES", "[]")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    render_began(&started).await;
    // Give the script time to take the page's thread.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let interrupted = std::time::Instant::now();
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    // Without the fix: the page's 120 s.
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("Ctrl-C stopped the render")
        .unwrap();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        interrupted.elapsed() < Duration::from_secs(10),
        "{:?}",
        interrupted.elapsed()
    );
    let store = admon_store::Store::open(&data).unwrap();
    let kept: Vec<_> = store.captures().map(|c| c.unwrap().1).collect();
    assert_eq!(kept.len(), 1, "the page in flight was lost");
    assert!(!kept[0].capture.rendered);
    let html = store
        .blob(&kept[0].html_sha256)
        .unwrap()
        .expect("the page's HTML");
    assert!(String::from_utf8_lossy(&html).contains("渲染中断"));
}

/// A page that nests 64,000 elements after an ad (and hides another inside), with a
/// right-to-left override in the ad's text.
fn deep_page() -> &'static str {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PAGE.get_or_init(|| {
        format!(
            "<html><body><div class=\"ad-banner\"><a href=\"http://x.example/\">国家级 特效药 \
             \u{202E}gpj.exe</a></div>{}<div class=\"ad-banner\">深处</div>{}</body></html>",
            "<div>".repeat(64_000),
            "</div>".repeat(64_000)
        )
    })
}

/// The rest of #16's attacks, and the second round's (a re-attack found deep pages, bursts
/// of concurrent logins and idle connections), through the real binary: refused, and the
/// dashboard still answers.
#[tokio::test(flavor = "multi_thread")]
async fn the_remaining_attacks_and_the_second_round_are_refused_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    crate::pages::with_trained_model(&data);
    // (re-attack N1) A page nested 64,000 deep: read up to the depth bound (the first ad),
    // not parsed for minutes.
    let page: &'static str = deep_page();
    let pages: &'static [(&'static str, &'static str)] = Box::leak(Box::new([("/", page)]));
    let site = format!("{}/", crate::pages::serve_fixed(pages).await);
    admon(&data, &["crawl", "--seeds", &site]);
    // (14) A restore reads its backup without changing it, and a fake backup leaves nothing.
    let backup = dir.path().join("backup");
    admon(&data, &["store", "backup", backup.to_str().unwrap()]);
    let before = tree_digest(&backup);
    let restored = dir.path().join("restored");
    admon(&restored, &["store", "restore", backup.to_str().unwrap()]);
    assert_eq!(
        tree_digest(&backup),
        before,
        "the restore wrote into its backup"
    );
    let fake = dir.path().join("fake");
    std::fs::create_dir_all(&fake).unwrap();
    std::fs::write(fake.join("junk"), b"x").unwrap();
    let target = dir.path().join("from-fake");
    let out = std::process::Command::new(ADMON)
        .arg("--data")
        .arg(&target)
        .args(["store", "restore", fake.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        std::fs::read_dir(&target).map_or(true, |d| d.count() == 0),
        "a fake backup left a half-written store"
    );
    // (11) Weak passwords and bad names are refused by the CLI.
    for (name, password) in [
        ("", "orchid-lantern-77"),
        ("<script>x", "orchid-lantern-77"),
        ("weak", "12345678"),
        ("weak", "abababababab"),
        ("weak", "ｐａｓｓｗｏｒｄ１２３４５"),
    ] {
        let out = std::process::Command::new(ADMON)
            .arg("--data")
            .arg(&data)
            .args([
                "user",
                "add",
                name,
                "--role",
                "analyst",
                "--password",
                password,
            ])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{name:?} {password:?} taken");
    }
    for (name, role) in [("boss", "admin"), ("offi", "officer")] {
        admon(
            &data,
            &["user", "add", name, "--role", role, "--password", PASSWORD],
        );
    }
    // (12) Tokens are listed and revoked.
    let token = |out: String| {
        out.split_whitespace()
            .find(|w| w.starts_with("admon_"))
            .expect("a token")
            .to_owned()
    };
    let kept = token(admon(&data, &["token", "create", "--role", "officer"]));
    let revoked = token(admon(
        &data,
        &["token", "create", "--role", "officer", "--name", "old"],
    ));
    let list = admon(&data, &["token", "list"]);
    let id = list
        .lines()
        .find(|l| l.contains("old"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the token listed")
        .to_owned();
    admon(&data, &["token", "revoke", &id]);
    let (mut serve, base) = serve(&data).await;
    let api = |token: String, path: &'static str| {
        let base = base.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(api(revoked, "/api/v1/cases").await.status(), 401);
    let cases: Vec<serde_json::Value> = serde_json::from_slice(
        &api(kept.clone(), "/api/v1/cases?limit=100")
            .await
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    let texts: Vec<&str> = cases.iter().filter_map(|c| c["text"].as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("特效药")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("深处")), "{texts:?}");
    let case_id = cases
        .iter()
        .find(|c| c["text"].as_str().is_some_and(|t| t.contains("特效药")))
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    // (16) Security headers on API answers and 404s; a search on a field not there is a 400.
    for path in ["/api/v1/cases", "/no-such-page"] {
        let res = api(kept.clone(), path).await;
        assert!(
            res.headers().contains_key("content-security-policy"),
            "{path}"
        );
    }
    assert_eq!(
        api(kept.clone(), "/api/v1/search?q=nosuch:*")
            .await
            .status(),
        400
    );
    // (13) The pack's report shows the right-to-left override instead of obeying it.
    let pack = reqwest::Client::new()
        .post(format!("{base}/api/v1/export?format=pack&state=new"))
        .bearer_auth(&kept)
        .send()
        .await
        .unwrap();
    assert_eq!(pack.status(), 200);
    let bytes = pack.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut report = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(&format!("case-{case_id}/report.html")).unwrap(),
        &mut report,
    )
    .unwrap();
    assert!(report.contains("[U+202E]gpj.exe") && !report.contains('\u{202E}'));
    // (4) A demoted officer loses the role at the next request; (re-attack L5) a password
    // reset ends the session.
    let officer = client([127, 0, 0, 11]);
    assert_eq!(login(&officer, &base, "offi", PASSWORD).await, 303);
    let admin = client([127, 0, 0, 12]);
    assert_eq!(login(&admin, &base, "boss", PASSWORD).await, 303);
    let users = admin.get(format!("{base}/users")).send().await.unwrap();
    let token_field = csrf(&users.text().await.unwrap());
    let demote = admin
        .post(format!("{base}/users"))
        .form(&[
            ("name", "offi"),
            ("role", "analyst"),
            ("password", "orchid-lantern-2031"),
            ("csrf", &token_field),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(demote.status(), 303);
    let after = officer.get(format!("{base}/queue")).send().await.unwrap();
    assert_eq!(after.status(), 303, "the old session still works");
    assert_eq!(
        login(&officer, &base, "offi", "orchid-lantern-2031").await,
        303
    );
    let export = officer
        .get(format!("{base}/export.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 403, "the demoted officer still exports");
    // (10) One id 2,000 times in a bulk action: one history entry.
    let queue = admin.get(format!("{base}/queue")).send().await.unwrap();
    let token_field = csrf(&queue.text().await.unwrap());
    let history = |token: String| async move {
        let body = api(token, "/api/v1/cases/1").await.bytes().await.unwrap();
        let one: serde_json::Value = serde_json::from_slice(&body).unwrap();
        one["history"].as_array().map_or(0, Vec::len)
    };
    let before = history(kept.clone()).await;
    let body = format!(
        "{}action=escalate&reason=x&csrf={token_field}",
        "ids=1&".repeat(2_000)
    );
    let bulk = admin
        .post(format!("{base}/cases/bulk"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(bulk.status(), 303);
    assert_eq!(history(kept.clone()).await, before + 1);
    // (9) An unknown name costs a password check like a known one (no enumeration by
    // timing): before, 1 ms against 21-36 ms.
    let timed = |name: &'static str, from: u8| {
        let base = base.clone();
        async move {
            let mut times = Vec::new();
            for _ in 0..4 {
                let c = client([127, 0, 0, from]);
                let token_field = login_form(&c, &base).await;
                let started = std::time::Instant::now();
                c.post(format!("{base}/login"))
                    .form(&[
                        ("username", name),
                        ("password", "wrong password!"),
                        ("csrf", &token_field),
                    ])
                    .send()
                    .await
                    .unwrap();
                times.push(started.elapsed());
            }
            times.sort();
            times[times.len() / 2]
        }
    };
    let (known, unknown) = (timed("offi", 15).await, timed("nobody-here", 16).await);
    assert!(
        unknown * 3 > known,
        "unknown {unknown:?} against known {known:?}"
    );
    // (re-attack N2) 60 wrong logins at once from one address: at most 20 are checked.
    // Each try with a session of its own (one cookie jar would mix up the CSRF tokens).
    let tries = (0..60).map(|i| {
        let base = base.clone();
        async move {
            let burst = client([127, 0, 0, 13]);
            login(&burst, &base, &format!("who{i}"), "wrong password!").await
        }
    });
    let statuses = futures_join_all(tries).await;
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    assert!(checked <= 20, "{checked} checked: {statuses:?}");
    assert!(
        statuses.iter().all(|&s| s == 401 || s == 429),
        "{statuses:?}"
    );
    // (re-attack N4) One address holds at most 64 connections; the server still answers.
    let mut held = Vec::new();
    for _ in 0..80 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.14:0".parse().unwrap()).unwrap();
        held.push(socket.connect(base[7..].parse().unwrap()).await.unwrap());
    }
    assert!(up(&base).await);
    // The server hung up on those past the 64th.
    let mut closed = 0;
    for socket in &mut held {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::io::AsyncReadExt::read(socket, &mut byte),
        )
        .await;
        if matches!(read, Ok(Ok(0)) | Ok(Err(_))) {
            closed += 1;
        }
    }
    assert_eq!(closed, 80 - 64);
    drop(held);
    assert!(up(&base).await);
    serve.kill().await.unwrap();
}

/// SHA-256 over every file under `dir` (names and bytes, in name order).
fn tree_digest(dir: &std::path::Path) -> String {
    use sha2::Digest;
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    let mut hash = sha2::Sha256::new();
    for file in files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&file).unwrap());
    }
    hex::encode(hash.finalize())
}

/// Runs the futures at once and collects their outputs in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
