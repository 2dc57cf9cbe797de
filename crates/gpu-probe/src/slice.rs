//! One GPU's part of the sample log between the two marks, and the figures over it: busy
//! seconds, energy, whether each driver sample came once, the readings' means.
use crate::checks::{held_integral, mean, once, trapezoid};
use crate::driver::snake;
use crate::latency::Spread;
use crate::report::{Busy, Energy, MeanWatts, Means, PowerSamples, Readings, SamplesOnce, Window};
use crate::sample::{Log, Mark};
use gpu_sampler::reading::{DriverSample, DriverSampleKind, Reading};
use gpu_sampler::snapshot::DeviceStats;

pub struct Slice<'a> {
    gpu: u32,
    log: &'a Log,
    a: &'a Mark,
    b: &'a Mark,
    /// The GPU's last reading before the first mark: where the window's integrals start.
    before: Option<&'a Reading>,
    /// Its readings from the first mark to the second.
    inside: Vec<&'a Reading>,
}

/// A window over driver timestamps, µs: (from, to].
type Span = (u64, u64);

impl<'a> Slice<'a> {
    pub fn new(log: &'a Log, a: &'a Mark, b: &'a Mark, gpu: u32) -> Slice<'a> {
        let before = log.readings[..a.readings].iter().rev().find(|r| r.gpu == gpu);
        let inside = log.readings[a.readings..b.readings].iter().filter(|r| r.gpu == gpu).collect();
        Slice { gpu, log, a, b, before, inside }
    }

    /// The driver samples of one kind passed on before `mark`.
    fn samples(&self, kind: DriverSampleKind, mark: &Mark) -> impl Iterator<Item = &'a DriverSample> + '_ {
        self.log.driver[..mark.driver].iter().filter(move |s| s.gpu == self.gpu && s.kind == kind)
    }

    /// From the newest sample of `kind` the sampler had at the first mark to the newest at the
    /// second: exactly what its totals between the marks cover.
    fn span(&self, kind: DriverSampleKind) -> Option<Span> {
        let newest = |mark| self.samples(kind, mark).map(|s| s.timestamp_us).max();
        newest(self.a).zip(newest(self.b)).filter(|(from, to)| to > from)
    }

    /// The samples of `kind` in the span, each once, in time order: (µs, value).
    fn in_span(&self, kind: DriverSampleKind, (from, to): Span) -> Vec<(f64, f64)> {
        let mut v: Vec<(u64, f64)> =
            self.samples(kind, self.b).filter(|s| s.timestamp_us > from && s.timestamp_us <= to).map(|s| (s.timestamp_us, s.value)).collect();
        v.sort_by_key(|p| p.0);
        v.dedup_by_key(|p| p.0);
        v.into_iter().map(|(t, x)| (t as f64, x)).collect()
    }

    /// From the reading before the first mark to the last one before the second.
    fn readings_window(&self) -> Window {
        match (self.before, self.inside.last()) {
            (Some(first), Some(last)) => Window { start_ms: first.time_ms, end_ms: last.time_ms },
            _ => Window { start_ms: self.a.at_ms, end_ms: self.b.at_ms },
        }
    }

    fn with_before(&self) -> impl Iterator<Item = &'a Reading> + '_ {
        self.before.into_iter().chain(self.inside.iter().copied())
    }

    pub fn readings(&self) -> Readings {
        let times: Vec<f64> = self.with_before().map(|r| r.time_ms).collect();
        Readings { count: self.inside.len(), interval_ms: Spread::of(&times.windows(2).map(|w| w[1] - w[0]).collect::<Vec<f64>>()) }
    }

    pub fn busy(&self, at_a: Option<&DeviceStats>, at_b: Option<&DeviceStats>, record: Option<&[Vec<(u64, f64)>; 2]>) -> Busy {
        let span = self.span(DriverSampleKind::Utilization);
        let window = span.map_or_else(|| self.readings_window(), us_window);
        let sampler_s = at_b.map_or(0.0, |s| s.busy_seconds) - at_a.map_or(0.0, |s| s.busy_seconds);
        let readings: Vec<(f64, f64)> = self
            .inside
            .iter()
            .filter(|r| r.time_ms > window.start_ms && r.time_ms <= window.end_ms)
            .filter_map(|r| r.utilization_ratio.map(|u| (r.time_ms, u)))
            .collect();
        Busy {
            sampler_s,
            window_source: if span.is_some() { "driver_samples" } else { "readings" },
            window,
            share: (window.seconds() > 0.0).then(|| sampler_s / window.seconds()),
            from_driver_samples_s: span.map(|w| held_integral(w.0 as f64, &self.in_span(DriverSampleKind::Utilization, w)) / 1e6),
            from_direct_record_s: span.zip(record).map(|((from, to), r)| {
                let points: Vec<(f64, f64)> = r[0].iter().filter(|s| s.0 > from && s.0 <= to).map(|&(t, v)| (t as f64, v)).collect();
                held_integral(from as f64, &points) / 1e6
            }),
            from_readings_s: (!readings.is_empty()).then(|| held_integral(window.start_ms, &readings) / 1000.0),
        }
    }

    pub fn energy(&self, at_a: Option<&DeviceStats>, at_b: Option<&DeviceStats>) -> Energy {
        let window = self.readings_window();
        let sampler_j = at_b.map_or(0.0, |s| s.energy_joules) - at_a.map_or(0.0, |s| s.energy_joules);
        let counter = |r: Option<&Reading>| r.and_then(|r| r.energy_counter_joules);
        let counter_j = counter(self.before).zip(counter(self.inside.last().copied())).map(|(x, y)| y - x);
        let power: Vec<(f64, f64)> = self.with_before().filter_map(|r| r.power_watts.map(|w| (r.time_ms, w))).collect();
        let power_readings_j = (power.len() > 1).then(|| trapezoid(&power) / 1000.0);
        let power_samples = self.span(DriverSampleKind::Power).map(|span| {
            // The sample at the span's start is where the trapezoid begins.
            let mut points: Vec<(f64, f64)> = self
                .samples(DriverSampleKind::Power, self.a)
                .filter(|s| s.timestamp_us == span.0)
                .take(1)
                .map(|s| (span.0 as f64, s.value))
                .collect();
            points.extend(self.in_span(DriverSampleKind::Power, span));
            PowerSamples { window: us_window(span), joules: trapezoid(&points) / 1e6 }
        });
        let seconds = window.seconds();
        let per_s = |j: Option<f64>| j.filter(|_| seconds > 0.0).map(|j| j / seconds);
        let vs_counter = |x: Option<f64>, c: Option<f64>| x.zip(c).filter(|(_, c)| *c > 0.0).map(|(x, c)| x / c);
        let mean_w = MeanWatts {
            sampler: per_s(Some(sampler_j)),
            counter: per_s(counter_j),
            power_readings: per_s(power_readings_j),
            power_samples: power_samples.as_ref().filter(|p| p.window.seconds() > 0.0).map(|p| p.joules / p.window.seconds()),
        };
        Energy {
            sampler_source: at_b.map_or_else(String::new, |s| snake(&s.energy_source)),
            window,
            sampler_j,
            counter_j,
            power_readings_j,
            // Over its own span: compared as mean watts.
            power_samples_vs_counter: vs_counter(mean_w.power_samples, mean_w.counter),
            power_readings_vs_counter: vs_counter(power_readings_j, counter_j),
            sampler_vs_counter: vs_counter(Some(sampler_j), counter_j),
            power_samples,
            mean_w,
        }
    }

    pub fn samples_once(&self, record: Option<&[Vec<(u64, f64)>; 2]>) -> SamplesOnce {
        let check = |kind, slot: usize| {
            self.span(kind).map(|(from, to)| {
                let seen: Vec<u64> = self.samples(kind, self.b).map(|s| s.timestamp_us).collect();
                let recorded: Vec<u64> = record.map_or_else(Vec::new, |r| r[slot].iter().map(|s| s.0).collect());
                once(&seen, &recorded, from, to)
            })
        };
        SamplesOnce { utilization: check(DriverSampleKind::Utilization, 0), power: check(DriverSampleKind::Power, 1) }
    }

    pub fn means(&self) -> Means {
        let mean_of = |f: &dyn Fn(&Reading) -> Option<f64>| mean(self.inside.iter().filter_map(|r| f(r)));
        Means {
            utilization_ratio: mean_of(&|r| r.utilization_ratio),
            memory_utilization_ratio: mean_of(&|r| r.memory_utilization_ratio),
            power_w: mean_of(&|r| r.power_watts),
            temperature_c: mean_of(&|r| r.temperature_celsius),
            memory_used_bytes: mean_of(&|r| r.memory.map(|m| m.used as f64)),
            sm_clock_mhz: mean_of(&|r| r.clocks_hz.sm.map(|hz| hz / 1e6)),
        }
    }
}

fn us_window((from, to): Span) -> Window {
    Window { start_ms: from as f64 / 1000.0, end_ms: to as f64 / 1000.0 }
}
