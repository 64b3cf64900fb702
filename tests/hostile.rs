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
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(&data)
        .args(["serve", "--port", &port.to_string()])
        .env("ADMON_FILTERS_FILES", "[]")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let up = || async {
        let res = reqwest::get(format!("{base}/healthz")).await;
        res.is_ok_and(|r| r.status() == 200)
    };
    for _ in 0..100 {
        if up().await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up().await, "serve did not start");

    let analyst = client([127, 0, 0, 1]);
    assert_eq!(login(&analyst, &base, "ana", PASSWORD).await, 303);
    let get = |path: String| {
        let analyst = analyst.clone();
        async move { analyst.get(path).send().await.unwrap() }
    };
    // (1) A page number past any page.
    let res = get(format!("{base}/queue?q=国家级&page=1000000000000000")).await;
    assert_eq!(res.status(), 400);
    assert!(up().await);
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
    assert!(up().await);
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
    assert!(up().await);
    // (8) The stranger locked itself out, not ana: a correct login from elsewhere works.
    for _ in 0..6 {
        login(&stranger, &base, "ana", "wrong password!").await;
    }
    assert_eq!(login(&stranger, &base, "ana", PASSWORD).await, 429);
    assert_eq!(
        login(&client([127, 0, 0, 4]), &base, "ana", PASSWORD).await,
        303
    );
    assert!(up().await);

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

// Regression for #16 (5): Ctrl-C waited for a render in flight, as long as the page's time
// (here 120 s). Now Chromium is closed at once and the page is kept as fetched.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_a_render_in_flight_at_once_and_keeps_the_page() {
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
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !started.load(Ordering::SeqCst) {
        assert!(
            std::time::Instant::now() < deadline,
            "the render never began"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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
