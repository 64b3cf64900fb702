//! Text to sparse features: jieba words, character bigrams, lexicon hits, and for listings the
//! price against the brand table. Feature names are strings so a weight can be explained.

use crate::lexicon::{normalise, Hit, Resources};
use admon_domain::{Sample, SampleKind};
use jieba_rs::Jieba;

/// What the model reads of one sample, with what the evidence needs.
pub(crate) struct Extracted {
    /// Feature name and raw value (term frequency or indicator).
    pub features: Vec<(String, f32)>,
    /// The normalised text (same character offsets as the input).
    pub norm: String,
    /// Lexicon hits.
    pub hits: Vec<Hit>,
    /// A price far below the brand floor.
    pub cheap_brand: Option<CheapBrand>,
}

/// A listing priced far below its brand's floor.
pub(crate) struct CheapBrand {
    pub price: f64,
    pub brand: String,
    pub floor: f64,
    /// Where the text names the brand, in characters.
    pub span: Option<(usize, usize)>,
}

/// Ratio of the brand floor under which a price is a counterfeit signal.
pub(crate) const CHEAP_RATIO: f64 = 0.3;

fn is_wordy(c: char) -> bool {
    c.is_alphanumeric() || c == ':'
}

pub(crate) fn extract(jieba: &Jieba, res: &Resources, sample: &Sample) -> Extracted {
    let mut text = sample.text.clone();
    if let Some(title) = &sample.title {
        if !text.contains(title.as_str()) {
            // Title after the text, so evidence offsets into `text` stay valid.
            text.push(' ');
            text.push_str(title);
        }
    }
    let norm = normalise(&text);
    let exceptions = res.exception_spans(&norm);
    let hits = res.hits(&norm, &exceptions);
    // Hard negatives (仿真花, 第一次): their characters do not feed n-grams, so the model
    // cannot learn 第一 from 第一次; the phrase itself becomes a feature instead.
    let mut masked: Vec<char> = norm.chars().collect();
    let mut features: Vec<(String, f32)> = Vec::new();
    for &(start, end, _) in &exceptions {
        let phrase: String = masked[start..end].iter().collect();
        if !phrase.trim().is_empty() {
            features.push((format!("x:{phrase}"), 1.0));
        }
        masked[start..end].iter_mut().for_each(|c| *c = ' ');
    }
    let masked: String = masked.into_iter().collect();
    for token in jieba.cut(&masked, false) {
        let word = token.word;
        if word.chars().any(is_wordy) {
            features.push((format!("w:{word}"), 1.0));
        }
    }
    let chars: Vec<char> = masked.chars().collect();
    for pair in chars.windows(2) {
        if pair.iter().all(|&c| is_wordy(c)) {
            features.push((format!("b:{}{}", pair[0], pair[1]), 1.0));
        }
    }
    for hit in &hits {
        features.push((format!("lex:{}", hit.category), 1.0));
    }
    let mut cheap_brand = None;
    if sample.kind == SampleKind::Listing {
        features.push(("kind:listing".into(), 1.0));
        if let Some(brand) = res.brand(sample.brand.as_deref(), &norm) {
            let official = sample
                .seller
                .as_deref()
                .is_some_and(|s| brand.official_sellers.iter().any(|o| normalise(s) == *o));
            features.push((
                if official {
                    "seller:official"
                } else {
                    "seller:other"
                }
                .into(),
                1.0,
            ));
            if let Some(price) = sample.price {
                if price < brand.floor * CHEAP_RATIO {
                    features.push(("price:far_below_brand".into(), 1.0));
                    let span = brand.aliases.iter().find_map(|alias| {
                        let byte = norm.find(alias.as_str())?;
                        let start = norm[..byte].chars().count();
                        Some((start, start + alias.chars().count()))
                    });
                    cheap_brand = Some(CheapBrand {
                        price,
                        brand: brand.name.clone(),
                        floor: brand.floor,
                        span,
                    });
                }
            }
        }
    }
    Extracted {
        features,
        norm,
        hits,
        cheap_brand,
    }
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
    name.starts_with("w:") || name.starts_with("b:")
}
