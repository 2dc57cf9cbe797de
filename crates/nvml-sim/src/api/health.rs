//! Memory health: ECC error totals, retired pages (before Ampere) and remapped rows (Ampere
//! and later). A device without the scenario key answers NOT_SUPPORTED, as GPUs without the
//! feature do.
use super::{code, put};
use crate::scenario::{DeviceScenario, RetiredPages};
use crate::session::{device_call, Session};
use nvml_wrapper_sys::bindings::*;
use std::os::raw::{c_uint, c_ulonglong};

/// Volatile and aggregate counters are the same: the scenario's totals since nvmlInit.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetTotalEccErrors(
    device: nvmlDevice_t,
    error_type: nvmlMemoryErrorType_t,
    counter_type: nvmlEccCounterType_t,
    ecc_counts: *mut c_ulonglong,
) -> nvmlReturn_t {
    code(device_call(device, "ecc", |d, t, _| {
        let ecc = d.ecc.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        if counter_type != nvmlEccCounterType_enum_NVML_VOLATILE_ECC && counter_type != nvmlEccCounterType_enum_NVML_AGGREGATE_ECC {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        let schedule = match error_type {
            nvmlMemoryErrorType_enum_NVML_MEMORY_ERROR_TYPE_CORRECTED => &ecc.corrected,
            nvmlMemoryErrorType_enum_NVML_MEMORY_ERROR_TYPE_UNCORRECTED => &ecc.uncorrected,
            _ => return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT),
        };
        put(ecc_counts, schedule.count_at(t))
    }))
}

/// ECC is on (current and pending) where the scenario has `ecc`.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetEccMode(
    device: nvmlDevice_t,
    current: *mut nvmlEnableState_t,
    pending: *mut nvmlEnableState_t,
) -> nvmlReturn_t {
    code(device_call(device, "ecc", |d, _, _| {
        d.ecc.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        if current.is_null() || pending.is_null() {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        put(current, nvmlEnableState_enum_NVML_FEATURE_ENABLED)?;
        put(pending, nvmlEnableState_enum_NVML_FEATURE_ENABLED)
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetRetiredPages(
    device: nvmlDevice_t,
    cause: nvmlPageRetirementCause_t,
    page_count: *mut c_uint,
    addresses: *mut c_ulonglong,
) -> nvmlReturn_t {
    code(device_call(device, "retiredPages", |d, _, s| retired(d, s, cause, page_count, addresses, std::ptr::null_mut())))
}

/// As nvmlDeviceGetRetiredPages, with the time of each retirement (Unix seconds).
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetRetiredPages_v2(
    device: nvmlDevice_t,
    cause: nvmlPageRetirementCause_t,
    page_count: *mut c_uint,
    addresses: *mut c_ulonglong,
    timestamps: *mut c_ulonglong,
) -> nvmlReturn_t {
    code(device_call(device, "retiredPages", |d, _, s| retired(d, s, cause, page_count, addresses, timestamps)))
}

/// Pages `0x<cause+1>_0000_0000 + i·4 KiB`, retired at nvmlInit (the scenario's pages were
/// retired before it). `*page_count` below the count answers INSUFFICIENT_SIZE with the count,
/// whatever the buffer (nvml-wrapper asks with a count of 0 and a non-NULL buffer).
unsafe fn retired(
    d: &DeviceScenario,
    s: &Session,
    cause: nvmlPageRetirementCause_t,
    page_count: *mut c_uint,
    addresses: *mut c_ulonglong,
    timestamps: *mut c_ulonglong,
) -> Result<(), nvmlReturn_t> {
    let RetiredPages { single_bit, double_bit } = d.retired_pages.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
    let n = match cause {
        nvmlPageRetirementCause_enum_NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS => *single_bit,
        nvmlPageRetirementCause_enum_NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR => *double_bit,
        _ => return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT),
    };
    if page_count.is_null() {
        return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
    }
    if page_count.read() < n {
        page_count.write(n);
        return Err(nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE);
    }
    if n > 0 && addresses.is_null() {
        return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
    }
    for i in 0..n as usize {
        addresses.add(i).write((u64::from(cause) + 1) << 32 | (i as u64) << 12);
        if !timestamps.is_null() {
            timestamps.add(i).write(s.start_unix_us / 1_000_000);
        }
    }
    page_count.write(n);
    Ok(())
}

/// Rows remapped (correctable, uncorrectable), and whether a remap is pending or has failed.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetRemappedRows(
    device: nvmlDevice_t,
    corr_rows: *mut c_uint,
    unc_rows: *mut c_uint,
    is_pending: *mut c_uint,
    failure_occurred: *mut c_uint,
) -> nvmlReturn_t {
    code(device_call(device, "remappedRows", |d, t, _| {
        let rows = d.remapped_rows.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        if [corr_rows, unc_rows, is_pending, failure_occurred].iter().any(|p| p.is_null()) {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        put(corr_rows, rows.correctable.count_at(t) as c_uint)?;
        put(unc_rows, rows.uncorrectable.count_at(t) as c_uint)?;
        put(is_pending, c_uint::from(rows.pending.at(t) >= 0.5))?;
        put(failure_occurred, c_uint::from(rows.failed.at(t) >= 0.5))
    }))
}
