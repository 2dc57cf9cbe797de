//! Sampler options and where NVML is loaded from: the option, else ORFEAS_NVML_LIBRARY, else
//! the driver's libnvidia-ml.so.1.
use crate::start_error::StartError;
use std::ffi::OsString;
use std::time::Duration;

pub const DEFAULT_LIBRARY: &str = "libnvidia-ml.so.1";
pub const LIBRARY_ENV: &str = "ORFEAS_NVML_LIBRARY";
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(100);
pub const MIN_INTERVAL: Duration = Duration::from_millis(1);
/// An hour: beyond that the telemetry is useless, and far larger values overflow `Instant`.
pub const MAX_INTERVAL: Duration = Duration::from_secs(3600);
pub const DEFAULT_RING_SIZE: usize = 1000;
/// The slow loop's default interval: process lists, ECC, PCIe, NVLink and GPM change slowly,
/// and the PCIe throughput call alone blocks about 20 ms.
pub const DEFAULT_SLOW_INTERVAL: Duration = Duration::from_millis(1000);
pub const MIN_SLOW_INTERVAL: Duration = Duration::from_millis(10);
pub const MAX_RING_SIZE: usize = 10_000_000;
/// What StartError::Options says is allowed.
pub const INTERVAL_ALLOWED: &str = "a number from 1 to 3600000 (an hour)";
pub const RING_SIZE_ALLOWED: &str = "an integer from 1 to 10000000";
pub const SLOW_INTERVAL_ALLOWED: &str = "0 (off) or a number from 10 to 3600000 (an hour)";

#[derive(Debug, Clone)]
pub struct SamplerOptions {
    pub library_path: Option<OsString>,
    pub interval: Duration,
    /// Readings (and driver samples) kept per device.
    pub ring_size: usize,
    /// The slow loop's interval; None runs without it (no processes, ECC, PCIe, NVLink, GPM).
    pub slow_interval: Option<Duration>,
    /// Whether the event thread waits on XID events.
    pub events: bool,
}

impl Default for SamplerOptions {
    fn default() -> Self {
        SamplerOptions {
            library_path: None,
            interval: DEFAULT_INTERVAL,
            ring_size: DEFAULT_RING_SIZE,
            slow_interval: Some(DEFAULT_SLOW_INTERVAL),
            events: true,
        }
    }
}

impl SamplerOptions {
    pub fn resolved_library(&self) -> OsString {
        self.library_path.clone().or_else(|| std::env::var_os(LIBRARY_ENV).filter(|v| !v.is_empty())).unwrap_or_else(|| DEFAULT_LIBRARY.into())
    }

    /// Checks the interval and ring size, naming the bad value and what is allowed.
    pub fn validate(&self) -> Result<(), StartError> {
        if self.interval < MIN_INTERVAL || self.interval > MAX_INTERVAL {
            let got = (self.interval.as_secs_f64() * 1000.0).to_string();
            return Err(StartError::Options { option: "intervalMs", allowed: INTERVAL_ALLOWED, got });
        }
        if let Some(slow) = self.slow_interval.filter(|s| *s < MIN_SLOW_INTERVAL || *s > MAX_INTERVAL) {
            let got = (slow.as_secs_f64() * 1000.0).to_string();
            return Err(StartError::Options { option: "slowIntervalMs", allowed: SLOW_INTERVAL_ALLOWED, got });
        }
        if self.ring_size == 0 || self.ring_size > MAX_RING_SIZE {
            return Err(StartError::Options { option: "ringSize", allowed: RING_SIZE_ALLOWED, got: self.ring_size.to_string() });
        }
        Ok(())
    }
}
