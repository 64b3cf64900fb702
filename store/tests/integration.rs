//! The store on a real sled database in a temp dir: cases, triage, the audit chain, tamper
//! detection, the directory lock, search.

use admon_domain::{CapturedPage, CaseState, Category, EvidenceSpan, Sample, SampleKind, Verdict};
use admon_store::{CaseFilter, Error, NewSighting, Store};

fn page(body: &str) -> CapturedPage {
    let mut page = CapturedPage::from_html("http://127.0.0.1/p", body);
    page.screenshot = Some(b"\x89PNG\r\n\x1a\nfake".to_vec());
    page
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
        images: vec![],
        crop: None,
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
    // The case's three, and the capture's own.
    assert_eq!(report.audit_entries, 4);
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
        // Entry 1 keeps the capture, 2 opens the case, 3 dismisses it.
        let key = 3u64.to_be_bytes();
        let entry = String::from_utf8(audit.get(key).unwrap().unwrap().to_vec()).unwrap();
        audit
            .insert(
                key,
                entry.replace("not an ad", "confirmed by boss").as_bytes(),
            )
            .unwrap();
        db.flush().unwrap();
        // Evidence: one blob's bytes overwritten in its segment, another's index entry lost.
        let index = db.open_tree("blob_index").unwrap();
        let mut entries = index.iter();
        let (_, at) = entries.next().unwrap().unwrap();
        let offset = u64::from_be_bytes(at[4..12].try_into().unwrap());
        let (gone, _) = entries.next().unwrap().unwrap();
        index.remove(gone).unwrap();
        db.flush().unwrap();
        let segment = dir.path().join("blobs/segment-000001");
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(segment)
            .unwrap();
        std::os::unix::fs::FileExt::write_all_at(&file, b"<p>forged</p>", offset).unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let report = store.verify().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.starts_with("audit entry 3 ") && p.ends_with("was altered")),
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
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("is missing; capture")),
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
    for (i, text) in ["销量第一的面霜", "全网最低价面霜", "国家级面霜"]
        .iter()
        .enumerate()
    {
        let mut s = sighting(&c, text, Category::AbsoluteTerms, 0.9);
        // Three ads (three landing pages) of one advertiser (one host).
        s.landing_url = Some(format!("https://shop.example.cn/cream{i}"));
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

#[test]
fn each_capture_keeps_a_warc_file_of_the_exchange_and_what_chromium_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut p = page("<p>广告：特效药</p>");
    p.capture.headers = vec![
        ("content-type".into(), "text/html; charset=utf-8".into()),
        ("transfer-encoding".into(), "chunked".into()),
    ];
    p.capture.exchange = admon_domain::Exchange {
        version: "HTTP/1.1".into(),
        reason: Some("Fine Thanks".into()),
        ip: Some("127.0.0.1".into()),
        request_headers: vec![
            ("host".into(), "127.0.0.1".into()),
            ("user-agent".into(), "admon/test".into()),
        ],
        run: Some(7),
        operator: "张三".into(),
    };
    p.capture.rendered = true;
    p.loads = vec![admon_domain::Load {
        url: "http://127.0.0.1/ad.png".into(),
        status: 200,
        reason: "OK".into(),
        version: "HTTP/1.1".into(),
        headers: vec![
            ("Content-Type".into(), "image/png".into()),
            ("Content-Encoding".into(), "gzip".into()),
        ],
        body: b"\x89PNG".to_vec(),
        truncated: true,
        ip: Some("127.0.0.1".into()),
        received_at: p.capture.fetched_at,
    }];
    p.shots = vec![admon_domain::Shot {
        name: "popup-1-before".into(),
        png: b"\x89PNG shot".to_vec(),
        at: p.capture.fetched_at,
    }];
    // Whatever hash the page claims, the store records the hash of the bytes it keeps.
    p.capture.sha256 = "ab".repeat(32);
    let id = store.put_capture(&p).unwrap();
    let record = store.capture(&id).unwrap().unwrap();
    let body_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&p.body));
    assert_eq!(record.capture.sha256, body_sha256);
    let bytes = store
        .blob(record.warc_sha256.as_deref().unwrap())
        .unwrap()
        .unwrap();
    let records: Vec<_> = warc::WarcReader::new(bytes.as_slice())
        .iter_records()
        .collect::<Result<_, _>>()
        .expect("a WARC file other tools can read");
    let types: Vec<String> = records.iter().map(|r| r.warc_type().to_string()).collect();
    assert_eq!(
        types,
        ["warcinfo", "request", "response", "metadata", "response", "resource"]
    );
    let info = String::from_utf8(records[0].body().to_vec()).unwrap();
    for field in [
        "software: admon/",
        "robots: obey",
        "isPartOf: admon crawl run 7",
        "operator: 张三",
        "http-header-user-agent: admon/test",
    ] {
        assert!(info.contains(field), "{field} not in {info}");
    }
    let (request, response) = (&records[1], &records[2]);
    assert_eq!(
        request.header(warc::WarcHeader::ConcurrentTo),
        response.header(warc::WarcHeader::RecordID)
    );
    assert!(String::from_utf8_lossy(request.body())
        .starts_with("GET /p HTTP/1.1\r\nhost: 127.0.0.1\r\n"));
    assert_eq!(
        response.header(warc::WarcHeader::TargetURI).unwrap(),
        "http://127.0.0.1/p"
    );
    assert_eq!(
        response.header(warc::WarcHeader::IPAddress).unwrap(),
        "127.0.0.1"
    );
    let http = String::from_utf8(response.body().to_vec()).unwrap();
    assert!(http.starts_with("HTTP/1.1 200 Fine Thanks\r\n"), "{http}");
    assert!(http.contains("content-type: text/html; charset=utf-8\r\n"));
    // hyper took the chunked coding off: the record says so rather than claim it.
    assert!(
        http.contains("X-Admon-Removed-transfer-encoding: chunked\r\n"),
        "{http}"
    );
    assert!(http.ends_with("\r\n\r\n<p>广告：特效药</p>"));
    assert_eq!(
        response.header(warc::WarcHeader::PayloadDigest).unwrap(),
        format!("sha256:{body_sha256}")
    );
    let metadata = &records[3];
    assert_eq!(
        metadata.header(warc::WarcHeader::RefersTo),
        response.header(warc::WarcHeader::RecordID)
    );
    let fields = String::from_utf8(metadata.body().to_vec()).unwrap();
    assert!(fields.contains(&format!("decoded-html-sha256: {}", record.html_sha256)));
    let load = &records[4];
    assert_eq!(
        load.header(warc::WarcHeader::ConcurrentTo),
        response.header(warc::WarcHeader::RecordID)
    );
    let http = String::from_utf8_lossy(load.body());
    // A load cut at admon's caps says so.
    assert_eq!(load.header(warc::WarcHeader::Truncated).unwrap(), "length");
    // Chromium hands bodies on decoded: the coding is not claimed for them.
    assert!(
        http.contains("X-Admon-Removed-Content-Encoding: gzip\r\n"),
        "{http}"
    );

    // And warcio, the tool archives check WARC files with, finds every digest right.
    let file = dir.path().join("capture.warc");
    std::fs::write(&file, &bytes).unwrap();
    let warcio = std::env::var_os("WARCIO_BIN").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-venv/bin/warcio"),
        Into::into,
    );
    let check = std::process::Command::new(&warcio)
        .args(["check", "-v"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} (make test installs it from PyPI): {e}",
                warcio.display()
            )
        });
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{out}");
    assert_eq!(out.matches("digest pass").count(), 6, "{out}");
    let shot = &records[5];
    assert_eq!(
        shot.header(warc::WarcHeader::TargetURI).unwrap(),
        "urn:admon:shot:popup-1-before"
    );
    assert_eq!(
        shot.header(warc::WarcHeader::ConcurrentTo),
        response.header(warc::WarcHeader::RecordID)
    );
    assert_eq!(shot.body(), b"\x89PNG shot");
}

#[test]
fn a_raw_body_is_kept_once_inside_its_warc_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // A body with a byte-order mark: the raw body and the decoded HTML differ, so both are
    // evidence.
    let html = "<p>广告：国家级特效药</p>";
    let mut p = CapturedPage::from_html("http://127.0.0.1/bom", html);
    p.body = [b"\xEF\xBB\xBF".as_slice(), html.as_bytes()].concat();
    let id = store.put_capture(&p).unwrap();
    let record = store.capture(&id).unwrap().unwrap();
    let body_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&p.body));
    assert_eq!(store.blob(&body_sha256).unwrap().unwrap(), p.body);
    assert_eq!(
        store.blob(&record.html_sha256).unwrap().unwrap(),
        html.as_bytes()
    );
    let warc = store
        .blob(record.warc_sha256.as_deref().unwrap())
        .unwrap()
        .unwrap();
    // On disk: the WARC record (which holds the body) and the HTML, nothing else.
    let on_disk: u64 = std::fs::read_dir(dir.path().join("blobs"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(on_disk, (warc.len() + html.len()) as u64);
    let report = store.verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn pages_kept_together_sight_one_case_and_a_repeated_job_is_kept_once() {
    use admon_store::{Ingest, PreparedCapture};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let pages: Vec<CapturedPage> = (0..3)
        .map(|i| CapturedPage::from_html(&format!("http://127.0.0.1/p{i}"), "<p>包治百病</p>"))
        .collect();
    let ids: Vec<String> = pages
        .iter()
        .map(|_| store.new_capture_id().unwrap())
        .collect();
    let sightings: Vec<Vec<NewSighting>> = ids
        .iter()
        .map(|id| {
            vec![sighting(
                id,
                "包治百病，无效退款",
                Category::MedicalClaim,
                0.9,
            )]
        })
        .collect();
    // The third page repeats the first one's job (a page delivered twice).
    let keys: [&[u8]; 3] = [b"job-a", b"job-b", b"job-a"];
    let kept = store
        .ingest_all(
            (0..3)
                .map(|i| Ingest {
                    page: &pages[i],
                    prepared: PreparedCapture::of(&pages[i]),
                    capture_id: &ids[i],
                    sightings: &sightings[i],
                    done: Some(keys[i]),
                })
                .collect(),
        )
        .unwrap();
    assert_eq!(kept.len(), 3);
    let case_id = kept[0].as_ref().unwrap()[0].unwrap();
    assert_eq!(kept[1].as_ref().unwrap()[0], Some(case_id));
    assert!(kept[2].is_none(), "job-a's page is kept once");
    let case = store.case(case_id).unwrap().unwrap();
    assert_eq!(case.sightings, 2);
    assert_eq!(case.capture_ids, [ids[0].clone(), ids[1].clone()]);
    assert!(store.capture(&ids[2]).unwrap().is_none());
    let queued = store
        .list_cases(&CaseFilter {
            state: Some(CaseState::New),
            ..CaseFilter::default()
        })
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(store.search("百病", 10).unwrap(), vec![case_id]);
}

/// Copies a directory tree (the search index at some moment).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn a_lagging_index_catches_up_by_sequence_number() {
    let dir = tempfile::tempdir().unwrap();
    let old_index = tempfile::tempdir().unwrap();
    let (first, second);
    {
        let store = Store::open(dir.path()).unwrap();
        let c = store.put_capture(&page("<p>a</p>")).unwrap();
        first = flag(&store, &c, "根治糖尿病", Category::MedicalClaim, 0.9);
        store.flush().unwrap();
        let status = store.index_status().unwrap();
        assert_eq!((status.documents, status.cases), (1, 1));
        assert_eq!(status.indexed_seq, status.latest_seq);
        // The index as a crash would leave it: committed up to here, and no further.
        copy_dir(&dir.path().join("index"), &old_index.path().join("index"));
        second = flag(
            &store,
            &c,
            "国家级产品销量第一",
            Category::AbsoluteTerms,
            0.8,
        );
        store
            .transition(first, CaseState::InReview, "ana", "")
            .unwrap();
        store.flush().unwrap();
    }
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    copy_dir(&old_index.path().join("index"), &dir.path().join("index"));
    let store = Store::open(dir.path()).unwrap();
    let status = store.index_status().unwrap();
    assert_eq!((status.documents, status.cases), (2, 2));
    assert_eq!(status.indexed_seq, status.latest_seq);
    assert_eq!(store.search("销量第一", 10).unwrap(), vec![second]);
    // The replayed change is the case as sled has it now, not as first indexed.
    assert_eq!(store.search("state:in_review", 10).unwrap(), vec![first]);
    assert!(store.search("state:new", 10).unwrap() == vec![second]);
    assert!(store.verify().unwrap().problems.is_empty());
}

#[test]
fn facets_count_matches_per_category_and_domain() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let c = store.put_capture(&page("<p>a</p>")).unwrap();
    flag(&store, &c, "根治糖尿病", Category::MedicalClaim, 0.9);
    flag(&store, &c, "糖尿病一周见效", Category::MedicalClaim, 0.9);
    flag(
        &store,
        &c,
        "糖尿病患者首选 销量第一",
        Category::AbsoluteTerms,
        0.8,
    );
    flag(&store, &c, "全网最低价", Category::AbsoluteTerms, 0.8);
    let facets = store.facets("糖尿病").unwrap();
    assert_eq!(
        facets.categories,
        vec![
            ("medical_claim".to_owned(), 2),
            ("absolute_terms".to_owned(), 1)
        ]
    );
    assert_eq!(facets.domains, vec![("127.0.0.1".to_owned(), 3)]);
    assert_eq!(store.facets("").unwrap().domains[0].1, 4);
    let days = store.cases_per_day(7).unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[6], (time::OffsetDateTime::now_utc().date(), 4));
    assert!(days[..6].iter().all(|(_, n)| *n == 0));
}

#[test]
fn crawl_runs_are_numbered_and_listed_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut a = admon_store::CrawlRun {
        trigger: "cli".into(),
        seeds: vec!["http://127.0.0.1/".into()],
        ..Default::default()
    };
    assert_eq!(store.start_run(&mut a).unwrap(), 1);
    let mut b = admon_store::CrawlRun::default();
    assert_eq!(store.start_run(&mut b).unwrap(), 2);
    a.pages = 7;
    a.outcome = "finished".into();
    store.finish_run(&mut a).unwrap();
    let runs = store.runs(10).unwrap();
    assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(runs[0].outcome, "running");
    assert!(runs[0].finished.is_none());
    assert_eq!((runs[1].pages, runs[1].outcome.as_str()), (7, "finished"));
    assert!(runs[1].finished.is_some());
    // Reopened, the store knows no one is running run 2 any more.
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let runs = store.runs(10).unwrap();
    assert_eq!(runs[0].outcome, "interrupted");
    assert_eq!(runs[1].outcome, "finished");
}

#[test]
fn a_backup_taken_during_ingest_is_consistent_and_restores() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    store.listen_control();
    let c = store.put_capture(&page("<p>a</p>")).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, done, c) = (store.clone(), done.clone(), c.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !done.load(Ordering::Relaxed) {
                let id = flag(&store, &c, &distinct_copy(n), Category::MedicalClaim, 0.9);
                if n.is_multiple_of(3) {
                    store
                        .transition(id, CaseState::InReview, "ana", "")
                        .unwrap();
                }
                n += 1;
            }
            n
        })
    };
    while store.count_by_state().unwrap()[0].1 < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // Through the control socket, as `admon store backup` does while the dashboard runs.
    let backup = tempfile::tempdir().unwrap();
    let target = backup.path().join("b");
    let report = admon_store::request_backup(dir.path(), &target).unwrap();
    done.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    let cases_in_backup = report.trees["cases"];
    assert!(cases_in_backup >= 20 && cases_in_backup <= written);
    // Writing over an existing backup is refused.
    assert!(matches!(
        admon_store::request_backup(dir.path(), &target),
        Err(Error::Control { .. })
    ));
    drop(store);

    // Regression for #16 (14): restore opened the backup read-write (and wrote into it); a
    // fake backup left a half-written target.
    let fingerprint = |dir: &std::path::Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut todo = vec![dir.to_owned()];
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    todo.push(p);
                } else {
                    files.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        files.sort();
        files
    };
    let untouched = fingerprint(&target);
    let fake_parent = tempfile::tempdir().unwrap();
    let fake = fake_parent.path().join("fake");
    std::fs::create_dir_all(fake.join("db")).unwrap();
    for (path, bytes) in &untouched {
        let to = fake.join(path.strip_prefix(&target).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    let manifest_path = fake.join("backup.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["trees"]["cases"] = serde_json::json!(999_999);
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let into = fake_parent.path().join("restored");
    assert!(matches!(
        Store::restore(&fake, &into),
        Err(Error::NotABackup { .. })
    ));
    assert!(!into.exists(), "a failed restore leaves no target behind");
    assert_eq!(
        std::fs::read_dir(fake_parent.path()).unwrap().count(),
        1,
        "and no staging directory"
    );

    let restored_dir = tempfile::tempdir().unwrap();
    let (restored, manifest) = Store::restore(&target, restored_dir.path()).unwrap();
    assert_eq!(manifest, report);
    assert!(
        fingerprint(&target) == untouched,
        "the backup was written to"
    );
    // Consistent: the counters, the queue and the audit chain all agree with the cases.
    let counted: usize = restored
        .count_by_state()
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(counted as u64, cases_in_backup);
    let listed = restored.list_cases(&CaseFilter::default()).unwrap();
    assert_eq!(listed.len() as u64, cases_in_backup);
    let check = restored.verify().unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    let status = restored.index_status().unwrap();
    assert_eq!(status.documents, cases_in_backup);
    assert_eq!(restored.search("特效药", 1).unwrap().len(), 1);
    // Restoring over a store that holds data is refused, and touches nothing.
    drop(restored);
    assert!(matches!(
        Store::restore(&target, restored_dir.path()),
        Err(Error::NotEmpty(_))
    ));
}

#[test]
fn the_queue_lists_one_domain_by_key_and_stops_at_the_score_floor() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let c = store.put_capture(&page("<p>a</p>")).unwrap();
    let on = |domain: &str, text: &str, score: f64| {
        let mut s = sighting(&c, text, Category::AbsoluteTerms, score);
        s.sample.url = Some(format!("http://{domain}/p"));
        store.record_sighting(s, "crawler").unwrap().unwrap()
    };
    let a1 = on("a.example", "全网最低价一", 0.6);
    let b1 = on("b.example", "全网最低价二", 0.9);
    let a2 = on("a.example", "全网最低价三", 0.8);
    let a3 = on("a.example", "全网最低价四", 0.7);
    store
        .transition(a3, CaseState::InReview, "ana", "")
        .unwrap();
    let ids = |filter: CaseFilter| -> Vec<u64> {
        store
            .list_cases(&filter)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect()
    };
    let domain = Some("a.example".to_owned());
    assert_eq!(
        ids(CaseFilter {
            domain: domain.clone(),
            ..CaseFilter::default()
        }),
        vec![a2, a1, a3]
    );
    assert_eq!(
        ids(CaseFilter {
            domain: domain.clone(),
            state: Some(CaseState::New),
            ..CaseFilter::default()
        }),
        vec![a2, a1]
    );
    assert_eq!(
        ids(CaseFilter {
            state: Some(CaseState::New),
            min_score: Some(0.75),
            ..CaseFilter::default()
        }),
        vec![b1, a2]
    );
    assert_eq!(ids(CaseFilter::default()), vec![b1, a2, a1, a3]);
    // One category's queue by key, its offset skipping keys.
    assert_eq!(
        ids(CaseFilter {
            category: Some(Category::AbsoluteTerms),
            state: Some(CaseState::New),
            offset: 1,
            ..CaseFilter::default()
        }),
        vec![a2, a1]
    );
    assert!(ids(CaseFilter {
        category: Some(Category::MedicalClaim),
        ..CaseFilter::default()
    })
    .is_empty());
}

#[test]
fn near_duplicates_same_landing_pages_and_same_images_join_one_case() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let c = store.put_capture(&page("<p>a</p>")).unwrap();
    let base = "本品采用纳米科技精华，七天美白祛斑，全网最低价，限时抢购，立即下单享受包邮";
    let a = flag(&store, &c, base, Category::AbsoluteTerms, 0.8);
    let near = flag(
        &store,
        &c,
        &format!("{base}哦"),
        Category::AbsoluteTerms,
        0.8,
    );
    assert_eq!(a, near, "a near duplicate is the same ad");
    let other = flag(
        &store,
        &c,
        "专业少儿编程培训，名师一对一辅导，报名即送课程大礼包，升学无忧",
        Category::AbsoluteTerms,
        0.8,
    );
    assert_ne!(a, other);
    let landing = |text: &str, url: &str| {
        let mut s = sighting(&c, text, Category::MedicalClaim, 0.9);
        s.landing_url = Some(url.into());
        store.record_sighting(s, "crawler").unwrap().unwrap()
    };
    let l1 = landing("根治糖尿病", "http://shop.example/buy");
    let l2 = landing("三天降血糖", "http://shop.example/buy");
    assert_eq!(l1, l2, "the same landing page is the same advertiser's ad");
    let mut s = sighting(&c, "新品上市", Category::MedicalClaim, 0.9);
    s.images = vec!["http://cdn.example/ad.png".into()];
    let i1 = store
        .record_sighting(s.clone(), "crawler")
        .unwrap()
        .unwrap();
    s.sample.text = "全新上市".into();
    let i2 = store.record_sighting(s, "crawler").unwrap().unwrap();
    assert_eq!(i1, i2, "the same image is the same ad");
    let case = store.case(a).unwrap().unwrap();
    assert_eq!(case.sightings, 2);
    assert_eq!(store.count_by_state().unwrap()[0].1, 4);
}

/// Ad copy that differs in its words for every `n` (not only in a serial number, which
/// near-duplicate grouping would rightly call the same ad).
fn distinct_copy(n: u64) -> String {
    const WORDS: [&str; 16] = [
        "特效药",
        "根治",
        "百病",
        "糖尿病",
        "降血压",
        "三天见效",
        "祖传秘方",
        "纯中药",
        "无副作用",
        "专家推荐",
        "国家级",
        "治愈率",
        "权威认证",
        "包治",
        "神药",
        "奇效",
    ];
    let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut text = format!("编号{n} ");
    for _ in 0..8 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        text.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
    }
    text
}

#[test]
fn the_queue_is_ordered_by_risk_score_penalty_tier_and_repeat_offence() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let c = store.put_capture(&page("<p>a</p>")).unwrap();
    let on = |landing: &str, text: &str, category: Category, score: f64| {
        let mut s = sighting(&c, text, category, score);
        s.landing_url = Some(landing.into());
        store.record_sighting(s, "crawler").unwrap().unwrap()
    };
    // A heavier penalty tier outranks a slightly higher score.
    let medical = on(
        "http://a.example/1",
        "根治糖尿病",
        Category::MedicalClaim,
        0.9,
    );
    let absolute = on(
        "http://b.example/1",
        "全网最低价",
        Category::AbsoluteTerms,
        0.85,
    );
    // An advertiser with a confirmed case is a repeat offender: its next ad ranks higher.
    let first = on(
        "http://c.example/1",
        "国家级面霜",
        Category::AbsoluteTerms,
        0.5,
    );
    store
        .transition(first, CaseState::Confirmed, "ana", "")
        .unwrap();
    let plain = on(
        "http://d.example/1",
        "销量第一面膜",
        Category::AbsoluteTerms,
        0.6,
    );
    let repeat = on(
        "http://c.example/2",
        "最高级精华",
        Category::AbsoluteTerms,
        0.6,
    );
    let queue: Vec<u64> = store
        .list_cases(&CaseFilter {
            state: Some(CaseState::New),
            ..CaseFilter::default()
        })
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(queue, vec![absolute, medical, repeat, plain]);
    let r = store.case(repeat).unwrap().unwrap().risk;
    assert!((r - (0.7 * 0.6 + 0.3 + 0.1)).abs() < 1e-9, "{r}");
}

#[test]
fn the_frontier_survives_a_reopen_and_a_kept_page_is_done_once() {
    use admon_domain::frontier::{Frontier, Job};
    let job = |url: &str, depth: u32, rank: u32| Job {
        url: url.into(),
        depth,
        seed: "http://a.test/".into(),
        rank,
    };
    let dir = tempfile::tempdir().unwrap();
    let taken_key = {
        let store = Store::open(dir.path()).unwrap();
        assert!(!store.started().unwrap());
        let hosts = store
            .push(
                vec![
                    job("http://a.test/deep", 2, 0),
                    job("http://a.test/", 0, 0),
                    job("http://b.test/", 0, 1),
                    job("http://a.test/", 1, 0),
                    job("http://a.test/x", 1, 0),
                    job("http://a.test/y", 1, 0),
                ],
                3,
            )
            .unwrap();
        assert_eq!(hosts, ["a.test:80", "b.test:80"]);
        assert_eq!(store.waiting().unwrap(), 4, "a repeat and one over the cap");
        assert_eq!(store.hosts().unwrap(), ["a.test:80", "b.test:80"]);
        let (key, first) = store.take("a.test:80").unwrap().unwrap();
        assert_eq!(first, job("http://a.test/", 0, 0));
        assert_eq!(
            store.peek("a.test:80").unwrap().unwrap().url,
            "http://a.test/x"
        );
        let (failed, _) = store.take("b.test:80").unwrap().unwrap();
        store.finish(&failed).unwrap();
        assert_eq!(store.waiting().unwrap(), 3);
        store.flush().unwrap();
        key
    };
    // A new process: the job taken by the dead one comes back, once.
    let store = Store::open(dir.path()).unwrap();
    assert!(store.started().unwrap());
    assert_eq!(store.resume().unwrap(), 1);
    assert_eq!(store.waiting().unwrap(), 3);
    let (key, again) = store.take("a.test:80").unwrap().unwrap();
    assert_eq!(again, job("http://a.test/", 0, 0));
    assert!(
        key.starts_with(&taken_key[..taken_key.len() - 2]),
        "same host, rank, depth"
    );
    let page = page("<p>a</p>");
    let prepared = || admon_store::PreparedCapture::of(&page);
    let id = store.new_capture_id().unwrap();
    assert!(store
        .ingest(&page, prepared(), &id, &[], Some(&key))
        .unwrap()
        .is_some());
    assert_eq!(store.waiting().unwrap(), 2, "kept and done in one write");
    let id = store.new_capture_id().unwrap();
    assert!(
        store
            .ingest(&page, prepared(), &id, &[], Some(&key))
            .unwrap()
            .is_none(),
        "the same job's page is kept once"
    );
    assert_eq!(store.captures().count(), 1);
    store.frontier_reset().unwrap();
    assert!(!store.started().unwrap());
    assert_eq!(store.waiting().unwrap(), 0);
}

// Fuzzing the search entry (#16): whatever an analyst types, search answers or says why, and
// never overflows the stack or panics. Bounded: 300 cases of up to 600 characters.
mod search_fuzz {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    pub(super) fn store() -> &'static Store {
        static CELL: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
        &CELL
            .get_or_init(|| {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(dir.path()).unwrap();
                let capture = store.put_capture(&page("<p>国家级</p>")).unwrap();
                flag(
                    &store,
                    &capture,
                    "国家级 最佳 祖传秘方",
                    Category::AbsoluteTerms,
                    0.9,
                );
                (dir, store)
            })
            .1
    }

    fn query() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "\"",
            "'",
            ":",
            "*",
            "^",
            "~",
            "+",
            "-",
            "!",
            " ",
            "AND",
            "OR",
            "NOT",
            "TO",
            "IN",
            "text:",
            "url:",
            "category:",
            "国家级",
            "最佳",
            "x",
            "\\",
            "/",
            "2",
            ".",
            ",",
            "İ",
            "\u{202E}",
            "\u{0}",
        ]);
        prop::collection::vec(pieces, 0..200).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn search_answers_or_refuses_any_query(q in query()) {
            match store().search(&q, 20) {
                Ok(_) | Err(Error::BadQuery(_)) => {}
                Err(other) => prop_assert!(false, "{q:?}: {other}"),
            }
        }
    }

    #[test]
    fn the_deepest_nesting_allowed_parses_and_one_more_is_refused() {
        let nested = |d: usize| format!("{}国家级{}", "(".repeat(d), ")".repeat(d));
        assert!(store().search(&nested(16), 10).is_ok());
        assert!(matches!(
            store().search(&nested(17), 10),
            Err(Error::BadQuery(_))
        ));
        assert!(matches!(
            store().search("国家级", 10_001),
            Err(Error::BadQuery(_))
        ));
        assert!(matches!(
            store().search(&"最".repeat(501), 10),
            Err(Error::BadQuery(_))
        ));
        // Regression for #16 (re-attack L3): a field that does not exist was a 500.
        for q in ["nosuch:*", "first_seen:*"] {
            assert!(
                matches!(store().search(q, 10), Err(Error::BadQuery(_))),
                "{q}: {:?}",
                store().search(q, 10)
            );
        }
    }
}

// Fuzzing the WARC writer and reader (#16): whatever a capture holds (header names and values
// with CR/LF, any Unicode, odd URLs, any body bytes, a hostile operator name or reason phrase),
// its WARC file reads back as exactly its warcinfo, request, response and metadata records, the
// body verbatim at the end of the response. 100 cases.
mod warc_fuzz {
    use super::*;
    use proptest::prelude::*;
    // The search fuzzer's store: more captures change nothing it checks.
    use search_fuzz::store;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]
        #[test]
        fn any_capture_writes_a_warc_that_reads_back(
            headers in prop::collection::vec(("(\\PC|\r|\n|:){0,12}", "(\\PC|\r|\n){0,40}"), 0..6),
            url_tail in "(\\PC|\r|\n| ){0,30}",
            body in prop::collection::vec(any::<u8>(), 0..2000),
            truncated in any::<bool>(),
            operator in "(\\PC|\r|\n){0,20}",
            reason in "(\\PC|\r|\n){0,20}",
        ) {
            let mut p = page("<p>x</p>");
            p.capture.exchange = admon_domain::Exchange {
                reason: Some(reason),
                request_headers: [
                    ("host".to_owned(), "127.0.0.1".to_owned()),
                    ("user-agent".to_owned(), "admon/test\r\nWARC-Type: forged".to_owned()),
                ]
                .into_iter()
                .chain(headers.clone())
                .collect(),
                operator,
                run: Some(1),
                ..Default::default()
            };
            p.capture.headers = headers;
            p.capture.url = format!("http://127.0.0.1/{url_tail}");
            p.capture.final_url = p.capture.url.clone();
            p.capture.truncated = truncated;
            p.body = body.clone();
            let id = store().put_capture(&p).unwrap();
            let record = store().capture(&id).unwrap().unwrap();
            let bytes = store().blob(record.warc_sha256.as_deref().unwrap()).unwrap().unwrap();
            let records: Vec<_> = warc::WarcReader::new(bytes.as_slice())
                .iter_records()
                .collect::<Result<_, _>>()
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            let types: Vec<String> = records.iter().map(|r| r.warc_type().to_string()).collect();
            prop_assert_eq!(types, ["warcinfo", "request", "response", "metadata"]);
            prop_assert!(records[2].body().ends_with(&body));
            let fields = String::from_utf8_lossy(records[3].body()).into_owned();
            for line in fields.lines() {
                prop_assert!(
                    ["requested-url:", "charset:", "rendered:", "decoded-html-sha256:", "screenshot-sha256:"]
                        .iter()
                        .any(|f| line.starts_with(f)),
                    "injected metadata line {:?}", line
                );
            }
            let info = String::from_utf8_lossy(records[0].body()).into_owned();
            for line in info.lines() {
                prop_assert!(
                    ["software:", "format:", "conformsTo:", "robots:", "http-header-user-agent:", "isPartOf:", "operator:"]
                        .iter()
                        .any(|f| line.starts_with(f)),
                    "injected warcinfo line {:?}", line
                );
            }
        }
    }
}

/// A closed store with one flagged capture; returns its case id.
fn one_case(dir: &std::path::Path) -> u64 {
    let store = Store::open(dir).unwrap();
    let c = store.put_capture(&page("<p>证据</p>")).unwrap();
    let id = flag(&store, &c, "销量第一", Category::AbsoluteTerms, 0.9);
    store.flush().unwrap();
    id
}

/// Every file under `dir` with its length and modification time.
fn listing(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.push((entry.path(), meta.len(), meta.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

// Regression for #17 (3): a truncated segment aborted verify with "failed to fill whole
// buffer" and no report; a deleted one was created again, empty, by the check.
#[test]
fn truncated_and_missing_segments_are_reported_with_their_captures_and_cases() {
    let dir = tempfile::tempdir().unwrap();
    let id = one_case(dir.path());
    let segment = dir.path().join("blobs/segment-000001");
    let len = std::fs::metadata(&segment).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap()
        .set_len(len - 100)
        .unwrap();
    let report = Store::open(dir.path()).unwrap().verify().unwrap();
    let truncated: Vec<&String> = report
        .problems
        .iter()
        .filter(|p| p.contains("segment-000001 is truncated"))
        .collect();
    assert!(!truncated.is_empty(), "{:?}", report.problems);
    assert!(
        truncated
            .iter()
            .all(|p| p.contains("capture ") && p.contains(&format!("cases {id}"))),
        "{truncated:?}"
    );
    std::fs::remove_file(&segment).unwrap();
    let report = Store::open(dir.path()).unwrap().verify().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("segment-000001 is missing") && p.contains("http://127.0.0.1/p")),
        "{:?}",
        report.problems
    );
    assert!(!segment.exists(), "verify created the segment it checks");
}

// Regression for #17 (3): verify wrote a lock file (and could create segments) in the store
// it checks, so evidence on write-protected media could not be checked.
#[test]
fn a_read_only_verify_writes_nothing_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    one_case(dir.path());
    std::fs::remove_file(dir.path().join("admon.lock")).unwrap();
    let before = listing(dir.path());
    let report = Store::open_read_only(dir.path()).unwrap().verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.audit_entries > 0 && report.blobs > 0 && report.captures == 1);
    assert_eq!(listing(dir.path()), before, "the store was written to");
    // Tampering is still seen through the copy.
    let segment = dir.path().join("blobs/segment-000001");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap();
    std::os::unix::fs::FileExt::write_all_at(&file, b"X", 0).unwrap();
    let report = Store::open_read_only(dir.path()).unwrap().verify().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("does not match its hash")),
        "{:?}",
        report.problems
    );
}

// Regression for #17 (6): after a full disk sled can leave an empty `snap.*.generating` file,
// and every later open failed with "Read corrupted data".
#[test]
fn an_unfinished_database_snapshot_is_removed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let id = one_case(dir.path());
    let stale = dir.path().join("db/snap.00000000000A0000.generating");
    std::fs::write(&stale, b"").unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(!stale.exists());
    assert_eq!(store.case(id).unwrap().unwrap().text, "销量第一");
    assert!(store.verify().unwrap().problems.is_empty());
}

// Regression for #17 (2): rewriting the last audit entry (recomputing its hash and the head)
// passed verify, and a capture's fetch time or a case's text could be changed in sled
// unnoticed. Now captures and case content enter the chain, and its head is signed.
#[test]
fn a_rewritten_last_entry_a_changed_fetch_time_and_a_changed_case_text_are_seen() {
    use admon_store::{AuditEntry, Signer};
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("signing-key.pem");
    let signer = Signer::create(&key).unwrap();
    let public = signer.public_key();
    assert!(Signer::create(&key).is_err(), "a key is never overwritten");
    let id = {
        let store = Store::open(dir.path()).unwrap();
        store.set_signer(signer);
        let c = store.put_capture(&page("<p>证据</p>")).unwrap();
        let id = flag(&store, &c, "销量第一", Category::AbsoluteTerms, 0.9);
        store
            .transition(id, CaseState::Dismissed, "ana", "not an ad")
            .unwrap();
        store.flush().unwrap();
        let report = store.verify().unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.signed_through, report.head);
        id
    };
    let check = |what: &str| {
        let store = Store::open(dir.path()).unwrap();
        store.trust_key(public.clone());
        let problems = store.verify().unwrap().problems;
        assert!(
            problems.iter().any(|p| p.contains(what)),
            "{what}: {problems:?}"
        );
    };
    // The last entry rewritten, its hash and the head recomputed.
    let db = sled::open(dir.path().join("db")).unwrap();
    let audit = db.open_tree("audit").unwrap();
    let (seq, _): (u64, String) =
        serde_json::from_slice(&audit.get("head").unwrap().unwrap()).unwrap();
    let original = audit.get(seq.to_be_bytes()).unwrap().unwrap();
    let mut entry: AuditEntry = serde_json::from_slice(&original).unwrap();
    entry.reason = "confirmed by boss".into();
    entry.hash = String::new();
    entry.hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        serde_json::to_vec(&entry).unwrap(),
    ));
    audit
        .insert(seq.to_be_bytes(), serde_json::to_vec(&entry).unwrap())
        .unwrap();
    audit
        .insert(
            "head",
            serde_json::to_vec(&(seq, entry.hash.clone())).unwrap(),
        )
        .unwrap();
    db.flush().unwrap();
    drop((audit, db));
    check(&format!(
        "audit entry {seq} (case {id}) was rewritten after the checkpoint"
    ));
    // A capture's fetch time moved back a day.
    let db = sled::open(dir.path().join("db")).unwrap();
    let captures = db.open_tree("captures").unwrap();
    let (cid, record) = captures.iter().next().unwrap().unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&record).unwrap();
    json["capture"]["fetched_at"] = "2020-01-01T00:00:00Z".into();
    captures
        .insert(&cid, serde_json::to_vec(&json).unwrap())
        .unwrap();
    // A case's text and state changed.
    let cases = db.open_tree("cases").unwrap();
    let (key, case) = cases.iter().next().unwrap().unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&case).unwrap();
    json["text"] = "正常商品".into();
    json["state"] = "confirmed".into();
    cases
        .insert(&key, serde_json::to_vec(&json).unwrap())
        .unwrap();
    db.flush().unwrap();
    drop((captures, cases, db));
    check("was altered after it was kept");
    check(&format!("case {id} was altered: its content"));
    check(&format!(
        "case {id} is confirmed but its audit log left it dismissed"
    ));
    // Checkpoints signed with another key are not trusted.
    let other = Signer::create(&keys.path().join("other.pem")).unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.trust_key(other.public_key());
    let problems = store.verify().unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("is signed with another key")),
        "{problems:?}"
    );
}
