//! The arithmetic of the sampling checks, apart from NVML so it is tested on its own: time
//! integrals of what was read, and whether each driver sample was seen exactly once.
use serde::Serialize;
use std::collections::BTreeSet;

/// ∫ over time of values that each cover the time since the one before (a driver utilization
/// sample is the mean over its period; so, nearly, is a utilization reading): Σ vᵢ·(tᵢ − tᵢ₋₁)
/// from `start`. Points in time order; the unit is that of t times that of v.
pub fn held_integral(start: f64, points: &[(f64, f64)]) -> f64 {
    let mut previous = start;
    let mut total = 0.0;
    for &(t, v) in points {
        total += v * (t - previous);
        previous = t;
    }
    total
}

/// ∫ of instant values (power) by the trapezoid rule, over the points' own span.
pub fn trapezoid(points: &[(f64, f64)]) -> f64 {
    points.windows(2).map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0).sum()
}

/// Whether the sampler saw each driver sample of one kind on one GPU exactly once, against an
/// independent record of the driver's buffer read beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Once {
    /// Samples the sampler passed on in the window.
    pub sampler: usize,
    /// Timestamps the sampler passed on more than once (each extra copy counts).
    pub duplicates: usize,
    /// Samples in the independent record over the same window.
    pub direct: usize,
    /// In the record, not from the sampler: lost.
    pub missing: usize,
    /// From the sampler, not in the record (the record polls less often, so its buffer reads
    /// can miss what the sampler caught; not a fault of the sampler).
    pub extra: usize,
    /// The driver's sample period: the median step between the record's timestamps.
    pub period_ms: Option<f64>,
    /// Steps longer than 1.5 periods, in the sampler's samples and in the record: a gap only
    /// in the first is a sample the sampler lost.
    pub gaps_sampler: usize,
    pub gaps_direct: usize,
    /// Every sample the record holds was passed on, none twice.
    pub exactly_once: bool,
}

/// `sampler` and `direct`: timestamps (µs) in any order; the window is (from, to].
pub fn once(sampler: &[u64], direct: &[u64], from: u64, to: u64) -> Once {
    let inside = |ts: &[u64]| -> Vec<u64> {
        let mut v: Vec<u64> = ts.iter().copied().filter(|&t| t > from && t <= to).collect();
        v.sort_unstable();
        v
    };
    let from_sampler = inside(sampler);
    let from_direct = inside(direct);
    let sampler_set: BTreeSet<u64> = from_sampler.iter().copied().collect();
    let direct_set: BTreeSet<u64> = from_direct.iter().copied().collect();
    let period_ms = median_step_ms(&direct_set).or_else(|| median_step_ms(&sampler_set));
    let gaps = |set: &BTreeSet<u64>| match period_ms {
        Some(p) if p > 0.0 => steps_ms(set).iter().filter(|&&s| s > 1.5 * p).count(),
        _ => 0,
    };
    let duplicates = from_sampler.len() - sampler_set.len();
    let missing = direct_set.difference(&sampler_set).count();
    Once {
        sampler: from_sampler.len(),
        duplicates,
        direct: direct_set.len(),
        missing,
        extra: sampler_set.difference(&direct_set).count(),
        period_ms,
        gaps_sampler: gaps(&sampler_set),
        gaps_direct: gaps(&direct_set),
        exactly_once: duplicates == 0 && missing == 0,
    }
}

fn steps_ms(set: &BTreeSet<u64>) -> Vec<f64> {
    let ts: Vec<u64> = set.iter().copied().collect();
    ts.windows(2).map(|w| (w[1] - w[0]) as f64 / 1000.0).collect()
}

fn median_step_ms(set: &BTreeSet<u64>) -> Option<f64> {
    let mut steps = steps_ms(set);
    if steps.is_empty() {
        return None;
    }
    steps.sort_by(f64::total_cmp);
    Some(crate::latency::rank(&steps, 0.5))
}

/// The mean of the values present.
pub fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_values_cover_the_time_since_the_one_before() {
        // 60 % for 2 s then 0 % for 1 s, from t = 10 s.
        assert_eq!(held_integral(10.0, &[(11.0, 0.6), (12.0, 0.6), (13.0, 0.0)]), 1.2);
        assert_eq!(held_integral(5.0, &[]), 0.0);
    }

    #[test]
    fn trapezoid_of_a_ramp_is_exact() {
        assert_eq!(trapezoid(&[(0.0, 100.0), (1.0, 200.0), (3.0, 200.0)]), 150.0 + 400.0);
        assert_eq!(trapezoid(&[(0.0, 100.0)]), 0.0);
    }

    #[test]
    fn a_sample_lost_or_seen_twice_is_found() {
        let direct: Vec<u64> = (0..=10).map(|k| 1_000_000 + k * 20_000).collect();
        let mut sampler = direct.clone();
        sampler.retain(|&t| t != 1_100_000);
        sampler.push(1_140_000);
        let o = once(&sampler, &direct, 1_000_000, 1_200_000);
        let expected = Once {
            sampler: 10,
            duplicates: 1,
            direct: 10,
            missing: 1,
            extra: 0,
            period_ms: Some(20.0),
            gaps_sampler: 1,
            gaps_direct: 0,
            exactly_once: false,
        };
        assert_eq!(o, expected);
        // The window is (from, to]: the sample at `from` was counted before it.
        let whole = once(&direct, &direct, 1_000_000, 1_200_000);
        assert!(whole.exactly_once);
        assert_eq!(whole.sampler, 10);
    }

    #[test]
    fn mean_of_nothing_is_none() {
        assert_eq!(mean([1.0, 2.0, 6.0].into_iter()), Some(3.0));
        assert_eq!(mean(std::iter::empty()), None);
    }
}
