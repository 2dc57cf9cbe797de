//! The scenario: simulated devices, their field schedules, driver sample buffers and faults,
//! read from NVML_SIM_SCENARIO (a file path or inline JSON) at nvmlInit time.
use crate::schedule::Schedule;
use nvml_wrapper_sys::bindings::*;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Used when NVML_SIM_SCENARIO is unset: the default scenario shipped with the crate.
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/default.json");

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
pub const FIELDS: [&str; 14] = [
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
];

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
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        scenario.validate().map_err(|e| format!("{origin}: {e}"))?;
        Ok(scenario)
    }

    fn validate(&self) -> Result<(), String> {
        for (i, d) in self.devices.iter().enumerate() {
            if let Some(bad) = d.unsupported.iter().find(|f| !FIELDS.contains(&f.as_str())) {
                return Err(format!("devices[{i}].unsupported: unknown field {bad:?}, allowed: {}", FIELDS.join(", ")));
            }
            if let Some(bad) = d.throttle.keys().find(|k| !THROTTLE_REASONS.iter().any(|(n, _)| n == k)) {
                let names: Vec<_> = THROTTLE_REASONS.iter().map(|(n, _)| *n).collect();
                return Err(format!("devices[{i}].throttle: unknown reason {bad:?}, allowed: {}", names.join(", ")));
            }
            if d.samples.period_ms <= 0.0 || d.samples.size == 0 {
                return Err(format!("devices[{i}].samples: periodMs and size must be > 0"));
            }
        }
        Ok(())
    }
}

impl DeviceScenario {
    pub fn supports(&self, field: &str) -> bool {
        !self.unsupported.iter().any(|f| f == field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_parses() {
        let s = Scenario::parse(DEFAULT_SCENARIO, "default").unwrap();
        assert_eq!(s.devices.len(), 2);
    }

    #[test]
    fn unknown_unsupported_field_is_named() {
        let err = Scenario::parse(r#"{"devices": [{"unsupported": ["fan"]}]}"#, "inline").unwrap_err();
        assert!(err.contains("\"fan\"") && err.contains("fans"), "{err}");
    }
}
