//! The Node binding (napi-rs): a thin class over `Sampler` that copies snapshots into JS
//! objects. These structs and string enums are the one definition of @orfeas/gpu-sampler's
//! shapes: `napi build` writes them, with these doc comments, into the package's addon.d.ts,
//! which its TypeScript re-exports. No panic crosses into Node: every entry point runs under
//! catch_unwind.
use crate::device::EnergySource;
use crate::processes::{Attribution, ProcessType as GpuProcessType};
// The string enums are defined once, in the core, and named Gpu* in JavaScript.
use crate::error_kind::ErrorKind as GpuErrorKind;
use crate::field::Field as GpuField;
use crate::reading::{throttle_reasons, DriverSample, DriverSampleKind, Reading, ThrottleReason as GpuThrottleReason};
use crate::snapshot::{DeviceInfo, DeviceStats, ErrorCount, Integrals as GpuIntegrals, ProcessStats, SamplesSince, Snapshot, Stats};
use crate::window::{MinMaxMean, WindowStats};
use crate::{Sampler, SamplerOptions, Source as GpuSource, StartError};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

fn guarded<T, S: AsRef<str>>(what: &str, on_panic: S, f: impl FnOnce() -> Result<T, S>) -> Result<T, S> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(Error::new(on_panic, format!("gpu-sampler: {what} panicked"))))
}

/// Why the sampler did not start: the `code` of the error startSampler throws.
#[napi(string_enum = "snake_case")]
pub enum StartErrorCode {
    /// An option is out of range (the message names it, the value and what is allowed).
    Options,
    /// The NVML library could not be loaded: no NVIDIA driver on this host, or a wrong path.
    Load,
    /// NVML loaded but did not initialize (nvmlInit or listing the devices failed).
    Init,
    /// The operating system refused the sampling thread.
    Thread,
}

/// napi-rs sets a thrown error's `code` from its status.
impl AsRef<str> for StartErrorCode {
    fn as_ref(&self) -> &str {
        match self {
            StartErrorCode::Options => "options",
            StartErrorCode::Load => "load",
            StartErrorCode::Init => "init",
            StartErrorCode::Thread => "thread",
        }
    }
}

impl From<&StartError> for StartErrorCode {
    fn from(e: &StartError) -> Self {
        match e {
            StartError::Options { .. } => StartErrorCode::Options,
            StartError::Load { .. } => StartErrorCode::Load,
            StartError::Init { .. } => StartErrorCode::Init,
            StartError::Thread(_) => StartErrorCode::Thread,
        }
    }
}

/// What a driver sample measures: "utilization" (a ratio) or "power" (watts).
#[napi(string_enum = "snake_case")]
pub enum GpuDriverSampleKind {
    Utilization,
    Power,
}

/// Where energyJoules comes from, best first: NVML's energy counter
/// (nvmlDeviceGetTotalEnergyConsumption), ∫ of the driver's power samples, ∫ of the sampler's
/// own power readings.
#[napi(string_enum = "snake_case")]
pub enum GpuEnergySource {
    Counter,
    PowerSamples,
    PowerReadings,
}

/// What startSampler takes; createGpuSampler's options add to it.
#[napi(object)]
pub struct NativeOptions {
    /// NVML library to load; default ORFEAS_NVML_LIBRARY, else libnvidia-ml.so.1.
    pub library_path: Option<String>,
    /// Sampling interval, ms (1 to 3600000; default 100).
    pub interval_ms: Option<f64>,
    /// Readings and driver samples kept per device (1 to 10000000; default 1000).
    pub ring_size: Option<u32>,
    /// The slow loop's interval, ms: processes, ECC, PCIe, NVLink, GPM (10 to 3600000; 0 turns it off; default 1000).
    pub slow_interval_ms: Option<f64>,
    /// Whether a thread waits on XID events (default true).
    pub events: Option<bool>,
}

/// Whether a GPU answers one field the sampler reads.
#[napi(object)]
pub struct GpuFieldSupport {
    /// The field.
    pub field: GpuField,
    /// false when the GPU answered NotSupported (or the driver lacks the call): the field is not read, and has no series.
    pub supported: bool,
}

/// A GPU as NVML lists it, or a MIG instance of one.
#[napi(object)]
pub struct GpuDevice {
    /// Position in the sampler's list: NVML's index for a whole GPU; MIG instances come after the GPUs.
    pub index: u32,
    /// The `gpu` label: NVML's index ("0"), or parent index / GPU instance id for a MIG instance ("0/3").
    pub id: String,
    /// The parent GPU's index, for a MIG instance.
    pub parent: Option<u32>,
    /// The MIG profile, e.g. "1g.10gb", for a MIG instance.
    pub profile: Option<String>,
    /// The product name, e.g. "NVIDIA H100 80GB HBM3".
    pub name: String,
    /// NVML's UUID ("GPU-..."), stable across reboots and index changes.
    pub uuid: String,
    /// Whether the GPU fell off the bus (NVML_ERROR_GPU_IS_LOST) or could not be opened: no longer read.
    pub lost: bool,
    /// Unix time the GPU was marked lost, ms.
    pub lost_at_ms: Option<f64>,
    /// Fields the GPU answered NotSupported for: no longer read, counted once in the errors.
    pub disabled_fields: Vec<GpuField>,
    /// Every field asked so far (handle aside) and whether the GPU answers it: gpu_field_supported.
    pub fields: Vec<GpuFieldSupport>,
}

/// Frame buffer memory, bytes.
#[napi(object)]
pub struct GpuMemoryBytes {
    /// Installed.
    pub total: f64,
    /// In use.
    pub used: f64,
    /// Free to allocate.
    pub free: f64,
    /// Reserved by the driver and firmware.
    pub reserved: f64,
}

/// Current clocks, Hz; a clock is absent when it could not be read.
#[napi(object)]
pub struct GpuClocksHz {
    /// Streaming multiprocessor clock.
    pub sm: Option<f64>,
    /// Memory clock.
    pub memory: Option<f64>,
    /// Graphics clock.
    pub graphics: Option<f64>,
    /// Video encoder/decoder clock.
    pub video: Option<f64>,
}

/// One sampling tick of one device; a field is absent when it could not be read.
#[napi(object)]
pub struct GpuReading {
    /// Position in the sampler's sequence, shared by readings and driver samples (see samples()).
    pub seq: f64,
    /// The device's index.
    pub gpu: u32,
    /// Unix time of the read, ms.
    pub time_ms: f64,
    /// Share of the last sample period the GPU was busy (nvmlDeviceGetUtilizationRates), 0..1.
    pub utilization_ratio: Option<f64>,
    /// Share of the last sample period device memory was read or written, 0..1.
    pub memory_utilization_ratio: Option<f64>,
    /// Frame buffer memory.
    pub memory_bytes: Option<GpuMemoryBytes>,
    /// GPU core temperature, °C.
    pub temperature_celsius: Option<f64>,
    /// Power draw, W.
    pub power_watts: Option<f64>,
    /// The enforced power limit, W.
    pub power_limit_watts: Option<f64>,
    /// NVML's energy counter (since driver load), J.
    pub energy_counter_joules: Option<f64>,
    /// Current clocks.
    pub clocks_hz: GpuClocksHz,
    /// The throttle reasons active at the read.
    pub throttle_reasons: Option<Vec<GpuThrottleReason>>,
    /// Each fan's speed as a share of its maximum, 0..1, by fan index.
    pub fan_speed_ratios: Option<Vec<f64>>,
    /// Performance state, 0 (P0, the fastest) to 15.
    pub performance_state: Option<u32>,
}

/// A sample of the driver's own buffer (nvmlDeviceGetSamples).
#[napi(object)]
pub struct GpuDriverSample {
    /// Position in the sampler's sequence (see samples()).
    pub seq: f64,
    /// The device's index.
    pub gpu: u32,
    /// What the sample measures.
    pub kind: GpuDriverSampleKind,
    /// The driver's CPU timestamp, µs.
    pub timestamp_us: f64,
    /// Ratio for utilization, watts for power.
    pub value: f64,
}

/// Minimum, maximum and mean of a value over the readings of a window.
#[napi(object)]
pub struct GpuMinMaxMean {
    /// The smallest value read.
    pub min: f64,
    /// The largest value read.
    pub max: f64,
    /// The mean of the values read (each reading counts once).
    pub mean: f64,
    /// Readings that had the value.
    pub count: u32,
}

/// One device's readings over a window; a value is absent when no reading had it.
#[napi(object)]
pub struct GpuWindow {
    /// The device's index.
    pub gpu: u32,
    /// Readings in the window.
    pub count: u32,
    /// Unix time of the first reading in the window, ms.
    pub from_ms: Option<f64>,
    /// Unix time of the last reading in the window, ms.
    pub to_ms: Option<f64>,
    /// GpuReading.utilizationRatio over the window.
    pub utilization_ratio: Option<GpuMinMaxMean>,
    /// GpuReading.memoryUtilizationRatio over the window.
    pub memory_utilization_ratio: Option<GpuMinMaxMean>,
    /// GpuReading.memoryBytes.used over the window, bytes.
    pub memory_used_bytes: Option<GpuMinMaxMean>,
    /// GpuReading.temperatureCelsius over the window, °C.
    pub temperature_celsius: Option<GpuMinMaxMean>,
    /// GpuReading.powerWatts over the window, W.
    pub power_watts: Option<GpuMinMaxMean>,
    /// GpuReading.clocksHz.sm over the window, Hz.
    pub sm_clock_hz: Option<GpuMinMaxMean>,
}

/// Readings and driver samples after a cursor, of every device.
#[napi(object)]
pub struct GpuSamples {
    /// Pass back as sinceCursor to get only what came after.
    pub cursor: f64,
    /// Entries after sinceCursor fell out of a ring before this read (read more often).
    pub missed: bool,
    /// Readings after the cursor, oldest first per device.
    pub readings: Vec<GpuReading>,
    /// Driver samples after the cursor, each once, in the driver's time order per device and kind.
    pub driver: Vec<GpuDriverSample>,
}

/// Seconds one throttle reason was active.
#[napi(object)]
pub struct GpuThrottleSeconds {
    /// The throttle reason.
    pub reason: GpuThrottleReason,
    /// Since the sampler started; only grows (a Prometheus counter).
    pub seconds: f64,
}

/// NVML errors of one kind met reading one field.
#[napi(object)]
pub struct GpuErrorCount {
    /// What was being read.
    pub field: GpuField,
    /// What NVML answered.
    pub error: GpuErrorKind,
    /// Since the sampler started.
    pub count: f64,
}

/// A process with a context on the GPU, from the slow loop's last process list. pids are here, never in labels.
#[napi(object)]
pub struct GpuProcess {
    /// The process id (in the host's pid namespace, as the driver sees it).
    pub pid: u32,
    /// The executable name (nvmlSystemGetProcessName, else /proc/<pid>/comm): the `process` label.
    pub name: String,
    /// Compute (CUDA) or graphics context.
    #[napi(js_name = "type")]
    pub kind: GpuProcessType,
    /// GPU memory it uses, bytes; absent when the driver cannot say.
    pub memory_bytes: Option<f64>,
    /// ∫ its SM utilization dt while it ran, s.
    pub busy_seconds: f64,
    /// Its cgroup (from /proc/<pid>/cgroup), where readable.
    pub cgroup: Option<String>,
    /// The container id in its cgroup (docker, containerd, CRI-O, podman), where there is one.
    pub container_id: Option<String>,
}

/// Busy seconds of every process of one executable name, since the sampler started; only grows.
#[napi(object)]
pub struct GpuProcessBusy {
    /// The executable name ("other" past 256 names).
    pub name: String,
    /// ∫ SM utilization dt of its processes, s.
    pub busy_seconds: f64,
}

/// XID events of one code.
#[napi(object)]
pub struct GpuXidCount {
    /// The XID code (999: the driver gave none).
    pub xid: u32,
    /// Events since the sampler started.
    pub count: f64,
}

/// ECC errors since the driver loaded (volatile counts).
#[napi(object)]
pub struct GpuEccCounts {
    /// Corrected (single-bit) errors.
    pub corrected: f64,
    /// Uncorrected (double-bit) errors.
    pub uncorrected: f64,
}

/// Pages the driver retired over the GPU's life (before Ampere).
#[napi(object)]
pub struct GpuRetiredPages {
    /// After multiple single-bit ECC errors.
    pub single_bit: f64,
    /// After a double-bit ECC error.
    pub double_bit: f64,
}

/// Rows remapped over the GPU's life (Ampere and later).
#[napi(object)]
pub struct GpuRemappedRows {
    /// Remapped after correctable errors.
    pub correctable: f64,
    /// Remapped after uncorrectable errors.
    pub uncorrectable: f64,
    /// A remapping waits for a GPU reset.
    pub pending: bool,
    /// A remapping failed: the GPU needs service.
    pub failed: bool,
}

/// PCIe traffic and replays.
#[napi(object)]
pub struct GpuPcie {
    /// Bytes sent by the GPU, ∫ of the throughput read each slow tick.
    pub tx_bytes: f64,
    /// Bytes received by the GPU, likewise.
    pub rx_bytes: f64,
    /// Replays the driver counted since it loaded; absent when not readable.
    pub replays: Option<f64>,
}

/// Data bytes over one active NVLink since the driver loaded.
#[napi(object)]
pub struct GpuNvlink {
    /// The link index.
    pub link: u32,
    /// Bytes sent.
    pub tx_bytes: f64,
    /// Bytes received.
    pub rx_bytes: f64,
}

/// One device's counters: what the sampler integrated and counted since it started.
#[napi(object)]
pub struct GpuDeviceStats {
    /// The device's index.
    pub gpu: u32,
    /// The `gpu` label (see GpuDevice.id).
    pub id: String,
    /// Whether the GPU is lost (see GpuDevice.lost).
    pub lost: bool,
    /// Readings taken.
    pub samples_total: f64,
    /// Unix time of the latest reading, ms.
    pub last_sample_ms: Option<f64>,
    /// ∫ utilization dt since the sampler started, s; only grows (a Prometheus counter).
    pub busy_seconds: f64,
    /// Energy since the sampler started, J; only grows, whatever the source or a driver reload.
    pub energy_joules: f64,
    /// The best source the driver offered: a later, better one goes on from the value reached.
    pub energy_source: GpuEnergySource,
    /// Seconds each throttle reason was active, every reason listed.
    pub throttle_seconds: Vec<GpuThrottleSeconds>,
    /// NVML errors by field and kind.
    pub errors: Vec<GpuErrorCount>,
    /// Driver samples the ring holds now.
    pub driver_samples_kept: f64,
    /// Readings the ring holds now.
    pub readings_kept: f64,
    /// The processes running on it now, by pid.
    pub processes: Vec<GpuProcess>,
    /// Busy seconds by executable name since the sampler started (ended processes included).
    pub process_busy: Vec<GpuProcessBusy>,
    /// XID events by code.
    pub xid: Vec<GpuXidCount>,
    /// Unix time of the latest XID event, ms.
    pub xid_last_ms: Option<f64>,
    /// ECC error counts; absent when not supported.
    pub ecc: Option<GpuEccCounts>,
    /// Retired pages; absent when not supported (GPUs that remap rows instead).
    pub retired_pages: Option<GpuRetiredPages>,
    /// Remapped rows; absent when not supported (GPUs before Ampere).
    pub remapped_rows: Option<GpuRemappedRows>,
    /// PCIe traffic and replays; absent when neither is readable.
    pub pcie: Option<GpuPcie>,
    /// Every active NVLink.
    pub nvlink: Vec<GpuNvlink>,
}

/// Which processes do the work a job is charged for.
#[napi(object)]
pub struct GpuAttribution {
    /// Process ids (default: this process).
    pub pids: Vec<u32>,
    /// Executable names, e.g. model servers ("tritonserver").
    pub names: Vec<String>,
}

/// The sampler's own state and every device's counters.
#[napi(object)]
pub struct GpuSamplerStats {
    /// Whether the sampling thread runs (false after stop(), or when the sampler is not available).
    pub running: bool,
    /// The sampling interval, ms.
    pub interval_ms: f64,
    /// The slow loop's interval, ms; 0 when it is off.
    pub slow_interval_ms: f64,
    /// Readings and driver samples kept per device.
    pub ring_size: f64,
    /// The driver's version (nvmlSystemGetDriverVersion); empty when unknown.
    pub driver_version: String,
    /// Where readings come from. Always set by the addon; absent when no NVML is loaded.
    pub source: Option<GpuSource>,
    /// Ticks of the sampling thread.
    pub ticks: f64,
    /// Ticks of the slow loop.
    pub slow_ticks: f64,
    /// Ticks that panicked (caught on the sampling thread; the thread goes on).
    pub panics: f64,
    /// Each device's counters, by index.
    pub devices: Vec<GpuDeviceStats>,
}

/// devices, latest and stats in one consistent copy: what a scrape reads.
#[napi(object)]
pub struct GpuSnapshot {
    /// Every GPU NVML listed at start.
    pub devices: Vec<GpuDevice>,
    /// The newest reading of each device that has one.
    pub latest: Vec<GpuReading>,
    /// The sampler's state and every device's counters.
    pub stats: GpuSamplerStats,
}

/// The sampling thread of this process: created by startSampler, ended by stop().
#[napi]
pub struct NativeSampler {
    inner: Sampler,
}

/// Loads NVML and starts sampling; throws an error whose `code` (a StartErrorCode) says why
/// NVML cannot be used.
#[napi]
pub fn start_sampler(options: Option<NativeOptions>) -> Result<NativeSampler, StartErrorCode> {
    guarded("startSampler", StartErrorCode::Init, || {
        let o = options.unwrap_or(NativeOptions { library_path: None, interval_ms: None, ring_size: None, slow_interval_ms: None, events: None });
        let defaults = SamplerOptions::default();
        let interval = match o.interval_ms {
            // Checked before Duration::from_secs_f64, which panics on values it cannot hold.
            Some(ms) if !(1.0..=3_600_000.0).contains(&ms) => {
                let allowed = crate::options::INTERVAL_ALLOWED;
                return Err(start_error(StartError::Options { option: "intervalMs", allowed, got: ms.to_string() }));
            }
            Some(ms) => Duration::from_secs_f64(ms / 1000.0),
            None => defaults.interval,
        };
        let slow_interval = match o.slow_interval_ms {
            Some(0.0) => None,
            Some(ms) if !(10.0..=3_600_000.0).contains(&ms) => {
                let allowed = crate::options::SLOW_INTERVAL_ALLOWED;
                return Err(start_error(StartError::Options { option: "slowIntervalMs", allowed, got: ms.to_string() }));
            }
            Some(ms) => Some(Duration::from_secs_f64(ms / 1000.0)),
            None => defaults.slow_interval,
        };
        let options = SamplerOptions {
            library_path: o.library_path.map(Into::into),
            interval,
            ring_size: o.ring_size.map_or(defaults.ring_size, |n| n as usize),
            slow_interval,
            events: o.events.unwrap_or(defaults.events),
        };
        Sampler::start(options).map(|inner| NativeSampler { inner }).map_err(start_error)
    })
}

fn start_error(e: StartError) -> Error<StartErrorCode> {
    Error::new(StartErrorCode::from(&e), e.to_string())
}

#[napi]
impl NativeSampler {
    /// Every GPU NVML listed at start, lost ones included.
    #[napi]
    pub fn devices(&self) -> Result<Vec<GpuDevice>> {
        guarded("devices", Status::GenericFailure, || Ok(self.inner.devices().into_iter().map(GpuDevice::from).collect()))
    }

    /// The newest reading of each device.
    #[napi]
    pub fn latest(&self) -> Result<Vec<GpuReading>> {
        guarded("latest", Status::GenericFailure, || Ok(self.inner.latest().into_iter().map(GpuReading::from).collect()))
    }

    /// Min / max / mean per device over the readings of the last `windowMs` milliseconds (of what the ring holds).
    #[napi]
    pub fn window(&self, window_ms: f64) -> Result<Vec<GpuWindow>> {
        guarded("window", Status::GenericFailure, || Ok(self.inner.window(window_ms).into_iter().map(GpuWindow::from).collect()))
    }

    /// Readings and driver samples after a cursor (0 or none: everything still in the rings).
    #[napi]
    pub fn samples(&self, since_cursor: Option<f64>) -> Result<GpuSamples> {
        guarded("samples", Status::GenericFailure, || Ok(self.inner.samples(since_cursor.unwrap_or(0.0).max(0.0) as u64).into()))
    }

    /// The sampler's state and every device's counters.
    #[napi]
    pub fn stats(&self) -> Result<GpuSamplerStats> {
        guarded("stats", Status::GenericFailure, || Ok(self.inner.stats().into()))
    }

    /// devices + latest + stats from one lock: what a scrape reads.
    #[napi]
    pub fn snapshot(&self) -> Result<GpuSnapshot> {
        guarded("snapshot", Status::GenericFailure, || Ok(self.inner.snapshot().into()))
    }

    /// Sets which processes do the work jobs are charged for (see integrals()); default: this process.
    #[napi]
    pub fn set_attribution(&self, attribution: GpuAttribution) -> Result<()> {
        guarded("setAttribution", Status::GenericFailure, || {
            self.inner.set_attribution(Attribution { pids: attribution.pids, names: attribution.names });
            Ok(())
        })
    }

    /// Each device's busy seconds, energy and attributed busy seconds over [fromMs, toMs] (Unix ms; the last hour is kept).
    #[napi]
    pub fn integrals(&self, from_ms: f64, to_ms: f64) -> Result<GpuIntegrals> {
        guarded("integrals", Status::GenericFailure, || Ok(self.inner.integrals(from_ms, to_ms)))
    }

    /// Joins the sampling thread after the NVML call in progress; later reads return the last values.
    #[napi]
    pub fn stop(&mut self) -> Result<()> {
        guarded("stop", Status::GenericFailure, || {
            self.inner.stop();
            Ok(())
        })
    }
}

impl From<DriverSampleKind> for GpuDriverSampleKind {
    fn from(k: DriverSampleKind) -> Self {
        match k {
            DriverSampleKind::Utilization => GpuDriverSampleKind::Utilization,
            DriverSampleKind::Power => GpuDriverSampleKind::Power,
        }
    }
}

impl From<EnergySource> for GpuEnergySource {
    fn from(s: EnergySource) -> Self {
        match s {
            EnergySource::Counter => GpuEnergySource::Counter,
            EnergySource::PowerSamples => GpuEnergySource::PowerSamples,
            EnergySource::PowerReadings => GpuEnergySource::PowerReadings,
        }
    }
}

impl From<DeviceInfo> for GpuDevice {
    fn from(d: DeviceInfo) -> Self {
        GpuDevice {
            index: d.index,
            id: d.id,
            parent: d.mig.as_ref().map(|m| m.parent),
            profile: d.mig.map(|m| m.profile),
            name: d.name,
            uuid: d.uuid,
            lost: d.lost,
            lost_at_ms: d.lost_at_ms,
            disabled_fields: d.disabled_fields,
            fields: d.fields.into_iter().map(|(field, supported)| GpuFieldSupport { field, supported }).collect(),
        }
    }
}

impl From<Reading> for GpuReading {
    fn from(r: Reading) -> Self {
        let c = r.clocks_hz;
        GpuReading {
            seq: r.seq as f64,
            gpu: r.gpu,
            time_ms: r.time_ms,
            utilization_ratio: r.utilization_ratio,
            memory_utilization_ratio: r.memory_utilization_ratio,
            memory_bytes: r.memory.map(|m| GpuMemoryBytes {
                total: m.total as f64,
                used: m.used as f64,
                free: m.free as f64,
                reserved: m.reserved as f64,
            }),
            temperature_celsius: r.temperature_celsius,
            power_watts: r.power_watts,
            power_limit_watts: r.power_limit_watts,
            energy_counter_joules: r.energy_counter_joules,
            clocks_hz: GpuClocksHz { sm: c.sm, memory: c.memory, graphics: c.graphics, video: c.video },
            throttle_reasons: r.throttle_reasons.map(throttle_reasons),
            fan_speed_ratios: r.fan_speed_ratios,
            performance_state: r.performance_state,
        }
    }
}

impl From<DriverSample> for GpuDriverSample {
    fn from(s: DriverSample) -> Self {
        GpuDriverSample { seq: s.seq as f64, gpu: s.gpu, kind: s.kind.into(), timestamp_us: s.timestamp_us as f64, value: s.value }
    }
}

impl From<MinMaxMean> for GpuMinMaxMean {
    fn from(s: MinMaxMean) -> Self {
        GpuMinMaxMean { min: s.min, max: s.max, mean: s.mean, count: s.count }
    }
}

impl From<WindowStats> for GpuWindow {
    fn from(w: WindowStats) -> Self {
        GpuWindow {
            gpu: w.gpu,
            count: w.count,
            from_ms: w.from_ms,
            to_ms: w.to_ms,
            utilization_ratio: w.utilization_ratio.map(Into::into),
            memory_utilization_ratio: w.memory_utilization_ratio.map(Into::into),
            memory_used_bytes: w.memory_used_bytes.map(Into::into),
            temperature_celsius: w.temperature_celsius.map(Into::into),
            power_watts: w.power_watts.map(Into::into),
            sm_clock_hz: w.sm_clock_hz.map(Into::into),
        }
    }
}

impl From<SamplesSince> for GpuSamples {
    fn from(s: SamplesSince) -> Self {
        GpuSamples {
            cursor: s.cursor as f64,
            missed: s.missed,
            readings: s.readings.into_iter().map(GpuReading::from).collect(),
            driver: s.driver.into_iter().map(GpuDriverSample::from).collect(),
        }
    }
}

impl From<ErrorCount> for GpuErrorCount {
    fn from(e: ErrorCount) -> Self {
        GpuErrorCount { field: e.field, error: e.error, count: e.count as f64 }
    }
}

impl From<DeviceStats> for GpuDeviceStats {
    fn from(d: DeviceStats) -> Self {
        GpuDeviceStats {
            gpu: d.gpu,
            id: d.id,
            lost: d.lost,
            samples_total: d.samples_total as f64,
            last_sample_ms: d.last_sample_ms,
            busy_seconds: d.busy_seconds,
            energy_joules: d.energy_joules,
            energy_source: d.energy_source.into(),
            throttle_seconds: d.throttle_seconds.into_iter().map(|(reason, seconds)| GpuThrottleSeconds { reason, seconds }).collect(),
            errors: d.errors.into_iter().map(GpuErrorCount::from).collect(),
            driver_samples_kept: d.driver_samples_kept as f64,
            readings_kept: d.readings_kept as f64,
            processes: d.processes.into_iter().map(GpuProcess::from).collect(),
            process_busy: d.process_busy.into_iter().map(|(name, busy_seconds)| GpuProcessBusy { name, busy_seconds }).collect(),
            xid: d.xid.into_iter().map(|(xid, count)| GpuXidCount { xid, count: count as f64 }).collect(),
            xid_last_ms: d.xid_last_ms,
            ecc: d.ecc.map(|e| GpuEccCounts { corrected: e.corrected as f64, uncorrected: e.uncorrected as f64 }),
            retired_pages: d.retired_pages.map(|r| GpuRetiredPages { single_bit: r.single_bit as f64, double_bit: r.double_bit as f64 }),
            remapped_rows: d.remapped_rows.map(|r| GpuRemappedRows {
                correctable: r.correctable as f64,
                uncorrectable: r.uncorrectable as f64,
                pending: r.pending,
                failed: r.failed,
            }),
            pcie: d.pcie.map(|p| GpuPcie { tx_bytes: p.tx_bytes, rx_bytes: p.rx_bytes, replays: p.replays.map(|r| r as f64) }),
            nvlink: d.nvlink.into_iter().map(|l| GpuNvlink { link: l.link, tx_bytes: l.tx, rx_bytes: l.rx }).collect(),
        }
    }
}

impl From<Stats> for GpuSamplerStats {
    fn from(s: Stats) -> Self {
        GpuSamplerStats {
            running: s.running,
            interval_ms: s.interval_ms,
            slow_interval_ms: s.slow_interval_ms,
            ring_size: s.ring_size as f64,
            driver_version: s.driver_version,
            source: Some(s.source),
            ticks: s.ticks as f64,
            slow_ticks: s.slow_ticks as f64,
            panics: s.panics as f64,
            devices: s.devices.into_iter().map(GpuDeviceStats::from).collect(),
        }
    }
}

impl From<Snapshot> for GpuSnapshot {
    fn from(s: Snapshot) -> Self {
        GpuSnapshot {
            devices: s.devices.into_iter().map(GpuDevice::from).collect(),
            latest: s.latest.into_iter().map(GpuReading::from).collect(),
            stats: s.stats.into(),
        }
    }
}

impl From<ProcessStats> for GpuProcess {
    fn from(s: ProcessStats) -> Self {
        let p = s.process;
        GpuProcess {
            pid: p.pid,
            name: p.name,
            kind: p.kind,
            memory_bytes: p.memory_bytes.map(|b| b as f64),
            busy_seconds: s.busy_seconds,
            cgroup: p.cgroup,
            container_id: p.container_id,
        }
    }
}
