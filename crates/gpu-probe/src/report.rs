//! What `gpu-probe sample` prints: per GPU, the sampler's busy seconds and energy over the
//! window beside the same quantities computed here from what it passed on and from the
//! driver's buffers, and whether every driver sample came through exactly once (slice.rs
//! computes them).
use crate::checks::Once;
use crate::cli::SampleArgs;
use crate::driver::snake;
use crate::latency::Spread;
use crate::sample::{Direct, Log, Mark};
use crate::slice::Slice;
use gpu_sampler::snapshot::{DeviceInfo, DeviceStats};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the run was, besides what it read.
pub struct Run<'a> {
    pub library: String,
    pub source: &'static str,
    pub driver_version: String,
    pub args: &'a SampleArgs,
    pub ring_size: usize,
    pub start_ms: f64,
    pub stop_ms: f64,
    pub series_readings: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct SampleReport {
    pub probe: &'static str,
    pub library: String,
    pub source: &'static str,
    pub driver_version: String,
    pub interval_ms: f64,
    pub seconds: f64,
    pub warmup_seconds: f64,
    pub poll_ms: f64,
    pub ring_size: usize,
    /// Unix ms of the two marks.
    pub window: Window,
    /// How long Sampler::start and stop() took.
    pub start_ms: f64,
    pub stop_ms: f64,
    /// Sampling ticks in the window, and how many the interval asks for.
    pub ticks: u64,
    pub expected_ticks: f64,
    /// Slow loop ticks in the window (processes, ECC, PCIe, NVLink, GPM).
    pub slow_ticks: u64,
    pub panics: u64,
    pub drains: usize,
    /// Whether any drain was told entries had fallen out of a ring before it.
    pub missed: bool,
    pub seq_repeats: usize,
    pub direct_errors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_readings: Option<usize>,
    pub devices: Vec<DeviceSample>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Window {
    pub start_ms: f64,
    pub end_ms: f64,
}

impl Window {
    pub fn seconds(&self) -> f64 {
        (self.end_ms - self.start_ms) / 1000.0
    }
}

#[derive(Debug, Serialize)]
pub struct DeviceSample {
    pub index: u32,
    /// The `gpu` label: "0", or "0/3" for a MIG instance.
    pub id: String,
    pub name: String,
    pub uuid: String,
    pub lost: bool,
    pub disabled_fields: Vec<String>,
    /// The sampler's own view (gpu_field_supported): each field it asked, and whether the GPU answers it.
    pub fields_supported: BTreeMap<String, bool>,
    pub errors: Vec<ErrorRow>,
    pub readings: Readings,
    pub busy: Busy,
    pub energy: Energy,
    pub samples_once: SamplesOnce,
    pub means: Means,
}

#[derive(Debug, Serialize)]
pub struct ErrorRow {
    pub field: String,
    pub error: String,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct Readings {
    pub count: usize,
    /// Steps between consecutive readings, ms: the interval achieved.
    pub interval_ms: Option<Spread>,
}

#[derive(Debug, Serialize)]
pub struct Busy {
    /// The sampler's busy seconds over `window`.
    pub sampler_s: f64,
    /// "driver_samples": the window runs from the newest utilization sample the sampler had at
    /// the first mark to the newest at the second (what its total covers); "readings": from
    /// the reading before the first mark to the last before the second.
    pub window_source: &'static str,
    pub window: Window,
    /// sampler_s / the window's length.
    pub share: Option<f64>,
    /// ∫ utilization over the same window from the driver samples the sampler passed on, from
    /// the independent record, and from the readings.
    pub from_driver_samples_s: Option<f64>,
    pub from_direct_record_s: Option<f64>,
    pub from_readings_s: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Energy {
    /// The sampler's best source at the end: counter, power_samples or power_readings.
    pub sampler_source: String,
    /// From the reading before the first mark to the last before the second.
    pub window: Window,
    pub sampler_j: f64,
    /// The energy counter's increase over `window` (the readings carry it).
    pub counter_j: Option<f64>,
    /// ∫ power (trapezoid) over the readings in `window`.
    pub power_readings_j: Option<f64>,
    /// ∫ power over the driver's power samples, over their own window (the newest sample at
    /// each mark), so compared as mean watts.
    pub power_samples: Option<PowerSamples>,
    pub mean_w: MeanWatts,
    pub power_readings_vs_counter: Option<f64>,
    pub power_samples_vs_counter: Option<f64>,
    pub sampler_vs_counter: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct PowerSamples {
    pub window: Window,
    pub joules: f64,
}

#[derive(Debug, Serialize)]
pub struct MeanWatts {
    pub sampler: Option<f64>,
    pub counter: Option<f64>,
    pub power_readings: Option<f64>,
    pub power_samples: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct SamplesOnce {
    pub utilization: Option<Once>,
    pub power: Option<Once>,
}

/// Means over the window's readings, for comparing with nvidia-smi and pynvml.
#[derive(Debug, Serialize)]
pub struct Means {
    pub utilization_ratio: Option<f64>,
    pub memory_utilization_ratio: Option<f64>,
    pub power_w: Option<f64>,
    pub temperature_c: Option<f64>,
    pub memory_used_bytes: Option<f64>,
    pub sm_clock_mhz: Option<f64>,
}

pub fn build(run: Run, log: &Log, a: &Mark, b: &Mark, devices: &[DeviceInfo], direct: &Direct) -> SampleReport {
    let window = Window { start_ms: a.at_ms, end_ms: b.at_ms };
    let args = run.args;
    let interval_ms = args.interval.as_secs_f64() * 1000.0;
    let devices = devices
        .iter()
        .map(|info| {
            let stats = |m: &Mark| m.stats.devices.iter().find(|d| d.gpu == info.index).cloned();
            device(&Slice::new(log, a, b, info.index), info, stats(a), stats(b), direct.record(info.index))
        })
        .collect();
    SampleReport {
        probe: "sample",
        library: run.library,
        source: run.source,
        driver_version: run.driver_version,
        interval_ms,
        seconds: args.seconds,
        warmup_seconds: args.warmup_seconds,
        poll_ms: args.poll.as_secs_f64() * 1000.0,
        ring_size: run.ring_size,
        window,
        start_ms: run.start_ms,
        stop_ms: run.stop_ms,
        ticks: b.stats.ticks - a.stats.ticks,
        expected_ticks: window.seconds() * 1000.0 / interval_ms,
        slow_ticks: b.stats.slow_ticks - a.stats.slow_ticks,
        panics: b.stats.panics,
        drains: log.drains,
        missed: log.missed,
        seq_repeats: log.seq_repeats,
        direct_errors: direct.errors.clone(),
        series_readings: run.series_readings,
        devices,
    }
}

fn device(
    slice: &Slice,
    info: &DeviceInfo,
    at_a: Option<DeviceStats>,
    at_b: Option<DeviceStats>,
    record: Option<&[Vec<(u64, f64)>; 2]>,
) -> DeviceSample {
    DeviceSample {
        index: info.index,
        id: info.id.clone(),
        name: info.name.clone(),
        uuid: info.uuid.clone(),
        lost: info.lost,
        disabled_fields: info.disabled_fields.iter().map(snake).collect(),
        fields_supported: info.fields.iter().map(|(f, supported)| (snake(f), *supported)).collect(),
        errors: at_b.as_ref().map_or_else(Vec::new, |s| {
            s.errors.iter().map(|e| ErrorRow { field: snake(&e.field), error: snake(&e.error), count: e.count }).collect()
        }),
        readings: slice.readings(),
        busy: slice.busy(at_a.as_ref(), at_b.as_ref(), record),
        energy: slice.energy(at_a.as_ref(), at_b.as_ref()),
        samples_once: slice.samples_once(record),
        means: slice.means(),
    }
}
