//! What the API tests share. Each test file is one process with one #[test]: the session and
//! NVML_SIM_SCENARIO are process-wide.
#![allow(dead_code)]
use nvml_sim::api::system::{nvmlDeviceGetHandleByIndex_v2, nvmlInit_v2, nvmlSimInitTimestampUs};
use nvml_wrapper_sys::bindings::*;
use std::time::{SystemTime, UNIX_EPOCH};

pub const SUCCESS: nvmlReturn_t = nvmlReturn_enum_NVML_SUCCESS;
pub const NOT_SUPPORTED: nvmlReturn_t = nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED;
pub const INVALID_ARGUMENT: nvmlReturn_t = nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
pub const INSUFFICIENT_SIZE: nvmlReturn_t = nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE;
pub const NOT_FOUND: nvmlReturn_t = nvmlReturn_enum_NVML_ERROR_NOT_FOUND;

/// Starts a session on this scenario (inline JSON).
pub fn init(scenario: &str) {
    std::env::set_var("NVML_SIM_SCENARIO", scenario);
    assert_eq!(nvmlInit_v2(), SUCCESS, "scenario refused: {scenario}");
}

pub fn handle(index: u32) -> nvmlDevice_t {
    let mut device: nvmlDevice_t = std::ptr::null_mut();
    assert_eq!(unsafe { nvmlDeviceGetHandleByIndex_v2(index, &mut device) }, SUCCESS);
    device
}

/// The scenario's clock (ms since nvmlInit) as seen from here: the sim's own reading during a
/// call lies between this before and this after the call.
pub fn elapsed_ms() -> f64 {
    let now_us = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros() as f64;
    (now_us - nvmlSimInitTimestampUs() as f64) / 1000.0
}

/// Runs `call`, returning its result and the sim clock just before and after it (1 ms slack
/// each side for the two clocks the sim and the test read).
pub fn timed<T>(call: impl FnOnce() -> T) -> (T, f64, f64) {
    let before = elapsed_ms() - 1.0;
    let value = call();
    (value, before, elapsed_ms() + 1.0)
}

/// Sleeps until the scenario's clock passes `t_ms`.
pub fn sleep_until(t_ms: f64) {
    let left = t_ms - elapsed_ms();
    if left > 0.0 {
        std::thread::sleep(std::time::Duration::from_secs_f64(left / 1000.0 + 0.002));
    }
}

pub fn schedule(json: &str) -> nvml_sim::schedule::Schedule {
    serde_json::from_str(json).unwrap()
}
