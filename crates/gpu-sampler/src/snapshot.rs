//! What readers get from the sampler: copies taken under its lock, never NVML calls.
use crate::device::{DeviceState, EnergySource};
use crate::error_kind::ErrorKind;
use crate::field::Field;
use crate::reading::{DriverSample, Reading, ThrottleReason};
use crate::source::Source;

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    pub index: u32,
    pub name: String,
    pub uuid: String,
    pub lost: bool,
    pub lost_at_ms: Option<f64>,
    pub disabled_fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCount {
    pub field: Field,
    pub error: ErrorKind,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceStats {
    pub gpu: u32,
    pub lost: bool,
    pub samples_total: u64,
    pub last_sample_ms: Option<f64>,
    pub busy_seconds: f64,
    pub energy_joules: f64,
    pub energy_source: EnergySource,
    pub throttle_seconds: Vec<(ThrottleReason, f64)>,
    pub errors: Vec<ErrorCount>,
    pub driver_samples_kept: u64,
    pub readings_kept: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub running: bool,
    pub interval_ms: f64,
    pub ring_size: u64,
    pub driver_version: String,
    pub source: Source,
    pub ticks: u64,
    /// Ticks that panicked (caught on the sampling thread; the thread goes on).
    pub panics: u64,
    pub devices: Vec<DeviceStats>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SamplesSince {
    /// Pass back as `since` to get only what came after.
    pub cursor: u64,
    /// Whether entries after `since` fell out of a ring before this read.
    pub missed: bool,
    pub readings: Vec<Reading>,
    pub driver: Vec<DriverSample>,
}

/// devices + latest + stats in one consistent copy (one per scrape).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub devices: Vec<DeviceInfo>,
    pub latest: Vec<Reading>,
    pub stats: Stats,
}

pub fn device_info(d: &DeviceState) -> DeviceInfo {
    DeviceInfo {
        index: d.index,
        name: d.name.clone(),
        uuid: d.uuid.clone(),
        lost: d.lost(),
        lost_at_ms: d.lost_at_ms,
        disabled_fields: d.disabled.fields(),
    }
}

pub fn device_stats(d: &DeviceState) -> DeviceStats {
    let (energy_joules, source) = d.energy_joules();
    DeviceStats {
        gpu: d.index,
        lost: d.lost(),
        samples_total: d.samples_total,
        last_sample_ms: d.latest.as_ref().map(|r| r.time_ms),
        busy_seconds: d.busy_seconds(),
        energy_joules,
        energy_source: source,
        throttle_seconds: d.throttle_seconds(),
        errors: d.errors.iter().map(|(&(field, error), &count)| ErrorCount { field, error, count }).collect(),
        driver_samples_kept: d.driver_samples.len() as u64,
        readings_kept: d.readings.len() as u64,
    }
}
