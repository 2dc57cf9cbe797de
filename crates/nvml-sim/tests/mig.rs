//! MIG devices and GPM, called as a C client would: MIG handles apart from whole GPUs, what
//! they answer and refuse, and GPM metrics as the mean of the utilization schedules.
mod support;
use nvml_sim::api::{device::*, events::nvmlDeviceRegisterEvents, gpm::*, health::nvmlDeviceGetTotalEccErrors, mig::*};
use nvml_sim::api::{processes::*, samples::nvmlDeviceGetSamples};
use nvml_wrapper_sys::bindings::*;
use std::ffi::CStr;
use support::*;

const SCENARIO: &str = r#"{"devices": [
    {"name": "H100", "architecture": "hopper", "memoryTotalBytes": 100000, "utilization": 52,
     "processes": [
        {"pid": "self", "gpuInstanceId": 1, "memoryUsedBytes": 100},
        {"pid": 3131, "name": "tritonserver", "gpuInstanceId": 13},
        {"pid": 4000, "name": "outside"}
     ],
     "mig": {"instances": [
        {"gpuInstanceId": 1, "profile": "3g.40gb", "memoryTotalBytes": 40000, "memoryUsedBytes": 10000, "utilization": 70},
        {"gpuInstanceId": 5, "profile": "2g.20gb", "memoryTotalBytes": 20000, "memoryUsedBytes": 30000,
         "utilization": {"ramp": {"from": 0, "to": 100, "durationMs": 1000}}},
        {"gpuInstanceId": 13, "computeInstanceId": 2, "profile": "1g.10gb", "memoryTotalBytes": 10000}
     ]}},
    {"name": "A100"},
    {"architecture": "hopper", "unsupported": ["gpm"]}
]}"#;

unsafe fn text(read: impl FnOnce(*mut std::os::raw::c_char) -> nvmlReturn_t) -> String {
    let mut buffer = [0 as std::os::raw::c_char; 96];
    assert_eq!(read(buffer.as_mut_ptr()), SUCCESS);
    CStr::from_ptr(buffer.as_ptr()).to_str().unwrap().to_string()
}

unsafe fn value(read: impl FnOnce(*mut u32) -> nvmlReturn_t) -> (nvmlReturn_t, u32) {
    let mut v = u32::MAX - 1;
    (read(&mut v), v)
}

#[test]
fn mig_devices_and_gpm() {
    init(SCENARIO);
    let (gpu, plain, no_gpm) = (handle(0), handle(1), handle(2));
    unsafe {
        assert_eq!(value(|v| nvmlDeviceGetIndex(plain, v)), (SUCCESS, 1));
        assert_eq!(value(|v| nvmlDeviceGetArchitecture(gpu, v)), (SUCCESS, NVML_DEVICE_ARCH_HOPPER));
        assert_eq!(value(|v| nvmlDeviceGetArchitecture(plain, v)), (SUCCESS, NVML_DEVICE_ARCH_AMPERE), "the default");

        let (mut current, mut pending) = (0, 0);
        assert_eq!(nvmlDeviceGetMigMode(gpu, &mut current, &mut pending), SUCCESS);
        assert_eq!((current, pending), (NVML_DEVICE_MIG_ENABLE, NVML_DEVICE_MIG_ENABLE));
        assert_eq!(nvmlDeviceGetMigMode(plain, &mut current, &mut pending), NOT_SUPPORTED);
        assert_eq!(value(|v| nvmlDeviceGetMaxMigDeviceCount(gpu, v)), (SUCCESS, 3));

        let mut migs = [std::ptr::null_mut(); 3];
        for (i, mig) in migs.iter_mut().enumerate() {
            assert_eq!(nvmlDeviceGetMigDeviceHandleByIndex(gpu, i as u32, mig), SUCCESS);
        }
        let mut other = std::ptr::null_mut();
        assert_eq!(nvmlDeviceGetMigDeviceHandleByIndex(gpu, 3, &mut other), NOT_FOUND);
        assert_eq!(nvmlDeviceGetMigDeviceHandleByIndex(plain, 0, &mut other), NOT_SUPPORTED);
        assert_eq!(nvmlDeviceGetMigDeviceHandleByIndex(migs[0], 0, &mut other), NOT_SUPPORTED);
        assert!(migs.iter().all(|m| ![gpu, plain, no_gpm].contains(m)), "MIG handles are not whole-GPU handles");

        // What a MIG device answers: identity, instance ids, its parent, its own memory.
        assert_eq!(value(|v| nvmlDeviceIsMigDeviceHandle(migs[0], v)), (SUCCESS, 1));
        assert_eq!(value(|v| nvmlDeviceIsMigDeviceHandle(gpu, v)), (SUCCESS, 0));
        let mut parent = std::ptr::null_mut();
        assert_eq!(nvmlDeviceGetDeviceHandleFromMigDeviceHandle(migs[2], &mut parent), SUCCESS);
        assert_eq!(parent, gpu);
        assert_eq!(nvmlDeviceGetDeviceHandleFromMigDeviceHandle(gpu, &mut parent), NOT_SUPPORTED);
        let ids: Vec<_> =
            migs.iter().map(|m| (value(|v| nvmlDeviceGetGpuInstanceId(*m, v)).1, value(|v| nvmlDeviceGetComputeInstanceId(*m, v)).1)).collect();
        assert_eq!(ids, [(1, 0), (5, 0), (13, 2)]);
        assert_eq!(value(|v| nvmlDeviceGetGpuInstanceId(gpu, v)).0, NOT_SUPPORTED);
        assert_eq!(text(|b| nvmlDeviceGetName(migs[0], b, 96)), "H100 MIG 3g.40gb");
        let uuids: Vec<_> = migs.iter().map(|m| text(|b| nvmlDeviceGetUUID(*m, b, 96))).collect();
        assert!(uuids.iter().all(|u| u.starts_with("MIG-")) && uuids[0] != uuids[1], "{uuids:?}");
        let mut memory = nvmlMemory_t { total: 0, free: 0, used: 0 };
        assert_eq!(nvmlDeviceGetMemoryInfo(migs[0], &mut memory), SUCCESS);
        assert_eq!((memory.total, memory.used, memory.free), (40000, 10000, 30000));
        let mut memory = nvmlMemory_v2_t { version: 2 << 24, total: 0, reserved: 9, free: 0, used: 0 };
        assert_eq!(nvmlDeviceGetMemoryInfo_v2(migs[1], &mut memory), SUCCESS);
        assert_eq!((memory.total, memory.reserved, memory.used, memory.free), (20000, 0, 20000, 0), "used clamped to the instance");

        // Everything else on a MIG handle: NOT_SUPPORTED. The parent hides its utilization.
        let mig = migs[0];
        let mut utilization = nvmlUtilization_t { gpu: 0, memory: 0 };
        assert_eq!(nvmlDeviceGetUtilizationRates(mig, &mut utilization), NOT_SUPPORTED);
        assert_eq!(value(|v| nvmlDeviceGetTemperature(mig, 0, v)).0, NOT_SUPPORTED);
        assert_eq!(value(|v| nvmlDeviceGetPowerUsage(mig, v)).0, NOT_SUPPORTED);
        assert_eq!(value(|v| nvmlDeviceGetIndex(mig, v)).0, NOT_SUPPORTED);
        assert_eq!(value(|v| nvmlDeviceGetArchitecture(mig, v)).0, NOT_SUPPORTED);
        assert_eq!(nvmlDeviceGetMigMode(mig, &mut current, &mut pending), NOT_SUPPORTED);
        assert_eq!(nvmlDeviceGetTotalEccErrors(mig, 0, 0, &mut 0), NOT_SUPPORTED);
        assert_eq!(nvmlDeviceRegisterEvents(mig, nvmlEventTypeXidCriticalError as u64, 1 as nvmlEventSet_t), NOT_SUPPORTED);
        let (mut value_type, mut count) = (0, 0);
        let samples =
            |device, kind, count: &mut u32, value_type: &mut u32| nvmlDeviceGetSamples(device, kind, 0, value_type, count, std::ptr::null_mut());
        assert_eq!(samples(mig, nvmlSamplingType_enum_NVML_TOTAL_POWER_SAMPLES, &mut count, &mut value_type), NOT_SUPPORTED);
        assert_eq!(nvmlDeviceGetUtilizationRates(gpu, &mut utilization), NOT_SUPPORTED, "an A100/H100 in MIG mode");
        assert_eq!(samples(gpu, nvmlSamplingType_enum_NVML_GPU_UTILIZATION_SAMPLES, &mut count, &mut value_type), NOT_SUPPORTED);
        assert_ne!(samples(gpu, nvmlSamplingType_enum_NVML_TOTAL_POWER_SAMPLES, &mut count, &mut value_type), NOT_SUPPORTED);
        assert_eq!(nvmlDeviceGetProcessUtilization(gpu, std::ptr::null_mut(), &mut count, 0), NOT_SUPPORTED);

        processes(gpu, &migs);
        gpm(gpu, plain, no_gpm, mig);
    }
}

/// The parent lists every process with its instance ids; a MIG device, those of its instance.
unsafe fn processes(gpu: nvmlDevice_t, migs: &[nvmlDevice_t]) {
    let list = |device| {
        let mut infos = [nvmlProcessInfo_t { pid: 0, usedGpuMemory: 0, gpuInstanceId: 0, computeInstanceId: 0 }; 8];
        let mut count = 8;
        assert_eq!(nvmlDeviceGetComputeRunningProcesses_v3(device, &mut count, infos.as_mut_ptr()), SUCCESS);
        infos[..count as usize].iter().map(|p| (p.pid, p.gpuInstanceId, p.computeInstanceId)).collect::<Vec<_>>()
    };
    let me = std::process::id();
    assert_eq!(list(gpu), [(me, 1, 0), (3131, 13, 2), (4000, u32::MAX, u32::MAX)]);
    assert_eq!(list(migs[0]), [(me, 1, 0)]);
    assert_eq!(list(migs[1]), []);
    assert_eq!(list(migs[2]), [(3131, 13, 2)]);
}

fn sample() -> nvmlGpmSample_t {
    let mut s = std::ptr::null_mut();
    assert_eq!(unsafe { nvmlGpmSampleAlloc(&mut s) }, SUCCESS);
    s
}

/// (code, [(metric code, value)]) for these metric ids between two samples.
unsafe fn metrics(a: nvmlGpmSample_t, b: nvmlGpmSample_t, ids: &[u32]) -> (nvmlReturn_t, Vec<(nvmlReturn_t, f64)>, Box<nvmlGpmMetricsGet_t>) {
    let mut request: Box<nvmlGpmMetricsGet_t> = Box::new(std::mem::zeroed());
    request.version = NVML_GPM_METRICS_GET_VERSION;
    request.numMetrics = ids.len() as u32;
    request.sample1 = a;
    request.sample2 = b;
    for (slot, id) in request.metrics.iter_mut().zip(ids) {
        slot.metricId = *id;
    }
    let code = nvmlGpmMetricsGet(&mut *request);
    let got = request.metrics[..ids.len()].iter().map(|m| (m.nvmlReturn, m.value)).collect();
    (code, got, request)
}

unsafe fn gpm(gpu: nvmlDevice_t, plain: nvmlDevice_t, no_gpm: nvmlDevice_t, mig: nvmlDevice_t) {
    let supported = |device| {
        let mut support = nvmlGpmSupport_t { version: NVML_GPM_SUPPORT_VERSION, isSupportedDevice: 7 };
        (nvmlGpmQueryDeviceSupport(device, &mut support), support.isSupportedDevice)
    };
    assert_eq!([supported(gpu), supported(plain), supported(no_gpm)], [(SUCCESS, 1), (SUCCESS, 0), (SUCCESS, 0)]);
    let mut old = nvmlGpmSupport_t { version: 2, isSupportedDevice: 0 };
    assert_eq!(nvmlGpmQueryDeviceSupport(gpu, &mut old), nvmlReturn_enum_NVML_ERROR_ARGUMENT_VERSION_MISMATCH);

    let (s1, s2, s3, s4, unfilled) = (sample(), sample(), sample(), sample(), sample());
    assert_eq!(nvmlGpmSampleGet(plain, s1), NOT_SUPPORTED, "before Hopper");
    assert_eq!(nvmlGpmSampleGet(no_gpm, s1), NOT_SUPPORTED);
    assert_eq!(nvmlGpmSampleGet(mig, s1), NOT_SUPPORTED, "MIG instances are sampled through the parent");
    assert_eq!(nvmlGpmMigSampleGet(gpu, 99, s1), INVALID_ARGUMENT);
    assert_eq!(nvmlGpmMigSampleGet(plain, 1, s1), NOT_SUPPORTED);

    // Instance 5 ramps 0 -> 100 % over 1 s: the mean between t1 and t2 is (t1 + t2) / 20.
    let (code, b1, a1) = timed(|| nvmlGpmMigSampleGet(gpu, 5, s1));
    assert_eq!(code, SUCCESS);
    sleep_until(a1 + 30.0);
    let (code, b2, a2) = timed(|| nvmlGpmMigSampleGet(gpu, 5, s2));
    assert_eq!(code, SUCCESS);
    let ids =
        [nvmlGpmMetricId_t_NVML_GPM_METRIC_SM_UTIL, nvmlGpmMetricId_t_NVML_GPM_METRIC_GRAPHICS_UTIL, nvmlGpmMetricId_t_NVML_GPM_METRIC_SM_OCCUPANCY];
    let (code, got, request) = metrics(s1, s2, &ids);
    assert_eq!(code, SUCCESS);
    let (sm, graphics) = (got[0], got[1]);
    assert_eq!((sm.0, graphics.0, got[2].0), (SUCCESS, SUCCESS, NOT_SUPPORTED));
    assert!(((b1 + b2) / 20.0..=(a1 + a2) / 20.0).contains(&sm.1), "{} not in the ramp's means", sm.1);
    assert_eq!(sm.1, graphics.1);
    assert_eq!(CStr::from_ptr(request.metrics[0].metricInfo.shortName).to_str(), Ok("sm_util"));

    // Instance 1 is at 70 %, the whole GPU at 52 %.
    assert_eq!(nvmlGpmMigSampleGet(gpu, 1, s3), SUCCESS);
    assert_eq!(nvmlGpmMigSampleGet(gpu, 1, s4), SUCCESS);
    let (_, got, _) = metrics(s3, s4, &ids[..1]);
    assert!((got[0].1 - 70.0).abs() < 1e-9, "{got:?}");
    assert_eq!(nvmlGpmSampleGet(gpu, s3), SUCCESS);
    sleep_until(elapsed_ms() + 2.0);
    assert_eq!(nvmlGpmSampleGet(gpu, s4), SUCCESS);
    let (_, got, _) = metrics(s3, s4, &ids[..1]);
    assert!((got[0].1 - 52.0).abs() < 1e-9, "{got:?}");

    // Samples of different sources, a sample never taken, an old struct version.
    assert_eq!(metrics(s1, s4, &ids).0, INVALID_ARGUMENT);
    assert_eq!(metrics(s1, unfilled, &ids).0, INVALID_ARGUMENT);
    let mut request: Box<nvmlGpmMetricsGet_t> = Box::new(std::mem::zeroed());
    request.version = 2;
    assert_eq!(nvmlGpmMetricsGet(&mut *request), nvmlReturn_enum_NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
    for s in [s1, s2, s3, s4, unfilled] {
        assert_eq!(nvmlGpmSampleFree(s), SUCCESS);
    }
    assert_eq!(nvmlGpmSampleFree(s1), INVALID_ARGUMENT);
}
