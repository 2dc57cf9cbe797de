//! A field's value over elapsed time since nvmlInit: constant, ramp, sine or steps, each with
//! a closed-form integral so driver samples (period means) and energy counters are exact.
use serde::Deserialize;

/// A field's schedule. In a scenario: a bare number (constant), or an object with one of
/// `constant`, `ramp`, `sine`, `steps` (+ `everyMs`); see README.md.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "Spec")]
pub enum Schedule {
    Constant(f64),
    Tagged(Tagged),
}

#[derive(Debug, Clone)]
pub enum Tagged {
    Constant(f64),
    /// `from` until startMs, then linear to `to` over durationMs, then `to`.
    Ramp {
        from: f64,
        to: f64,
        start_ms: f64,
        duration_ms: f64,
    },
    /// mean + amplitude * sin(2π (t + phaseMs) / periodMs)
    Sine {
        mean: f64,
        amplitude: f64,
        period_ms: f64,
        phase_ms: f64,
    },
    /// Piecewise constant: each step holds its value from atMs on; before the first, the first
    /// value. With everyMs the pattern repeats with that period.
    Steps {
        steps: Vec<Step>,
        every_ms: Option<f64>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    pub at_ms: f64,
    pub value: f64,
}

/// The JSON shape, checked into a `Schedule` so a mistake gets a message naming it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Spec {
    Number(f64),
    Object(SpecObject),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SpecObject {
    constant: Option<f64>,
    ramp: Option<RampSpec>,
    sine: Option<SineSpec>,
    steps: Option<Vec<Step>>,
    every_ms: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RampSpec {
    from: f64,
    to: f64,
    #[serde(default)]
    start_ms: f64,
    duration_ms: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SineSpec {
    mean: f64,
    amplitude: f64,
    period_ms: f64,
    #[serde(default)]
    phase_ms: f64,
}

impl TryFrom<Spec> for Schedule {
    type Error = String;

    fn try_from(spec: Spec) -> Result<Self, String> {
        let o = match spec {
            Spec::Number(v) => return Ok(Schedule::Constant(v)),
            Spec::Object(o) => o,
        };
        let kinds = [o.constant.is_some(), o.ramp.is_some(), o.sine.is_some(), o.steps.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err("a schedule is a number or an object with exactly one of constant, ramp, sine, steps".into());
        }
        if o.every_ms.is_some() && o.steps.is_none() {
            return Err("everyMs goes with steps".into());
        }
        Ok(Schedule::Tagged(if let Some(v) = o.constant {
            Tagged::Constant(v)
        } else if let Some(r) = o.ramp {
            Tagged::Ramp { from: r.from, to: r.to, start_ms: r.start_ms, duration_ms: r.duration_ms }
        } else if let Some(s) = o.sine {
            if s.period_ms <= 0.0 {
                return Err(format!("sine.periodMs must be > 0, got {}", s.period_ms));
            }
            Tagged::Sine { mean: s.mean, amplitude: s.amplitude, period_ms: s.period_ms, phase_ms: s.phase_ms }
        } else {
            let steps = o.steps.unwrap_or_default();
            if steps.is_empty() || steps.windows(2).any(|w| w[1].at_ms < w[0].at_ms) {
                return Err("steps must be a non-empty list in time order".into());
            }
            Tagged::Steps { steps, every_ms: o.every_ms }
        }))
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule::Constant(0.0)
    }
}

impl Schedule {
    pub fn constant(v: f64) -> Self {
        Schedule::Constant(v)
    }

    /// The value at t ms after init.
    pub fn at(&self, t: f64) -> f64 {
        match self {
            Schedule::Constant(v) | Schedule::Tagged(Tagged::Constant(v)) => *v,
            Schedule::Tagged(Tagged::Ramp { from, to, start_ms, duration_ms }) => {
                if t <= *start_ms {
                    *from
                } else if *duration_ms <= 0.0 || t >= start_ms + duration_ms {
                    *to
                } else {
                    from + (to - from) * (t - start_ms) / duration_ms
                }
            }
            Schedule::Tagged(Tagged::Sine { mean, amplitude, period_ms, phase_ms }) => {
                mean + amplitude * (std::f64::consts::TAU * (t + phase_ms) / period_ms).sin()
            }
            Schedule::Tagged(Tagged::Steps { steps, every_ms }) => steps_at(steps, wrap(t, *every_ms)),
        }
    }

    /// ∫₀ᵗ value(s) ds, in value·ms.
    pub fn integral(&self, t: f64) -> f64 {
        match self {
            Schedule::Constant(v) | Schedule::Tagged(Tagged::Constant(v)) => v * t,
            Schedule::Tagged(Tagged::Ramp { from, to, start_ms, duration_ms }) => {
                let before = t.min(*start_ms) * from;
                let ramp_t = (t - start_ms).clamp(0.0, duration_ms.max(0.0));
                let during = if *duration_ms > 0.0 { from * ramp_t + (to - from) * ramp_t * ramp_t / (2.0 * duration_ms) } else { 0.0 };
                let after = (t - start_ms - duration_ms.max(0.0)).max(0.0) * to;
                before + during + after
            }
            Schedule::Tagged(Tagged::Sine { mean, amplitude, period_ms, phase_ms }) => {
                let w = std::f64::consts::TAU / period_ms;
                mean * t + amplitude / w * ((w * phase_ms).cos() - (w * (t + phase_ms)).cos())
            }
            Schedule::Tagged(Tagged::Steps { steps, every_ms }) => match every_ms {
                Some(p) if *p > 0.0 => {
                    let cycles = (t / p).floor();
                    cycles * steps_integral(steps, *p) + steps_integral(steps, t - cycles * p)
                }
                _ => steps_integral(steps, t),
            },
        }
    }

    /// The value read as a cumulative count (an error counter): rounded down, never negative.
    pub fn count_at(&self, t: f64) -> u64 {
        self.at(t).max(0.0).floor() as u64
    }

    /// Mean over (a, b]: what the driver reports for a sample period.
    pub fn mean(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return self.at(b);
        }
        (self.integral(b) - self.integral(a)) / (b - a)
    }
}

fn wrap(t: f64, every_ms: Option<f64>) -> f64 {
    match every_ms {
        Some(p) if p > 0.0 => t.rem_euclid(p),
        _ => t,
    }
}

/// The value of a step list (in time order) at t, without repetition.
fn steps_at(steps: &[Step], t: f64) -> f64 {
    steps.iter().take_while(|s| s.at_ms <= t).last().or(steps.first()).map_or(0.0, |s| s.value)
}

/// ∫₀ᵗ of a step list (without repetition).
fn steps_integral(steps: &[Step], t: f64) -> f64 {
    let mut total = 0.0;
    let mut from = 0.0;
    for step in steps.iter().filter(|s| s.at_ms > 0.0 && s.at_ms < t) {
        total += steps_at(steps, from) * (step.at_ms - from);
        from = step.at_ms;
    }
    total + steps_at(steps, from) * (t - from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Schedule {
        serde_json::from_str(json).unwrap()
    }

    fn numeric_integral(s: &Schedule, t: f64) -> f64 {
        let n = 200_000;
        let dt = t / n as f64;
        (0..n).map(|i| s.at((i as f64 + 0.5) * dt) * dt).sum()
    }

    #[test]
    fn bare_number_is_constant() {
        let s = parse("98");
        assert_eq!(s.at(12345.0), 98.0);
        assert_eq!(s.integral(1000.0), 98_000.0);
    }

    #[test]
    fn integrals_match_numeric_integration() {
        for json in [
            r#"{"constant": 90}"#,
            r#"{"ramp": {"from": 10, "to": 90, "startMs": 500, "durationMs": 2000}}"#,
            r#"{"sine": {"mean": 50, "amplitude": 40, "periodMs": 3000, "phaseMs": 200}}"#,
            r#"{"steps": [{"atMs": 0, "value": 5}, {"atMs": 700, "value": 80}, {"atMs": 1900, "value": 20}]}"#,
            r#"{"steps": [{"atMs": 300, "value": 5}, {"atMs": 700, "value": 80}], "everyMs": 1000}"#,
        ] {
            let s = parse(json);
            for t in [250.0, 1234.5, 4321.0] {
                let exact = s.integral(t);
                let approx = numeric_integral(&s, t);
                assert!((exact - approx).abs() < 1e-3 * approx.abs().max(1.0), "{json} at {t}: {exact} vs {approx}");
            }
        }
    }

    #[test]
    fn mistakes_are_named() {
        let err = serde_json::from_str::<Schedule>(r#"{"sine": {"mean": 1, "amplitude": 1}}"#).unwrap_err().to_string();
        assert!(err.contains("did not match") || err.contains("periodMs"), "{err}");
        let err = serde_json::from_str::<Schedule>(r#"{"constant": 1, "ramp": {"from": 0, "to": 1, "durationMs": 5}}"#).unwrap_err().to_string();
        assert!(err.contains("exactly one"), "{err}");
    }

    #[test]
    fn steps_hold_and_repeat() {
        let s = parse(r#"{"steps": [{"atMs": 0, "value": 1}, {"atMs": 500, "value": 2}], "everyMs": 1000}"#);
        assert_eq!(s.at(100.0), 1.0);
        assert_eq!(s.at(600.0), 2.0);
        assert_eq!(s.at(1100.0), 1.0);
    }
}
