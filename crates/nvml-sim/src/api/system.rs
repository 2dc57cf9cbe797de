//! Initialization, error strings, versions and device enumeration.
use super::{code, put, put_str};
use crate::{errors, handles, session};
use nvml_wrapper_sys::bindings::*;
use std::os::raw::{c_char, c_uint};

/// Not part of NVML: says that this library is a simulator, so a client that loaded it as
/// NVML (the ORFEAS sampler) labels what it reads as simulated, however it was pointed here.
#[no_mangle]
pub extern "C" fn nvmlSimIdentify() -> *const c_char {
    c"nvml-sim".as_ptr()
}

#[no_mangle]
pub extern "C" fn nvmlInit_v2() -> nvmlReturn_t {
    session::init()
}

#[no_mangle]
pub extern "C" fn nvmlInit() -> nvmlReturn_t {
    session::init()
}

/// Flags (NO_GPUS, NO_ATTACH) change nothing for simulated devices.
#[no_mangle]
pub extern "C" fn nvmlInitWithFlags(_flags: c_uint) -> nvmlReturn_t {
    session::init()
}

#[no_mangle]
pub extern "C" fn nvmlShutdown() -> nvmlReturn_t {
    session::shutdown()
}

#[no_mangle]
pub extern "C" fn nvmlErrorString(result: nvmlReturn_t) -> *const c_char {
    errors::message_of(result).as_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn nvmlSystemGetDriverVersion(version: *mut c_char, length: c_uint) -> nvmlReturn_t {
    code(session::with_session(|s| put_str(version, length, &s.scenario.driver_version)))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlSystemGetNVMLVersion(version: *mut c_char, length: c_uint) -> nvmlReturn_t {
    code(session::with_session(|s| put_str(version, length, &s.scenario.nvml_version)))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetCount_v2(device_count: *mut c_uint) -> nvmlReturn_t {
    code(session::with_session(|s| put(device_count, s.scenario.devices.len() as c_uint)))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetCount(device_count: *mut c_uint) -> nvmlReturn_t {
    nvmlDeviceGetCount_v2(device_count)
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetHandleByIndex_v2(index: c_uint, device: *mut nvmlDevice_t) -> nvmlReturn_t {
    code(session::with_session(|s| {
        let Some(d) = s.scenario.devices.get(index as usize) else { return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT) };
        // As the driver: a GPU that fell off the bus cannot be opened either.
        if d.lost_at(s.elapsed_ms()) {
            return Err(nvmlReturn_enum_NVML_ERROR_GPU_IS_LOST);
        }
        put(device, handles::gpu(index as usize))
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetHandleByIndex(index: c_uint, device: *mut nvmlDevice_t) -> nvmlReturn_t {
    nvmlDeviceGetHandleByIndex_v2(index, device)
}

/// Not NVML: the Unix time (µs) of the current session's nvmlInit, 0 when not initialized.
/// Tests use it as the scenario's time origin.
#[no_mangle]
pub extern "C" fn nvmlSimInitTimestampUs() -> u64 {
    session::start_unix_us()
}
