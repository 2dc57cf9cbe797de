//! The exported functions called as a C client would (through the rlib, in-process): the
//! driver sample buffer, struct versions, injected latency, error strings.
use nvml_sim::api::{device::*, samples::nvmlDeviceGetSamples, system::*};
use nvml_wrapper_sys::bindings::*;
use std::ffi::CStr;
use std::time::{Duration, Instant};

unsafe fn handle(index: u32) -> nvmlDevice_t {
    let mut device: nvmlDevice_t = std::ptr::null_mut();
    assert_eq!(nvmlDeviceGetHandleByIndex_v2(index, &mut device), nvmlReturn_enum_NVML_SUCCESS);
    device
}

/// One test: the session and NVML_SIM_SCENARIO are process-wide.
#[test]
fn behaves_like_the_driver() {
    std::env::set_var(
        "NVML_SIM_SCENARIO",
        r#"{"devices": [{"utilization": 70, "samples": {"periodMs": 1, "size": 10}}, {"latencyUs": 20000, "unsupported": ["temperature"]}]}"#,
    );
    unsafe {
        assert_eq!(nvmlDeviceGetCount_v2(&mut 0), nvmlReturn_enum_NVML_ERROR_UNINITIALIZED);
        assert_eq!(nvmlInit_v2(), nvmlReturn_enum_NVML_SUCCESS);
        let (fast, slow) = (handle(0), handle(1));

        // The buffer keeps the newest `size` samples; the count call (NULL buffer) succeeds.
        std::thread::sleep(Duration::from_millis(30));
        let (mut value_type, mut count) = (0, 0);
        let code =
            nvmlDeviceGetSamples(fast, nvmlSamplingType_enum_NVML_GPU_UTILIZATION_SAMPLES, 0, &mut value_type, &mut count, std::ptr::null_mut());
        assert_eq!((code, value_type, count), (nvmlReturn_enum_NVML_SUCCESS, nvmlValueType_enum_NVML_VALUE_TYPE_UNSIGNED_INT, 10));
        let mut buffer = [nvmlSample_t { timeStamp: 0, sampleValue: nvmlValue_t { ullVal: 0 } }; 4];
        let mut count = 4;
        let code =
            nvmlDeviceGetSamples(fast, nvmlSamplingType_enum_NVML_GPU_UTILIZATION_SAMPLES, 0, &mut value_type, &mut count, buffer.as_mut_ptr());
        assert_eq!((code, count), (nvmlReturn_enum_NVML_SUCCESS, 4));
        assert!(buffer.iter().all(|s| s.sampleValue.uiVal == 70));
        assert!(buffer.windows(2).all(|w| w[1].timeStamp - w[0].timeStamp == 1000), "oldest first, 1 ms apart");
        let code = nvmlDeviceGetSamples(
            fast,
            nvmlSamplingType_enum_NVML_GPU_UTILIZATION_SAMPLES,
            u64::MAX,
            &mut value_type,
            &mut count,
            std::ptr::null_mut(),
        );
        assert_eq!(code, nvmlReturn_enum_NVML_ERROR_NOT_FOUND, "nothing newer than the last seen");

        // Strings: NUL-terminated when the buffer holds them, INSUFFICIENT_SIZE (buffer left
        // as it was) when it does not, INVALID_ARGUMENT for a NULL buffer.
        let name = b"NVIDIA Simulated GPU";
        let mut buffer = [0x55 as std::os::raw::c_char; 32];
        assert_eq!(nvmlDeviceGetName(fast, buffer.as_mut_ptr(), name.len() as u32), nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE);
        assert!(buffer.iter().all(|c| *c == 0x55));
        assert_eq!(nvmlDeviceGetName(fast, buffer.as_mut_ptr(), name.len() as u32 + 1), nvmlReturn_enum_NVML_SUCCESS);
        assert_eq!(CStr::from_ptr(buffer.as_ptr()).to_bytes(), name);
        assert_eq!(buffer[name.len() + 1], 0x55, "nothing written past the NUL");
        assert_eq!(nvmlDeviceGetName(fast, std::ptr::null_mut(), 96), nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        assert_eq!(nvmlSystemGetDriverVersion(buffer.as_mut_ptr(), 0), nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE);
        // A handle that is not one of ours, and NULL out pointers.
        assert_eq!(nvmlDeviceGetTemperature(std::ptr::null_mut(), 0, &mut 0), nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        assert_eq!(nvmlDeviceGetPowerUsage(fast, std::ptr::null_mut()), nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        let code = nvmlDeviceGetSamples(
            fast,
            nvmlSamplingType_enum_NVML_GPU_UTILIZATION_SAMPLES,
            0,
            &mut value_type,
            std::ptr::null_mut(),
            buffer.as_mut_ptr().cast(),
        );
        assert_eq!(code, nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);

        // memory v2 checks the struct version as the driver does.
        let mut memory = nvmlMemory_v2_t { version: 1 << 24, total: 0, reserved: 0, free: 0, used: 0 };
        assert_eq!(nvmlDeviceGetMemoryInfo_v2(fast, &mut memory), nvmlReturn_enum_NVML_ERROR_ARGUMENT_VERSION_MISMATCH);

        // Injected latency: a call takes at least that long; unsupported answers NOT_SUPPORTED.
        let started = Instant::now();
        let mut temperature = 0;
        let code = nvmlDeviceGetTemperature(slow, nvmlTemperatureSensors_enum_NVML_TEMPERATURE_GPU, &mut temperature);
        assert!(started.elapsed() >= Duration::from_millis(20));
        assert_eq!(code, nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED);
        assert_eq!(CStr::from_ptr(nvmlErrorString(code)).to_str().unwrap(), "Not Supported");

        // Reference counted: a second init needs a second shutdown.
        assert_eq!(nvmlInit_v2(), nvmlReturn_enum_NVML_SUCCESS);
        assert_eq!(nvmlShutdown(), nvmlReturn_enum_NVML_SUCCESS);
        assert!(nvmlSimInitTimestampUs() > 0);
        assert_eq!(nvmlShutdown(), nvmlReturn_enum_NVML_SUCCESS);
        assert_eq!(nvmlSimInitTimestampUs(), 0);
        assert_eq!(nvmlShutdown(), nvmlReturn_enum_NVML_ERROR_UNINITIALIZED);
    }
}
