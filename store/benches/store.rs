//! Store figures at scale: ingest of N samples (default 1,000,000; `ADMON_BENCH_SAMPLES`)
//! with indexing, then search and queue-listing latency (p50/p99) at that size, resident
//! memory and disk per million samples. Targets (issue #5): ingest >= 5,000 samples/s,
//! search p99 < 50 ms, queue p99 < 20 ms; `store verify` at 1M samples under a minute
//! (issue #17).
//!
//! Pages of 10 samples (ad copy and listings drawn from a Chinese vocabulary); one in five
//! samples is flagged and opens or joins a case; the store is flushed (sled fsync + index
//! commit) every 1,000 samples, as a crawl acknowledges its work in batches.
//!
//! `cargo bench -p admon-store --bench store`

use admon_domain::{CapturedPage, CaseState, Category, EvidenceSpan, Sample, SampleKind, Verdict};
use admon_store::{CaseFilter, NewSighting, Store};
use std::time::{Duration, Instant};

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
    "无副作用",
    "治愈",
    "权威",
    "推荐",
    "热销",
    "新品",
    "优惠",
    "折扣",
    "会员",
    "积分",
    "直播",
];
const DOMAINS: usize = 500;
const PER_PAGE: u64 = 10;
const FLUSH_EVERY: u64 = 1_000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn status_mb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn du_mb(path: &std::path::Path) -> f64 {
    let mut total = 0u64;
    let mut stack = vec![path.to_owned()];
    while let Some(p) = stack.pop() {
        for entry in std::fs::read_dir(&p).into_iter().flatten().flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(entry.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total as f64 / (1024.0 * 1024.0)
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    (at(0.50), at(0.99))
}

fn text(rng: &mut Rng, n: u64) -> String {
    let mut s = String::new();
    for _ in 0..6 + rng.below(8) {
        s.push_str(WORDS[rng.below(WORDS.len())]);
    }
    // A serial keeps most copies distinct, as ad copy across many sites is.
    s.push_str(&format!(" 编号{n}"));
    s
}

fn main() {
    let total: u64 = std::env::var("ADMON_BENCH_SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir_in(std::env::var("ADMON_BENCH_DIR").unwrap_or_else(|_| ".".into()))
        .expect("temp dir");
    let store = Store::open_with_cache(dir.path(), 256 << 20).unwrap(); // the cache the README figures were measured with
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let html = format!(
        "<html><body>{}</body></html>",
        "<p>商品详情</p>".repeat(100)
    );

    let started = Instant::now();
    let mut n = 0u64;
    let mut page_no = 0u64;
    while n < total {
        let domain = format!("shop{}.example", rng.below(DOMAINS));
        let url = format!("http://{domain}/item/{page_no}");
        page_no += 1;
        let capture = store
            .put_capture(&CapturedPage::from_html(&url, &format!("{html}{page_no}")))
            .unwrap();
        for _ in 0..PER_PAGE {
            let flagged = rng.below(5) == 0;
            let text = text(&mut rng, if flagged { n } else { n % 1000 });
            let sighting = NewSighting {
                capture_id: capture.clone(),
                sample: Sample {
                    id: n.to_string(),
                    kind: if n.is_multiple_of(2) {
                        SampleKind::Ad
                    } else {
                        SampleKind::Listing
                    },
                    text: text.clone(),
                    url: Some(url.clone()),
                    ..Sample::default()
                },
                landing_url: None,
                images: vec![],
                crop: None,
                flags: if flagged {
                    vec![Verdict {
                        id: n.to_string(),
                        flagged: true,
                        category: [Category::MedicalClaim, Category::AbsoluteTerms][n as usize % 2],
                        score: 0.5 + (rng.below(500) as f64) / 1000.0,
                        articles: vec!["广告法 第九条".into()],
                        evidence: vec![EvidenceSpan {
                            start: 0,
                            end: 2,
                            text: text.chars().take(2).collect(),
                            reason: "bench".into(),
                        }],
                        model: "bench".into(),
                    }]
                } else {
                    vec![]
                },
            };
            store.record_sighting(sighting, "crawler").unwrap();
            n += 1;
            if n.is_multiple_of(FLUSH_EVERY) {
                store.flush().unwrap();
            }
            if n.is_multiple_of(100_000) {
                eprintln!(
                    "  {n} samples, {:.0}/s",
                    n as f64 / started.elapsed().as_secs_f64()
                );
            }
        }
    }
    store.flush().unwrap();
    let ingest_secs = started.elapsed().as_secs_f64();
    let status = store.index_status().unwrap();

    // Search: one to three words from the vocabulary, AND-ed, top 50.
    let mut search = Vec::new();
    for i in 0..1_000 {
        let q: Vec<&str> = (0..1 + i % 3)
            .map(|_| WORDS[rng.below(WORDS.len())])
            .collect();
        let t = Instant::now();
        let hits = store.search(&q.join(" AND "), 50).unwrap();
        search.push(t.elapsed());
        std::hint::black_box(hits);
    }
    // Queue pages: the first 20 pages of the new queue, one domain's queue, a score floor.
    let mut queue = Vec::new();
    for i in 0..1_000 {
        let filter = match i % 3 {
            0 => CaseFilter {
                state: Some(CaseState::New),
                offset: (i % 20) * 50,
                limit: 51,
                ..CaseFilter::default()
            },
            1 => CaseFilter {
                state: Some(CaseState::New),
                domain: Some(format!("shop{}.example", rng.below(DOMAINS))),
                limit: 51,
                ..CaseFilter::default()
            },
            _ => CaseFilter {
                state: Some(CaseState::New),
                min_score: Some(0.9),
                limit: 51,
                ..CaseFilter::default()
            },
        };
        let t = Instant::now();
        let page = store.list_cases(&filter).unwrap();
        queue.push(t.elapsed());
        std::hint::black_box(page);
    }
    let t = Instant::now();
    let report = store.verify().unwrap();
    let verify_secs = t.elapsed().as_secs_f64();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let (s50, s99) = percentiles(search);
    let (q50, q99) = percentiles(queue);
    let disk = du_mb(dir.path());
    let per_million = 1e6 / total as f64;
    let rate = total as f64 / ingest_secs;
    println!(
        "admon store benchmark: {total} samples, {} pages, {} cases",
        page_no, status.cases
    );
    println!("{:<28} {:>12}  {:>14}", "", "measured", "target");
    println!(
        "{:<28} {:>12.0}  {:>14}",
        "ingest samples/s", rate, ">= 5000"
    );
    println!(
        "{:<28} {:>12.1}  {:>14}",
        "  ratio to target",
        rate / 5000.0,
        ">= 1.0"
    );
    println!("{:<28} {:>12.2}  {:>14}", "search p50 ms", s50, "");
    println!("{:<28} {:>12.2}  {:>14}", "search p99 ms", s99, "< 50");
    println!("{:<28} {:>12.2}  {:>14}", "queue page p50 ms", q50, "");
    println!("{:<28} {:>12.2}  {:>14}", "queue page p99 ms", q99, "< 20");
    println!(
        "{:<28} {:>12.1}  {:>14}",
        "store verify s",
        verify_secs,
        format!("< {:.0}", 60.0 * total as f64 / 1e6)
    );
    println!(
        "{:<28} {:>12.0}  {:>14}",
        "peak RSS MB",
        status_mb("VmHWM:"),
        ""
    );
    println!("{:<28} {:>12.0}  {:>14}", "disk MB", disk, "");
    println!(
        "{:<28} {:>12.0}  {:>14}",
        "disk MB per 1M samples",
        disk * per_million,
        ""
    );
    println!(
        "{}",
        serde_json::json!({
            "samples": total, "cases": status.cases, "ingest_per_s": rate,
            "search_p50_ms": s50, "search_p99_ms": s99, "queue_p50_ms": q50, "queue_p99_ms": q99,
            "peak_rss_mb": status_mb("VmHWM:"), "disk_mb": disk, "verify_s": verify_secs,
        })
    );
}
