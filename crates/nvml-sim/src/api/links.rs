//! Bus traffic: PCIe throughput and replays, NVLink state and the NVLink byte counters read
//! through nvmlDeviceGetFieldValues.
use super::{code, put};
use crate::scenario::DeviceScenario;
use crate::session::device_call;
use nvml_wrapper_sys::bindings::field_id::*;
use nvml_wrapper_sys::bindings::*;
use std::os::raw::{c_int, c_uint};
use std::time::Duration;

/// KiB/s over the next `throughputLatencyMs`, and the call takes that long: the driver counts
/// bytes over a 20 ms window before it answers.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetPcieThroughput(device: nvmlDevice_t, counter: nvmlPcieUtilCounter_t, value: *mut c_uint) -> nvmlReturn_t {
    if value.is_null() {
        return nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
    }
    let result = device_call(device, "pcie", |d, t, _| {
        let pcie = d.pcie.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        let rate = match counter {
            nvmlPcieUtilCounter_enum_NVML_PCIE_UTIL_TX_BYTES => &pcie.tx_bytes_per_second,
            nvmlPcieUtilCounter_enum_NVML_PCIE_UTIL_RX_BYTES => &pcie.rx_bytes_per_second,
            _ => return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT),
        };
        let window = pcie.throughput_latency_ms;
        let kib_per_second = (rate.mean(t, t + window) / 1024.0).round().clamp(0.0, f64::from(c_uint::MAX)) as c_uint;
        Ok((kib_per_second, window))
    });
    // Outside the session lock, as every sleep here.
    code(result.and_then(|(kib_per_second, window)| {
        std::thread::sleep(Duration::from_secs_f64(window / 1000.0));
        put(value, kib_per_second)
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetPcieReplayCounter(device: nvmlDevice_t, value: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "pcie", |d, t, _| {
        let pcie = d.pcie.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        put(value, pcie.replays.count_at(t).min(u64::from(c_uint::MAX)) as c_uint)
    }))
}

/// ENABLED for the scenario's links, NOT_SUPPORTED for the others, INVALID_ARGUMENT past
/// NVML_NVLINK_MAX_LINKS.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetNvLinkState(device: nvmlDevice_t, link: c_uint, is_active: *mut nvmlEnableState_t) -> nvmlReturn_t {
    code(device_call(device, "nvlink", |d, _, _| {
        if link >= NVML_NVLINK_MAX_LINKS {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        if link as usize >= d.nvlink.len() {
            return Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED);
        }
        put(is_active, nvmlEnableState_enum_NVML_FEATURE_ENABLED)
    }))
}

/// Answers NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX / _RX (scopeId = link: KiB since nvmlInit)
/// and NVML_FI_DEV_NVLINK_LINK_COUNT; any other field gets NOT_SUPPORTED in its slot. Each
/// value is exact at its slot's `timestamp` (whole µs), so a test can recompute it.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetFieldValues(device: nvmlDevice_t, values_count: c_int, values: *mut nvmlFieldValue_t) -> nvmlReturn_t {
    if values_count < 0 || (values.is_null() && values_count > 0) {
        return nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
    }
    code(device_call(device, "fieldValues", |d, t, s| {
        let t_us = (t * 1000.0).floor();
        for i in 0..values_count as usize {
            let slot = &mut *values.add(i);
            slot.timestamp = (s.start_unix_us as f64 + t_us) as i64;
            slot.latencyUsec = 0;
            match field_value(d, slot.fieldId, slot.scopeId, t_us / 1000.0) {
                Ok((value_type, value)) => {
                    slot.valueType = value_type;
                    slot.value = value;
                    slot.nvmlReturn = nvmlReturn_enum_NVML_SUCCESS;
                }
                Err(e) => slot.nvmlReturn = e,
            }
        }
        Ok(())
    }))
}

fn field_value(d: &DeviceScenario, field: c_uint, scope: c_uint, t: f64) -> Result<(nvmlValueType_t, nvmlValue_t), nvmlReturn_t> {
    if !d.supports("nvlink") {
        return Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED);
    }
    match field {
        NVML_FI_DEV_NVLINK_LINK_COUNT => Ok((nvmlValueType_enum_NVML_VALUE_TYPE_UNSIGNED_INT, nvmlValue_t { uiVal: d.nvlink.len() as c_uint })),
        NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX | NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX => {
            let link = d.nvlink.get(scope as usize).ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
            let rate = if field == NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX { &link.tx_bytes_per_second } else { &link.rx_bytes_per_second };
            // bytes/s · ms / 1000 = bytes; / 1024 = KiB.
            let kib = (rate.integral(t) / 1000.0 / 1024.0).max(0.0).floor() as u64;
            Ok((nvmlValueType_enum_NVML_VALUE_TYPE_UNSIGNED_LONG_LONG, nvmlValue_t { ullVal: kib }))
        }
        _ => Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED),
    }
}
