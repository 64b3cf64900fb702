//! The score and the operating point: Platt scaling turns the model's probability that a text is
//! not clean into the score, and the threshold to flag at is chosen on dev for a target
//! precision.

/// The flag precision the operating point is chosen for (on the dev split).
const TARGET_PRECISION: f64 = 0.95;

/// The threshold of a model whose operating point was not chosen.
pub(crate) fn half() -> f32 {
    0.5
}

/// No calibration: the score is the model's probability.
pub(crate) fn identity() -> [f32; 2] {
    [1.0, 0.0]
}

fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Platt scaling: the `[a, b]` for which `sigmoid(a·logit(p) + b)` best predicts the labels
/// (log loss, a little L2 on `a − 1` and `b`), by Newton's method with step halving. Without both
/// labels there is nothing to fit: identity. A model sure of everything (scores of 0 or 1) gives
/// scores that stay sure; `a` is kept within [0.05, 20].
pub(crate) fn platt(points: &[(f32, bool)]) -> [f32; 2] {
    if points.iter().all(|p| p.1) || points.iter().all(|p| !p.1) {
        return identity();
    }
    const L2: f64 = 1.0;
    let data: Vec<(f64, f64)> = points
        .iter()
        .map(|&(p, y)| (f64::from(logit(p)), f64::from(u8::from(y))))
        .collect();
    let loss = |a: f64, b: f64| -> f64 {
        let penalty = L2 / 2.0 * ((a - 1.0).powi(2) + b * b);
        data.iter().fold(penalty, |sum, &(z, y)| {
            let m = a * z + b;
            // log(1 + e^m) − y·m, computed without overflow.
            sum + m.max(0.0) + (-m.abs()).exp().ln_1p() - y * m
        })
    };
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..100 {
        let (mut ga, mut gb) = (L2 * (a - 1.0), L2 * b);
        let (mut haa, mut hab, mut hbb) = (L2, 0.0, L2);
        for &(z, y) in &data {
            let q = 1.0 / (1.0 + (-(a * z + b)).exp());
            let w = q * (1.0 - q);
            ga += (q - y) * z;
            gb += q - y;
            haa += w * z * z;
            hab += w * z;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
        let before = loss(a, b);
        let mut step = 1.0;
        while step > 1e-6 && loss(a - step * da, b - step * db) > before {
            step /= 2.0;
        }
        a -= step * da;
        b -= step * db;
        if (step * da).abs() + (step * db).abs() < 1e-9 {
            break;
        }
    }
    if !(a.is_finite() && b.is_finite()) {
        return identity();
    }
    [a.clamp(0.05, 20.0) as f32, b as f32]
}

/// The score of a model probability `p` under `calibration`.
pub(crate) fn score(calibration: [f32; 2], p: f32) -> f32 {
    let [a, b] = calibration;
    sigmoid(a * logit(p) + b)
}

/// The lowest threshold at which the flags in `judged` are at least [`TARGET_PRECISION`]
/// precise, which flags the most. When no threshold is that precise, the target steps down by
/// 0.05 until one is (a dev split that cannot show 0.95 still gets the most precise operating
/// point it can show, never the one that flags everything). `judged`: per dev sample, its score,
/// whether it was flagged with every explained sample flagged, and whether it should be.
pub(crate) fn operating_point(judged: &[(f32, bool, bool)]) -> f32 {
    let mut thresholds: Vec<f32> = judged.iter().filter(|j| j.1).map(|j| j.0).collect();
    thresholds.push(half());
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    // Per threshold: violations flagged, and the precision of the flags.
    let points: Vec<(f32, usize, f64)> = thresholds
        .iter()
        .filter_map(|&t| {
            let flagged = judged.iter().filter(|j| j.1 && j.0 >= t);
            let (n, right) = flagged.fold((0, 0), |(n, r), j| (n + 1, r + usize::from(j.2)));
            (n > 0).then(|| (t, right, right as f64 / n as f64))
        })
        .collect();
    let mut target = TARGET_PRECISION;
    while target > 0.0 {
        let best = points
            .iter()
            .filter(|p| p.2 >= target)
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)));
        if let Some(&(t, _, _)) = best {
            return t;
        }
        target -= 0.05;
    }
    half()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_scaling_recovers_a_known_calibration_and_leaves_one_label_alone() {
        // An overconfident model: the true probability is sigmoid(0.5·logit(p) − 1).
        let mut points = Vec::new();
        for i in 1..200 {
            let p = i as f32 / 200.0;
            let truth = sigmoid(0.5 * logit(p) - 1.0);
            // 20 samples at each p, the share of violations following the truth.
            let positives = (truth * 20.0).round() as usize;
            points.extend((0..20).map(|k| (p, k < positives)));
        }
        let [a, b] = platt(&points);
        assert!(
            (a - 0.5).abs() < 0.05 && (b + 1.0).abs() < 0.1,
            "a {a} b {b}"
        );
        assert_eq!(platt(&[(0.9, true), (0.2, true)]), identity());
    }

    #[test]
    fn the_operating_point_is_the_most_flagging_precise_one_and_steps_down_when_none_is() {
        // Scores of violations (true) and clean texts (false), all explained.
        let judged = |v: &[(f32, bool)]| -> Vec<(f32, bool, bool)> {
            v.iter().map(|&(s, bad)| (s, true, bad)).collect()
        };
        // 0.95 precise from 0.6 up (20 flags, 19 right); 0.5 would let a clean one in.
        let mut points: Vec<(f32, bool)> = (0..19).map(|i| (0.6 + i as f32 * 0.01, true)).collect();
        points.extend([(0.7, false), (0.3, false), (0.4, false), (0.5, false)]);
        assert_eq!(operating_point(&judged(&points)), 0.6);
        // A clean text above every violation: never 0.95 precise, 0.9 precise at the lowest
        // violation (9 of 10 right).
        let mut points: Vec<(f32, bool)> = (0..9).map(|i| (0.9 - i as f32 * 0.01, true)).collect();
        let lowest = points.last().unwrap().0;
        points.extend([(0.99, false), (0.5, false)]);
        assert_eq!(operating_point(&judged(&points)), lowest);
    }
}
