//! `gpu-probe fields`: every NVML call the sampler makes (fast tick, slow loop, event thread),
//! made directly on each GPU, N times: supported or the error, what it answered first, and
//! how long it takes. Also what the driver's sample buffers hold: how many samples, how far
//! apart, and whether their timestamps are Unix time (the sampler relies on it).
use crate::cli::FieldsArgs;
use crate::driver::{self, snake, source_name, ProbeError};
use crate::latency::{rank, Latency};
use gpu_sampler::error_kind::error_kind;
use gpu_sampler::field::Field;
use gpu_sampler::reader::unix_ms;
use gpu_sampler::Source;
use nvml_wrapper::bitmasks::event::EventTypes;
use nvml_wrapper::enum_wrappers::device::{Clock, EccCounter, MemoryError, PcieUtilCounter, RetirementCause, Sampling, TemperatureSensor};
use nvml_wrapper::enums::device::UsedGpuMemory;
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::struct_wrappers::device::ProcessInfo;
use nvml_wrapper::structs::device::FieldId;
use nvml_wrapper::sys_exports::field_id::NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX;
use nvml_wrapper::{Device, Nvml};
use serde::Serialize;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[derive(Debug, Serialize)]
pub struct FieldsReport {
    pub probe: &'static str,
    pub library: String,
    pub source: &'static str,
    pub init_us: f64,
    pub driver_version: Option<String>,
    pub nvml_version: Option<String>,
    pub cuda_driver_version: Option<String>,
    pub device_count: u32,
    pub calls_per_function: usize,
    /// System calls (driver version, device count).
    pub system: Vec<CallRow>,
    pub devices: Vec<DeviceFields>,
}

#[derive(Debug, Serialize)]
pub struct DeviceFields {
    pub index: u32,
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub calls: Vec<CallRow>,
    pub driver_samples: DriverBuffers,
}

#[derive(Debug, Serialize)]
pub struct DriverBuffers {
    pub utilization: Option<Buffer>,
    pub power: Option<Buffer>,
}

/// What nvmlDeviceGetSamples(type, 0) answered: the whole buffer.
#[derive(Debug, Serialize)]
pub struct Buffer {
    pub samples: usize,
    /// Median step between consecutive timestamps: the driver's sample period.
    pub period_ms: Option<f64>,
    /// Newest minus oldest timestamp.
    pub span_ms: Option<f64>,
    /// Now minus the newest timestamp: small and positive when timestamps are Unix µs.
    pub newest_age_ms: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    NotSupported,
    Error,
}

#[derive(Debug, Serialize)]
pub struct CallRow {
    /// The sampler's field the call serves (`gpu_field_supported`'s label); None for calls
    /// that only identify the GPU.
    pub field: Option<String>,
    pub call: String,
    pub status: Status,
    /// The error kind (`gpu_sampler_errors_total`'s label) and NVML's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the first call answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    pub latency: Latency,
}

struct Timer {
    calls: usize,
    budget: Duration,
}

impl Timer {
    /// Calls `f` up to `calls` times (at least once, then while within the budget) and keeps
    /// the first answer.
    fn row(&self, field: Option<Field>, call: &str, mut f: impl FnMut() -> Result<Value, NvmlError>) -> CallRow {
        let started = Instant::now();
        let mut us = Vec::with_capacity(self.calls);
        let mut first = None;
        while us.is_empty() || (us.len() < self.calls && started.elapsed() < self.budget) {
            let t = Instant::now();
            let answer = f();
            us.push(t.elapsed().as_secs_f64() * 1e6);
            first.get_or_insert(answer);
        }
        let latency = Latency::of(&us).expect("at least one call");
        let field = field.map(|f| snake(&f));
        match first.expect("at least one call") {
            Ok(value) => CallRow { field, call: call.into(), status: Status::Ok, error: None, message: None, value: Some(value), latency },
            Err(e) => {
                let status = if is_unsupported(&e) { Status::NotSupported } else { Status::Error };
                CallRow { field, call: call.into(), status, error: Some(snake(&error_kind(&e))), message: Some(e.to_string()), value: None, latency }
            }
        }
    }
}

fn is_unsupported(e: &NvmlError) -> bool {
    matches!(e, NvmlError::NotSupported | NvmlError::FunctionNotFound | NvmlError::FailedToLoadSymbol(_))
}

pub fn run(args: &FieldsArgs) -> Result<FieldsReport, ProbeError> {
    let library = driver::resolved_library(args.library.as_ref());
    let t = Instant::now();
    let nvml = driver::open(&library)?;
    let init_us = t.elapsed().as_secs_f64() * 1e6;
    let timer = Timer { calls: args.calls, budget: args.budget };
    let device_count = nvml.device_count().map_err(|e| ProbeError::Nvml(format!("nvmlDeviceGetCount failed: {e}")))?;
    let system = vec![
        timer.row(None, "nvmlSystemGetDriverVersion", || nvml.sys_driver_version().map(Value::from)),
        timer.row(None, "nvmlSystemGetNVMLVersion", || nvml.sys_nvml_version().map(Value::from)),
        timer.row(None, "nvmlSystemGetCudaDriverVersion", || nvml.sys_cuda_driver_version().map(Value::from)),
        timer.row(None, "nvmlDeviceGetCount", || nvml.device_count().map(Value::from)),
    ];
    let cuda = nvml
        .sys_cuda_driver_version()
        .ok()
        .map(|v| format!("{}.{}", nvml_wrapper::cuda_driver_version_major(v), nvml_wrapper::cuda_driver_version_minor(v)));
    let devices = (0..device_count).map(|i| device_fields(&nvml, &timer, i)).collect();
    Ok(FieldsReport {
        probe: "fields",
        library: library.to_string_lossy().into_owned(),
        source: source_name(Source::of_library(&library)),
        init_us,
        driver_version: nvml.sys_driver_version().ok(),
        nvml_version: nvml.sys_nvml_version().ok(),
        cuda_driver_version: cuda,
        device_count,
        calls_per_function: args.calls,
        system,
        devices,
    })
}

fn device_fields(nvml: &Nvml, timer: &Timer, index: u32) -> DeviceFields {
    let mut calls = vec![timer.row(Some(Field::Handle), "nvmlDeviceGetHandleByIndex_v2", || nvml.device_by_index(index).map(|_| Value::Null))];
    let Ok(d) = nvml.device_by_index(index) else {
        return DeviceFields { index, name: None, uuid: None, calls, driver_samples: DriverBuffers { utilization: None, power: None } };
    };
    calls.extend(identity_calls(timer, &d));
    calls.extend(fast_calls(timer, &d));
    calls.extend(slow_calls(timer, nvml, &d));
    DeviceFields {
        index,
        name: d.name().ok(),
        uuid: d.uuid().ok(),
        calls,
        driver_samples: DriverBuffers { utilization: buffer(&d, Sampling::GpuUtilization), power: buffer(&d, Sampling::Power) },
    }
}

fn identity_calls(timer: &Timer, d: &Device) -> Vec<CallRow> {
    vec![
        timer.row(None, "nvmlDeviceGetName", || d.name().map(Value::from)),
        timer.row(None, "nvmlDeviceGetUUID", || d.uuid().map(Value::from)),
        timer.row(None, "nvmlDeviceGetPciInfo_v3", || d.pci_info().map(|p| Value::from(p.bus_id))),
        timer.row(None, "nvmlDeviceGetArchitecture", || d.architecture().map(|a| Value::from(a.to_string()))),
        timer.row(None, "nvmlDeviceGetMigMode", || d.mig_mode().map(|m| json!({ "current": m.current, "pending": m.pending }))),
    ]
}

/// The sampling thread's calls, in the order of one tick.
fn fast_calls(timer: &Timer, d: &Device) -> Vec<CallRow> {
    let mut rows = vec![
        timer.row(Some(Field::Energy), "nvmlDeviceGetTotalEnergyConsumption", || d.total_energy_consumption().map(|mj| json!({ "millijoules": mj }))),
        timer.row(Some(Field::Throttle), "nvmlDeviceGetCurrentClocksThrottleReasons", || d.current_throttle_reasons().map(|r| Value::from(r.bits()))),
        timer.row(Some(Field::Utilization), "nvmlDeviceGetUtilizationRates", || {
            d.utilization_rates().map(|u| json!({ "gpu_percent": u.gpu, "memory_percent": u.memory }))
        }),
        timer.row(Some(Field::Memory), "nvmlDeviceGetMemoryInfo_v2", || {
            d.memory_info().map(|m| json!({ "total_bytes": m.total, "used_bytes": m.used, "free_bytes": m.free, "reserved_bytes": m.reserved }))
        }),
        timer.row(Some(Field::Temperature), "nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU)", || {
            d.temperature(TemperatureSensor::Gpu).map(|c| json!({ "celsius": c }))
        }),
        timer.row(Some(Field::Power), "nvmlDeviceGetPowerUsage", || d.power_usage().map(|mw| json!({ "milliwatts": mw }))),
        timer.row(Some(Field::PowerLimit), "nvmlDeviceGetEnforcedPowerLimit", || d.enforced_power_limit().map(|mw| json!({ "milliwatts": mw }))),
    ];
    for (clock, name) in [(Clock::SM, "SM"), (Clock::Memory, "MEM"), (Clock::Graphics, "GRAPHICS"), (Clock::Video, "VIDEO")] {
        let call = format!("nvmlDeviceGetClockInfo(NVML_CLOCK_{name})");
        rows.push(timer.row(Some(Field::Clocks), &call, || d.clock_info(clock).map(|mhz| json!({ "mhz": mhz }))));
    }
    rows.push(timer.row(Some(Field::Fans), "nvmlDeviceGetNumFans", || d.num_fans().map(Value::from)));
    if d.num_fans().is_ok_and(|n| n > 0) {
        rows.push(timer.row(Some(Field::Fans), "nvmlDeviceGetFanSpeed_v2(0)", || d.fan_speed(0).map(|p| json!({ "percent": p }))));
    }
    rows.push(timer.row(Some(Field::PerformanceState), "nvmlDeviceGetPerformanceState", || d.performance_state().map(|p| Value::from(p.as_c()))));
    for (field, sampling, name) in [
        (Field::UtilizationSamples, Sampling::GpuUtilization, "NVML_GPU_UTILIZATION_SAMPLES"),
        (Field::PowerSamples, Sampling::Power, "NVML_TOTAL_POWER_SAMPLES"),
    ] {
        // As the sampler asks: only the samples newer than the last one seen.
        let mut last_seen = newest_timestamp(d, &sampling).unwrap_or(0);
        let call = format!("nvmlDeviceGetSamples({name}, lastSeen)");
        rows.push(timer.row(Some(field), &call, || match d.samples(sampling, last_seen) {
            Ok(found) => {
                last_seen = found.iter().map(|s| s.timestamp).max().unwrap_or(last_seen).max(last_seen);
                Ok(json!({ "new_samples": found.len() }))
            }
            Err(NvmlError::NotFound) => Ok(json!({ "new_samples": 0 })),
            Err(e) => Err(e),
        }));
    }
    rows
}

/// The slow loop's and the event thread's calls.
fn slow_calls(timer: &Timer, nvml: &Nvml, d: &Device) -> Vec<CallRow> {
    let processes = |list: Vec<ProcessInfo>| {
        let list: Vec<Value> = list
            .iter()
            .map(|p| {
                let memory = match p.used_gpu_memory {
                    UsedGpuMemory::Used(b) => Some(b),
                    UsedGpuMemory::Unavailable => None,
                };
                json!({ "pid": p.pid, "memory_bytes": memory })
            })
            .collect();
        Value::from(list)
    };
    let since_us = ((unix_ms() - 1000.0) * 1000.0) as u64;
    vec![
        timer.row(Some(Field::Processes), "nvmlDeviceGetComputeRunningProcesses_v3", || d.running_compute_processes().map(processes)),
        timer.row(Some(Field::Processes), "nvmlDeviceGetGraphicsRunningProcesses_v3", || d.running_graphics_processes().map(processes)),
        timer.row(Some(Field::ProcessUtilization), "nvmlDeviceGetProcessUtilization", || match d.process_utilization_stats(since_us) {
            Ok(s) => Ok(json!({ "samples": s.len() })),
            Err(NvmlError::NotFound) => Ok(json!({ "samples": 0 })),
            Err(e) => Err(e),
        }),
        timer.row(Some(Field::Ecc), "nvmlDeviceGetTotalEccErrors(CORRECTED, VOLATILE)", || {
            d.total_ecc_errors(MemoryError::Corrected, EccCounter::Volatile).map(Value::from)
        }),
        timer.row(Some(Field::Ecc), "nvmlDeviceGetTotalEccErrors(UNCORRECTED, VOLATILE)", || {
            d.total_ecc_errors(MemoryError::Uncorrected, EccCounter::Volatile).map(Value::from)
        }),
        timer.row(Some(Field::RetiredPages), "nvmlDeviceGetRetiredPages_v2(MULTIPLE_SINGLE_BIT)", || {
            d.retired_pages(RetirementCause::MultipleSingleBitEccErrors).map(|p| Value::from(p.len()))
        }),
        timer.row(Some(Field::RemappedRows), "nvmlDeviceGetRemappedRows", || {
            // The sampler's own call (nvml-wrapper 0.13 does not wrap it).
            gpu_sampler::raw::remapped_rows(nvml, d)
                .map(|r| json!({ "correctable": r.correctable, "uncorrectable": r.uncorrectable, "pending": r.pending, "failed": r.failed }))
        }),
        // Blocks about 20 ms in the driver: the budget bounds how many are timed.
        timer.row(Some(Field::PcieThroughput), "nvmlDeviceGetPcieThroughput(TX_BYTES)", || {
            d.pcie_throughput(PcieUtilCounter::Send).map(|kb| json!({ "kilobytes_per_second": kb }))
        }),
        timer.row(Some(Field::PcieReplays), "nvmlDeviceGetPcieReplayCounter", || d.pcie_replay_counter().map(Value::from)),
        timer.row(Some(Field::Nvlink), "nvmlDeviceGetNvLinkState(0)", || d.link_wrapper_for(0).is_active().map(Value::from)),
        timer.row(Some(Field::Nvlink), "nvmlDeviceGetFieldValues(NVLINK_THROUGHPUT_DATA_TX, link 0)", || {
            // The call succeeds with an error in the slot where the field is not supported.
            let sample = d.field_values_for(&[FieldId(NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX)])?.pop().ok_or(NvmlError::Unknown)??;
            sample.value.map(|v| json!({ "kib": crate::sample::sample_value(&v) }))
        }),
        timer.row(Some(Field::XidEvents), "nvmlDeviceGetSupportedEventTypes", || {
            let types = d.supported_event_types()?;
            if types.contains(EventTypes::CRITICAL_XID_ERROR) {
                Ok(Value::from(types.bits()))
            } else {
                Err(NvmlError::NotSupported)
            }
        }),
        timer.row(Some(Field::Gpm), "nvmlGpmQueryDeviceSupport", || match d.gpm_support()? {
            true => Ok(Value::Bool(true)),
            false => Err(NvmlError::NotSupported),
        }),
    ]
}

fn newest_timestamp(d: &Device, sampling: &Sampling) -> Option<u64> {
    d.samples(*sampling, 0).ok()?.iter().map(|s| s.timestamp).max()
}

fn buffer(d: &Device, sampling: Sampling) -> Option<Buffer> {
    let samples = match d.samples(sampling, 0) {
        Ok(s) => s,
        Err(NvmlError::NotFound) => Vec::new(),
        Err(_) => return None,
    };
    let mut ts: Vec<u64> = samples.iter().map(|s| s.timestamp).collect();
    ts.sort_unstable();
    let steps: Vec<f64> = ts.windows(2).map(|w| (w[1] - w[0]) as f64 / 1000.0).collect();
    let mut sorted = steps.clone();
    sorted.sort_by(f64::total_cmp);
    Some(Buffer {
        samples: ts.len(),
        period_ms: (!sorted.is_empty()).then(|| rank(&sorted, 0.5)),
        span_ms: (ts.len() > 1).then(|| (ts[ts.len() - 1] - ts[0]) as f64 / 1000.0),
        newest_age_ms: ts.last().map(|&newest| unix_ms() - newest as f64 / 1000.0),
    })
}
