//! Running totals over time (busy seconds, joules, attributed busy seconds), kept for an hour so
//! that any window inside it gets its own integral: the total at its end minus the total at its
//! start, each interpolated between the points around it. This is what gives a job its GPU cost.
use std::collections::VecDeque;

/// How long points are kept, ms.
pub const HISTORY_MS: f64 = 3_600_000.0;
/// Points closer than this (ms) replace each other, which bounds the memory at any sampling
/// rate: at most HISTORY_MS / SPACING_MS points per total.
pub const SPACING_MS: f64 = 100.0;

/// One running total: (Unix ms up to which it is known, value), oldest first.
#[derive(Debug, Clone, Default)]
pub struct Cumulative {
    points: VecDeque<(f64, f64)>,
}

impl Cumulative {
    /// Records that the total is `value` at `t_ms`. A point not after the last one is ignored:
    /// a total's time only moves forward (a clock step back starts no new history).
    pub fn push(&mut self, t_ms: f64, value: f64) {
        if let Some(&(last, _)) = self.points.back() {
            if t_ms <= last {
                return;
            }
        }
        let n = self.points.len();
        if n >= 2 && t_ms - self.points[n - 2].0 < SPACING_MS {
            self.points[n - 1] = (t_ms, value);
        } else {
            self.points.push_back((t_ms, value));
        }
        while self.points.front().is_some_and(|&(t, _)| t < t_ms - HISTORY_MS) {
            self.points.pop_front();
        }
    }

    /// Up to when the total is known.
    pub fn known_to(&self) -> Option<f64> {
        self.points.back().map(|&(t, _)| t)
    }

    /// The total at `t_ms`, linear between points; before the first point it is the first value
    /// (nothing was counted before the total started), after the last it is not known yet.
    pub fn at(&self, t_ms: f64) -> Option<f64> {
        let (&(t0, v0), &(t1, _)) = (self.points.front()?, self.points.back()?);
        if t_ms <= t0 {
            return Some(v0);
        }
        if t_ms > t1 {
            return None;
        }
        let i = self.points.partition_point(|&(t, _)| t < t_ms);
        let (ta, va) = self.points[i - 1];
        let (tb, vb) = self.points[i];
        Some(va + (vb - va) * (t_ms - ta) / (tb - ta))
    }

    /// The increase over [from, to], and up to when it is known: to itself, or the last point
    /// when `to` is later (then the increase is what is known so far).
    pub fn between(&self, from_ms: f64, to_ms: f64) -> Option<(f64, f64)> {
        let known = self.known_to()?;
        let end = to_ms.min(known);
        let increase = (self.at(end)? - self.at(from_ms.min(end))?).max(0.0);
        Some((increase, end))
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_gets_the_increase_inside_it() {
        let mut c = Cumulative::default();
        // 60 % busy: 0.06 s per 100 ms.
        for i in 0..=40 {
            c.push(1000.0 + i as f64 * 100.0, i as f64 * 0.06);
        }
        let (busy, to) = c.between(1250.0, 3250.0).unwrap();
        assert!((busy - 1.2).abs() < 1e-9, "{busy}");
        assert_eq!(to, 3250.0);
        // Not known yet past the last point: what is known, and up to when.
        let (busy, to) = c.between(4500.0, 6000.0).unwrap();
        assert_eq!(to, 5000.0);
        assert!((busy - 0.3).abs() < 1e-9, "{busy}");
        // A window that started before the total did counts from its first point.
        assert!((c.between(0.0, 2000.0).unwrap().0 - 0.6).abs() < 1e-9);
    }

    #[test]
    fn close_points_replace_each_other_and_old_ones_go() {
        let mut c = Cumulative::default();
        for i in 0..1000 {
            c.push(i as f64, i as f64);
        }
        // 1 ms apart: one point per SPACING_MS, and the newest.
        assert!(c.len() <= 12, "{}", c.len());
        assert_eq!(c.at(999.0), Some(999.0));
        assert!((c.at(550.0).unwrap() - 550.0).abs() < 1e-9);
        c.push(999.0 + HISTORY_MS + 1.0, 2000.0);
        assert_eq!(c.len(), 1);
        c.push(998.0, 5.0);
        assert_eq!(c.len(), 1, "a point back in time is ignored");
    }
}
