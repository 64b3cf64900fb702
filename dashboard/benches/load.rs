//! The dashboard under load: a store of N cases (default 100,000; `ADMON_BENCH_CASES`), the
//! dashboard on loopback, and `wrk` (Debian package `wrk`) with 32 connections for 10 s per
//! page: the queue, a deep filtered queue page, and random case pages. Prints requests/s and
//! p50/p99 latency beside the target (p99 < 50 ms).
//!
//! `cargo bench -p admon-dashboard --bench load`

use admon_dashboard::{hash_password, Dashboard};
use admon_domain::{CapturedPage, Category, EvidenceSpan, Sample, SampleKind, Verdict};
use admon_store::{NewSighting, Store, User};
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

const WORDS: &[&str] = &[
    "面霜",
    "祛斑",
    "美白",
    "保健",
    "降血压",
    "糖尿病",
    "根治",
    "最低价",
    "国家级",
    "第一",
    "专利",
    "进口",
    "原装",
    "限时",
    "抢购",
    "包邮",
    "正品",
    "旗舰店",
    "特效",
    "药品",
    "奶粉",
    "手表",
    "运动鞋",
    "手机",
    "耳机",
    "理财",
    "收益",
    "保本",
    "投资",
    "教育",
    "培训",
    "名师",
    "保过",
    "房产",
    "学区",
    "升值",
    "酒类",
    "香烟",
    "医疗",
    "器械",
    "减肥",
    "瘦身",
    "纯天然",
];

fn fill(store: &Store, cases: u64) {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut capture = String::new();
    for n in 0..cases {
        let domain = format!("shop{}.example", next() % 300);
        let url = format!("http://{domain}/item/{n}");
        if n % 10 == 0 {
            capture = store
                .put_capture(&CapturedPage::from_html(&url, &format!("<p>{n}</p>")))
                .unwrap();
        }
        let mut text = format!("编号{n} ");
        for _ in 0..12 {
            text.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
        }
        store
            .record_sighting(
                NewSighting {
                    capture_id: capture.clone(),
                    sample: Sample {
                        id: n.to_string(),
                        kind: SampleKind::Ad,
                        text: text.clone(),
                        url: Some(url),
                        ..Sample::default()
                    },
                    landing_url: None,
                    images: vec![],
                    crop: None,
                    flags: vec![Verdict {
                        id: n.to_string(),
                        flagged: true,
                        category: [
                            Category::MedicalClaim,
                            Category::AbsoluteTerms,
                            Category::Fraud,
                        ][(n % 3) as usize],
                        score: 0.5 + (next() % 500) as f64 / 1000.0,
                        articles: vec!["广告法 第九条".into()],
                        evidence: vec![EvidenceSpan {
                            start: 0,
                            end: 4,
                            text: text.chars().take(4).collect(),
                            reason: "bench".into(),
                        }],
                        model: "bench".into(),
                    }],
                },
                "crawler",
            )
            .unwrap();
    }
    store.flush().unwrap();
}

/// Logs in over HTTP and returns the session cookie.
async fn login(base: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let html = page.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..at + 48].to_owned();
    let body = format!("username=bench&password=bench-password&csrf={csrf}");
    let r = http
        .post(format!("{base}/login"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login failed");
    let session = r.headers()["set-cookie"].to_str().unwrap();
    session.split(';').next().unwrap().to_owned()
}

/// Runs wrk; returns (requests/s, p50 ms, p99 ms).
fn wrk(url: &str, cookie: &str, script: Option<&std::path::Path>) -> (f64, f64, f64) {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c32", "-d10s", "--latency", "-H"])
        .arg(format!("Cookie: {cookie}"));
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    let out = cmd
        .arg(url)
        .output()
        .expect("wrk (apt-get install wrk) runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let ms = |s: &str| -> f64 {
        let (n, unit) = s.split_at(s.find(|c: char| c.is_alphabetic()).unwrap_or(s.len()));
        let n: f64 = n.parse().unwrap_or(f64::NAN);
        match unit {
            "us" => n / 1000.0,
            "ms" => n,
            "s" => n * 1000.0,
            _ => f64::NAN,
        }
    };
    let field = |label: &str| -> Option<String> {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
    };
    let non2xx = text.lines().any(|l| l.contains("Non-2xx"));
    assert!(!non2xx, "wrk saw errors:\n{text}");
    (
        field("Requests/sec:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0),
        field("50%").map_or(f64::NAN, |v| ms(&v)),
        field("99%").map_or(f64::NAN, |v| ms(&v)),
    )
}

fn main() {
    let cases: u64 = std::env::var("ADMON_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir_in(std::env::var("ADMON_BENCH_DIR").unwrap_or_else(|_| ".".into()))
        .unwrap();
    let store = Arc::new(Store::open_with_cache(dir.path(), 256 << 20).unwrap());
    let started = std::time::Instant::now();
    fill(&store, cases);
    eprintln!(
        "{cases} cases stored in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    store
        .put_user(&User {
            name: "bench".into(),
            role: "analyst".into(),
            password_hash: hash_password("bench-password"),
            disabled: false,
        })
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (base, cookie) = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let dashboard = Dashboard::new(store.clone(), BTreeMap::new());
        tokio::spawn(async move { dashboard.serve(listener, std::future::pending()).await });
        let cookie = login(&base).await;
        (base, cookie)
    });
    let script = dir.path().join("cases.lua");
    std::fs::write(
        &script,
        format!(
            "math.randomseed(42)\nrequest = function()\n  return wrk.format(nil, \"/cases/\" .. math.random(1, {cases}))\nend\n"
        ),
    )
    .unwrap();
    let runs = [
        ("queue page", format!("{base}/queue"), None),
        (
            "queue, state+category, page 20",
            format!("{base}/queue?state=new&category=fraud&page=20"),
            None,
        ),
        ("case page (random)", base.clone(), Some(script.as_path())),
    ];
    println!("admon dashboard under wrk: {cases} cases, 32 connections, 10 s each");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>12}",
        "", "req/s", "p50 ms", "p99 ms", "p99 target"
    );
    for (name, url, script) in runs {
        let (rps, p50, p99) = wrk(&url, &cookie, script);
        println!(
            "{name:<34} {rps:>10.0} {p50:>10.2} {p99:>10.2} {:>12}",
            format!("< 50 ({:.1}x)", 50.0 / p99)
        );
    }
}
