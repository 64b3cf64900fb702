//! Property tests: hostile input never panics the URL normaliser, the charset decoder or the
//! extractors.

use admon_crawler::{decode_html, normalise_url, parse_price, Extractor};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;
use url::Url;

fn extractor() -> &'static Extractor {
    static CELL: OnceLock<Extractor> = OnceLock::new();
    CELL.get_or_init(|| {
        let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seeds");
        Extractor::load(&seeds.join("filters"), &seeds.join("sites")).unwrap()
    })
}

/// Tag soup: fragments of real markup, ads, JSON-LD and microdata, glued in any order.
fn html_soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<div class=\"ad-slot\">",
        "</div>",
        "<a href=\"",
        "\">",
        "</a>",
        "<span>广告</span>",
        "<iframe src=\"/adserve/x\">",
        "<img src=\"javascript:alert(1)\">",
        "<script type=\"application/ld+json\">",
        "{\"@type\":\"Product\",\"name\":\"",
        "\",\"offers\":{\"price\":\"",
        "\"}}",
        "</script>",
        "<div itemscope itemtype=\"https://schema.org/Product\">",
        "<span itemprop=\"price\" content=\"",
        "<meta property=\"og:type\" content=\"product\">",
        "<!--",
        "-->",
        "<",
        ">",
        "&amp;",
        "&#xD800;",
        "国家级",
        "最佳",
        "1:1",
        "¥",
        "9999999999999999999999",
        "\u{0}",
        "\u{FEFF}",
        "<p>",
        "<table><tr><td>",
        "<div class=\"popup-ad\">×",
        "http://[::1]:0/",
        "//evil",
        "?utm_source=x#frag",
    ]);
    prop::collection::vec(pieces, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn normalising_is_idempotent_and_never_panics(path in "[a-zA-Z0-9/?&=#%._~:@!$'()*+,;-]{0,80}") {
        if let Ok(url) = Url::parse(&format!("http://Example.com:80/{path}")) {
            let once = normalise_url(&url);
            prop_assert_eq!(normalise_url(&once), once.clone());
            prop_assert!(once.fragment().is_none());
            prop_assert!(!once.as_str().contains("utm_"));
        }
    }

    #[test]
    fn decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2000), ct in "[a-z/;= -]{0,30}") {
        let _ = decode_html(&bytes, Some(&ct));
        let _ = decode_html(&bytes, None);
    }

    #[test]
    fn extracting_tag_soup_never_panics(html in html_soup()) {
        let page = Url::parse("http://127.0.0.1:8080/p/").unwrap();
        let found = extractor().extract(&page, &html, Some(&html));
        for link in found.links {
            prop_assert!(matches!(link.scheme(), "http" | "https"));
        }
    }

    #[test]
    fn prices_never_panic(text in "\\PC{0,40}") {
        if let Some(p) = parse_price(&text) {
            prop_assert!(p.is_finite() && p >= 0.0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    // A seed file's scope words: parsed or refused with a reason, never a panic.
    #[test]
    fn seed_scope_words_parse_or_say_why(words in "((same_site|max_depth|max_pages_per_host|allow|deny|x)=(\\PC|[(*\\[]|true|-1|99999999999999999999){0,6} ?){0,5}") {
        let _ = admon_crawler::SeedScope::parse(&words);
    }
}
