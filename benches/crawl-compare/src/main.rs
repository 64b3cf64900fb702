//! admon's crawler side by side with spider-rs and Scrapy, on a generated site served on
//! loopback, and against the parse-only ceiling of the same pages. Prints pages/s, peak RSS
//! and the ratios from one run; then crawls an open-ended site until admon's frontier holds
//! about a million URLs and prints its peak RSS. admon runs twice a round: with the default
//! lists (Debian's full EasyList, ~76k rules) and with the bundled list only (`admon-local`),
//! so the cost of the full list is printed as a ratio.
//!
//! `make bench-crawl` (or, after `cargo build --release`:
//! `cargo run --release --manifest-path benches/crawl-compare/Cargo.toml -- [options]`).
//! `admon-crawl-compare serve [PAGES]` only serves the site (to profile a crawler by hand).
//! Options: `--pages N` (10000), `--concurrency C` (16), `--frontier URLS` (1000000, 0 skips),
//! `--runs R` (3), `--no-spider`, `--no-scrapy`. admon, spider-rs and the ceiling are each
//! measured R times and the median run is printed (with the highest peak RSS): a 2-core VM's
//! speed wanders by 15-20% from one run to the next. Scrapy, a minute a run and steady, runs
//! once. Scrapy comes from PyPI into a venv under `target/`.

mod site;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: admon-crawl-compare [--pages N] [--concurrency C] [--frontier URLS] [--runs R] [--no-spider] [--no-scrapy]";

struct Options {
    pages: usize,
    concurrency: usize,
    frontier: usize,
    runs: usize,
    spider: bool,
    scrapy: bool,
}

fn options() -> Options {
    let mut o = Options {
        pages: 10_000,
        concurrency: 16,
        frontier: 1_000_000,
        runs: 3,
        spider: true,
        scrapy: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = || -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{arg} needs a number\n{USAGE}"))
        };
        match arg.as_str() {
            "--pages" => o.pages = number(),
            "--concurrency" => o.concurrency = number(),
            "--frontier" => o.frontier = number(),
            "--runs" => o.runs = number().max(1),
            "--no-spider" => o.spider = false,
            "--no-scrapy" => o.scrapy = false,
            _ => panic!("unknown option {arg}\n{USAGE}"),
        }
    }
    o
}

/// One crawler's figures.
struct Run {
    name: &'static str,
    pages: u64,
    seconds: f64,
    peak_rss_mb: f64,
}

impl Run {
    fn rate(&self) -> f64 {
        self.pages as f64 / self.seconds.max(1e-9)
    }
}

/// The run of median speed among `runs`, with the highest peak RSS of them all.
fn median(mut runs: Vec<Run>) -> Run {
    let peak = runs
        .iter()
        .map(|r| r.peak_rss_mb)
        .filter(|m| !m.is_nan())
        .fold(f64::NAN, f64::max);
    runs.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
    let rates: Vec<String> = runs.iter().map(|r| format!("{:.0}", r.rate())).collect();
    let mut middle = runs.swap_remove(runs.len() / 2);
    println!(
        "{:<12} pages/s over {} runs: {}",
        middle.name,
        rates.len(),
        rates.join(", ")
    );
    middle.peak_rss_mb = peak;
    middle
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a command to the end, sampling its peak resident set (VmHWM) as it goes; returns
/// wall time, peak RSS in MB and standard output.
fn measured(mut command: Command) -> (f64, f64, String) {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
    let status_file = format!("/proc/{}/status", child.id());
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let mut peak_kb = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(status) = child.try_wait().expect("waiting") {
            assert!(status.success(), "{command:?} failed: {status}");
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let seconds = started.elapsed().as_secs_f64();
    (seconds, peak_kb as f64 / 1024.0, reader.join().unwrap())
}

fn admon_binary() -> PathBuf {
    let path = std::env::var_os("ADMON_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/release/admon"));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release` first (or set ADMON_BIN)",
        path.display()
    );
    path
}

/// `admon crawl` with extraction, classification and the store, as in production, minus
/// politeness delays (the site is ours). `easylist`: with Debian's full EasyList, as the default
/// configuration runs; else with the bundled list only.
fn admon(
    seed: &str,
    max_pages: usize,
    concurrency: usize,
    easylist: bool,
) -> (Run, serde_json::Value) {
    let admon = admon_binary();
    let data = tempfile::tempdir().expect("temp dir");
    // Train first, so the crawl's figures are the crawl's.
    let trained = Command::new(&admon)
        .env_remove("ADMON_BIN")
        .arg("--data")
        .arg(data.path())
        .arg("train")
        .stdout(Stdio::null())
        .status()
        .expect("admon train");
    assert!(trained.success());
    let mut command = Command::new(&admon);
    command
        // Every ADMON_* variable is a configuration key to admon: not this one.
        .env_remove("ADMON_BIN")
        .arg("--data")
        .arg(data.path())
        .args(["crawl", "--json", "--max-pages", &max_pages.to_string()])
        .args(["--seeds", seed])
        .env("ADMON_CRAWLER_RENDER", "never")
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .env("ADMON_CRAWLER_CONCURRENCY", concurrency.to_string())
        .env(
            "ADMON_CRAWLER_PER_HOST_CONCURRENCY",
            concurrency.to_string(),
        )
        .env("ADMON_CRAWLER_MAX_DEPTH", "1000")
        .env("ADMON_CRAWLER_SITEMAPS", "false")
        .env("ADMON_FILTERS_LISTS", "[]")
        .env("ADMON_LOG", "error");
    if !easylist {
        command.env("ADMON_FILTERS_FILES", "[]");
    }
    let (seconds, peak_rss_mb, stdout) = measured(command);
    let summary: serde_json::Value = serde_json::from_str(&stdout).expect("admon --json summary");
    let run = Run {
        name: if easylist { "admon" } else { "admon-local" },
        pages: summary["crawl"]["pages"].as_u64().unwrap_or(0),
        seconds,
        peak_rss_mb,
    };
    (run, summary)
}

/// spider-rs in a child process (this binary, `spider SEED CONCURRENCY LIMIT`).
fn spider(seed: &str, max_pages: usize, concurrency: usize) -> Run {
    let mut command = Command::new(std::env::current_exe().expect("own path"));
    command.args([
        "spider",
        seed,
        &concurrency.to_string(),
        &max_pages.to_string(),
    ]);
    let (seconds, peak_rss_mb, stdout) = measured(command);
    Run {
        name: "spider-rs",
        pages: stdout.trim().parse().expect("spider page count"),
        seconds,
        peak_rss_mb,
    }
}

async fn spider_child(seed: &str, concurrency: usize, limit: u32) {
    let mut website = spider::website::Website::new(seed);
    website
        .with_concurrency_limit(Some(concurrency))
        .with_respect_robots_txt(true)
        .with_delay(0)
        .with_limit(limit)
        .with_request_timeout(Some(Duration::from_secs(30)));
    website.crawl().await;
    println!("{}", website.get_links().len());
}

const SCRAPY_SPIDER: &str = r#"
import json
import scrapy

class Bench(scrapy.Spider):
    name = "bench"

    def __init__(self, start=None, host=None, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.allowed_domains = [host]
        self.pages = 0

    def parse(self, response):
        self.pages += 1
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse)

    def closed(self, reason):
        print(json.dumps({"pages": self.pages, "reason": reason}))
"#;

/// Scrapy from PyPI, in a venv under target/ (made on first use).
fn scrapy(seed: &str, max_pages: usize, concurrency: usize) -> Option<Run> {
    let venv = workspace().join("target/bench-venv");
    let scrapy = venv.join("bin/scrapy");
    if !scrapy.exists() {
        eprintln!("installing Scrapy from PyPI into {}", venv.display());
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "scrapy"])
                .status()
                .is_ok_and(|s| s.success());
        if !made {
            eprintln!("Scrapy could not be installed (python3-venv and PyPI needed); skipped");
            return None;
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("bench_spider.py");
    std::fs::write(&script, SCRAPY_SPIDER).expect("writing the Scrapy spider");
    let host = url::Url::parse(seed)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let mut command = Command::new(scrapy);
    command
        .current_dir(dir.path())
        .arg("runspider")
        .arg(&script)
        .args([
            "-a",
            &format!("start={seed}"),
            "-a",
            &format!("host={host}"),
        ])
        .args(["-s", &format!("CONCURRENT_REQUESTS={concurrency}")])
        .args([
            "-s",
            &format!("CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}"),
        ])
        .args(["-s", &format!("CLOSESPIDER_PAGECOUNT={max_pages}")])
        .args(["-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=True"])
        .args(["-s", "LOG_LEVEL=ERROR", "-s", "TELNETCONSOLE_ENABLED=False"]);
    let (seconds, peak_rss_mb, stdout) = measured(command);
    let pages = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|v| v["pages"].as_u64())
        .expect("Scrapy page count");
    Some(Run {
        name: "scrapy",
        pages,
        seconds,
        peak_rss_mb,
    })
}

/// The ceiling: decoding and extracting (ads, listings, links) the same pages with no
/// network, no classification and no store, on every core.
fn parse_only(pages: usize) -> Run {
    let seeds = workspace().join("seeds");
    let extractor = admon_crawler::Extractor::load(&seeds.join("filters"), &seeds.join("sites"))
        .expect("filter lists");
    let bodies: Vec<Vec<u8>> = (0..pages)
        .map(|i| site::page(i, pages).into_bytes())
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = Instant::now();
    let found: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (extractor, bodies) = (&extractor, &bodies);
                scope.spawn(move || {
                    let mut found = 0;
                    for (i, body) in bodies.iter().enumerate().skip(t).step_by(threads) {
                        let url = url::Url::parse(&format!("http://127.0.0.1/p{i}")).unwrap();
                        let (html, _) =
                            admon_crawler::decode_html(body, Some("text/html; charset=utf-8"));
                        let e = extractor.extract(&url, &html, None);
                        found += e.ads.len() + e.listings.len() + e.links.len();
                    }
                    found
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    let seconds = started.elapsed().as_secs_f64();
    assert!(found > pages, "the pages have ads, listings and links");
    Run {
        name: "parse-only",
        pages: pages as u64,
        seconds,
        peak_rss_mb: f64::NAN,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("spider") {
        let seed = args.next().expect("seed");
        let concurrency: usize = args
            .next()
            .and_then(|c| c.parse().ok())
            .expect("concurrency");
        let limit: u32 = args.next().and_then(|c| c.parse().ok()).expect("limit");
        tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(spider_child(&seed, concurrency, limit));
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("serve") {
        // For profiling a crawler by hand: serve the site until killed.
        let pages = std::env::args()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        let server = site::serve(pages);
        println!("{}/", server.base);
        loop {
            std::thread::park();
        }
    }
    let o = options();
    let server = site::serve(o.pages);
    let seed = format!("{}/", server.base);
    // The site: every page reachable from `/`; the index counts as a page.
    let total = o.pages + 1;
    println!(
        "site: {} pages of {}-{} KB with ads and listings at {seed}; concurrency {}",
        total,
        site::MIN_KB,
        site::MAX_KB,
        o.concurrency
    );

    let easylist = Path::new(admon_crawler::DEBIAN_EASYLIST);
    println!(
        "admon runs with the default lists (Debian's EasyList: {}) and, as admon-local, with the bundled list only",
        if easylist.exists() { "installed" } else { "NOT installed" }
    );
    let mut runs = Vec::new();
    let mut admons = Vec::new();
    let mut locals = Vec::new();
    let mut summary = serde_json::Value::Null;
    for _ in 0..o.runs {
        let (run, last) = admon(&seed, total, o.concurrency, true);
        admons.push(run);
        summary = last;
        locals.push(admon(&seed, total, o.concurrency, false).0);
    }
    println!(
        "admon: {} ads, {} listings, {} flagged, {} errors",
        summary["crawl"]["ads"],
        summary["crawl"]["listings"],
        summary["flagged"],
        summary["crawl"]["errors"]
    );
    runs.push(median(admons));
    runs.push(median(locals));
    if o.spider {
        runs.push(median(
            (0..o.runs)
                .map(|_| spider(&seed, total, o.concurrency))
                .collect(),
        ));
    }
    if o.scrapy {
        runs.extend(scrapy(&seed, total, o.concurrency));
    }
    runs.push(median((0..o.runs).map(|_| parse_only(o.pages)).collect()));

    println!();
    println!(
        "{:<12} {:>8} {:>9} {:>10} {:>13}",
        "crawler", "pages", "seconds", "pages/s", "peak RSS MB"
    );
    for r in &runs {
        println!(
            "{:<12} {:>8} {:>9.2} {:>10.0} {:>13.0}",
            r.name,
            r.pages,
            r.seconds,
            r.rate(),
            r.peak_rss_mb
        );
    }
    let admon_rate = runs[0].rate();
    println!();
    println!(
        "admon / admon-local {:>6.2}  (full EasyList against the bundled list; target >= 0.75)",
        admon_rate / runs[1].rate()
    );
    for (other, target) in [
        ("spider-rs", "target >= 1.0"),
        ("scrapy", "target >= 10"),
        ("parse-only", "target >= 0.60"),
    ] {
        if let Some(r) = runs.iter().find(|r| r.name == other) {
            println!(
                "admon / {other:<10} {:>6.2}  ({target})",
                admon_rate / r.rate()
            );
        }
    }

    if o.frontier > 0 {
        // Each page of the open site links to 100 new ones: crawling a hundredth of the target
        // leaves that many URLs queued.
        let pages = (o.frontier / site::OPEN_FANOUT).max(1);
        let (run, summary) = admon(
            &format!("{}/open/0", server.base),
            pages,
            o.concurrency,
            true,
        );
        println!();
        println!(
            "admon, open site: {} pages in {:.1} s, {} URLs left in the frontier, peak RSS {:.0} MB (target < 200 MB with 1,000,000)",
            run.pages, run.seconds, summary["crawl"]["waiting"], run.peak_rss_mb
        );
    }
}
