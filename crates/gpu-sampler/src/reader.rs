//! One fast tick's NVML reads for one device, done without holding the sampler's lock (the
//! calls go through `Calls`: fields switched off are skipped, GpuLost and stop() end the tick).
use crate::calls::Calls;
use crate::field::{Field, FieldSet};
use crate::reading::{ClocksHz, MemoryBytes, Reading};
use nvml_wrapper::enum_wrappers::device::{Clock, Sampling, TemperatureSensor};
use nvml_wrapper::enums::device::SampleValue;
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::Device;
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A step of the wall clock back by more than this (ms) is handled as a clock step.
const CLOCK_STEP_MS: f64 = 1000.0;

pub fn unix_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// What the sampler knows before reading a device.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadPlan {
    pub disabled: FieldSet,
    pub last_seen_utilization_us: u64,
    pub last_seen_power_us: u64,
    pub fans: Option<u32>,
    /// Unix ms minus monotonic ms at the device's last reading: a drop means the wall clock
    /// stepped back.
    pub wall_offset_ms: Option<f64>,
}

#[derive(Debug, Default)]
pub struct TickRead {
    pub reading: Reading,
    pub errors: Vec<(Field, NvmlError)>,
    /// (timestamp µs, ratio)
    pub utilization_samples: Vec<(u64, f64)>,
    /// (timestamp µs, watts)
    pub power_samples: Vec<(u64, f64)>,
    /// Whether the driver answered the samples calls (with samples or NotFound, none new yet):
    /// then the samples are the source of busy seconds or energy, even before the first one.
    pub utilization_samples_offered: bool,
    pub power_samples_offered: bool,
    pub fans: Option<u32>,
    /// The fields called this tick.
    pub asked: FieldSet,
    pub lost: bool,
    /// stop() came during the reads: the tick is dropped, not applied.
    pub abandoned: bool,
    /// Seconds on the sampler's monotonic clock, taken with `reading.time_ms`: the time base
    /// of the integrals of reads, so they cover exactly the times the readings carry.
    pub mono_s: f64,
    /// The last-seen timestamps the samples were asked with; they differ from the plan's when
    /// the clock stepped back (then the integrals of samples start a new segment).
    pub last_seen_utilization_us: u64,
    pub last_seen_power_us: u64,
    pub clock_stepped_back: bool,
}

struct Reader<'a, 'n> {
    device: &'a Device<'n>,
    calls: Calls<'a>,
}

impl Reader<'_, '_> {
    fn read<T>(&mut self, field: Field, call: impl FnOnce(&Device) -> Result<T, NvmlError>) -> Option<T> {
        let device = self.device;
        self.calls.read(field, || call(device))
    }

    /// Driver samples newer than `last_seen` (None when the call failed); NotFound means none
    /// are new, not an error.
    fn samples(&mut self, field: Field, sampling: Sampling, last_seen: u64, scale: f64) -> Option<Vec<(u64, f64)>> {
        let found = self.read(field, |d| match d.samples(sampling, last_seen) {
            Err(NvmlError::NotFound) => Ok(Vec::new()),
            other => other,
        })?;
        Some(newer_in_order(found.into_iter().map(|s| (s.timestamp, sample_value(&s.value) * scale)).collect(), last_seen))
    }
}

/// The samples newer than `last_seen`, oldest first. The driver's buffer is circular and may
/// answer in buffer order: unsorted, the last one would not be the newest (samples asked for
/// again next tick) and the integrals would drop every sample older than one before it.
fn newer_in_order(mut samples: Vec<(u64, f64)>, last_seen: u64) -> Vec<(u64, f64)> {
    samples.retain(|(ts, _)| *ts > last_seen);
    samples.sort_by_key(|(ts, _)| *ts);
    samples.dedup_by_key(|(ts, _)| *ts);
    samples
}

fn sample_value(v: &SampleValue) -> f64 {
    match *v {
        SampleValue::F64(x) => x,
        SampleValue::U32(x) => x as f64,
        SampleValue::U64(x) => x as f64,
        SampleValue::I64(x) => x as f64,
    }
}

/// The last-seen timestamp to ask the driver with. When the wall clock stepped back and the
/// driver's timestamps (the same CPU clock) are now in the future, none would come until the
/// clock caught up: ask from the current time instead, skipping what the buffer holds, which
/// may repeat samples already counted. A driver on another clock is left alone.
fn last_seen_for(last_seen_us: u64, now_us: u64, wall_clock_stepped_back: bool) -> (u64, bool) {
    if wall_clock_stepped_back && last_seen_us > now_us {
        (now_us, true)
    } else {
        (last_seen_us, false)
    }
}

/// Reads one device. `started` is the sampler's monotonic origin; the device's own time is
/// taken here, just before its first call, so a slow device does not shift the others' times.
pub fn read_device(device: &Device, gpu: u32, plan: ReadPlan, started: Instant, stopping: &AtomicBool) -> TickRead {
    let time_ms = unix_ms();
    let mono_s = started.elapsed().as_secs_f64();
    let mut r = Reader { device, calls: Calls::new(plan.disabled, stopping) };
    // The energy counter and the throttle state first, closest to the reading's time: they are
    // paired with it (energy between readings, throttle held from one reading to the next).
    let energy = r.read(Field::Energy, |d| d.total_energy_consumption());
    let throttle = r.read(Field::Throttle, |d| d.current_throttle_reasons()).map(|t| t.bits());
    let utilization = r.read(Field::Utilization, |d| d.utilization_rates());
    let memory = r.read(Field::Memory, |d| d.memory_info());
    let temperature = r.read(Field::Temperature, |d| d.temperature(TemperatureSensor::Gpu));
    let power = r.read(Field::Power, |d| d.power_usage());
    let power_limit = r.read(Field::PowerLimit, |d| d.enforced_power_limit());
    let mhz = |r: &mut Reader, clock| r.read(Field::Clocks, |d| d.clock_info(clock)).map(|v| v as f64 * 1e6);
    let clocks_hz = ClocksHz {
        sm: mhz(&mut r, Clock::SM),
        memory: mhz(&mut r, Clock::Memory),
        graphics: mhz(&mut r, Clock::Graphics),
        video: mhz(&mut r, Clock::Video),
    };
    // The fan count does not change: read once, then only the speeds.
    let fans = plan.fans.or_else(|| r.read(Field::Fans, |d| d.num_fans()));
    let fan_speeds = fans.and_then(|n| (0..n).map(|i| r.read(Field::Fans, |d| d.fan_speed(i)).map(|s| s as f64 / 100.0)).collect());
    let performance_state = r.read(Field::PerformanceState, |d| d.performance_state()).map(|p| p.as_c());
    let now_us = (time_ms * 1000.0) as u64;
    let stepped = plan.wall_offset_ms.is_some_and(|offset| time_ms - mono_s * 1000.0 < offset - CLOCK_STEP_MS);
    let (last_seen_utilization_us, utilization_step) = last_seen_for(plan.last_seen_utilization_us, now_us, stepped);
    let (last_seen_power_us, power_step) = last_seen_for(plan.last_seen_power_us, now_us, stepped);
    let utilization_samples = r.samples(Field::UtilizationSamples, Sampling::GpuUtilization, last_seen_utilization_us, 0.01);
    let power_samples = r.samples(Field::PowerSamples, Sampling::Power, last_seen_power_us, 0.001);

    let reading = Reading {
        seq: 0,
        gpu,
        time_ms,
        utilization_ratio: utilization.as_ref().map(|u| u.gpu as f64 / 100.0),
        memory_utilization_ratio: utilization.as_ref().map(|u| u.memory as f64 / 100.0),
        memory: memory.map(|m| MemoryBytes { total: m.total, used: m.used, free: m.free, reserved: m.reserved }),
        temperature_celsius: temperature.map(f64::from),
        power_watts: power.map(|mw| mw as f64 / 1000.0),
        power_limit_watts: power_limit.map(|mw| mw as f64 / 1000.0),
        energy_counter_joules: energy.map(|mj| mj as f64 / 1000.0),
        clocks_hz,
        throttle_reasons: throttle,
        fan_speed_ratios: fan_speeds,
        performance_state,
    };
    TickRead {
        reading,
        utilization_samples_offered: utilization_samples.is_some(),
        power_samples_offered: power_samples.is_some(),
        utilization_samples: utilization_samples.unwrap_or_default(),
        power_samples: power_samples.unwrap_or_default(),
        fans,
        mono_s,
        last_seen_utilization_us,
        last_seen_power_us,
        clock_stepped_back: utilization_step || power_step,
        asked: r.calls.asked,
        lost: r.calls.lost,
        abandoned: r.calls.abandoned,
        errors: r.calls.errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_come_out_newest_last_once_each() {
        let buffer = vec![(40, 4.0), (50, 5.0), (10, 1.0), (20, 2.0), (30, 3.0), (30, 3.0)];
        assert_eq!(newer_in_order(buffer, 15), vec![(20, 2.0), (30, 3.0), (40, 4.0), (50, 5.0)]);
    }

    #[test]
    fn samples_are_asked_from_now_only_after_a_step_back_of_a_shared_clock() {
        assert_eq!(last_seen_for(60_000_000, 5_000_000, true), (5_000_000, true));
        // The wall clock did not step: a driver clock ahead of ours is left alone.
        assert_eq!(last_seen_for(60_000_000, 5_000_000, false), (60_000_000, false));
        // It stepped, but the driver's timestamps are on another clock (still in the past).
        assert_eq!(last_seen_for(3_000_000, 5_000_000, true), (3_000_000, false));
    }
}
