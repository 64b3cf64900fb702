//! The linfa model: vocabulary, TF-IDF weights and a multinomial logistic regression, trained
//! from the labelled corpus and applied sparsely, with evidence for every flag.

use crate::calibration;
use crate::evidence;
use crate::features::{
    counts, extract, gram_feature, gram_of_feature, is_ngram, Extracted, GRAM_BUCKETS,
};
use crate::fnv::FnvMap;
use crate::lexicon::Resources;
use crate::metrics::Metrics;
use crate::{Error, Labelled, Result};
use admon_domain::{Category, Sample, SampleKind, Verdict};
use jieba_rs::Jieba;
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use linfa_svm::Svm;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Training settings; the defaults are what `admon train` uses.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// L2 penalties tried; the best by dev macro-F1 is kept.
    pub alphas: Vec<f32>,
    /// Optimiser iterations.
    pub max_iterations: u64,
    /// Largest vocabulary kept (by χ² against the classes).
    pub vocab_size: usize,
    /// Also fit multinomial naive Bayes.
    pub naive_bayes: bool,
    /// Also fit a one-vs-rest linear SVM (slower: tens of seconds).
    pub svm: bool,
    /// jieba's words as features beside the character n-grams. Off: across the folds they cost
    /// recall at high precision (README, "The classifier").
    pub words: bool,
}

/// The defaults were chosen by cross-validation over the real train and dev splits, folds by
/// source (`classifier/examples/cross_validate.rs`, with the templates; README, "The
/// classifier"): 8,000 features and a penalty of 0.3 rank real texts better than 4,000 and 0.1;
/// 16,000 ranked a little better still but trains three times slower, and smaller penalties kept
/// less recall at 95% precision.
impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            alphas: vec![0.3],
            max_iterations: 120,
            vocab_size: 8_000,
            naive_bayes: true,
            svm: false,
            words: false,
        }
    }
}

/// An n-gram bucket outside the vocabulary.
const NO_FEATURE: u32 = u32::MAX;

/// The features a model reads; a model saved for other features is refused (retrain).
const FEATURE_SET: &str = "norm1+words+fnv1a-grams1-3/2^18+contacts";

/// A trained model, serialisable to JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    /// Version string: algorithm, penalty and a hash of the weights.
    pub version: String,
    /// The normalisation and features it was trained on ([`FEATURE_SET`]).
    #[serde(default)]
    features: String,
    vocab: Vec<String>,
    idf: Vec<f32>,
    classes: Vec<Category>,
    /// Row-major, `vocab.len() × classes.len()`.
    weights: Vec<f32>,
    intercept: Vec<f32>,
    /// Platt scaling of the model's 1 − P(clean) into the score: `sigmoid(a·logit(p) + b)`,
    /// fitted on the dev split.
    #[serde(default = "crate::calibration::identity")]
    calibration: [f32; 2],
    /// The operating point: a sample is flagged when its score reaches this.
    #[serde(default = "crate::calibration::half")]
    threshold: f32,
    #[serde(skip)]
    index: FnvMap<String, usize>,
    /// Hashed n-gram bucket to vocabulary index ([`NO_FEATURE`]: none), one per bucket.
    #[serde(skip)]
    buckets: Vec<u32>,
    /// Per vocabulary index: whether it is an n-gram (TF-IDF) or an indicator.
    #[serde(skip)]
    ngram: Vec<bool>,
    /// Whether jieba's words are among the features (then every text is segmented).
    #[serde(skip)]
    words: bool,
}

impl Model {
    pub(crate) fn load(path: &Path) -> Result<Model> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut model: Model = serde_json::from_str(&text).map_err(|e| Error::BadModel {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if model.features != FEATURE_SET {
            return Err(Error::BadModel {
                path: path.to_owned(),
                message: format!(
                    "trained on features `{}`, this build reads `{FEATURE_SET}`",
                    model.features
                ),
            });
        }
        if model.weights.len() != model.vocab.len() * model.classes.len()
            || model.idf.len() != model.vocab.len()
            || model.intercept.len() != model.classes.len()
        {
            return Err(Error::BadModel {
                path: path.to_owned(),
                message: "weight shapes do not match the vocabulary".into(),
            });
        }
        model.reindex();
        Ok(model)
    }

    pub(crate) fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_string(self).expect("model serialises");
        let tmp = path.with_extension("tmp");
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    fn reindex(&mut self) {
        self.index = self
            .vocab
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i))
            .collect();
        self.ngram = self.vocab.iter().map(|f| is_ngram(f)).collect();
        self.words = self.vocab.iter().any(|f| f.starts_with("w:"));
        self.buckets = vec![NO_FEATURE; GRAM_BUCKETS as usize];
        for (i, f) in self.vocab.iter().enumerate() {
            if let Some(bucket) = gram_of_feature(f).filter(|&b| b < GRAM_BUCKETS) {
                self.buckets[bucket as usize] = i as u32;
            }
        }
    }

    /// Sparse, weighted feature vector: TF-IDF (sublinear, L2-normalised) for n-grams (words
    /// and hashed character grams, one bucket per occurrence in `grams`), indicators (at most
    /// 3) for the rest.
    fn vectorise(&self, named: Vec<(String, f32)>, grams: Vec<u32>) -> Vec<(usize, f32)> {
        let mut found: Vec<(usize, f32)> = named
            .iter()
            .filter_map(|(name, v)| Some((*self.index.get(name)?, *v)))
            .collect();
        found.extend(grams.iter().filter_map(|&b| {
            let i = *self.buckets.get(b as usize)?;
            (i != NO_FEATURE).then_some((i as usize, 1.0))
        }));
        found.sort_unstable_by_key(|&(i, _)| i);
        let mut out: Vec<(usize, f32)> = Vec::with_capacity(found.len());
        for (i, v) in found {
            match out.last_mut() {
                Some((last, tf)) if *last == i => *tf += v,
                _ => out.push((i, v)),
            }
        }
        let mut norm = 0.0f32;
        for (i, v) in &mut out {
            if self.ngram[*i] {
                *v = (1.0 + v.ln()) * self.idf[*i];
                norm += *v * *v;
            } else {
                *v = v.min(3.0);
            }
        }
        let norm = norm.sqrt().max(1e-6);
        for (i, v) in &mut out {
            if self.ngram[*i] {
                *v /= norm;
            }
        }
        out
    }

    fn probabilities(&self, x: &[(usize, f32)]) -> Vec<f32> {
        let k = self.classes.len();
        let mut scores = self.intercept.clone();
        for &(i, v) in x {
            let row = &self.weights[i * k..(i + 1) * k];
            for (s, w) in scores.iter_mut().zip(row) {
                *s += v * w;
            }
        }
        let max = scores.iter().cloned().fold(f32::MIN, f32::max);
        let mut sum = 0.0;
        for s in &mut scores {
            *s = (*s - max).exp();
            sum += *s;
        }
        scores.iter().map(|s| s / sum).collect()
    }
}

/// Loads, trains and applies the model; owns the segmenter and the seed data.
pub struct Classifier {
    resources: Resources,
    jieba: Arc<Jieba>,
    model: Model,
    /// Verdicts of samples judged lately, by everything a verdict depends on: the same ad is
    /// served on every page of a site, and is judged once.
    remembered: Mutex<HashMap<Judged, Verdict>>,
}

/// Most verdicts [`Classifier::classify`] remembers (then it starts again).
const REMEMBERED: usize = 4096;
/// Only samples this short (text and title, in bytes) are remembered.
const REMEMBERED_BYTES: usize = 2_048;

/// What a verdict depends on, besides the model: every field of a sample but its id and URL.
#[derive(PartialEq, Eq, Hash)]
struct Judged {
    kind: SampleKind,
    text: String,
    title: Option<String>,
    price: Option<u64>,
    brand: Option<String>,
    seller: Option<String>,
}

impl Judged {
    fn of(sample: &Sample) -> Judged {
        Judged {
            kind: sample.kind,
            text: sample.text.clone(),
            title: sample.title.clone(),
            price: sample.price.map(f64::to_bits),
            brand: sample.brand.clone(),
            seller: sample.seller.clone(),
        }
    }
}

/// What training reports: the kept model's metrics on the dev and test splits.
#[derive(Debug)]
pub struct TrainReport {
    /// Candidates tried: name and dev macro-F1.
    pub candidates: Vec<(String, f64)>,
    /// Dev split metrics of the kept model.
    pub dev: Metrics,
    /// Test split metrics of the kept model (reported, never used to choose).
    pub test: Metrics,
}

impl Classifier {
    /// A classifier from seed data and a saved model.
    pub fn load(resources: Resources, model_path: &Path) -> Result<Classifier> {
        Ok(Classifier {
            resources,
            jieba: admon_domain::segment::jieba(),
            model: Model::load(model_path)?,
            remembered: Mutex::default(),
        })
    }

    /// Saves the model (JSON) atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.model.save(path)
    }

    /// The model version.
    pub fn version(&self) -> &str {
        &self.model.version
    }

    /// The seed data in use.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// Trains on `train`, keeps the candidate with the best dev macro-F1 and reports it on
    /// dev and test. Deterministic for the same data.
    pub fn train(
        resources: Resources,
        train: &[Labelled],
        dev: &[Labelled],
        test: &[Labelled],
        options: &TrainOptions,
    ) -> Result<(Classifier, TrainReport)> {
        if train.is_empty() {
            return Err(Error::Train("the training split is empty".into()));
        }
        let jieba = admon_domain::segment::jieba();
        // Every feature by name (hashed n-grams as `h:<bucket>`), with its count.
        let docs: Vec<Vec<(String, f32)>> = train
            .iter()
            .map(|l| {
                let Extracted {
                    mut features,
                    grams,
                    ..
                } = extract(options.words.then_some(&*jieba), &resources, &l.sample);
                features.extend(grams.into_iter().map(|b| (gram_feature(b), 1.0)));
                counts(features)
            })
            .collect();
        // Per feature: documents holding it, in all and per class.
        let classes_n = Category::TEXT.len();
        let class_of: Vec<usize> = train
            .iter()
            .map(|l| {
                Category::TEXT
                    .iter()
                    .position(|&t| t == l.label)
                    .unwrap_or(0)
            })
            .collect();
        let mut df: HashMap<&str, (u32, Vec<u32>)> = HashMap::new();
        for (doc, &class) in docs.iter().zip(&class_of) {
            for (name, _) in doc {
                let entry = df
                    .entry(name.as_str())
                    .or_insert_with(|| (0, vec![0; classes_n]));
                entry.0 += 1;
                entry.1[class] += 1;
            }
        }
        let mut class_docs = vec![0u32; classes_n];
        for &c in &class_of {
            class_docs[c] += 1;
        }
        // The vocabulary: the features that best tell some class from the rest (χ², one class
        // against the others), not the most frequent ones: over a corpus where templated records
        // outnumber real ones, frequency keeps the templates' words and drops the real ones'.
        let total = docs.len() as f64;
        let mut vocab: Vec<(&str, u32, f64)> = df
            .iter()
            .filter(|(name, (n, _))| *n >= 2 || !is_ngram(name))
            .map(|(&name, (n, per_class))| {
                let chi2 = per_class
                    .iter()
                    .zip(&class_docs)
                    .filter(|(_, &in_class)| in_class > 0)
                    .map(|(&a, &in_class)| chi_square(a, *n, in_class, total))
                    .fold(0.0, f64::max);
                (name, *n, chi2)
            })
            .collect();
        vocab.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(b.0)));
        vocab.truncate(options.vocab_size);
        let mut vocab: Vec<(&str, u32)> = vocab.into_iter().map(|(name, n, _)| (name, n)).collect();
        vocab.sort();
        let n = docs.len() as f32;
        let idf: Vec<f32> = vocab
            .iter()
            .map(|&(_, d)| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect();
        let mut template = Model {
            version: String::new(),
            features: FEATURE_SET.into(),
            vocab: vocab.iter().map(|(name, _)| name.to_string()).collect(),
            idf,
            classes: Vec::new(),
            weights: Vec::new(),
            intercept: Vec::new(),
            calibration: calibration::identity(),
            threshold: calibration::half(),
            index: FnvMap::default(),
            buckets: Vec::new(),
            ngram: Vec::new(),
            words: false,
        };
        template.reindex();

        let mut x = Array2::<f32>::zeros((docs.len(), template.vocab.len()));
        for (row, doc) in docs.into_iter().enumerate() {
            for (i, v) in template.vectorise(doc, Vec::new()) {
                x[[row, i]] = v;
            }
        }
        let label_index = |c: Category| Category::TEXT.iter().position(|&t| t == c);
        let y: Array1<usize> = train
            .iter()
            .map(|l| {
                label_index(l.label)
                    .ok_or_else(|| Error::Train(format!("`{}` is not a text category", l.label)))
            })
            .collect::<Result<_>>()?;
        let dataset = Dataset::new(x, y);

        let mut fits: Vec<(String, Fitted)> = Vec::new();
        for &alpha in &options.alphas {
            let fitted = MultiLogisticRegression::default()
                .alpha(alpha)
                .max_iterations(options.max_iterations)
                .fit(&dataset)
                .map_err(|e| Error::Train(e.to_string()))?;
            fits.push((
                format!("lr-a{alpha}"),
                Fitted {
                    classes: fitted.classes().to_vec(),
                    weights: fitted.params().iter().cloned().collect(),
                    intercept: fitted.intercept().to_vec(),
                },
            ));
        }
        if options.naive_bayes {
            fits.push(("mnb".into(), fit_naive_bayes(&dataset)?));
        }
        if options.svm {
            fits.push(("svm".into(), fit_linear_svm(&dataset)?));
        }
        let mut best: Option<(f64, Classifier)> = None;
        let mut candidates = Vec::new();
        for (name, fitted) in fits {
            let mut model = template.clone();
            model.classes = fitted.classes.iter().map(|&c| Category::TEXT[c]).collect();
            model.weights = fitted.weights;
            model.intercept = fitted.intercept;
            let mut hasher = Sha256::new();
            for w in model.weights.iter().chain(&model.intercept) {
                hasher.update(w.to_le_bytes());
            }
            model.version = format!("{name}-{}", &hex::encode(hasher.finalize())[..12]);
            let mut classifier = Classifier {
                resources: resources.clone(),
                jieba: jieba.clone(),
                model,
                remembered: Mutex::default(),
            };
            classifier.calibrate(dev);
            classifier.model.threshold = classifier.operating_point(dev);
            let f1 = classifier.evaluate(dev).macro_f1;
            candidates.push((
                format!(
                    "{} at {:.2}",
                    classifier.model.version, classifier.model.threshold
                ),
                f1,
            ));
            if best.as_ref().is_none_or(|(b, _)| f1 > *b) {
                best = Some((f1, classifier));
            }
        }
        let (_, classifier) =
            best.ok_or_else(|| Error::Train("no candidate model to train".into()))?;
        let report = TrainReport {
            candidates,
            dev: classifier.evaluate(dev),
            test: classifier.evaluate(test),
        };
        Ok((classifier, report))
    }

    /// Fits the calibration (Platt scaling) to the model's raw scores on `dev`.
    fn calibrate(&mut self, dev: &[Labelled]) {
        self.model.calibration = calibration::identity();
        let points: Vec<(f32, bool)> = dev
            .iter()
            .map(|l| {
                let v = self.judge_at(&l.sample, 0.0);
                (v.score as f32, l.label != Category::Clean)
            })
            .collect();
        self.model.calibration = calibration::platt(&points);
    }

    /// The operating point on `dev` ([`calibration::operating_point`]).
    fn operating_point(&self, dev: &[Labelled]) -> f32 {
        // Judged once with every explained sample flagged: its score, whether it was flagged,
        // and whether it should be.
        let judged: Vec<(f32, bool, bool)> = dev
            .iter()
            .map(|l| {
                let v = self.judge_at(&l.sample, 0.0);
                (v.score as f32, v.flagged, l.label != Category::Clean)
            })
            .collect();
        calibration::operating_point(&judged)
    }

    /// Scores every labelled sample and compares with its label.
    pub fn evaluate(&self, data: &[Labelled]) -> Metrics {
        let gold: Vec<Category> = data.iter().map(|l| l.label).collect();
        Metrics::new(&gold, &self.predict(data))
    }

    /// Scores every labelled sample and compares with its label, in all and source by source
    /// (records without a source count as `-`, in source order), judging each sample once.
    pub fn evaluate_by_source(&self, data: &[Labelled]) -> (Metrics, Vec<(String, Metrics)>) {
        let predicted = self.predict(data);
        let gold: Vec<Category> = data.iter().map(|l| l.label).collect();
        let mut groups: std::collections::BTreeMap<&str, (Vec<Category>, Vec<Category>)> =
            Default::default();
        for ((l, &g), &p) in data.iter().zip(&gold).zip(&predicted) {
            let group = groups
                .entry(l.source.as_deref().unwrap_or("-"))
                .or_default();
            group.0.push(g);
            group.1.push(p);
        }
        let by_source = groups
            .into_iter()
            .map(|(source, (gold, predicted))| (source.to_owned(), Metrics::new(&gold, &predicted)))
            .collect();
        (Metrics::new(&gold, &predicted), by_source)
    }

    /// The category judged for each sample (clean when not flagged).
    fn predict(&self, data: &[Labelled]) -> Vec<Category> {
        data.iter()
            .map(|l| self.classify(&l.sample).category)
            .collect()
    }

    /// The score threshold at which this model flags.
    pub fn threshold(&self) -> f32 {
        self.model.threshold
    }

    /// Judges one sample. A sample judged lately (the same text, title, price, brand and
    /// seller) gets the same verdict again, under its own id, without being judged again.
    pub fn classify(&self, sample: &Sample) -> Verdict {
        let key = Judged::of(sample);
        let known = self
            .remembered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        if let Some(mut verdict) = known {
            verdict.id.clone_from(&sample.id);
            return verdict;
        }
        let verdict = self.judge(sample);
        if key.text.len() + key.title.as_ref().map_or(0, String::len) > REMEMBERED_BYTES {
            // A long text is rarely repeated, and would hold its bytes in memory for nothing.
            return verdict;
        }
        let mut remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        if remembered.len() >= REMEMBERED {
            remembered.clear();
        }
        remembered.insert(key, verdict.clone());
        verdict
    }

    fn judge(&self, sample: &Sample) -> Verdict {
        self.judge_at(sample, self.model.threshold)
    }

    /// Judges `sample`, flagging it when its score reaches `threshold` and something in the
    /// text explains the flag. The score is the model's probability that the sample is not
    /// clean, calibrated on dev (Platt); the category is the likeliest of the others.
    fn judge_at(&self, sample: &Sample, threshold: f32) -> Verdict {
        let mut extracted = extract(
            self.model.words.then_some(&*self.jieba),
            &self.resources,
            sample,
        );
        let x = self.model.vectorise(
            std::mem::take(&mut extracted.features),
            std::mem::take(&mut extracted.grams),
        );
        let probs = self.model.probabilities(&x);
        let classes = &self.model.classes;
        let p_clean = classes
            .iter()
            .position(|&c| c == Category::Clean)
            .map_or(0.0, |i| probs[i]);
        let mut score = calibration::score(self.model.calibration, 1.0 - p_clean);
        let mut verdict = Verdict {
            id: sample.id.clone(),
            flagged: false,
            category: Category::Clean,
            score: f64::from(score),
            articles: Vec::new(),
            evidence: Vec::new(),
            model: self.model.version.clone(),
        };
        let Some(mut best) = (0..classes.len())
            .filter(|&i| classes[i] != Category::Clean)
            .max_by(|&a, &b| probs[a].total_cmp(&probs[b]))
        else {
            return verdict;
        };
        // A brand's new goods at a tenth of its lowest genuine price, from a seller that is not
        // its store: counterfeit on the price alone, whatever the words (a Dior lipstick at ¥35).
        let giveaway = extracted
            .cheap_brand
            .as_ref()
            .is_some_and(|c| !c.official && c.price < c.floor * GIVEAWAY_RATIO);
        if giveaway && score < threshold.max(GIVEAWAY_SCORE) {
            if let Some(i) = classes.iter().position(|&c| c == Category::Counterfeit) {
                (best, score) = (i, GIVEAWAY_SCORE.max(threshold));
                verdict.score = f64::from(score);
            }
        }
        let category = classes[best];
        if score < threshold {
            return verdict;
        }
        let legal = self.resources.legal(category);
        let k = self.model.classes.len();
        let pushes: Vec<(f32, &str)> = x
            .iter()
            .map(|&(i, v)| {
                (
                    v * self.model.weights[i * k + best],
                    self.model.vocab[i].as_str(),
                )
            })
            .filter(|(c, _)| *c > 0.05)
            .collect();
        let evidence = evidence::explain(&extracted, &sample.text, category, legal, pushes);
        if evidence.is_empty() {
            // The model is sure but nothing in the text explains it: not a flag we can defend.
            return verdict;
        }
        let (also, more) = evidence::other_laws(&extracted, &sample.text, category, |c| {
            self.resources.legal(c)
        });
        verdict.flagged = true;
        verdict.category = category;
        verdict.articles = legal.articles.clone();
        for article in also {
            if !verdict.articles.contains(&article) {
                verdict.articles.push(article);
            }
        }
        verdict.evidence = evidence;
        for span in more {
            if !verdict.evidence.contains(&span) {
                verdict.evidence.push(span);
            }
        }
        verdict.evidence.sort_by_key(|e| (e.start, e.end));
        verdict
    }
}

/// χ² of a feature against one class: `a` documents of the class hold it, `n` in all, of
/// `in_class` documents in the class and `total` documents.
fn chi_square(a: u32, n: u32, in_class: u32, total: f64) -> f64 {
    let (a, b) = (f64::from(a), f64::from(n - a));
    let (c, d) = (f64::from(in_class) - a, total - f64::from(in_class) - b);
    let denominator = (a + c) * (b + d) * (a + b) * (c + d);
    if denominator == 0.0 {
        0.0
    } else {
        total * (a * d - c * b).powi(2) / denominator
    }
}

/// Under this share of the brand's floor, a price alone makes a listing counterfeit.
const GIVEAWAY_RATIO: f64 = 0.1;
/// The score of a listing flagged on its price alone.
const GIVEAWAY_SCORE: f32 = 0.9;

/// A fitted linear model over the vocabulary: `classes` are indices into [`Category::TEXT`].
struct Fitted {
    classes: Vec<usize>,
    /// Row-major, `vocab × classes`.
    weights: Vec<f32>,
    intercept: Vec<f32>,
}

/// Multinomial naive Bayes (Laplace-smoothed), which is linear in the features: the
/// intercept is the class log-prior, the weights the per-class feature log-probabilities.
/// Written here rather than taken from linfa-bayes 0.8.1, whose `fit` prints every class
/// histogram to stderr with a stray `dbg!`.
fn fit_naive_bayes(dataset: &Dataset<f32, usize, ndarray::Ix1>) -> Result<Fitted> {
    const ALPHA: f32 = 0.1;
    let records = dataset.records();
    let v = dataset.nfeatures();
    let mut classes: Vec<usize> = dataset.targets().iter().cloned().collect();
    classes.sort_unstable();
    classes.dedup();
    let k = classes.len();
    let mut counts = vec![0f32; v * k];
    let mut docs = vec![0f32; k];
    for (row, target) in records.outer_iter().zip(dataset.targets().iter()) {
        let c = classes.binary_search(target).expect("class listed");
        docs[c] += 1.0;
        for (i, &x) in row.iter().enumerate() {
            counts[i * k + c] += x;
        }
    }
    let n: f32 = docs.iter().sum();
    let intercept: Vec<f32> = docs.iter().map(|d| (d / n).ln()).collect();
    let mut weights = vec![0f32; v * k];
    for c in 0..k {
        let total: f32 = (0..v).map(|i| counts[i * k + c]).sum::<f32>() + ALPHA * v as f32;
        for i in 0..v {
            weights[i * k + c] = ((counts[i * k + c] + ALPHA) / total).ln();
        }
    }
    Ok(Fitted {
        classes,
        weights,
        intercept,
    })
}

/// One linear SVM per class against the rest; the margins become the class scores.
fn fit_linear_svm(dataset: &Dataset<f32, usize, ndarray::Ix1>) -> Result<Fitted> {
    let v = dataset.nfeatures();
    let mut classes: Vec<usize> = dataset.targets().iter().cloned().collect();
    classes.sort_unstable();
    classes.dedup();
    let mut weights = vec![0f32; v * classes.len()];
    let mut intercept = Vec::with_capacity(classes.len());
    for (k, &c) in classes.iter().enumerate() {
        let targets: Array1<bool> = dataset.targets().iter().map(|&t| t == c).collect();
        let binary = Dataset::new(dataset.records().clone(), targets);
        let svm = Svm::<f32, bool>::params()
            .linear_kernel()
            .pos_neg_weights(1.0, 1.0)
            .fit(&binary)
            .map_err(|e| Error::Train(e.to_string()))?;
        let mut basis = Array1::<f32>::zeros(v);
        for i in 0..v {
            basis[i] = 1.0;
            weights[i * classes.len() + k] = svm.weighted_sum(&basis);
            basis[i] = 0.0;
        }
        intercept.push(-svm.rho);
    }
    Ok(Fitted {
        classes,
        weights,
        intercept,
    })
}
