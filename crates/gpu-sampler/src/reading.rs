//! What one tick read from one device, and the driver samples it collected.
use nvml_wrapper::bitmasks::device::ThrottleReasons;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemoryBytes {
    pub total: u64,
    pub used: u64,
    pub free: u64,
    pub reserved: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClocksHz {
    pub sm: Option<f64>,
    pub memory: Option<f64>,
    pub graphics: Option<f64>,
    pub video: Option<f64>,
}

/// One tick of one device. A field is None when it failed or is not supported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Sequence number, shared by readings and driver samples of all devices (the cursor).
    pub seq: u64,
    pub gpu: u32,
    /// Unix time of the read, ms.
    pub time_ms: f64,
    pub utilization_ratio: Option<f64>,
    pub memory_utilization_ratio: Option<f64>,
    pub memory: Option<MemoryBytes>,
    pub temperature_celsius: Option<f64>,
    pub power_watts: Option<f64>,
    pub power_limit_watts: Option<f64>,
    /// NVML's energy counter (since driver load), J.
    pub energy_counter_joules: Option<f64>,
    pub clocks_hz: ClocksHz,
    /// nvmlClocksEventReason* bits.
    pub throttle_reasons: Option<u64>,
    pub fan_speed_ratios: Option<Vec<f64>>,
    pub performance_state: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverSampleKind {
    Utilization,
    Power,
}

impl DriverSampleKind {
    pub fn name(self) -> &'static str {
        match self {
            DriverSampleKind::Utilization => "utilization",
            DriverSampleKind::Power => "power",
        }
    }
}

/// One sample from nvmlDeviceGetSamples: utilization as a ratio, power in watts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriverSample {
    pub seq: u64,
    pub gpu: u32,
    pub kind: DriverSampleKind,
    /// The driver's CPU timestamp, µs.
    pub timestamp_us: u64,
    pub value: f64,
}

/// The catalog's throttle reason names (GPU_THROTTLE_REASONS) for NVML's clock-event bits.
pub const THROTTLE_REASONS: [(&str, ThrottleReasons); 9] = [
    ("gpu_idle", ThrottleReasons::GPU_IDLE),
    ("applications_clocks_setting", ThrottleReasons::APPLICATIONS_CLOCKS_SETTING),
    ("sw_power_cap", ThrottleReasons::SW_POWER_CAP),
    ("hw_slowdown", ThrottleReasons::HW_SLOWDOWN),
    ("sync_boost", ThrottleReasons::SYNC_BOOST),
    ("sw_thermal_slowdown", ThrottleReasons::SW_THERMAL_SLOWDOWN),
    ("hw_thermal_slowdown", ThrottleReasons::HW_THERMAL_SLOWDOWN),
    ("hw_power_brake_slowdown", ThrottleReasons::HW_POWER_BRAKE_SLOWDOWN),
    ("display_clock_setting", ThrottleReasons::DISPLAY_CLOCK_SETTING),
];

pub fn throttle_names(bits: u64) -> Vec<&'static str> {
    THROTTLE_REASONS.iter().filter(|(_, r)| bits & r.bits() != 0).map(|(n, _)| *n).collect()
}
