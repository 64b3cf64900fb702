//! Trains on the shipped corpus and checks behaviour that must hold for any good model.

use admon_classifier::{load_or_train, Classifier, Corpus, Resources, TrainOptions};
use admon_domain::{Category, Sample, SampleKind, Verdict};
use std::path::PathBuf;
use std::sync::OnceLock;

fn seeds() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seeds")
}

fn classifier() -> &'static Classifier {
    static CELL: OnceLock<Classifier> = OnceLock::new();
    CELL.get_or_init(|| {
        let [train, dev, test] = Corpus::read(&seeds()).unwrap().splits(true);
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
    let [_, _, test] = Corpus::read(&seeds()).unwrap().templates;
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

// Regression for #16 (7): time was quadratic in repeated lexicon hits (a 2.7 MB ad of 国家级
// took 80 s); the text judged is capped and the hits are deduplicated in one pass.
#[test]
fn a_huge_text_of_one_repeated_term_is_judged_on_its_head_with_a_few_spans() {
    let c = classifier();
    let text = "国家级".repeat(900_000);
    let verdict = c.classify(&ad(&text));
    assert!(verdict.flagged, "{verdict:?}");
    assert_eq!(verdict.category, Category::AbsoluteTerms);
    assert!(
        verdict.evidence.len() <= 26,
        "{} spans",
        verdict.evidence.len()
    );
    assert!(verdict
        .evidence
        .iter()
        .all(|e| e.end <= admon_classifier::MAX_TEXT_CHARS));
}

#[test]
fn hits_inside_longer_hits_and_exceptions_are_dropped_in_any_number() {
    let res = Resources::load(&seeds()).unwrap();
    // 销量第一 holds 第一; 第一次 is an exception. Repeated many times, each copy keeps its one hit.
    let text = admon_classifier::normalise(&"销量第一，第一次购买。".repeat(5_000));
    let exceptions = res.exception_spans(&text);
    let hits = res.hits(&text, &exceptions);
    assert_eq!(hits.len(), 5_000, "{:?}", &hits[..4]);
    assert!(hits.iter().all(|h| h.term == "销量第一"));
}

/// Every evidence span's text is the original text at its offsets.
fn assert_spans_are_original(text: &str, verdict: &Verdict) {
    let chars: Vec<char> = text.chars().collect();
    for e in &verdict.evidence {
        let span: String = chars[e.start..e.end].iter().collect();
        assert_eq!(span, e.text, "{verdict:?}");
    }
}

// Issue #15 (2): normalisation changes lengths (NFKC expansions, stripped separators, replaced
// variants), yet evidence points into the text as written.
#[test]
fn evidence_points_into_the_original_text_when_normalisation_changes_its_length() {
    let c = classifier();
    for (text, shown) in [
        ("【推荐】本店面霜銷量第一，全網最低價", "銷量第一"),
        (
            "【推荐】本店面霜销 - 量 - 第 - 一，全网最低价",
            "销 - 量 - 第 - 一",
        ),
        ("㈱㈱【推荐】本店面霜销量第一，全网最低价", "销量第一"),
        ("【ＶＩＰ推荐】本店面霜销量第一，全网最低价", "销量第一"),
        (
            "【推荐】本店面霜🔥销🔥量🔥第🔥一🔥，全网最低价",
            "销🔥量🔥第🔥一",
        ),
    ] {
        let verdict = c.classify(&ad(text));
        assert!(verdict.flagged, "{text}: {verdict:?}");
        assert_eq!(
            verdict.category,
            Category::AbsoluteTerms,
            "{text}: {verdict:?}"
        );
        assert_spans_are_original(text, &verdict);
        assert!(
            verdict.evidence.iter().any(|e| e.text == shown),
            "{text}: {verdict:?}"
        );
    }
}

#[test]
fn disguised_terms_hit_the_lexicon_at_their_original_place() {
    let res = Resources::load(&seeds()).unwrap();
    for (text, term, shown) in [
        ("请加 V 信详聊", "加微信", "加 V 信"),
        ("快加ＶＸ：abc123", "加微信", "加ＶＸ"),
        ("加🌹微🌹信", "加微信", "加🌹微🌹信"),
        ("正規菠菜平台", "博彩", "菠菜"),
        ("顶级複刻", "顶级复刻", "顶级複刻"),
    ] {
        let norm = res.normalise(text);
        let hits = res.hits(&norm.text, &res.exception_spans(&norm.text));
        let hit = hits
            .iter()
            .find(|h| h.term == term)
            .unwrap_or_else(|| panic!("{text} ({}): {hits:?}", norm.text));
        let (start, end) = norm.original(hit.start, hit.end);
        let span: String = text.chars().skip(start).take(end - start).collect();
        assert_eq!(span, shown, "{text}");
    }
}

#[test]
fn a_disguised_fraud_ad_is_flagged_with_evidence_where_it_was_written() {
    let c = classifier();
    let text = "兼职日结，手机刷单日赚300，加 V 信：ａｂｃ１２３４５ 或 壹叁捌 1234 伍陆柒捌";
    let verdict = c.classify(&ad(text));
    assert!(verdict.flagged, "{verdict:?}");
    assert_eq!(verdict.category, Category::Fraud, "{verdict:?}");
    assert_spans_are_original(text, &verdict);
    assert!(
        verdict.evidence.iter().any(|e| e.text == "加 V 信"),
        "{verdict:?}"
    );
}

// Fuzzing (#16): any Unicode text is judged without a panic, and every evidence span lies in
// the text and quotes it. 200 cases.
mod classify_fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
        #[test]
        fn any_text_gets_a_verdict_whose_spans_quote_it(
            text in "(\\PC|国家级|最佳|微信|加 V 信|🌹|\u{202E}|\u{E0041}|１|㈱|銷量第一){0,60}",
        ) {
            let verdict = classifier().classify(&ad(&text));
            let chars: Vec<char> = text.chars().collect();
            for e in &verdict.evidence {
                prop_assert!(e.start <= e.end && e.end <= chars.len(), "{e:?}");
                let quoted: String = chars[e.start..e.end].iter().collect();
                prop_assert_eq!(&quoted, &e.text);
            }
        }
    }
}

#[test]
fn second_hand_items_and_fitting_accessories_are_not_priced_against_the_brand() {
    let c = classifier();
    let listing = |text: &str, price: f64| Sample {
        id: "l".into(),
        kind: SampleKind::Listing,
        text: text.into(),
        title: Some(text.into()),
        price: Some(price),
        ..Sample::default()
    };
    for text in ["二手 迪奥 手袋 九成新 有发票", "适用iPhone充电器 快充头"] {
        let verdict = c.classify(&listing(text, 19.9));
        assert!(
            !verdict
                .evidence
                .iter()
                .any(|e| e.reason.contains("正品参考最低价")),
            "{text}: {verdict:?}"
        );
    }
    let verdict = c.classify(&listing("迪奥 手袋 新款", 19.9));
    assert!(
        verdict
            .evidence
            .iter()
            .any(|e| e.reason.contains("正品参考最低价")),
        "{verdict:?}"
    );
}

#[test]
fn real_test_split_from_unseen_sources_holds_a_floor() {
    // Real texts from sources the model never saw: regulators' cases, data sets.
    let c = classifier();
    let [_, _, test] = Corpus::read(&seeds()).unwrap().real;
    assert!(test.len() >= 50, "{} real test records", test.len());
    let m = c.evaluate(&test);
    // The operating point is chosen for precision (0.95 on dev); recall is what that leaves.
    // Measured: precision 0.85, recall 0.29 (README); these floors leave a margin.
    assert!(m.flag_precision >= 0.80 && m.flag_recall >= 0.24, "{m}");
    // The held-out quarter of the disguised-spam data sets (measured: recall 0.27, 2.9% of their
    // clean lines flagged).
    let spam = c.evaluate(&Corpus::read(&seeds()).unwrap().spam_test);
    assert!(
        spam.flag_recall >= 0.2 && spam.clean_flagged <= 0.06,
        "{spam}"
    );
}

#[test]
fn a_health_food_ad_that_claims_a_cure_cites_every_article_it_breaks() {
    let c = classifier();
    let text = "本保健品专治糖尿病，长期服用可根治，降三高，可以停药";
    let verdict = c.classify(&ad(text));
    assert!(verdict.flagged, "{verdict:?}");
    // One primary category, and every article whose terms fired.
    for article in ["广告法 第十七条", "广告法 第十八条"] {
        assert!(
            verdict.articles.iter().any(|a| a == article),
            "{article} missing: {verdict:?}"
        );
    }
    let primary = &c.resources().legal(verdict.category).articles;
    assert_eq!(&verdict.articles[..primary.len()], &primary[..]);
    assert!(verdict.evidence.iter().any(|e| e.text == "根治"));
    assert!(verdict.evidence.iter().any(|e| e.text == "降三高"));
}

#[test]
fn evidence_is_never_a_single_character() {
    let c = classifier();
    let [_, _, test] = Corpus::read(&seeds()).unwrap().real;
    for l in &test {
        for e in c.classify(&l.sample).evidence {
            let letters = e.text.chars().filter(|c| c.is_alphanumeric()).count();
            assert!(
                letters >= 2 || e.reason.contains('¥'),
                "{e:?} in {:?}",
                l.sample.text
            );
        }
    }
}
