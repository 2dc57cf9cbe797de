//! The scenario: simulated devices, their field schedules, driver sample buffers and faults,
//! read from NVML_SIM_SCENARIO (a file path or inline JSON) at nvmlInit time.
mod health;
mod mig;
mod processes;
mod validate;

pub use health::{Ecc, NvLink, Pcie, RemappedRows, RetiredPages, XidEvent};
pub use mig::{Architecture, Mig, MigInstance};
pub use processes::{Pid, Process, ProcessKind};

use crate::schedule::Schedule;
use nvml_wrapper_sys::bindings::*;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Used when NVML_SIM_SCENARIO is unset: the default scenario shipped with the crate.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    #[serde(default = "default_driver_version")]
    pub driver_version: String,
    #[serde(default = "default_nvml_version")]
    pub nvml_version: String,
    /// nvmlInit fails with this error: a name of nvml.h without NVML_ERROR_ ("DRIVER_NOT_LOADED") or a code.
    #[serde(default)]
    pub init_failure: Option<ErrorCode>,
    /// Added to every device call (µs), as a slow driver would.
    #[serde(default)]
    pub latency_us: u64,
    pub devices: Vec<DeviceScenario>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ErrorCode {
    Code(u32),
    Name(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceScenario {
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default = "default_memory_total")]
    pub memory_total_bytes: u64,
    #[serde(default = "default_memory_reserved")]
    pub memory_reserved_bytes: u64,
    /// Percent 0..100.
    #[serde(default)]
    pub utilization: Schedule,
    #[serde(default)]
    pub memory_utilization: Schedule,
    #[serde(default)]
    pub memory_used_bytes: Schedule,
    #[serde(default = "default_temperature")]
    pub temperature: Schedule,
    #[serde(default = "default_power")]
    pub power_watts: Schedule,
    #[serde(default = "default_power_limit")]
    pub power_limit_watts: Schedule,
    #[serde(default)]
    pub clocks_mhz: Clocks,
    /// One schedule per fan, percent 0..100.
    #[serde(default)]
    pub fans: Vec<Schedule>,
    #[serde(default)]
    pub performance_state: Schedule,
    /// Clock-event reason name -> schedule; active while the value is >= 0.5.
    #[serde(default)]
    pub throttle: BTreeMap<String, Schedule>,
    #[serde(default)]
    pub samples: SampleBuffer,
    /// Every call on this device fails with GPU_IS_LOST from this time on.
    #[serde(default)]
    pub lost_after_ms: Option<f64>,
    /// Fields whose calls answer NOT_SUPPORTED (see README for the names).
    #[serde(default)]
    pub unsupported: Vec<String>,
    #[serde(default)]
    pub latency_us: u64,
    /// nvmlDeviceGetArchitecture; GPM needs hopper or later.
    #[serde(default)]
    pub architecture: Architecture,
    /// Processes using the GPU, listed while startMs <= t < endMs.
    #[serde(default)]
    pub processes: Vec<Process>,
    /// Delivered by nvmlEventSetWait, once per event set (in time order after parse).
    #[serde(default)]
    pub xid_events: Vec<XidEvent>,
    /// Absent: nvmlDeviceGetTotalEccErrors answers NOT_SUPPORTED (and so for the others below).
    #[serde(default)]
    pub ecc: Option<Ecc>,
    #[serde(default)]
    pub retired_pages: Option<RetiredPages>,
    #[serde(default)]
    pub remapped_rows: Option<RemappedRows>,
    #[serde(default)]
    pub pcie: Option<Pcie>,
    /// One entry per active link; the link index is the position.
    #[serde(default)]
    pub nvlink: Vec<NvLink>,
    /// MIG mode on, with these instances.
    #[serde(default)]
    pub mig: Option<Mig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Clocks {
    #[serde(default)]
    pub graphics: Option<Schedule>,
    #[serde(default)]
    pub sm: Option<Schedule>,
    #[serde(default)]
    pub memory: Option<Schedule>,
    #[serde(default)]
    pub video: Option<Schedule>,
}

/// The driver's sample buffer behind nvmlDeviceGetSamples.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SampleBuffer {
    #[serde(default = "default_sample_period")]
    pub period_ms: f64,
    /// Samples older than the newest `size` are gone, as in the driver's ring.
    #[serde(default = "default_sample_buffer")]
    pub size: u32,
}

impl Default for SampleBuffer {
    fn default() -> Self {
        SampleBuffer { period_ms: default_sample_period(), size: default_sample_buffer() }
    }
}

/// nvml.h's clock-event (throttle) reason bits, by the names used in scenarios.
pub const THROTTLE_REASONS: [(&str, u32); 9] = [
    ("gpu_idle", nvmlClocksEventReasonGpuIdle),
    ("applications_clocks_setting", nvmlClocksEventReasonApplicationsClocksSetting),
    ("sw_power_cap", nvmlClocksEventReasonSwPowerCap),
    ("hw_slowdown", nvmlClocksThrottleReasonHwSlowdown),
    ("sync_boost", nvmlClocksEventReasonSyncBoost),
    ("sw_thermal_slowdown", nvmlClocksEventReasonSwThermalSlowdown),
    ("hw_thermal_slowdown", nvmlClocksThrottleReasonHwThermalSlowdown),
    ("hw_power_brake_slowdown", nvmlClocksThrottleReasonHwPowerBrakeSlowdown),
    ("display_clock_setting", nvmlClocksEventReasonDisplayClockSetting),
];

/// Names accepted in `unsupported`.
pub const FIELDS: [&str; 21] = [
    "name",
    "uuid",
    "utilization",
    "memory",
    "temperature",
    "power",
    "powerLimit",
    "energy",
    "clocks",
    "throttle",
    "fans",
    "performanceState",
    "samples.utilization",
    "samples.power",
    "processes",
    "processUtilization",
    "ecc",
    "pcie",
    "nvlink",
    "events",
    "gpm",
];

/// What a GPU in MIG mode no longer answers for the whole device (as an A100 in MIG mode).
const HIDDEN_IN_MIG_MODE: [&str; 3] = ["utilization", "samples.utilization", "processUtilization"];

fn default_driver_version() -> String {
    "550.54.15".into()
}
fn default_nvml_version() -> String {
    "12.550.54.15".into()
}
fn default_name() -> String {
    "NVIDIA Simulated GPU".into()
}
fn default_memory_total() -> u64 {
    24 << 30
}
fn default_memory_reserved() -> u64 {
    300 << 20
}
fn default_temperature() -> Schedule {
    Schedule::constant(40.0)
}
fn default_power() -> Schedule {
    Schedule::constant(60.0)
}
fn default_power_limit() -> Schedule {
    Schedule::constant(300.0)
}
fn default_sample_period() -> f64 {
    20.0
}
fn default_sample_buffer() -> u32 {
    120
}

impl Scenario {
    /// Reads NVML_SIM_SCENARIO: inline JSON when it starts with `{`, else a file path; unset -> default.
    pub fn from_env() -> Result<Scenario, String> {
        match std::env::var("NVML_SIM_SCENARIO") {
            Err(_) => Scenario::parse(DEFAULT_SCENARIO, "the default scenario"),
            Ok(v) if v.trim_start().starts_with('{') => Scenario::parse(&v, "inline NVML_SIM_SCENARIO"),
            Ok(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read NVML_SIM_SCENARIO file {path}: {e}"))?;
                Scenario::parse(&text, &path)
            }
        }
    }

    pub fn parse(text: &str, origin: &str) -> Result<Scenario, String> {
        let mut scenario: Scenario = serde_json::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        scenario.validate().map_err(|e| format!("{origin}: {e}"))?;
        for d in &mut scenario.devices {
            d.xid_events.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
        }
        Ok(scenario)
    }
}

impl DeviceScenario {
    pub fn supports(&self, field: &str) -> bool {
        let hidden_by_mig = self.mig.is_some() && HIDDEN_IN_MIG_MODE.contains(&field);
        !hidden_by_mig && !self.unsupported.iter().any(|f| f == field)
    }

    pub fn lost_at(&self, t: f64) -> bool {
        self.lost_after_ms.is_some_and(|lost| t >= lost)
    }

    /// The MIG instance with this GPU instance id, if the GPU is in MIG mode and has it.
    pub fn mig_instance(&self, gpu_instance_id: u32) -> Option<&MigInstance> {
        self.mig.as_ref()?.instances.iter().find(|i| i.gpu_instance_id == gpu_instance_id)
    }
}
