//! GPM (GPU performance monitoring, Hopper and later): samples of a GPU or of one MIG
//! instance, and the metrics between two of them. SM_UTIL and GRAPHICS_UTIL are the exact
//! mean of the utilization schedule between the samples' times; other metrics answer
//! NOT_SUPPORTED in their slot.
use super::code;
use crate::scenario::DeviceScenario;
use crate::session::{self, new_object_id, target_call, Session, Target};
use nvml_wrapper_sys::bindings::*;
use std::os::raw::{c_char, c_uint};
use std::ptr::addr_of_mut;

#[derive(Default)]
pub struct GpmSample {
    taken: Option<Taken>,
}

#[derive(Clone, Copy)]
struct Taken {
    device: usize,
    /// Some for nvmlGpmMigSampleGet.
    gpu_instance_id: Option<u32>,
    t: f64,
}

/// Answers whether the device has GPM (SUCCESS either way, as the driver does).
#[no_mangle]
pub unsafe extern "C" fn nvmlGpmQueryDeviceSupport(device: nvmlDevice_t, gpm_support: *mut nvmlGpmSupport_t) -> nvmlReturn_t {
    code(session::device_call(device, "gpmSupport", |d, _, _| {
        if gpm_support.is_null() {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        if (*gpm_support).version != NVML_GPM_SUPPORT_VERSION {
            return Err(nvmlReturn_enum_NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
        }
        (*gpm_support).isSupportedDevice = c_uint::from(has_gpm(d));
        Ok(())
    }))
}

fn has_gpm(d: &DeviceScenario) -> bool {
    d.architecture.has_gpm() && d.supports("gpm")
}

#[no_mangle]
pub unsafe extern "C" fn nvmlGpmSampleAlloc(gpm_sample: *mut nvmlGpmSample_t) -> nvmlReturn_t {
    code(session::with_session(|s| {
        if gpm_sample.is_null() {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        let id = new_object_id();
        s.objects.borrow_mut().gpm_samples.insert(id, GpmSample::default());
        gpm_sample.write(id as nvmlGpmSample_t);
        Ok(())
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlGpmSampleFree(gpm_sample: nvmlGpmSample_t) -> nvmlReturn_t {
    code(session::with_session(|s| {
        s.objects.borrow_mut().gpm_samples.remove(&(gpm_sample as usize)).map(|_| ()).ok_or(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT)
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlGpmSampleGet(device: nvmlDevice_t, gpm_sample: nvmlGpmSample_t) -> nvmlReturn_t {
    code(target_call(device, "gpm", |target, t, s| take(target, None, t, s, gpm_sample)))
}

/// A sample of the MIG instance `gpuInstanceId` of the GPU `device`.
#[no_mangle]
pub unsafe extern "C" fn nvmlGpmMigSampleGet(device: nvmlDevice_t, gpu_instance_id: c_uint, gpm_sample: nvmlGpmSample_t) -> nvmlReturn_t {
    code(target_call(device, "gpm", |target, t, s| {
        let mig = target.device.mig.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)?;
        if !mig.instances.iter().any(|i| i.gpu_instance_id == gpu_instance_id) {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        take(target, Some(gpu_instance_id), t, s, gpm_sample)
    }))
}

fn take(target: Target, gpu_instance_id: Option<u32>, t: f64, s: &Session, gpm_sample: nvmlGpmSample_t) -> Result<(), nvmlReturn_t> {
    if target.instance.is_some() || !has_gpm(target.device) {
        return Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED);
    }
    let mut objects = s.objects.borrow_mut();
    let sample = objects.gpm_samples.get_mut(&(gpm_sample as usize)).ok_or(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT)?;
    sample.taken = Some(Taken { device: target.index, gpu_instance_id, t });
    Ok(())
}

/// Fills `metrics[0..numMetrics]` from two samples of the same GPU or instance.
#[no_mangle]
pub unsafe extern "C" fn nvmlGpmMetricsGet(metrics_get: *mut nvmlGpmMetricsGet_t) -> nvmlReturn_t {
    if metrics_get.is_null() {
        return nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
    }
    code(session::with_session(|s| {
        if (*metrics_get).version != NVML_GPM_METRICS_GET_VERSION {
            return Err(nvmlReturn_enum_NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
        }
        let count = (*metrics_get).numMetrics as usize;
        if count > nvmlGpmMetricId_t_NVML_GPM_METRIC_MAX as usize {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        let objects = s.objects.borrow();
        let taken = |sample: nvmlGpmSample_t| objects.gpm_samples.get(&(sample as usize)).and_then(|g| g.taken);
        let (Some(a), Some(b)) = (taken((*metrics_get).sample1), taken((*metrics_get).sample2)) else {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        };
        if (a.device, a.gpu_instance_id) != (b.device, b.gpu_instance_id) {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        let d = &s.scenario.devices[a.device];
        if d.lost_at(s.elapsed_ms()) {
            return Err(nvmlReturn_enum_NVML_ERROR_GPU_IS_LOST);
        }
        let schedule = match a.gpu_instance_id {
            None => &d.utilization,
            Some(gi) => &d.mig_instance(gi).ok_or(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT)?.utilization,
        };
        let busy = schedule.mean(a.t.min(b.t), a.t.max(b.t)).clamp(0.0, 100.0);
        // Slot by slot: a caller's struct may be longer than bindgen's (pynvml's has 477).
        let metrics = addr_of_mut!((*metrics_get).metrics).cast::<nvmlGpmMetric_t>();
        for i in 0..count {
            let metric = &mut *metrics.add(i);
            match METRIC_INFO.iter().find(|(id, ..)| *id == metric.metricId) {
                Some((_, short, long, unit)) => {
                    metric.nvmlReturn = nvmlReturn_enum_NVML_SUCCESS;
                    metric.value = busy;
                    metric.metricInfo.shortName = short.as_ptr() as *mut c_char;
                    metric.metricInfo.longName = long.as_ptr() as *mut c_char;
                    metric.metricInfo.unit = unit.as_ptr() as *mut c_char;
                }
                None => metric.nvmlReturn = nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED,
            }
        }
        Ok(())
    }))
}

/// The metrics the sim computes, with the names nvmlGpmMetricsGet gives them.
const METRIC_INFO: [(c_uint, &std::ffi::CStr, &std::ffi::CStr, &std::ffi::CStr); 2] = [
    (nvmlGpmMetricId_t_NVML_GPM_METRIC_GRAPHICS_UTIL, c"graphics_util", c"Graphics utilization", c"%"),
    (nvmlGpmMetricId_t_NVML_GPM_METRIC_SM_UTIL, c"sm_util", c"SM utilization", c"%"),
];
