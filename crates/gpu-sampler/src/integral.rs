//! Integrals over irregular time steps. Utilization driver samples are means over the period
//! before their timestamp, so they integrate as backward steps; power is instantaneous and
//! integrates as trapezoids; states (throttle reasons) hold until the next read (forward steps).

/// ∫ value dt in value·seconds, over points given in order with times in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Integral {
    pub total: f64,
    last: Option<(f64, f64)>,
    /// Time covered: first to last point.
    pub from: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Each value covers the interval that ends at it.
    BackwardStep,
    /// Each value holds until the next point.
    ForwardStep,
    Trapezoid,
}

impl Integral {
    /// Adds a point; points not after the last one are ignored (so none is counted twice).
    pub fn add(&mut self, rule: Rule, t: f64, value: f64) {
        match self.last {
            None => self.from = Some(t),
            Some((t0, _)) if t <= t0 => return,
            Some((t0, v0)) => {
                let dt = t - t0;
                self.total += match rule {
                    Rule::BackwardStep => value * dt,
                    Rule::ForwardStep => v0 * dt,
                    Rule::Trapezoid => (v0 + value) / 2.0 * dt,
                };
            }
        }
        self.last = Some((t, value));
    }

    pub fn to(&self) -> Option<f64> {
        self.last.map(|(t, _)| t)
    }

    /// Keeps the total but forgets the last point, so the next one starts a new segment: used
    /// when the driver's clock stepped back and nothing may be integrated across the step.
    pub fn restart(&mut self) {
        self.last = None;
    }
}

/// A total exported as a Prometheus counter, fed by the best source a device has offered so
/// far (a higher rank is better). When a better source starts late, the total goes on from
/// the value reached instead of jumping to the new source's own total, so it never goes back.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ContinuedTotal {
    rank: u8,
    base: f64,
    value: f64,
}

impl ContinuedTotal {
    /// `total` is the running total of the source of rank `rank` (rank 0: no source yet).
    pub fn follow(&mut self, rank: u8, total: f64) {
        if rank < self.rank {
            return;
        }
        if rank > self.rank {
            // The first source counts all it has; a later one only what comes after the switch
            // (what it has so far overlaps the time the previous source covered).
            self.base = if self.rank == 0 { 0.0 } else { self.value - total };
            self.rank = rank;
        }
        self.value = self.value.max(self.base + total);
    }

    pub fn value(&self) -> f64 {
        self.value
    }

    pub fn rank(&self) -> u8 {
        self.rank
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irregular_intervals_each_rule() {
        let points = [(0.0, 1.0), (0.5, 3.0), (0.7, 2.0), (2.0, 2.0)];
        let mut back = Integral::default();
        let mut fwd = Integral::default();
        let mut trap = Integral::default();
        for (t, v) in points {
            back.add(Rule::BackwardStep, t, v);
            fwd.add(Rule::ForwardStep, t, v);
            trap.add(Rule::Trapezoid, t, v);
        }
        assert!((back.total - (3.0 * 0.5 + 2.0 * 0.2 + 2.0 * 1.3)).abs() < 1e-12);
        assert!((fwd.total - (1.0 * 0.5 + 3.0 * 0.2 + 2.0 * 1.3)).abs() < 1e-12);
        assert!((trap.total - (2.0 * 0.5 + 2.5 * 0.2 + 2.0 * 1.3)).abs() < 1e-12);
        assert_eq!((trap.from, trap.to()), (Some(0.0), Some(2.0)));
    }

    #[test]
    fn trapezoid_is_exact_for_a_ramp_at_any_spacing() {
        let mut trap = Integral::default();
        for t in [0.0, 0.013, 0.2, 0.21, 0.9, 1.5, 3.0] {
            trap.add(Rule::Trapezoid, t, 10.0 + 4.0 * t);
        }
        assert!((trap.total - (10.0 * 3.0 + 2.0 * 9.0)).abs() < 1e-9);
    }

    #[test]
    fn a_restart_integrates_nothing_across_the_step() {
        let mut i = Integral::default();
        i.add(Rule::BackwardStep, 10.0, 1.0);
        i.add(Rule::BackwardStep, 11.0, 1.0);
        i.restart();
        i.add(Rule::BackwardStep, 5.0, 1.0);
        i.add(Rule::BackwardStep, 5.5, 1.0);
        assert_eq!(i.total, 1.5);
    }

    #[test]
    fn a_continued_total_never_goes_back() {
        let mut t = ContinuedTotal::default();
        t.follow(1, 2.0);
        assert_eq!(t.value(), 2.0);
        t.follow(1, 3.0);
        // A better source starting late goes on from 3, not from its own 0.5.
        t.follow(2, 0.5);
        assert_eq!((t.rank(), t.value()), (2, 3.0));
        t.follow(2, 1.5);
        t.follow(1, 100.0);
        assert_eq!(t.value(), 4.0);
    }

    #[test]
    fn repeated_or_older_points_are_not_counted_twice() {
        let mut i = Integral::default();
        i.add(Rule::BackwardStep, 1.0, 1.0);
        i.add(Rule::BackwardStep, 2.0, 1.0);
        i.add(Rule::BackwardStep, 2.0, 1.0);
        i.add(Rule::BackwardStep, 1.5, 1.0);
        assert_eq!(i.total, 1.0);
    }
}
