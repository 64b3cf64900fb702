//! `kill -9` during heavy ingest: a child process (this binary, re-run with
//! `ADMON_CRASH_CHILD` set) ingests pages and triage decisions as fast as it can, printing each
//! one once the store has acknowledged it (the call returned after a flush). The parent kills it
//! mid-stream, twice, and checks that every acknowledged sample and decision survived, that the
//! search index agrees with sled, and that `verify` passes.
//!
//! A plain `main` (harness = false): the child must be a real process to be killed.

use admon_domain::{CapturedPage, CaseState, Category, EvidenceSpan, Sample, SampleKind, Verdict};
use admon_store::{NewSighting, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const CHILD: &str = "ADMON_CRASH_CHILD";
const SAMPLES_PER_PAGE: u64 = 6;

fn sighting(capture_id: &str, text: String, flagged: bool) -> NewSighting {
    NewSighting {
        capture_id: capture_id.into(),
        sample: Sample {
            id: "s".into(),
            kind: SampleKind::Ad,
            text: text.clone(),
            url: Some("http://127.0.0.1/p".into()),
            ..Sample::default()
        },
        landing_url: None,
        images: vec![],
        crop: None,
        flags: if flagged {
            vec![Verdict {
                id: "s".into(),
                flagged: true,
                category: Category::MedicalClaim,
                score: 0.9,
                articles: vec!["广告法 第十七条".into()],
                evidence: vec![EvidenceSpan {
                    start: 0,
                    end: 4,
                    text: text.chars().take(4).collect(),
                    reason: "test".into(),
                }],
                model: "t".into(),
            }]
        } else {
            vec![]
        },
    }
}

const WORDS: [&str; 24] = [
    "根治",
    "糖尿病",
    "三天见效",
    "全网最低价",
    "美白",
    "祛斑",
    "国家级",
    "特效",
    "降血压",
    "包邮",
    "限时",
    "抢购",
    "专利",
    "纯天然",
    "无副作用",
    "名师",
    "保过",
    "收益",
    "保本",
    "学区房",
    "升值",
    "进口",
    "正品",
    "治愈",
];

/// Distinct ad copy for sample `n` (different words, not just a different serial, so that
/// near-duplicate grouping keeps them apart), tagged with a searchable `mark`.
fn ad_copy(n: u64, mark: &str) -> String {
    let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut text = format!("{mark} ");
    for _ in 0..8 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        text.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
    }
    text
}

/// Ingests pages from `first` on, forever, printing what the store has acknowledged.
fn child(dir: &Path, first: u64) {
    let store = Store::open(dir).expect("child opens the store");
    for page in first.. {
        let body = format!(
            "<html><body><p>page {page}</p>{}</body></html>",
            "x".repeat(2000)
        );
        let capture = store
            .put_capture(&CapturedPage::from_html(
                &format!("http://127.0.0.1/p{page}"),
                &body,
            ))
            .unwrap();
        let mut cases = Vec::new();
        for j in 0..SAMPLES_PER_PAGE {
            let text = ad_copy(page * SAMPLES_PER_PAGE + j, &format!("mark{page}x{j}"));
            if let Some(id) = store
                .record_sighting(sighting(&capture, text, j < 3), "crawler")
                .unwrap()
            {
                cases.push(id.to_string());
            }
        }
        store.flush().unwrap();
        println!("ack {page} {}", cases.join(" "));
        if page % 3 == 0 {
            let id: u64 = cases[0].parse().unwrap();
            store
                .transition(id, CaseState::InReview, "ana", "crash test")
                .unwrap();
            println!("decided {id}");
        }
    }
}

/// Runs a child from page `first` until it has acknowledged `pages` pages, kills it with
/// SIGKILL, and returns every acknowledgement it printed before it died.
fn ingest_and_kill(dir: &Path, first: u64, pages: usize) -> (BTreeMap<u64, Vec<u64>>, Vec<u64>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, format!("{}|{first}", dir.display()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut acked, mut decided) = (BTreeMap::new(), Vec::new());
    let mut killed = false;
    for line in lines {
        let line = line.unwrap();
        let mut words = line.split_whitespace();
        match words.next() {
            Some("ack") => {
                let page: u64 = words.next().unwrap().parse().unwrap();
                acked.insert(page, words.map(|w| w.parse().unwrap()).collect());
            }
            Some("decided") => decided.push(words.next().unwrap().parse().unwrap()),
            _ => panic!("unexpected child output: {line}"),
        }
        if acked.len() >= pages && !killed {
            child.kill().unwrap(); // SIGKILL: no destructors, no flush
            killed = true;
        }
    }
    let status = child.wait().unwrap();
    assert!(
        killed && !status.success(),
        "the child died on its own: {status}"
    );
    (acked, decided)
}

fn main() {
    if let Ok(arg) = std::env::var(CHILD) {
        let (dir, first) = arg.split_once('|').unwrap();
        child(Path::new(dir), first.parse().unwrap());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut acked, mut decided) = ingest_and_kill(dir.path(), 0, 200);
    // Restart where the first child got to, then kill that one too.
    let next = acked.keys().last().unwrap() + 1;
    let (more, more_decided) = ingest_and_kill(dir.path(), next, 200);
    acked.extend(more);
    decided.extend(more_decided);

    let store = Store::open(dir.path()).expect("reopens after kill -9");
    let samples = store
        .sizes()
        .into_iter()
        .find(|(k, _)| *k == "samples")
        .unwrap()
        .1 as u64;
    assert!(
        samples >= acked.len() as u64 * SAMPLES_PER_PAGE,
        "{samples} samples kept, {} pages acknowledged",
        acked.len()
    );
    let mut case_ids = BTreeSet::new();
    for (page, cases) in &acked {
        assert_eq!(cases.len(), 3, "page {page}");
        for (j, id) in cases.iter().enumerate() {
            let case = store
                .case(*id)
                .unwrap()
                .unwrap_or_else(|| panic!("acknowledged case {id} (page {page}) lost"));
            assert!(case.text.starts_with(&format!("mark{page}x{j} ")));
            case_ids.insert(*id);
        }
    }
    for id in &decided {
        assert_eq!(
            store.case(*id).unwrap().unwrap().state,
            CaseState::InReview,
            "decision on case {id} lost"
        );
    }
    let status = store.index_status().unwrap();
    assert_eq!(status.documents, status.cases, "{status:?}");
    assert_eq!(status.indexed_seq, status.latest_seq, "{status:?}");
    for page in acked.keys().step_by(7) {
        let hits = store.search(&format!("mark{page}x1"), 5).unwrap();
        assert_eq!(hits, vec![acked[page][1]], "search for page {page}");
    }
    let in_review = store.search("state:in_review", 10_000).unwrap();
    for id in &decided {
        assert!(in_review.contains(id), "index lost the decision on {id}");
    }
    let report = store.verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    println!(
        "kill -9 during ingest: {} acknowledged pages ({} cases, {} decisions) all kept; index agrees; verify passed",
        acked.len(),
        case_ids.len(),
        decided.len()
    );
}
