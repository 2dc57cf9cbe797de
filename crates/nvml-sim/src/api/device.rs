//! Per-device queries: identity, utilization, memory, thermals, power, clocks, fans, P-state.
use super::{code, percent, put, put_str};
use crate::scenario::THROTTLE_REASONS;
use crate::session::{device_call, target_call, Target};
use nvml_wrapper_sys::bindings::*;
use std::os::raw::{c_char, c_uint, c_ulonglong};

/// A MIG device is named as the driver names it: "<GPU name> MIG <profile>".
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetName(device: nvmlDevice_t, name: *mut c_char, length: c_uint) -> nvmlReturn_t {
    code(target_call(device, "name", |target, _, _| match target.instance {
        None => put_str(name, length, &target.device.name),
        Some(instance) => put_str(name, length, &format!("{} MIG {}", target.device.name, instance.profile)),
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetUUID(device: nvmlDevice_t, uuid: *mut c_char, length: c_uint) -> nvmlReturn_t {
    code(target_call(device, "uuid", |target, _, _| {
        let index = target.index;
        let value = match target.instance {
            None => target.device.uuid.clone().unwrap_or_else(|| format!("GPU-5157a000-0000-4000-8000-{index:012}")),
            Some(instance) => format!("MIG-5157a000-0000-4000-9{index:03}-{:012}", instance.gpu_instance_id),
        };
        put_str(uuid, length, &value)
    }))
}

/// The NVML index of a whole GPU (MIG devices have none: NOT_SUPPORTED).
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetIndex(device: nvmlDevice_t, index: *mut c_uint) -> nvmlReturn_t {
    code(target_call(device, "index", |target, _, _| match target.instance {
        None => put(index, target.index as c_uint),
        Some(_) => Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED),
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetArchitecture(device: nvmlDevice_t, arch: *mut nvmlDeviceArchitecture_t) -> nvmlReturn_t {
    code(device_call(device, "architecture", |d, _, _| put(arch, d.architecture.code())))
}

/// Like the driver, the rate is the mean over the last sample period, not an instant value.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetUtilizationRates(device: nvmlDevice_t, utilization: *mut nvmlUtilization_t) -> nvmlReturn_t {
    code(device_call(device, "utilization", |d, t, _| {
        let from = (t - d.samples.period_ms).max(0.0);
        let gpu = percent(d.utilization.mean(from, t));
        let memory = percent(d.memory_utilization.mean(from, t));
        put(utilization, nvmlUtilization_t { gpu, memory })
    }))
}

/// (total, reserved, used, free) at t, with used clamped to what is not reserved. A MIG
/// device has its own memory and no reserve.
fn memory_at(target: Target, t: f64) -> (u64, u64, u64, u64) {
    let (total, reserved, used) = match target.instance {
        None => (target.device.memory_total_bytes, target.device.memory_reserved_bytes, &target.device.memory_used_bytes),
        Some(instance) => (instance.memory_total_bytes, 0, &instance.memory_used_bytes),
    };
    let reserved = reserved.min(total);
    let used = (used.at(t).max(0.0) as u64).min(total - reserved);
    (total, reserved, used, total - reserved - used)
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMemoryInfo(device: nvmlDevice_t, memory: *mut nvmlMemory_t) -> nvmlReturn_t {
    code(target_call(device, "memory", |target, t, _| {
        let (total, reserved, used, free) = memory_at(target, t);
        // The v1 struct has no reserved field: the driver counts it as used.
        put(memory, nvmlMemory_t { total, free, used: used + reserved })
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMemoryInfo_v2(device: nvmlDevice_t, memory: *mut nvmlMemory_v2_t) -> nvmlReturn_t {
    code(target_call(device, "memory", |target, t, _| {
        if memory.is_null() {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        let version = (*memory).version;
        if version >> 24 != 2 {
            return Err(nvmlReturn_enum_NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
        }
        let (total, reserved, used, free) = memory_at(target, t);
        put(memory, nvmlMemory_v2_t { version, total, reserved, free, used })
    }))
}

/// Only the GPU core sensor (NVML_TEMPERATURE_GPU = 0) exists.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetTemperature(device: nvmlDevice_t, sensor: nvmlTemperatureSensors_t, temp: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "temperature", |d, t, _| {
        if sensor != nvmlTemperatureSensors_enum_NVML_TEMPERATURE_GPU {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        put(temp, d.temperature.at(t).round().max(0.0) as c_uint)
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetPowerUsage(device: nvmlDevice_t, power: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "power", |d, t, _| put(power, (d.power_watts.at(t) * 1000.0).round().max(0.0) as c_uint)))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetEnforcedPowerLimit(device: nvmlDevice_t, limit: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "powerLimit", |d, t, _| put(limit, (d.power_limit_watts.at(t) * 1000.0).round().max(0.0) as c_uint)))
}

/// mJ since nvmlInit: the exact integral of the power schedule (W·ms = mJ).
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetTotalEnergyConsumption(device: nvmlDevice_t, energy: *mut c_ulonglong) -> nvmlReturn_t {
    code(device_call(device, "energy", |d, t, _| put(energy, d.power_watts.integral(t).max(0.0) as c_ulonglong)))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetClockInfo(device: nvmlDevice_t, clock_type: nvmlClockType_t, clock: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "clocks", |d, t, _| {
        let c = &d.clocks_mhz;
        let (schedule, default) = match clock_type {
            nvmlClockType_enum_NVML_CLOCK_GRAPHICS => (&c.graphics, 1410.0),
            nvmlClockType_enum_NVML_CLOCK_SM => (&c.sm, 1410.0),
            nvmlClockType_enum_NVML_CLOCK_MEM => (&c.memory, 1215.0),
            nvmlClockType_enum_NVML_CLOCK_VIDEO => (&c.video, 1275.0),
            _ => return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT),
        };
        put(clock, schedule.as_ref().map_or(default, |s| s.at(t)).round().max(0.0) as c_uint)
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetCurrentClocksEventReasons(device: nvmlDevice_t, reasons: *mut c_ulonglong) -> nvmlReturn_t {
    code(device_call(device, "throttle", |d, t, _| {
        let bits = THROTTLE_REASONS
            .iter()
            .filter(|(name, _)| d.throttle.get(*name).is_some_and(|s| s.at(t) >= 0.5))
            .fold(0u64, |acc, (_, bit)| acc | u64::from(*bit));
        put(reasons, bits)
    }))
}

/// The pre-12.2 name of nvmlDeviceGetCurrentClocksEventReasons (nvml-wrapper calls this one).
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetCurrentClocksThrottleReasons(device: nvmlDevice_t, reasons: *mut c_ulonglong) -> nvmlReturn_t {
    nvmlDeviceGetCurrentClocksEventReasons(device, reasons)
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetNumFans(device: nvmlDevice_t, num_fans: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "fans", |d, _, _| put(num_fans, d.fans.len() as c_uint)))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetFanSpeed_v2(device: nvmlDevice_t, fan: c_uint, speed: *mut c_uint) -> nvmlReturn_t {
    code(device_call(device, "fans", |d, t, _| {
        let schedule = d.fans.get(fan as usize).ok_or(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT)?;
        put(speed, percent(schedule.at(t)))
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetFanSpeed(device: nvmlDevice_t, speed: *mut c_uint) -> nvmlReturn_t {
    nvmlDeviceGetFanSpeed_v2(device, 0, speed)
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetPerformanceState(device: nvmlDevice_t, p_state: *mut nvmlPstates_t) -> nvmlReturn_t {
    code(device_call(device, "performanceState", |d, t, _| put(p_state, d.performance_state.at(t).round().clamp(0.0, 15.0) as nvmlPstates_t)))
}
