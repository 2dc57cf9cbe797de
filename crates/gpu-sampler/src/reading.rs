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

/// What a driver sample measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverSampleKind {
    /// GPU utilization, a ratio.
    Utilization,
    /// Power draw, watts.
    Power,
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

/// Why a GPU's clocks are held down (nvml.h's nvmlClocksEventReason* bits), as the catalog's
/// GPU_THROTTLE_REASONS: the `reason` label of gpu_throttle_active and gpu_throttle_seconds_total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case", js_name = "GpuThrottleReason"))]
pub enum ThrottleReason {
    GpuIdle,
    ApplicationsClocksSetting,
    SwPowerCap,
    HwSlowdown,
    SyncBoost,
    SwThermalSlowdown,
    HwThermalSlowdown,
    HwPowerBrakeSlowdown,
    DisplayClockSetting,
}

/// Each throttle reason with its NVML bit.
pub const THROTTLE_REASONS: [(ThrottleReason, ThrottleReasons); 9] = [
    (ThrottleReason::GpuIdle, ThrottleReasons::GPU_IDLE),
    (ThrottleReason::ApplicationsClocksSetting, ThrottleReasons::APPLICATIONS_CLOCKS_SETTING),
    (ThrottleReason::SwPowerCap, ThrottleReasons::SW_POWER_CAP),
    (ThrottleReason::HwSlowdown, ThrottleReasons::HW_SLOWDOWN),
    (ThrottleReason::SyncBoost, ThrottleReasons::SYNC_BOOST),
    (ThrottleReason::SwThermalSlowdown, ThrottleReasons::SW_THERMAL_SLOWDOWN),
    (ThrottleReason::HwThermalSlowdown, ThrottleReasons::HW_THERMAL_SLOWDOWN),
    (ThrottleReason::HwPowerBrakeSlowdown, ThrottleReasons::HW_POWER_BRAKE_SLOWDOWN),
    (ThrottleReason::DisplayClockSetting, ThrottleReasons::DISPLAY_CLOCK_SETTING),
];

/// The reasons set in a reading's throttle bits (bits NVML has no reason for are left out).
pub fn throttle_reasons(bits: u64) -> Vec<ThrottleReason> {
    THROTTLE_REASONS.iter().filter(|(_, r)| bits & r.bits() != 0).map(|(reason, _)| *reason).collect()
}
