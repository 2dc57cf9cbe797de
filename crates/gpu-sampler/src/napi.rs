//! The Node binding (napi-rs): a thin class over `Sampler` that copies snapshots into JS
//! objects. No panic crosses into Node: every entry point runs under catch_unwind.
use crate::reading::{throttle_names, DriverSample, Reading};
use crate::snapshot::{DeviceInfo, DeviceStats, SamplesSince, Snapshot, Stats};
use crate::window::{MinMaxMean, WindowStats};
use crate::{Sampler, SamplerOptions};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(Error::from_reason(format!("gpu-sampler: {what} panicked"))))
}

#[napi(object)]
pub struct NativeOptions {
    pub library_path: Option<String>,
    pub interval_ms: Option<f64>,
    pub ring_size: Option<u32>,
}

#[napi(object)]
pub struct NativeDevice {
    pub index: u32,
    pub name: String,
    pub uuid: String,
    pub lost: bool,
    pub lost_at_ms: Option<f64>,
    pub disabled_fields: Vec<String>,
}

#[napi(object)]
pub struct NativeMemory {
    pub total: f64,
    pub used: f64,
    pub free: f64,
    pub reserved: f64,
}

#[napi(object)]
pub struct NativeClocks {
    pub sm: Option<f64>,
    pub memory: Option<f64>,
    pub graphics: Option<f64>,
    pub video: Option<f64>,
}

#[napi(object)]
pub struct NativeReading {
    pub seq: f64,
    pub gpu: u32,
    pub time_ms: f64,
    pub utilization_ratio: Option<f64>,
    pub memory_utilization_ratio: Option<f64>,
    pub memory_bytes: Option<NativeMemory>,
    pub temperature_celsius: Option<f64>,
    pub power_watts: Option<f64>,
    pub power_limit_watts: Option<f64>,
    pub energy_counter_joules: Option<f64>,
    pub clocks_hz: NativeClocks,
    pub throttle_reasons: Option<Vec<String>>,
    pub fan_speed_ratios: Option<Vec<f64>>,
    pub performance_state: Option<u32>,
}

#[napi(object)]
pub struct NativeDriverSample {
    pub seq: f64,
    pub gpu: u32,
    /// "utilization" (ratio) or "power" (watts)
    pub kind: String,
    pub timestamp_us: f64,
    pub value: f64,
}

#[napi(object)]
pub struct NativeMinMaxMean {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub count: u32,
}

#[napi(object)]
pub struct NativeWindow {
    pub gpu: u32,
    pub count: u32,
    pub from_ms: Option<f64>,
    pub to_ms: Option<f64>,
    pub utilization_ratio: Option<NativeMinMaxMean>,
    pub memory_utilization_ratio: Option<NativeMinMaxMean>,
    pub memory_used_bytes: Option<NativeMinMaxMean>,
    pub temperature_celsius: Option<NativeMinMaxMean>,
    pub power_watts: Option<NativeMinMaxMean>,
    pub sm_clock_hz: Option<NativeMinMaxMean>,
}

#[napi(object)]
pub struct NativeSamples {
    pub cursor: f64,
    pub missed: bool,
    pub readings: Vec<NativeReading>,
    pub driver: Vec<NativeDriverSample>,
}

#[napi(object)]
pub struct NativeThrottleSeconds {
    pub reason: String,
    pub seconds: f64,
}

#[napi(object)]
pub struct NativeErrorCount {
    pub field: String,
    pub error: String,
    pub count: f64,
}

#[napi(object)]
pub struct NativeDeviceStats {
    pub gpu: u32,
    pub lost: bool,
    pub samples_total: f64,
    pub last_sample_ms: Option<f64>,
    pub busy_seconds: f64,
    pub energy_joules: f64,
    pub energy_source: String,
    pub throttle_seconds: Vec<NativeThrottleSeconds>,
    pub errors: Vec<NativeErrorCount>,
    pub driver_samples_kept: f64,
    pub readings_kept: f64,
}

#[napi(object)]
pub struct NativeStats {
    pub running: bool,
    pub interval_ms: f64,
    pub ring_size: f64,
    pub driver_version: String,
    /// "nvml" for the NVIDIA driver, "sim" for nvml-sim's simulated GPUs (which says so itself).
    /// Always set here; optional because a sampler that is not available has no source.
    pub source: Option<String>,
    pub ticks: f64,
    pub panics: f64,
    pub devices: Vec<NativeDeviceStats>,
}

#[napi(object)]
pub struct NativeSnapshot {
    pub devices: Vec<NativeDevice>,
    pub latest: Vec<NativeReading>,
    pub stats: NativeStats,
}

/// The sampling thread of this process: created by startSampler, ended by stop().
#[napi]
pub struct NativeSampler {
    inner: Sampler,
}

/// Loads NVML and starts sampling; throws with the reason when NVML cannot be used.
#[napi]
pub fn start_sampler(options: Option<NativeOptions>) -> Result<NativeSampler> {
    guarded("startSampler", || {
        let o = options.unwrap_or(NativeOptions { library_path: None, interval_ms: None, ring_size: None });
        let defaults = SamplerOptions::default();
        let interval = match o.interval_ms {
            // Checked before Duration::from_secs_f64, which panics on values it cannot hold.
            Some(ms) if !(1.0..=3_600_000.0).contains(&ms) => {
                return Err(Error::from_reason(format!("intervalMs must be a number from 1 to 3600000 (an hour), got {ms}")))
            }
            Some(ms) => Duration::from_secs_f64(ms / 1000.0),
            None => defaults.interval,
        };
        let options = SamplerOptions {
            library_path: o.library_path.map(Into::into),
            interval,
            ring_size: o.ring_size.map_or(defaults.ring_size, |n| n as usize),
        };
        Sampler::start(options).map(|inner| NativeSampler { inner }).map_err(|e| Error::from_reason(e.0))
    })
}

#[napi]
impl NativeSampler {
    #[napi]
    pub fn devices(&self) -> Result<Vec<NativeDevice>> {
        guarded("devices", || Ok(self.inner.devices().into_iter().map(device).collect()))
    }

    #[napi]
    pub fn latest(&self) -> Result<Vec<NativeReading>> {
        guarded("latest", || Ok(self.inner.latest().into_iter().map(reading).collect()))
    }

    #[napi]
    pub fn window(&self, window_ms: f64) -> Result<Vec<NativeWindow>> {
        guarded("window", || Ok(self.inner.window(window_ms).into_iter().map(window).collect()))
    }

    #[napi]
    pub fn samples(&self, since_cursor: Option<f64>) -> Result<NativeSamples> {
        guarded("samples", || Ok(samples(self.inner.samples(since_cursor.unwrap_or(0.0).max(0.0) as u64))))
    }

    #[napi]
    pub fn stats(&self) -> Result<NativeStats> {
        guarded("stats", || Ok(stats(self.inner.stats())))
    }

    /// devices + latest + stats from one lock: what a scrape reads.
    #[napi]
    pub fn snapshot(&self) -> Result<NativeSnapshot> {
        guarded("snapshot", || Ok(snapshot(self.inner.snapshot())))
    }

    /// Joins the sampling thread; later reads return the last values.
    #[napi]
    pub fn stop(&mut self) -> Result<()> {
        guarded("stop", || {
            self.inner.stop();
            Ok(())
        })
    }
}

fn device(d: DeviceInfo) -> NativeDevice {
    NativeDevice {
        index: d.index,
        name: d.name,
        uuid: d.uuid,
        lost: d.lost,
        lost_at_ms: d.lost_at_ms,
        disabled_fields: d.disabled_fields.into_iter().map(String::from).collect(),
    }
}

fn reading(r: Reading) -> NativeReading {
    NativeReading {
        seq: r.seq as f64,
        gpu: r.gpu,
        time_ms: r.time_ms,
        utilization_ratio: r.utilization_ratio,
        memory_utilization_ratio: r.memory_utilization_ratio,
        memory_bytes: r.memory.map(|m| NativeMemory { total: m.total as f64, used: m.used as f64, free: m.free as f64, reserved: m.reserved as f64 }),
        temperature_celsius: r.temperature_celsius,
        power_watts: r.power_watts,
        power_limit_watts: r.power_limit_watts,
        energy_counter_joules: r.energy_counter_joules,
        clocks_hz: NativeClocks { sm: r.clocks_hz.sm, memory: r.clocks_hz.memory, graphics: r.clocks_hz.graphics, video: r.clocks_hz.video },
        throttle_reasons: r.throttle_reasons.map(|bits| throttle_names(bits).into_iter().map(String::from).collect()),
        fan_speed_ratios: r.fan_speed_ratios,
        performance_state: r.performance_state,
    }
}

fn driver_sample(s: DriverSample) -> NativeDriverSample {
    NativeDriverSample { seq: s.seq as f64, gpu: s.gpu, kind: s.kind.name().into(), timestamp_us: s.timestamp_us as f64, value: s.value }
}

fn min_max_mean(s: MinMaxMean) -> NativeMinMaxMean {
    NativeMinMaxMean { min: s.min, max: s.max, mean: s.mean, count: s.count }
}

fn window(w: WindowStats) -> NativeWindow {
    NativeWindow {
        gpu: w.gpu,
        count: w.count,
        from_ms: w.from_ms,
        to_ms: w.to_ms,
        utilization_ratio: w.utilization_ratio.map(min_max_mean),
        memory_utilization_ratio: w.memory_utilization_ratio.map(min_max_mean),
        memory_used_bytes: w.memory_used_bytes.map(min_max_mean),
        temperature_celsius: w.temperature_celsius.map(min_max_mean),
        power_watts: w.power_watts.map(min_max_mean),
        sm_clock_hz: w.sm_clock_hz.map(min_max_mean),
    }
}

fn samples(s: SamplesSince) -> NativeSamples {
    NativeSamples {
        cursor: s.cursor as f64,
        missed: s.missed,
        readings: s.readings.into_iter().map(reading).collect(),
        driver: s.driver.into_iter().map(driver_sample).collect(),
    }
}

fn device_stats(d: DeviceStats) -> NativeDeviceStats {
    NativeDeviceStats {
        gpu: d.gpu,
        lost: d.lost,
        samples_total: d.samples_total as f64,
        last_sample_ms: d.last_sample_ms,
        busy_seconds: d.busy_seconds,
        energy_joules: d.energy_joules,
        energy_source: d.energy_source.into(),
        throttle_seconds: d.throttle_seconds.into_iter().map(|(reason, seconds)| NativeThrottleSeconds { reason: reason.into(), seconds }).collect(),
        errors: d.errors.into_iter().map(|e| NativeErrorCount { field: e.field.into(), error: e.error.into(), count: e.count as f64 }).collect(),
        driver_samples_kept: d.driver_samples_kept as f64,
        readings_kept: d.readings_kept as f64,
    }
}

fn stats(s: Stats) -> NativeStats {
    NativeStats {
        running: s.running,
        interval_ms: s.interval_ms,
        ring_size: s.ring_size as f64,
        driver_version: s.driver_version,
        source: Some(s.source.into()),
        ticks: s.ticks as f64,
        panics: s.panics as f64,
        devices: s.devices.into_iter().map(device_stats).collect(),
    }
}

fn snapshot(s: Snapshot) -> NativeSnapshot {
    NativeSnapshot {
        devices: s.devices.into_iter().map(device).collect(),
        latest: s.latest.into_iter().map(reading).collect(),
        stats: stats(s.stats),
    }
}
