//! nvmlDeviceGetRemappedRows, which nvml-wrapper 0.13 does not wrap, called through the
//! library it loaded (as the sampler does). A library without it answers FunctionNotFound.
#![allow(non_upper_case_globals)] // nvml.h's constant names, as bindgen wrote them
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, Nvml};
use nvml_wrapper_sys::bindings::{nvmlReturn_enum_NVML_SUCCESS, nvmlReturn_t};
use serde_json::{json, Value};
use std::os::raw::c_uint;

fn check(code: nvmlReturn_t) -> Result<(), NvmlError> {
    if code == nvmlReturn_enum_NVML_SUCCESS {
        Ok(())
    } else {
        Err(NvmlError::from(code))
    }
}

pub fn remapped_rows(nvml: &Nvml, device: &Device) -> Result<Value, NvmlError> {
    let call = nvml.lib().nvmlDeviceGetRemappedRows.as_ref().map_err(|_| NvmlError::FunctionNotFound)?;
    let (mut correctable, mut uncorrectable, mut pending, mut failed): (c_uint, c_uint, c_uint, c_uint) = (0, 0, 0, 0);
    // SAFETY: the handle is this library's; each out pointer is valid for one write.
    check(unsafe { call(device.handle(), &mut correctable, &mut uncorrectable, &mut pending, &mut failed) })?;
    Ok(json!({ "correctable": correctable, "uncorrectable": uncorrectable, "pending": pending != 0, "failed": failed != 0 }))
}
