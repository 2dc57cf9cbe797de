//! MIG: the mode of a GPU, its MIG devices (one per instance of `mig.instances`) and the
//! instance ids of a MIG device. Handles are described in handles.rs.
use super::{code, put};
use crate::handles;
use crate::session::{device_call, target_call};
use nvml_wrapper_sys::bindings::*;
use std::os::raw::c_uint;

/// Current and pending mode: on for a GPU with `mig`, NOT_SUPPORTED without.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMigMode(device: nvmlDevice_t, current_mode: *mut c_uint, pending_mode: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "mig", |d, _, _| {
        d.mig.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        if current_mode.is_null() || pending_mode.is_null() {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        put(current_mode, NVML_DEVICE_MIG_ENABLE)?;
        put(pending_mode, NVML_DEVICE_MIG_ENABLE)
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMaxMigDeviceCount(device: nvmlDevice_t, count: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "mig", |d, _, _| {
        let mig = d.mig.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        put(count, mig.instances.len() as c_uint)
    }))
}

/// The MIG device of the index-th instance; NOT_FOUND past the last.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMigDeviceHandleByIndex(device: nvmlDevice_t, index: c_uint, mig_device: *mut nvmlDevice_t) -> nvmlReturn_t {
    code(target_call(device, "mig", |target, _, _| {
        let mig = target.device.mig.as_ref().filter(|_| target.instance.is_none()).ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        if index as usize >= mig.instances.len() {
            return Err(nvmlReturn_enum_NVML_ERROR_NOT_FOUND);
        }
        put(mig_device, handles::mig(target.index, index as usize))
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceIsMigDeviceHandle(device: nvmlDevice_t, is_mig_device: *mut c_uint) -> nvmlReturn_t {
    code(target_call(device, "mig", |target, _, _| put(is_mig_device, c_uint::from(target.instance.is_some()))))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetDeviceHandleFromMigDeviceHandle(mig_device: nvmlDevice_t, device: *mut nvmlDevice_t) -> nvmlReturn_t {
    code(target_call(mig_device, "mig", |target, _, _| match target.instance {
        Some(_) => put(device, handles::gpu(target.index)),
        None => Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED),
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstanceId(device: nvmlDevice_t, id: *mut c_uint) -> nvmlReturn_t {
    code(target_call(device, "mig", |target, _, _| match target.instance {
        Some(instance) => put(id, instance.gpu_instance_id),
        None => Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED),
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetComputeInstanceId(device: nvmlDevice_t, id: *mut c_uint) -> nvmlReturn_t {
    code(target_call(device, "mig", |target, _, _| match target.instance {
        Some(instance) => put(id, instance.compute_instance_id),
        None => Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED),
    }))
}
