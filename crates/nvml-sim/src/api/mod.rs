//! The exported NVML C functions, grouped as nvml.h groups them.
//!
//! Safety, for every function: the contract of nvml.h. Out pointers must be valid for a write
//! or NULL (NULL answers NVML_ERROR_INVALID_ARGUMENT); buffers hold `length` bytes or `count`
//! samples as the caller says.
#![allow(non_upper_case_globals, clippy::missing_safety_doc)]
pub mod device;
pub mod events;
pub mod gpm;
pub mod health;
pub mod links;
pub mod mig;
pub mod processes;
pub mod samples;
pub mod system;

use nvml_wrapper_sys::bindings::*;
use std::os::raw::{c_char, c_uint};

/// nvml.h's "not available" for instance ids of processes and events outside a MIG instance.
pub(crate) const NOT_AVAILABLE: c_uint = 0xffff_ffff;

/// A percentage as NVML reports one: a whole number 0..100.
pub(crate) fn percent(v: f64) -> c_uint {
    v.round().clamp(0.0, 100.0) as c_uint
}

pub(crate) fn code(result: Result<(), nvmlReturn_t>) -> nvmlReturn_t {
    result.err().unwrap_or(nvmlReturn_enum_NVML_SUCCESS)
}

/// Writes `value` through `out`, or answers INVALID_ARGUMENT for a null pointer.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) -> Result<(), nvmlReturn_t> {
    if out.is_null() {
        return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
    }
    out.write(value);
    Ok(())
}

/// Copies a NUL-terminated string into a caller's buffer of `length` bytes.
pub(crate) unsafe fn put_str(out: *mut c_char, length: c_uint, value: &str) -> Result<(), nvmlReturn_t> {
    if out.is_null() {
        return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
    }
    let bytes = value.as_bytes();
    if bytes.len() + 1 > length as usize {
        return Err(nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE);
    }
    std::ptr::copy_nonoverlapping(bytes.as_ptr(), out as *mut u8, bytes.len());
    out.add(bytes.len()).write(0);
    Ok(())
}
