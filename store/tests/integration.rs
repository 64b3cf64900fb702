//! The store on a real sled database in a temp dir: cases, triage, the audit chain, tamper
//! detection, the directory lock, search.

use admon_domain::{
    Capture, CapturedPage, CaseState, Category, EvidenceSpan, Sample, SampleKind, Verdict,
};
use admon_store::{CaseFilter, Error, NewSighting, Store};

fn page(body: &str) -> CapturedPage {
    CapturedPage {
        capture: Capture {
            url: "http://127.0.0.1/p".into(),
            final_url: "http://127.0.0.1/p".into(),
            status: 200,
            headers: vec![],
            fetched_at: time::OffsetDateTime::now_utc(),
            charset: "UTF-8".into(),
            sha256: String::new(),
            truncated: false,
            rendered: false,
        },
        body: body.as_bytes().to_vec(),
        html: body.into(),
        screenshot: Some(b"\x89PNG\r\n\x1a\nfake".to_vec()),
        ads: vec![],
        listings: vec![],
    }
}

fn sighting(capture_id: &str, text: &str, category: Category, score: f64) -> NewSighting {
    NewSighting {
        capture_id: capture_id.into(),
        sample: Sample {
            id: "s".into(),
            kind: SampleKind::Ad,
            text: text.into(),
            url: Some("http://127.0.0.1/p".into()),
            ..Sample::default()
        },
        landing_url: None,
        flags: if category == Category::Clean {
            vec![]
        } else {
            vec![Verdict {
                id: "s".into(),
                flagged: true,
                category,
                score,
                articles: vec!["广告法 第九条第三项".into()],
                evidence: vec![EvidenceSpan {
                    start: 0,
                    end: 2,
                    text: text.chars().take(2).collect(),
                    reason: "test".into(),
                }],
                model: "t".into(),
            }]
        },
    }
}

/// Records a flagged sighting and returns its case id.
fn flag(store: &Store, capture: &str, text: &str, category: Category, score: f64) -> u64 {
    store
        .record_sighting(sighting(capture, text, category, score), "crawler")
        .unwrap()
        .expect("flagged sightings open cases")
}

#[test]
fn sightings_group_into_cases_and_the_queue_is_by_score() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let c = store.put_capture(&page("<p>a</p>")).unwrap();
    let a = flag(&store, &c, "全网最低价面霜", Category::AbsoluteTerms, 0.7);
    let b = flag(&store, &c, "根治糖尿病", Category::MedicalClaim, 0.95);
    // The same copy seen again, with different spacing and case: one case, two sightings.
    let again = flag(&store, &c, "全网 最低价 面霜", Category::AbsoluteTerms, 0.7);
    assert_eq!(a, again);
    assert_eq!(store.case(a).unwrap().unwrap().sightings, 2);
    assert_eq!(
        store
            .record_sighting(sighting(&c, "欢迎选购", Category::Clean, 0.0), "crawler")
            .unwrap(),
        None
    );
    let queue = store
        .list_cases(&CaseFilter {
            state: Some(CaseState::New),
            ..CaseFilter::default()
        })
        .unwrap();
    assert_eq!(queue.iter().map(|c| c.id).collect::<Vec<_>>(), vec![b, a]);
    assert_eq!(store.search("糖尿病", 10).unwrap(), vec![b]);
    assert!(matches!(
        store.search("text:(", 10),
        Err(Error::BadQuery(_))
    ));
}

#[test]
fn triage_is_audited_and_illegal_moves_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let c = store.put_capture(&page("<p>a</p>")).unwrap();
    let id = flag(&store, &c, "销量第一", Category::AbsoluteTerms, 0.9);
    assert!(matches!(
        store.transition(id, CaseState::Transferred, "ana", ""),
        Err(Error::IllegalTransition { .. })
    ));
    store
        .transition(id, CaseState::Confirmed, "ana", "clear breach")
        .unwrap();
    store.comment(id, "ana", "seen twice").unwrap();
    assert!(matches!(
        store.transition(999, CaseState::Confirmed, "ana", ""),
        Err(Error::CaseNotFound(999))
    ));
    let history = store.history(id).unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["created", "confirmed", "comment"]);
    assert_eq!(history[1].who, "ana");
    assert_eq!(history[1].reason, "clear breach");
    let report = store.verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.audit_entries, 3);
    let counts = store.count_by_state().unwrap();
    assert!(
        counts.contains(&(CaseState::New, 0)) && counts.contains(&(CaseState::Confirmed, 1)),
        "{counts:?}"
    );
    drop(store);
    // Decisions survive a reopen.
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.case(id).unwrap().unwrap().state, CaseState::Confirmed);
}

#[test]
fn edited_audit_entries_and_corrupted_blobs_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let c = store.put_capture(&page("<p>evidence</p>")).unwrap();
        let id = flag(&store, &c, "销量第一", Category::AbsoluteTerms, 0.9);
        store
            .transition(id, CaseState::Dismissed, "ana", "not an ad")
            .unwrap();
        store.flush().unwrap();
    }
    {
        // Someone with disk access rewrites history and swaps evidence.
        let db = sled::open(dir.path().join("db")).unwrap();
        let audit = db.open_tree("audit").unwrap();
        let key = 2u64.to_be_bytes();
        let entry = String::from_utf8(audit.get(key).unwrap().unwrap().to_vec()).unwrap();
        audit
            .insert(
                key,
                entry.replace("not an ad", "confirmed by boss").as_bytes(),
            )
            .unwrap();
        let blobs = db.open_tree("blobs").unwrap();
        let (k, _) = blobs.iter().next().unwrap().unwrap();
        blobs.insert(k, &b"<p>forged</p>"[..]).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let report = store.verify().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("audit entry 2 was altered")),
        "{:?}",
        report.problems
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("does not match its hash")),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_second_process_is_told_who_holds_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let _held = Store::open(dir.path()).unwrap();
    // Same process, second handle: the OS lock is per open file description, so it refuses too.
    match Store::open(dir.path()) {
        Err(Error::Locked { holder, .. }) => assert!(
            holder.contains(&format!("pid {}", std::process::id())),
            "{holder}"
        ),
        Err(other) => panic!("expected Locked, got {other}"),
        Ok(_) => panic!("expected Locked, got a second store"),
    }
}

#[test]
fn an_unwritable_data_dir_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let err = Store::open(&file.join("data"))
        .err()
        .expect("cannot open under a file");
    assert!(
        err.to_string().contains("cannot use data directory"),
        "{err}"
    );
}

#[test]
fn repeat_offenders_are_counted_by_advertiser() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let c = store.put_capture(&page("<p>a</p>")).unwrap();
    let mut ids = Vec::new();
    for text in ["销量第一的面霜", "全网最低价面霜", "国家级面霜"] {
        let mut s = sighting(&c, text, Category::AbsoluteTerms, 0.9);
        s.landing_url = Some("https://shop.example.cn/cream".into());
        ids.push(store.record_sighting(s, "crawler").unwrap().unwrap());
    }
    let first = store.case(ids[0]).unwrap().unwrap();
    assert_eq!(store.repeat_offences(&first).unwrap(), 0);
    store
        .transition(ids[0], CaseState::Confirmed, "ana", "")
        .unwrap();
    store
        .transition(ids[1], CaseState::Confirmed, "ana", "")
        .unwrap();
    store
        .transition(ids[2], CaseState::Dismissed, "ana", "")
        .unwrap();
    let third = store.case(ids[2]).unwrap().unwrap();
    assert_eq!(store.repeat_offences(&third).unwrap(), 2);
    store
        .transition(ids[1], CaseState::InReview, "ana", "reopened")
        .unwrap();
    assert_eq!(store.repeat_offences(&third).unwrap(), 1);
}
