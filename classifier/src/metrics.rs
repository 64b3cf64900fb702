//! Evaluation: per-category precision, recall and F1, macro-F1, flagged-vs-clean precision and
//! recall, and the confusion matrix.

use admon_domain::Category;
use std::fmt;

/// Scores of predictions against gold labels.
#[derive(Debug, Clone)]
pub struct Metrics {
    /// Categories present in gold or predictions, in taxonomy order.
    pub labels: Vec<Category>,
    /// `confusion[gold][predicted]`, indexed like `labels`.
    pub confusion: Vec<Vec<usize>>,
    /// Per label: precision, recall, F1, support.
    pub per_label: Vec<(f64, f64, f64, usize)>,
    /// Mean F1 over labels with gold support.
    pub macro_f1: f64,
    /// Of the samples flagged, the share that should be.
    pub flag_precision: f64,
    /// Of the samples that should be flagged, the share that is.
    pub flag_recall: f64,
    /// Of the clean samples, the share flagged.
    pub clean_flagged: f64,
    /// Flag F1: the harmonic mean of flag precision and recall.
    pub flag_f1: f64,
    /// Of the violations flagged, the share flagged under their own category.
    pub category_accuracy: f64,
    /// Share of exact category matches.
    pub accuracy: f64,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Metrics {
    /// Compares predictions with gold labels, position by position.
    pub fn new(gold: &[Category], predicted: &[Category]) -> Metrics {
        assert_eq!(gold.len(), predicted.len(), "one prediction per gold label");
        let labels: Vec<Category> = Category::ALL
            .into_iter()
            .filter(|c| gold.contains(c) || predicted.contains(c))
            .collect();
        let at = |c: Category| labels.iter().position(|&l| l == c).expect("label listed");
        let mut confusion = vec![vec![0usize; labels.len()]; labels.len()];
        for (&g, &p) in gold.iter().zip(predicted) {
            confusion[at(g)][at(p)] += 1;
        }
        let per_label: Vec<(f64, f64, f64, usize)> = (0..labels.len())
            .map(|i| {
                let tp = confusion[i][i];
                let predicted: usize = confusion.iter().map(|row| row[i]).sum();
                let support: usize = confusion[i].iter().sum();
                let (p, r) = (ratio(tp, predicted), ratio(tp, support));
                let f1 = if p + r == 0.0 {
                    0.0
                } else {
                    2.0 * p * r / (p + r)
                };
                (p, r, f1, support)
            })
            .collect();
        let supported: Vec<f64> = per_label.iter().filter(|l| l.3 > 0).map(|l| l.2).collect();
        let macro_f1 = supported.iter().sum::<f64>() / supported.len().max(1) as f64;
        let (mut tp, mut fp, mut fn_, mut tn, mut same) = (0, 0, 0, 0, 0);
        for (&g, &p) in gold.iter().zip(predicted) {
            match (g != Category::Clean, p != Category::Clean) {
                (true, true) => {
                    tp += 1;
                    same += usize::from(g == p);
                }
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => tn += 1,
            }
        }
        let correct = gold.iter().zip(predicted).filter(|(g, p)| g == p).count();
        let (flag_precision, flag_recall) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
        Metrics {
            labels,
            confusion,
            per_label,
            macro_f1,
            flag_precision,
            flag_recall,
            clean_flagged: ratio(fp, fp + tn),
            flag_f1: if tp == 0 {
                0.0
            } else {
                2.0 * flag_precision * flag_recall / (flag_precision + flag_recall)
            },
            category_accuracy: ratio(same, tp),
            accuracy: ratio(correct, gold.len()),
        }
    }
}

/// One line per source: records, violations, flag precision and recall, accuracy. A precision
/// without flags, or a recall without violations, is `-`.
pub fn source_table(by_source: &[(String, Metrics)]) -> String {
    let mut out = format!(
        "{:<28} {:>7} {:>10} {:>9} {:>7} {:>9}\n",
        "source", "records", "violations", "precision", "recall", "accuracy"
    );
    for (source, m) in by_source {
        let clean = m.labels.iter().position(|&c| c == Category::Clean);
        let records: usize = m.per_label.iter().map(|l| l.3).sum();
        let violations = records - clean.map_or(0, |i| m.per_label[i].3);
        let flagged: usize = (0..m.labels.len())
            .filter(|&j| Some(j) != clean)
            .map(|j| m.confusion.iter().map(|row| row[j]).sum::<usize>())
            .sum();
        let figure = |defined: bool, v: f64| {
            if defined {
                format!("{v:.3}")
            } else {
                "-".to_owned()
            }
        };
        out.push_str(&format!(
            "{source:<28} {records:>7} {violations:>10} {:>9} {:>7} {:>9.3}\n",
            figure(flagged > 0, m.flag_precision),
            figure(violations > 0, m.flag_recall),
            m.accuracy
        ));
    }
    out
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<20} {:>9} {:>9} {:>9} {:>8}",
            "category", "precision", "recall", "f1", "support"
        )?;
        for (label, (p, r, f1, n)) in self.labels.iter().zip(&self.per_label) {
            writeln!(
                f,
                "{:<20} {p:>9.3} {r:>9.3} {f1:>9.3} {n:>8}",
                label.as_str()
            )?;
        }
        writeln!(
            f,
            "macro-F1 {:.3}   accuracy {:.3}",
            self.macro_f1, self.accuracy
        )?;
        writeln!(
            f,
            "flagged vs clean: precision {:.3} recall {:.3} F1 {:.3}; category right on {:.3} of the violations flagged; {:.3} of the clean flagged",
            self.flag_precision, self.flag_recall, self.flag_f1, self.category_accuracy, self.clean_flagged
        )?;
        writeln!(f, "confusion matrix (rows gold, columns predicted):")?;
        write!(f, "{:<20}", "")?;
        for i in 0..self.labels.len() {
            write!(f, " {:>4}", format!("c{i}"))?;
        }
        writeln!(f)?;
        for (i, row) in self.confusion.iter().enumerate() {
            write!(f, "{:<20}", format!("c{i} {}", self.labels[i].as_str()))?;
            for n in row {
                write!(f, " {n:>4}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_imperfect_scores() {
        use Category::*;
        let gold = [Clean, Fraud, Fraud, Tobacco];
        let m = Metrics::new(&gold, &gold);
        assert_eq!(m.macro_f1, 1.0);
        let m = Metrics::new(&gold, &[Fraud, Fraud, Clean, Tobacco]);
        assert_eq!(m.flag_precision, 2.0 / 3.0);
        assert_eq!(m.flag_recall, 2.0 / 3.0);
        assert!((m.flag_f1 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(m.category_accuracy, 1.0);
        assert_eq!(m.clean_flagged, 1.0);
        assert!(m.macro_f1 < 1.0);
        // Labels follow taxonomy order: clean, tobacco, fraud.
        assert_eq!(m.labels, vec![Clean, Tobacco, Fraud]);
        assert_eq!(m.confusion[0][2], 1);
        let table = source_table(&[("a".into(), m.clone())]);
        assert!(table.lines().nth(1).unwrap().starts_with("a "), "{table}");
        let clean_only = Metrics::new(&[Clean, Clean], &[Clean, Clean]);
        let line = source_table(&[("b".into(), clean_only)]);
        assert_eq!(
            line.lines()
                .nth(1)
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["b", "2", "0", "-", "-", "1.000"]
        );
        // A violation flagged under another category is a right flag, a wrong category.
        let m = Metrics::new(&gold, &[Clean, Tobacco, Fraud, Tobacco]);
        assert_eq!(m.flag_recall, 1.0);
        assert_eq!(m.category_accuracy, 2.0 / 3.0);
    }
}
