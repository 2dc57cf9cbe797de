//! What readers get from the sampler: copies taken under its lock, never NVML calls.
use crate::device::{DeviceState, EnergySource, MigInfo};
use crate::error_kind::ErrorKind;
use crate::field::Field;
use crate::health::{EccCounts, NvlinkBytes, PcieCounts, RemappedRows, RetiredPages};
use crate::processes::RunningProcess;
use crate::reading::{DriverSample, Reading, ThrottleReason};
use crate::source::Source;

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    pub index: u32,
    pub id: String,
    pub mig: Option<MigInfo>,
    pub name: String,
    pub uuid: String,
    pub lost: bool,
    pub lost_at_ms: Option<f64>,
    pub disabled_fields: Vec<Field>,
    /// Every field asked so far, and whether the GPU answers it.
    pub fields: Vec<(Field, bool)>,
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
    pub id: String,
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
    pub processes: Vec<ProcessStats>,
    /// (executable name, busy seconds), never shrinking.
    pub process_busy: Vec<(String, f64)>,
    pub xid: Vec<(u32, u64)>,
    pub xid_last_ms: Option<f64>,
    pub ecc: Option<EccCounts>,
    pub retired_pages: Option<RetiredPages>,
    pub remapped_rows: Option<RemappedRows>,
    pub pcie: Option<PcieCounts>,
    pub nvlink: Vec<NvlinkBytes>,
}

/// A running process and its busy seconds on the device.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessStats {
    pub process: RunningProcess,
    pub busy_seconds: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub running: bool,
    pub interval_ms: f64,
    /// 0 when the slow loop is off.
    pub slow_interval_ms: f64,
    pub ring_size: u64,
    pub driver_version: String,
    pub source: Source,
    pub ticks: u64,
    pub slow_ticks: u64,
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
        id: d.id.clone(),
        mig: d.mig.clone(),
        name: d.name.clone(),
        uuid: d.uuid.clone(),
        lost: d.lost(),
        lost_at_ms: d.lost_at_ms,
        disabled_fields: d.disabled.fields(),
        fields: d.field_support(),
    }
}

pub fn device_stats(d: &DeviceState) -> DeviceStats {
    let (energy_joules, source) = d.energy_joules();
    DeviceStats {
        gpu: d.index,
        id: d.id.clone(),
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
        processes: d.processes.running.iter().map(|p| ProcessStats { process: p.clone(), busy_seconds: d.processes.busy_of_pid(p.pid) }).collect(),
        process_busy: d.processes.busy_by_name.iter().map(|(n, b)| (n.clone(), *b)).collect(),
        xid: d.health.xid.iter().map(|(x, c)| (*x, *c)).collect(),
        xid_last_ms: d.health.xid_last_ms,
        ecc: d.health.ecc,
        retired_pages: d.health.retired_pages,
        remapped_rows: d.health.remapped_rows,
        pcie: d.health.pcie(),
        nvlink: d.health.nvlink.clone(),
    }
}

/// One device's totals over a window of time.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "GpuDeviceIntegrals"))]
pub struct DeviceIntegrals {
    /// The device's index.
    pub gpu: u32,
    /// The `gpu` label.
    pub id: String,
    /// ∫ utilization dt over the window, s.
    pub busy_seconds: f64,
    /// Energy over the window, J.
    pub energy_joules: f64,
    /// ∫ SM utilization dt of the attributed processes (setAttribution), s; absent where per-process use is not read.
    pub attributed_busy_seconds: Option<f64>,
    /// How far every total of the device is known, Unix ms: before the window's end, the values are what is known so far.
    pub covered_to_ms: Option<f64>,
}

/// Every device's totals over a window of time.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "GpuIntegrals"))]
pub struct Integrals {
    /// By device.
    pub devices: Vec<DeviceIntegrals>,
}

impl Integrals {
    pub fn of(devices: &[DeviceState], from_ms: f64, to_ms: f64) -> Integrals {
        let devices = devices
            .iter()
            .map(|d| {
                let h = &d.history;
                let busy = h.busy.between(from_ms, to_ms);
                let energy = h.energy.between(from_ms, to_ms);
                let attributed = if d.attributes_processes() { Some(h.attributed.between(from_ms, to_ms)) } else { None };
                // Known as far as the totals it has go: a device whose energy is never read (a MIG
                // instance) is known by its busy seconds alone; a lost one will not be known further.
                let known = [busy, energy, attributed.flatten()].into_iter().flatten().map(|(_, end)| end).reduce(f64::min);
                let covered_to_ms = if d.lost() { Some(to_ms) } else { known };
                DeviceIntegrals {
                    gpu: d.index,
                    id: d.id.clone(),
                    busy_seconds: busy.map_or(0.0, |b| b.0),
                    energy_joules: energy.map_or(0.0, |e| e.0),
                    attributed_busy_seconds: attributed.map(|a| a.map_or(0.0, |a| a.0)),
                    covered_to_ms,
                }
            })
            .collect();
        Integrals { devices }
    }
}
