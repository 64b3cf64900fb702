//! Flags likely illegal ads (PRC Advertising Law) and counterfeit listings (Trademark Law), and
//! says why.
//!
//! Seed data ([`Resources`]: terms with exceptions, the legal basis of each category, the brand
//! price table, variant spellings) comes from `seeds/`. Texts are normalised against evasion
//! first ([`Resources::normalise`]: NFKC, case, traditional to simplified, separators between
//! characters, variant spellings, numerals in numbers), keeping the origin of every character.
//! A multinomial logistic regression (linfa) over jieba words, hashed character 1- to 3-grams,
//! lexicon hits, contact handles and price signals is trained from the labelled corpus in
//! `seeds/corpus/`. [`Classifier::classify`] turns a [`Sample`] into a [`admon_domain::Verdict`] whose
//! evidence names the spans and rules that fired and whose articles cite the law. Nothing here
//! crawls or stores.

#![warn(missing_docs)]

mod calibration;
mod contacts;
mod corpus;
mod error;
mod evidence;
mod features;
mod fnv;
mod lexicon;
mod metrics;
mod model;
mod normalise;

pub use corpus::{Corpus, Splits};
pub use error::{Error, Result};
pub use features::MAX_TEXT_CHARS;
pub use lexicon::{Brand, Hit, LegalBasis, Resources};
pub use metrics::{source_table, Metrics};
pub use model::{Classifier, TrainOptions, TrainReport};
pub use normalise::{normalise, Normalised};

use admon_domain::{Category, Sample};
use serde::Deserialize;
use std::path::Path;

/// A sample with its gold category: a corpus record.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The sample.
    pub sample: Sample,
    /// Its category.
    pub label: Category,
    /// Where it comes from (a real record's source id, `feedback`), if known.
    pub source: Option<String>,
    /// Part of a data set of disguised spam collected as such (QQ-group ads, spam accounts).
    pub spam: bool,
}

#[derive(Deserialize)]
struct LabelledRecord {
    #[serde(flatten)]
    sample: Sample,
    label: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    spam: bool,
}

/// Parses one `admon classify` input line.
pub fn parse_sample(line: &str, line_no: usize) -> Result<Sample> {
    serde_json::from_str(line).map_err(|e| Error::BadRecord {
        line: line_no,
        message: e.to_string(),
    })
}

/// Parses labelled JSONL (a sample record plus `"label"`); blank lines are skipped.
pub fn parse_labelled(text: &str) -> Result<Vec<Labelled>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: LabelledRecord = serde_json::from_str(line).map_err(|e| Error::BadRecord {
            line: i + 1,
            message: e.to_string(),
        })?;
        let label = Category::parse(&record.label).ok_or_else(|| Error::BadRecord {
            line: i + 1,
            message: format!("unknown label `{}`", record.label),
        })?;
        out.push(Labelled {
            sample: record.sample,
            label,
            source: record.source,
            spam: record.spam,
        });
    }
    Ok(out)
}

/// Reads a labelled JSONL file.
pub fn read_labelled(path: &Path) -> Result<Vec<Labelled>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_labelled(&text).map_err(|e| match e {
        Error::BadRecord { line, message } => Error::BadSeed {
            path: path.to_owned(),
            message: format!("line {line}: {message}"),
        },
        other => other,
    })
}

/// Loads the model at `model_path`, or trains one from `seeds` (and saves it there) when there
/// is none yet. Returns the classifier and, when it trained, the report.
pub fn load_or_train(seeds: &Path, model_path: &Path) -> Result<(Classifier, Option<TrainReport>)> {
    let resources = Resources::load(seeds)?;
    if model_path.exists() {
        return Ok((Classifier::load(resources, model_path)?, None));
    }
    let [train, dev, test] = Corpus::read(seeds)?.splits(true);
    let (classifier, report) =
        Classifier::train(resources, &train, &dev, &test, &TrainOptions::default())?;
    classifier.save(model_path)?;
    Ok((classifier, Some(report)))
}
