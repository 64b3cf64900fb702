//! Classifier figures on the shipped corpus, one core: test-split quality, documents per
//! second, and the resident memory of the loaded model and vectoriser. Prints one JSON line
//! (read by bench/classifier_vs_sklearn.py) after a human-readable summary.

use admon_classifier::{read_corpus, Classifier, Resources, TrainOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seeds");
    let [train, dev, test] = read_corpus(&seeds).expect("corpus");
    let started = Instant::now();
    let options = TrainOptions {
        svm: std::env::args().any(|a| a == "--svm"),
        ..TrainOptions::default()
    };
    let (trained, report) = Classifier::train(
        Resources::load(&seeds).unwrap(),
        &train,
        &dev,
        &test,
        &options,
    )
    .unwrap();
    let train_secs = started.elapsed().as_secs_f64();
    let dir = std::env::temp_dir().join(format!("admon-bench-{}", std::process::id()));
    let model_path = dir.join("model.json");
    trained.save(&model_path).unwrap();
    drop(trained);

    let before = rss_mb();
    let classifier = Classifier::load(Resources::load(&seeds).unwrap(), &model_path).unwrap();
    let model_mb = rss_mb() - before;
    let _ = std::fs::remove_dir_all(&dir);

    let metrics = classifier.evaluate(&test);
    let samples: Vec<_> = test.iter().map(|l| l.sample.clone()).collect();
    let mut docs = 0usize;
    let timer = Instant::now();
    while timer.elapsed() < Duration::from_secs(3) {
        for s in &samples {
            std::hint::black_box(classifier.classify(s));
        }
        docs += samples.len();
    }
    let docs_per_sec = docs as f64 / timer.elapsed().as_secs_f64();
    for (name, f1) in &report.candidates {
        println!("candidate {name}: dev macro-F1 {f1:.3}");
    }
    println!(
        "admon {}: test macro-F1 {:.3}, flag precision {:.3} recall {:.3}; {docs_per_sec:.0} docs/s on one core; model+vectoriser {model_mb:.1} MB resident; trained in {train_secs:.1}s",
        classifier.version(),
        metrics.macro_f1,
        metrics.flag_precision,
        metrics.flag_recall
    );
    println!(
        "{{\"macro_f1\":{:.4},\"flag_precision\":{:.4},\"flag_recall\":{:.4},\"docs_per_sec\":{docs_per_sec:.1},\"model_mb\":{model_mb:.2},\"train_secs\":{train_secs:.2}}}",
        metrics.macro_f1, metrics.flag_precision, metrics.flag_recall
    );
}
