//! Summaries of measured durations: median, p99 and max, nearest rank (no interpolation, so
//! every figure is one that was measured).
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Latency {
    pub calls: usize,
    pub first_us: f64,
    pub median_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

impl Latency {
    /// `us` in call order; None when empty.
    pub fn of(us: &[f64]) -> Option<Latency> {
        let first_us = *us.first()?;
        let sorted = sorted(us);
        Some(Latency { calls: us.len(), first_us, median_us: rank(&sorted, 0.5), p99_us: rank(&sorted, 0.99), max_us: sorted[sorted.len() - 1] })
    }
}

/// Median, p99 and max of intervals (ms), e.g. between consecutive readings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub count: usize,
    pub median: f64,
    pub p99: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        let sorted = sorted(values);
        Some(Spread { count: values.len(), median: rank(&sorted, 0.5), p99: rank(&sorted, 0.99), max: sorted[sorted.len() - 1] })
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// The nearest-rank quantile q of sorted, non-empty values.
pub fn rank(sorted: &[f64], q: f64) -> f64 {
    let k = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_of_a_hundred_calls() {
        let us: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let l = Latency::of(&us).unwrap();
        assert_eq!(l, Latency { calls: 100, first_us: 100.0, median_us: 50.0, p99_us: 99.0, max_us: 100.0 });
        assert_eq!(Latency::of(&[]), None);
        assert_eq!(Spread::of(&[3.0]).unwrap(), Spread { count: 1, median: 3.0, p99: 3.0, max: 3.0 });
    }
}
