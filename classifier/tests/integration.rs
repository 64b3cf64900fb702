//! Trains on the shipped corpus and checks behaviour that must hold for any good model.

use admon_classifier::{load_or_train, read_corpus, Classifier, Resources, TrainOptions};
use admon_domain::{Category, Sample, SampleKind, Verdict};
use std::path::PathBuf;
use std::sync::OnceLock;

fn seeds() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seeds")
}

fn classifier() -> &'static Classifier {
    static CELL: OnceLock<Classifier> = OnceLock::new();
    CELL.get_or_init(|| {
        let [train, dev, test] = read_corpus(&seeds()).unwrap();
        let resources = Resources::load(&seeds()).unwrap();
        Classifier::train(resources, &train, &dev, &test, &TrainOptions::default())
            .unwrap()
            .0
    })
}

fn ad(text: &str) -> Sample {
    Sample {
        id: "t".into(),
        kind: SampleKind::Ad,
        text: text.into(),
        ..Sample::default()
    }
}

#[test]
fn every_exception_phrase_stays_clean() {
    let c = classifier();
    for phrase in c.resources().exception_phrases() {
        let verdict = c.classify(&ad(phrase));
        assert!(
            !verdict.flagged,
            "hard negative {phrase:?} flagged: {verdict:?}"
        );
    }
}

#[test]
fn flags_carry_evidence_with_char_offsets_and_articles() {
    let c = classifier();
    let text = "【推荐】本店面霜销量第一，全网最低价";
    let verdict = c.classify(&ad(text));
    assert!(verdict.flagged, "{verdict:?}");
    assert_eq!(verdict.category, Category::AbsoluteTerms);
    assert_eq!(verdict.articles, vec!["广告法 第九条第三项".to_string()]);
    let chars: Vec<char> = text.chars().collect();
    assert!(!verdict.evidence.is_empty());
    for e in &verdict.evidence {
        let span: String = chars[e.start..e.end].iter().collect();
        assert_eq!(span, e.text);
        assert!(!e.reason.is_empty());
    }
    assert!(verdict.evidence.iter().any(|e| e.text == "销量第一"));
}

#[test]
fn cheap_branded_listing_is_counterfeit_and_says_price() {
    let c = classifier();
    let sample = Sample {
        id: "l".into(),
        kind: SampleKind::Listing,
        text: "LV 老花手提包 新款 顶级复刻 原厂皮".into(),
        title: Some("LV 老花手提包".into()),
        price: Some(380.0),
        brand: Some("LV".into()),
        seller: Some("潮流小店".into()),
        url: None,
    };
    let verdict = c.classify(&sample);
    assert_eq!(verdict.category, Category::Counterfeit, "{verdict:?}");
    assert!(verdict.evidence.iter().any(|e| e.reason.contains("¥380")));
    assert_eq!(verdict.articles, vec!["商标法 第五十七条".to_string()]);
}

#[test]
fn a_repeated_sample_gets_its_verdict_under_its_own_id_and_a_new_price_is_judged_anew() {
    let c = classifier();
    let listing = |id: &str, price: f64| Sample {
        id: id.into(),
        kind: SampleKind::Listing,
        text: "LV 手提包 老花 顶级 原厂皮 新款".into(),
        title: Some("LV 手提包".into()),
        price: Some(price),
        brand: Some("LV".into()),
        seller: Some("潮流小店".into()),
        url: None,
    };
    let first = c.classify(&listing("a", 380.0));
    assert!(
        first.evidence.iter().any(|e| e.reason.contains("¥380")),
        "{first:?}"
    );
    let again = c.classify(&listing("b", 380.0));
    assert_eq!(again.id, "b");
    assert_eq!(
        Verdict {
            id: "a".into(),
            ..again
        },
        first
    );
    // The price is part of what was judged: at the brand's own price there is no price clue.
    let dear = c.classify(&listing("c", 12_000.0));
    assert_eq!(dear.id, "c");
    assert!(
        !dear.evidence.iter().any(|e| e.reason.contains('¥')),
        "{dear:?}"
    );
}

#[test]
fn test_split_quality_floor() {
    let c = classifier();
    let [_, _, test] = read_corpus(&seeds()).unwrap();
    let m = c.evaluate(&test);
    assert!(m.macro_f1 > 0.8, "{m}");
    assert!(m.flag_precision > 0.85 && m.flag_recall > 0.85, "{m}");
}

#[test]
fn training_is_deterministic_and_model_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let (trained, report) = load_or_train(&seeds(), &path).unwrap();
    assert!(report.is_some());
    assert_eq!(trained.version(), classifier().version());
    let (loaded, report) = load_or_train(&seeds(), &path).unwrap();
    assert!(report.is_none());
    let s = ad("稳赚不赔的理财计划，年化15%");
    assert_eq!(loaded.classify(&s), trained.classify(&s));
}
