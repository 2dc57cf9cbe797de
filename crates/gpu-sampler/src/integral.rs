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
    fn repeated_or_older_points_are_not_counted_twice() {
        let mut i = Integral::default();
        i.add(Rule::BackwardStep, 1.0, 1.0);
        i.add(Rule::BackwardStep, 2.0, 1.0);
        i.add(Rule::BackwardStep, 2.0, 1.0);
        i.add(Rule::BackwardStep, 1.5, 1.0);
        assert_eq!(i.total, 1.0);
    }
}
