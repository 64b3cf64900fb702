//! The labelled corpus in `seeds/corpus/`: real records (`real/records.jsonl`, each with its
//! source), split by source, and the template supplement (`train`/`dev`/`test.jsonl`), split by
//! template.
//!
//! The real split is source-disjoint: a whole source (one publishing bureau and batch, one data
//! set) goes to train, dev or test by a fixed hash of its id, so a test text never shares its
//! source's wording with training. Near-identical texts (one case quoted by many outlets) are
//! one item: all but the first are dropped before splitting.
//!
//! Data sets of disguised spam (records marked `spam`: QQ-group black-market ads, sex-lure
//! accounts, with the group's own clean chat) are one source each, so a quarter of their records
//! (by a hash of the id) is held out on its own: the spam test set.

use crate::fnv::{OFFSET, PRIME};
use crate::{read_labelled, Labelled, Result};
use std::collections::HashSet;
use std::path::Path;

/// Train, dev and test.
pub type Splits = [Vec<Labelled>; 3];

/// Of 20 hash buckets, a source in the first [`TEST_BUCKETS`] is test, in the next
/// [`DEV_BUCKETS`] dev, and train otherwise (about 25%, 15% and 60% of the sources).
const TEST_BUCKETS: u64 = 5;
const DEV_BUCKETS: u64 = 3;

/// Two texts whose character bigram sets overlap this much (Jaccard) are one item.
const NEAR_DUPLICATE: f64 = 0.7;

/// Of the spam data sets' records, those whose id hashes to 0 modulo this are held out.
const SPAM_HELD_OUT: u64 = 4;

/// The real records and the template supplement, each split in three.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Real texts with provenance, split by source.
    pub real: Splits,
    /// The held-out part of the disguised-spam data sets.
    pub spam_test: Vec<Labelled>,
    /// Templated texts from `generate.py`, split by template.
    pub templates: Splits,
}

impl Corpus {
    /// Reads `seeds/corpus/`. The real records are optional (a seeds directory without
    /// `real/records.jsonl` has templates only).
    pub fn read(seeds: &Path) -> Result<Corpus> {
        let dir = seeds.join("corpus");
        let real_path = dir.join("real").join("records.jsonl");
        let (real, spam_test) = if real_path.exists() {
            split_by_source(read_labelled(&real_path)?)
        } else {
            Default::default()
        };
        Ok(Corpus {
            real,
            spam_test,
            templates: [
                read_labelled(&dir.join("train.jsonl"))?,
                read_labelled(&dir.join("dev.jsonl"))?,
                read_labelled(&dir.join("test.jsonl"))?,
            ],
        })
    }

    /// What a model learns and is judged on: real train (plus the templates' train split when
    /// `with_templates`), real dev to choose the model and its operating point, real test to
    /// report. Where there are no real records of a split, the templates' own stands in.
    pub fn splits(&self, with_templates: bool) -> Splits {
        let [real_train, real_dev, real_test] = &self.real;
        let [t_train, t_dev, t_test] = &self.templates;
        let mut train = real_train.clone();
        if with_templates || train.is_empty() {
            train.extend(t_train.iter().cloned());
        }
        let or = |real: &Vec<Labelled>, t: &Vec<Labelled>| {
            if real.is_empty() {
                t.clone()
            } else {
                real.clone()
            }
        };
        [train, or(real_dev, t_dev), or(real_test, t_test)]
    }
}

fn fnv1a(text: &str) -> u64 {
    let mut h = OFFSET;
    for &b in text.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    h
}

/// Which split a source goes to: 0 train, 1 dev, 2 test.
fn split_of(source: &str) -> usize {
    match fnv1a(source) % 20 {
        b if b < TEST_BUCKETS => 2,
        b if b < TEST_BUCKETS + DEV_BUCKETS => 1,
        _ => 0,
    }
}

/// Drops near-duplicates (keeping the first), holds out a quarter of the spam data sets, then
/// splits the rest by source: train, dev and test, and the spam test set. A record without a
/// source is its own source.
fn split_by_source(records: Vec<Labelled>) -> (Splits, Vec<Labelled>) {
    let mut kept: Vec<(Labelled, Vec<u64>)> = Vec::with_capacity(records.len());
    for record in records {
        let grams = bigrams(&record.sample.text);
        if kept
            .iter()
            .any(|(_, g)| jaccard(g, &grams) >= NEAR_DUPLICATE)
        {
            continue;
        }
        kept.push((record, grams));
    }
    let (mut splits, mut spam_test): (Splits, Vec<Labelled>) = Default::default();
    for (record, _) in kept {
        if record.spam && fnv1a(&record.sample.id).is_multiple_of(SPAM_HELD_OUT) {
            spam_test.push(record);
            continue;
        }
        let source = record
            .source
            .clone()
            .unwrap_or_else(|| record.sample.id.clone());
        splits[split_of(&source)].push(record);
    }
    (splits, spam_test)
}

/// The sorted, distinct bigrams of a text's letters, digits and CJK characters after
/// normalisation (NFKC, case, traditional to simplified), as hashes. A text of one such
/// character is its own bigram.
fn bigrams(text: &str) -> Vec<u64> {
    let chars: Vec<char> = crate::normalise(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let pairs: HashSet<u64> = chars
        .windows(2)
        .map(|w| (u64::from(w[0]) << 32) | u64::from(w[1]))
        .chain((chars.len() == 1).then(|| u64::from(chars[0])))
        .collect();
    let mut out: Vec<u64> = pairs.into_iter().collect();
    out.sort_unstable();
    out
}

/// Jaccard similarity of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use admon_domain::{Category, Sample};

    fn record(id: &str, source: &str, text: &str) -> Labelled {
        Labelled {
            sample: Sample {
                id: id.into(),
                text: text.into(),
                ..Sample::default()
            },
            label: Category::Fraud,
            source: Some(source.into()),
            spam: false,
        }
    }

    #[test]
    fn a_source_stays_on_one_side_and_near_duplicates_are_one_item() {
        let mut records = Vec::new();
        // 120 texts of 8 characters each, no two sharing a bigram.
        let text = |n: u32| -> String {
            (0..8)
                .map(|k| char::from_u32(0x4e00 + n * 8 + k).unwrap())
                .collect()
        };
        for s in 0..40 {
            for i in 0..3 {
                let id = format!("{s}-{i}");
                records.push(record(&id, &format!("src-{s}"), &text(s * 3 + i)));
            }
        }
        // The same case quoted by another outlet, with punctuation.
        let quoted = format!("“{}”！", text(0));
        records.push(record("dup", "other", &quoted));
        // A spam data set: a quarter held out, the rest in its source's split.
        for i in 0..40 {
            let mut spam = record(&format!("spam-{i}"), "gh-spam", &text(200 + i));
            spam.spam = true;
            records.push(spam);
        }
        let (splits, spam_test) = split_by_source(records);
        assert!((5..=15).contains(&spam_test.len()), "{}", spam_test.len());
        assert!(spam_test.iter().all(|l| l.spam));
        let in_splits = splits.iter().flatten().filter(|l| l.spam).count();
        assert_eq!(in_splits + spam_test.len(), 40);
        assert_eq!(
            splits.iter().map(Vec::len).sum::<usize>(),
            160 - spam_test.len()
        );
        assert!(
            splits.iter().all(|s| !s.is_empty()),
            "every split gets sources"
        );
        let sources = |s: &Vec<Labelled>| -> HashSet<String> {
            s.iter().map(|l| l.source.clone().unwrap()).collect()
        };
        let [train, dev, test] = splits.each_ref().map(sources);
        let held_out: HashSet<&str> = spam_test.iter().map(|l| l.sample.id.as_str()).collect();
        assert!(!splits
            .iter()
            .flatten()
            .any(|l| held_out.contains(l.sample.id.as_str())));
        assert!(train.is_disjoint(&dev) && train.is_disjoint(&test) && dev.is_disjoint(&test));
        assert!(!splits.iter().flatten().any(|l| l.sample.id == "dup"));
    }

    #[test]
    fn similarity_ignores_punctuation_case_and_script() {
        assert_eq!(jaccard(&bigrams("加V信：abc"), &bigrams("加v信abc!")), 1.0);
        assert_eq!(jaccard(&bigrams("保證療效"), &bigrams("保证疗效")), 1.0);
        assert!(
            jaccard(
                &bigrams("保本保息稳赚不赔"),
                &bigrams("治愈率高达百分之九十")
            ) < 0.1
        );
    }
}
