//! nvmlDeviceGetSamples: the driver's sample buffer. Sample k (k >= 1) is taken at k·periodMs
//! after nvmlInit; utilization samples are the mean over the period before them (as the
//! driver's are), power samples the instant value. Only the newest `size` samples are kept.
use crate::scenario::DeviceScenario;
use crate::session::{device_call, Session};
use nvml_wrapper_sys::bindings::*;
use std::os::raw::{c_uint, c_ulonglong};

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetSamples(
    device: nvmlDevice_t,
    sample_type: nvmlSamplingType_t,
    last_seen_time_stamp: c_ulonglong,
    sample_val_type: *mut nvmlValueType_t,
    sample_count: *mut c_uint,
    samples: *mut nvmlSample_t,
) -> nvmlReturn_t {
    let field = match sample_type {
        nvmlSamplingType_enum_NVML_TOTAL_POWER_SAMPLES => "samples.power",
        nvmlSamplingType_enum_NVML_GPU_UTILIZATION_SAMPLES | nvmlSamplingType_enum_NVML_MEMORY_UTILIZATION_SAMPLES => "samples.utilization",
        _ => return nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED,
    };
    if sample_val_type.is_null() || sample_count.is_null() {
        return nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
    }
    let result = device_call(device, field, |d, t, s| {
        let (first, last) = pending(d, t, s, last_seen_time_stamp).ok_or(nvmlReturn_enum_NVML_ERROR_NOT_FOUND)?;
        sample_val_type.write(nvmlValueType_enum_NVML_VALUE_TYPE_UNSIGNED_INT);
        let available = (last - first + 1) as c_uint;
        if samples.is_null() {
            sample_count.write(available);
            return Ok(());
        }
        // The oldest first: a caller with a short buffer gets the rest on its next call.
        let n = available.min(sample_count.read());
        for i in 0..n {
            let k = first + i as u64;
            let value = value_of(d, sample_type, k);
            samples.add(i as usize).write(nvmlSample_t { timeStamp: timestamp(d, s, k), sampleValue: nvmlValue_t { uiVal: value } });
        }
        sample_count.write(n);
        Ok(())
    });
    result.err().unwrap_or(nvmlReturn_enum_NVML_SUCCESS)
}

pub(crate) fn period_us(d: &DeviceScenario) -> f64 {
    d.samples.period_ms * 1000.0
}

pub(crate) fn timestamp(d: &DeviceScenario, s: &Session, k: u64) -> u64 {
    s.start_unix_us + (k as f64 * period_us(d)).round() as u64
}

/// The range of sample indices newer than `last_seen` still in the buffer at t, if any.
pub(crate) fn pending(d: &DeviceScenario, t: f64, s: &Session, last_seen: u64) -> Option<(u64, u64)> {
    let newest = (t / d.samples.period_ms).floor() as u64;
    if newest == 0 {
        return None;
    }
    let oldest = newest.saturating_sub(d.samples.size as u64 - 1).max(1);
    let mut first =
        if last_seen < s.start_unix_us { oldest } else { (((last_seen - s.start_unix_us) as f64 / period_us(d)).floor() as u64).max(oldest) };
    while first <= newest && timestamp(d, s, first) <= last_seen {
        first += 1;
    }
    (first <= newest).then_some((first, newest))
}

fn value_of(d: &DeviceScenario, sample_type: nvmlSamplingType_t, k: u64) -> c_uint {
    let end = k as f64 * d.samples.period_ms;
    let start = end - d.samples.period_ms;
    let v = match sample_type {
        nvmlSamplingType_enum_NVML_TOTAL_POWER_SAMPLES => d.power_watts.at(end) * 1000.0,
        nvmlSamplingType_enum_NVML_GPU_UTILIZATION_SAMPLES => d.utilization.mean(start, end),
        _ => d.memory_utilization.mean(start, end),
    };
    v.round().max(0.0) as c_uint
}
