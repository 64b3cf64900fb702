//! Text to sparse features: hashed character 1- to 3-grams of the normalised text (and jieba
//! words, when a model asks for them), lexicon hits, contact handles, and for listings the price
//! against the brand table.
//! Feature names are strings (a hashed n-gram is `h:<bucket>`, explained from the text it was
//! found in) so that a weight can be explained.

use crate::contacts::{self, Contact};
use crate::fnv;
use crate::lexicon::{whole_word, Brand, Hit, Resources};
use crate::normalise::Normalised;
use admon_domain::{Sample, SampleKind};
use jieba_rs::Jieba;

/// What the model reads of one sample, with what the evidence needs. Offsets of hits,
/// contacts and the brand are in characters of the sample's text (title after it).
pub(crate) struct Extracted {
    /// Named features and raw value (term frequency or indicator).
    pub features: Vec<(String, f32)>,
    /// Hashed character n-grams, one bucket per occurrence.
    pub grams: Vec<u32>,
    /// The normalised text, with the origin of its characters.
    pub norm: Normalised,
    /// Its characters, exception phrases blanked: what the n-grams were read from.
    pub masked: Vec<char>,
    /// Lexicon hits.
    pub hits: Vec<Hit>,
    /// Contact handles.
    pub contacts: Vec<Contact>,
    /// A price far below the brand floor.
    pub cheap_brand: Option<CheapBrand>,
    /// Characters of the text that were read (the title, if any, follows them).
    pub text_chars: usize,
}

/// A listing priced far below its brand's floor.
pub(crate) struct CheapBrand {
    pub price: f64,
    pub brand: String,
    pub floor: f64,
    /// The product type whose floor applied, if the text named one.
    pub product: Option<String>,
    /// Whether the seller is one of the brand's authorised stores.
    pub official: bool,
    /// Where the text names the brand, in characters.
    pub span: Option<(usize, usize)>,
}

/// Words that say a listing is not the brand's new goods (normalised text).
const NOT_NEW_GOODS: [&str; 5] = ["二手", "闲置", "适用", "兼容", "适配"];

/// Ratio of the brand floor under which a price is a counterfeit signal.
pub(crate) const CHEAP_RATIO: f64 = 0.3;

fn is_wordy(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == ':'
    } else {
        ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_alphanumeric()
    }
}

/// How much of a sample's text is judged, in characters: an ad is a few hundred; what follows
/// the cap in a hostile or runaway text is not read (the evidence offsets stay valid).
pub const MAX_TEXT_CHARS: usize = 10_000;

/// At most `max` characters of `text`.
fn head(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(at, _)| &text[..at])
}

/// The features of `sample`; jieba's words among them only when `words` holds the segmenter.
pub(crate) fn extract(words: Option<&Jieba>, res: &Resources, sample: &Sample) -> Extracted {
    let mut text = head(&sample.text, MAX_TEXT_CHARS).to_owned();
    let text_chars = text.chars().count();
    if let Some(title) = &sample.title {
        let title = head(title, 1_000);
        if !text.contains(title) {
            // Title after the text, so evidence offsets into `text` stay valid; a line break,
            // so that normalisation joins nothing across the two.
            text.push('\n');
            text.push_str(title);
        }
    }
    let norm = res.normalise(&text);
    let exceptions = res.exception_spans(&norm.text);
    let hits: Vec<Hit> = res
        .hits(&norm.text, &exceptions)
        .into_iter()
        .map(|h| {
            let (start, end) = norm.original(h.start, h.end);
            Hit { start, end, ..h }
        })
        .collect();
    let chars: Vec<char> = norm.text.chars().collect();
    let contacts: Vec<Contact> = contacts::find(&chars, &res.variants().shortlink_hosts)
        .into_iter()
        .map(|c| {
            let (start, end) = norm.original(c.start, c.end);
            Contact { start, end, ..c }
        })
        .collect();
    // Hard negatives (仿真花, 第一次): their characters do not feed n-grams, so the model
    // cannot learn 第一 from 第一次; the phrase itself becomes a feature instead.
    let mut masked = chars;
    let mut features: Vec<(String, f32)> = Vec::new();
    for &(start, end, _) in &exceptions {
        let phrase: String = masked[start..end].iter().collect();
        if !phrase.trim().is_empty() {
            features.push((format!("x:{phrase}"), 1.0));
        }
        masked[start..end].iter_mut().for_each(|c| *c = ' ');
    }
    if let Some(jieba) = words {
        let masked_text: String = masked.iter().collect();
        for token in jieba.cut(&masked_text, false) {
            let word = token.word;
            if word.chars().any(is_wordy) {
                features.push((format!("w:{word}"), 1.0));
            }
        }
    }
    let mut grams = Vec::with_capacity(masked.len() * 3);
    for_each_gram(&masked, |_, _, bucket| grams.push(bucket));
    for hit in &hits {
        features.push((format!("lex:{}", hit.category), 1.0));
    }
    let mut kinds: Vec<_> = contacts.iter().map(|c| c.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    features.extend(kinds.into_iter().map(|k| (k.feature().to_owned(), 1.0)));
    let mut cheap_brand = None;
    if sample.kind == SampleKind::Listing {
        features.push(("kind:listing".into(), 1.0));
        if let Some(brand) = res.brand(sample.brand.as_deref(), &norm.text) {
            let official = sample
                .seller
                .as_deref()
                .is_some_and(|s| is_official(brand, &res.normalise(s).text));
            features.push((
                if official {
                    "seller:official"
                } else {
                    "seller:other"
                }
                .into(),
                1.0,
            ));
            // A second-hand item, or an accessory made to fit the brand (适用 iPhone), is
            // not the brand's new goods: its price says nothing against the floor.
            let not_new_goods = NOT_NEW_GOODS.iter().any(|w| norm.text.contains(w));
            if let Some(price) = sample.price.filter(|_| !not_new_goods) {
                let (floor, product) = res.floor(brand, &norm.text);
                if price < floor * CHEAP_RATIO {
                    features.push(("price:far_below_brand".into(), 1.0));
                    let span = brand.aliases.iter().find_map(|alias| {
                        let byte = norm.text.find(alias.as_str())?;
                        let start = norm.text[..byte].chars().count();
                        Some(norm.original(start, start + alias.chars().count()))
                    });
                    cheap_brand = Some(CheapBrand {
                        price,
                        brand: brand.name.clone(),
                        floor,
                        product: product.map(str::to_owned),
                        official,
                        span,
                    });
                }
            }
        }
    }
    Extracted {
        features,
        grams,
        norm,
        masked,
        hits,
        contacts,
        cheap_brand,
        text_chars,
    }
}

/// Size of the hashed character n-gram space: 2^18 buckets.
pub(crate) const GRAM_BUCKETS: u32 = 1 << 18;
/// Longest character n-gram.
const MAX_GRAM: usize = 3;

/// The bucket of one character n-gram: FNV-1a over the characters, folded to
/// [`GRAM_BUCKETS`]. Fixed, so that a saved model reads new text the way it was trained.
pub(crate) fn gram_bucket(gram: &[char]) -> u32 {
    let mut h = fnv::OFFSET;
    for &c in gram {
        h = (h ^ u64::from(c)).wrapping_mul(fnv::PRIME);
    }
    ((h >> 32) ^ h) as u32 & (GRAM_BUCKETS - 1)
}

/// Calls `f(start, end, bucket)` for every character 1- to 3-gram of word characters in
/// `chars` (masked, normalised), in order.
pub(crate) fn for_each_gram(chars: &[char], mut f: impl FnMut(usize, usize, u32)) {
    for start in 0..chars.len() {
        for end in start + 1..=(start + MAX_GRAM).min(chars.len()) {
            if !is_wordy(chars[end - 1]) {
                break;
            }
            f(start, end, gram_bucket(&chars[start..end]));
        }
    }
}

/// The first n-gram of `chars` in `bucket`, as a character range.
pub(crate) fn find_gram(chars: &[char], bucket: u32) -> Option<(usize, usize)> {
    let mut found = None;
    for_each_gram(chars, |start, end, b| {
        if b == bucket && found.is_none() {
            found = Some((start, end));
        }
    });
    found
}

/// The name of a hashed n-gram feature.
pub(crate) fn gram_feature(bucket: u32) -> String {
    format!("h:{bucket}")
}

/// The bucket a hashed n-gram feature name stands for.
pub(crate) fn gram_of_feature(name: &str) -> Option<u32> {
    name.strip_prefix("h:")?.parse().ok()
}

/// Sums duplicate features: term frequencies.
pub(crate) fn counts(features: Vec<(String, f32)>) -> Vec<(String, f32)> {
    let mut features = features;
    features.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, f32)> = Vec::with_capacity(features.len());
    for (name, value) in features {
        match out.last_mut() {
            Some((last, v)) if *last == name => *v += value,
            _ => out.push((name, value)),
        }
    }
    out
}

/// Whether a feature is a text n-gram (TF-IDF weighted) rather than an indicator.
pub(crate) fn is_ngram(name: &str) -> bool {
    name.starts_with("w:") || name.starts_with("h:")
}

/// Whether a seller (normalised) is the brand's own store: one of its `official_sellers`, or a
/// flagship store named for the brand (`<alias>官方旗舰店`, with nothing after the suffix but a
/// platform in brackets), the name Tmall and JD reserve for the brand owner's store.
fn is_official(brand: &Brand, seller: &str) -> bool {
    if brand.official_sellers.iter().any(|o| o == seller) {
        return true;
    }
    let Some(at) = seller.find(FLAGSHIP) else {
        return false;
    };
    let (name, rest) = (&seller[..at], &seller[at + FLAGSHIP.len()..]);
    let platform_only = rest.is_empty()
        || (rest.starts_with(['(', '（'])
            && rest.ends_with([')', '）'])
            && rest.chars().count() <= 6);
    // A code name (小香, 驴牌) is what counterfeiters call the brand, never its store's name.
    platform_only
        && brand
            .aliases
            .iter()
            .filter(|alias| !brand.codes.contains(alias))
            .any(|alias| names(name, alias))
}

/// Whether `alias` occurs in `name`; a Latin alias only as a whole word (`lv` is not in
/// `silver`).
fn names(name: &str, alias: &str) -> bool {
    if !alias.is_ascii() {
        return name.contains(alias);
    }
    name.match_indices(alias)
        .any(|(at, _)| whole_word(name, at, at + alias.len()))
}

/// The suffix of a brand owner's store name on Tmall and JD.
const FLAGSHIP: &str = "官方旗舰店";

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn extracted(text: &str) -> Extracted {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds");
        let res = Resources::load(&seeds).unwrap();
        let sample = Sample {
            text: text.into(),
            ..Sample::default()
        };
        extract(Some(&admon_domain::segment::jieba()), &res, &sample)
    }

    #[test]
    fn gram_buckets_are_fixed_so_saved_models_stay_valid() {
        // FNV-1a over the characters: these values may never change.
        assert_eq!(gram_bucket(&['微']), gram_bucket(&['微']));
        assert_eq!(gram_bucket(&['微', '信']), 46_456);
        assert!(gram_bucket(&['a', 'b', 'c']) < GRAM_BUCKETS);
        assert_ne!(gram_bucket(&['a', 'b']), gram_bucket(&['b', 'a']));
    }

    #[test]
    fn grams_are_one_to_three_word_characters_and_found_again_by_bucket() {
        let chars: Vec<char> = "刷单 ab".chars().collect();
        let mut grams = Vec::new();
        for_each_gram(&chars, |s, e, _| {
            grams.push(chars[s..e].iter().collect::<String>())
        });
        assert_eq!(grams, ["刷", "刷单", "单", "a", "ab", "b"]);
        assert_eq!(find_gram(&chars, gram_bucket(&['a', 'b'])), Some((3, 5)));
        assert_eq!(find_gram(&chars, gram_bucket(&['单', ' '])), None);
    }

    #[test]
    fn disguised_contact_handles_become_features_with_original_spans() {
        let text =
            "加 V 信：ａｂｃ１２３４５，扣扣 1234567，电话 壹叁捌-1234-伍陆柒捌，戳 t.cn/AbCd";
        let x = extracted(text);
        let names: Vec<&str> = x.features.iter().map(|(n, _)| n.as_str()).collect();
        for feature in [
            "contact:wechat",
            "contact:qq",
            "contact:phone",
            "contact:shortlink",
        ] {
            assert!(names.contains(&feature), "{feature}: {names:?}");
        }
        let chars: Vec<char> = text.chars().collect();
        let shown: Vec<String> = x
            .contacts
            .iter()
            .map(|c| chars[c.start..c.end].iter().collect())
            .collect();
        assert_eq!(
            shown,
            [
                "V 信：ａｂｃ１２３４５",
                "扣扣 1234567",
                "壹叁捌-1234-伍陆柒捌",
                "t.cn/AbCd"
            ]
        );
    }

    #[test]
    fn a_plain_text_has_no_contact_features() {
        let x = extracted("本店今日上新，欢迎选购，满100减20");
        assert!(x.contacts.is_empty());
        assert!(!x.features.iter().any(|(n, _)| n.starts_with("contact:")));
    }

    #[test]
    fn a_flagship_store_named_for_the_brand_is_official_and_look_alikes_are_not() {
        let brand = Brand {
            name: "LV".into(),
            category: "luxury".into(),
            aliases: vec!["lv".into(), "路易威登".into(), "驴牌".into()],
            codes: vec!["驴牌".into()],
            floor: 3000.0,
            floors: Default::default(),
            official_sellers: vec!["路易威登官方旗舰店".into()],
            exceptions: Vec::new(),
        };
        assert!(is_official(&brand, "路易威登官方旗舰店"));
        assert!(is_official(&brand, "lv官方旗舰店"));
        assert!(is_official(&brand, "路易威登官方旗舰店(天猫)"));
        assert!(!is_official(&brand, "silver官方旗舰店"));
        assert!(!is_official(&brand, "路易威登官方旗舰店分店批发"));
        assert!(!is_official(&brand, "潮流小店"));
        assert!(!is_official(&brand, "驴牌官方旗舰店"));
        assert!(!is_official(&brand, "路易威登代购"));
    }
}
