//! Min / max / mean of a device's readings over the last N ms.
use crate::reading::Reading;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinMaxMean {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub count: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowStats {
    pub gpu: u32,
    /// Readings in the window.
    pub count: u32,
    pub from_ms: Option<f64>,
    pub to_ms: Option<f64>,
    pub utilization_ratio: Option<MinMaxMean>,
    pub memory_utilization_ratio: Option<MinMaxMean>,
    pub memory_used_bytes: Option<MinMaxMean>,
    pub temperature_celsius: Option<MinMaxMean>,
    pub power_watts: Option<MinMaxMean>,
    pub sm_clock_hz: Option<MinMaxMean>,
}

fn stat<'a>(readings: impl Iterator<Item = &'a Reading>, field: impl Fn(&Reading) -> Option<f64>) -> Option<MinMaxMean> {
    let mut acc: Option<(f64, f64, f64, u32)> = None;
    for v in readings.filter_map(field) {
        let (min, max, sum, n) = acc.unwrap_or((v, v, 0.0, 0));
        acc = Some((min.min(v), max.max(v), sum + v, n + 1));
    }
    acc.map(|(min, max, sum, count)| MinMaxMean { min, max, mean: sum / count as f64, count })
}

/// Statistics over the readings in (now_ms - window_ms, now_ms], given oldest first.
pub fn window_stats<'a, I>(gpu: u32, readings: I, now_ms: f64, window_ms: f64) -> WindowStats
where
    I: DoubleEndedIterator<Item = &'a Reading>,
{
    let since = now_ms - window_ms;
    let inside = readings.rev().take_while(|r| r.time_ms > since);
    let inside: Vec<&Reading> = inside.collect();
    let it = || inside.iter().copied();
    WindowStats {
        gpu,
        count: inside.len() as u32,
        from_ms: inside.last().map(|r| r.time_ms),
        to_ms: inside.first().map(|r| r.time_ms),
        utilization_ratio: stat(it(), |r| r.utilization_ratio),
        memory_utilization_ratio: stat(it(), |r| r.memory_utilization_ratio),
        memory_used_bytes: stat(it(), |r| r.memory.map(|m| m.used as f64)),
        temperature_celsius: stat(it(), |r| r.temperature_celsius),
        power_watts: stat(it(), |r| r.power_watts),
        sm_clock_hz: stat(it(), |r| r.clocks_hz.sm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(time_ms: f64, util: Option<f64>, temp: f64) -> Reading {
        Reading { time_ms, utilization_ratio: util, temperature_celsius: Some(temp), ..Reading::default() }
    }

    #[test]
    fn only_readings_inside_the_window_count() {
        let rs = [reading(100.0, Some(0.9), 80.0), reading(200.0, Some(0.2), 60.0), reading(300.0, None, 70.0), reading(400.0, Some(0.5), 65.0)];
        let w = window_stats(0, rs.iter(), 400.0, 250.0);
        assert_eq!(w.count, 3);
        assert_eq!((w.from_ms, w.to_ms), (Some(200.0), Some(400.0)));
        let u = w.utilization_ratio.unwrap();
        assert_eq!((u.min, u.max, u.count), (0.2, 0.5, 2));
        assert!((u.mean - 0.35).abs() < 1e-12);
        let t = w.temperature_celsius.unwrap();
        assert_eq!((t.min, t.max, t.mean), (60.0, 70.0, 65.0));
        assert_eq!(w.power_watts, None);
    }

    #[test]
    fn an_empty_window() {
        let rs = [reading(100.0, Some(0.9), 80.0)];
        let w = window_stats(0, rs.iter(), 1000.0, 100.0);
        assert_eq!(w.count, 0);
        assert_eq!(w.utilization_ratio, None);
    }
}
