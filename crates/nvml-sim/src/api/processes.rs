//! Processes on a GPU: the running-process lists, their names, and their share of the SMs in
//! the driver's sample buffer (nvmlDeviceGetProcessUtilization).
use super::samples::{pending, timestamp};
use super::{code, percent, NOT_AVAILABLE};
use crate::scenario::{DeviceScenario, Process, ProcessKind};
use crate::session::{self, device_call, target_call, Target};
use nvml_wrapper_sys::bindings::*;
use std::os::raw::{c_char, c_uint, c_ulonglong};

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetComputeRunningProcesses_v3(
    device: nvmlDevice_t,
    info_count: *mut c_uint,
    infos: *mut nvmlProcessInfo_t,
) -> nvmlReturn_t {
    running(device, ProcessKind::Compute, info_count, infos)
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetGraphicsRunningProcesses_v3(
    device: nvmlDevice_t,
    info_count: *mut c_uint,
    infos: *mut nvmlProcessInfo_t,
) -> nvmlReturn_t {
    running(device, ProcessKind::Graphics, info_count, infos)
}

/// The processes of `kind` listed now; a MIG device lists those of its instance. As the
/// driver: a NULL or short buffer answers INSUFFICIENT_SIZE with the count (SUCCESS when 0).
unsafe fn running(device: nvmlDevice_t, kind: ProcessKind, info_count: *mut c_uint, infos: *mut nvmlProcessInfo_t) -> nvmlReturn_t {
    if info_count.is_null() {
        return nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
    }
    code(target_call(device, "processes", |target, t, _| {
        let listed: Vec<nvmlProcessInfo_t> = target
            .device
            .processes
            .iter()
            .filter(|p| p.kind == kind && p.listed_at(t) && in_target(p, target))
            .map(|p| info(p, target.device, t))
            .collect();
        let n = listed.len() as c_uint;
        if infos.is_null() || info_count.read() < n {
            info_count.write(n);
            return if n == 0 { Ok(()) } else { Err(nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE) };
        }
        std::ptr::copy_nonoverlapping(listed.as_ptr(), infos, listed.len());
        info_count.write(n);
        Ok(())
    }))
}

fn in_target(p: &Process, target: Target) -> bool {
    target.instance.is_none_or(|instance| p.gpu_instance_id == Some(instance.gpu_instance_id))
}

fn info(p: &Process, d: &DeviceScenario, t: f64) -> nvmlProcessInfo_t {
    let instance = p.gpu_instance_id.and_then(|gi| d.mig_instance(gi));
    nvmlProcessInfo_t {
        pid: p.pid.resolve(),
        usedGpuMemory: p.memory_used_bytes.at(t).max(0.0) as c_ulonglong,
        gpuInstanceId: instance.map_or(NOT_AVAILABLE, |i| i.gpu_instance_id),
        computeInstanceId: instance.map_or(NOT_AVAILABLE, |i| i.compute_instance_id),
    }
}

/// The name of a scenario process (on any device), cut to fit `length` with its NUL as the
/// driver does; NOT_FOUND for a pid no device lists.
#[no_mangle]
pub unsafe extern "C" fn nvmlSystemGetProcessName(pid: c_uint, name: *mut c_char, length: c_uint) -> nvmlReturn_t {
    if name.is_null() || length == 0 {
        return nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
    }
    code(session::with_session(|s| {
        let process = s.scenario.devices.iter().flat_map(|d| &d.processes).find(|p| p.pid.resolve() == pid);
        let value = process.ok_or(nvmlReturn_enum_NVML_ERROR_NOT_FOUND)?.name();
        let bytes = &value.as_bytes()[..value.len().min(length as usize - 1)];
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), name as *mut u8, bytes.len());
        name.add(bytes.len()).write(0);
        Ok(())
    }))
}

/// Per-process samples in the driver's buffer: at each sample (the timestamps of
/// nvmlDeviceGetSamples) one entry per process listed then whose SM share over the period
/// before it rounds above 0. A short buffer gets the oldest whole samples (all processes of
/// one timestamp or none, so a caller resuming from the last timestamp it saw loses nothing).
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetProcessUtilization(
    device: nvmlDevice_t,
    utilization: *mut nvmlProcessUtilizationSample_t,
    process_samples_count: *mut c_uint,
    last_seen_time_stamp: c_ulonglong,
) -> nvmlReturn_t {
    if process_samples_count.is_null() {
        return nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
    }
    code(device_call(device, "processUtilization", |d, t, s| {
        let samples = pending(d, t, s, last_seen_time_stamp)
            .map_or_else(Vec::new, |(first, last)| (first..=last).map(|k| processes_at(d, s, k)).filter(|entries| !entries.is_empty()).collect());
        let available: usize = samples.iter().map(Vec::len).sum();
        if available == 0 {
            process_samples_count.write(0);
            return Err(nvmlReturn_enum_NVML_ERROR_NOT_FOUND);
        }
        if utilization.is_null() {
            process_samples_count.write(available as c_uint);
            return Err(nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE);
        }
        let room = process_samples_count.read() as usize;
        let mut written = 0;
        for entries in &samples {
            if written + entries.len() > room {
                break;
            }
            std::ptr::copy_nonoverlapping(entries.as_ptr(), utilization.add(written), entries.len());
            written += entries.len();
        }
        if written == 0 {
            process_samples_count.write(available as c_uint);
            return Err(nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE);
        }
        process_samples_count.write(written as c_uint);
        Ok(())
    }))
}

/// The entries of sample k: processes listed at its time that used the SMs in its period.
fn processes_at(d: &DeviceScenario, s: &session::Session, k: u64) -> Vec<nvmlProcessUtilizationSample_t> {
    let end = k as f64 * d.samples.period_ms;
    let start = end - d.samples.period_ms;
    d.processes
        .iter()
        .filter(|p| p.listed_at(end))
        .map(|p| (p, percent(p.utilization.mean(start, end))))
        .filter(|(_, sm)| *sm > 0)
        .map(|(p, sm)| nvmlProcessUtilizationSample_t {
            pid: p.pid.resolve(),
            timeStamp: timestamp(d, s, k),
            smUtil: sm,
            memUtil: 0,
            encUtil: 0,
            decUtil: 0,
        })
        .collect()
}
