//! The NVML session: nvmlInit loads the scenario and starts the clock, nvmlShutdown ends it
//! (reference counted, as NVML is). Device calls go through `device_call`, which applies the
//! scenario's faults (lost GPU, unsupported field, latency) before reading a value.
use crate::scenario::{DeviceScenario, Scenario};
use nvml_wrapper_sys::bindings::*;
use std::io::Write;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct Session {
    pub scenario: Scenario,
    started: Instant,
    /// Unix time of nvmlInit in µs: driver sample timestamps are CPU time in µs, as NVML's are.
    pub start_unix_us: u64,
    refcount: u32,
}

static SESSION: Mutex<Option<Session>> = Mutex::new(None);

/// A poisoned lock still holds a consistent session (no code here panics while holding it).
fn lock() -> MutexGuard<'static, Option<Session>> {
    SESSION.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn init() -> nvmlReturn_t {
    let mut guard = lock();
    if let Some(session) = guard.as_mut() {
        session.refcount += 1;
        return nvmlReturn_enum_NVML_SUCCESS;
    }
    let scenario = match Scenario::from_env() {
        Ok(s) => s,
        Err(message) => {
            // nvmlErrorString cannot carry the detail; stderr is where a driver would log it.
            // Not eprintln!, which panics when stderr fails, and a panic here would abort the
            // client (it cannot unwind out of an extern "C" function).
            let _ = writeln!(std::io::stderr(), "nvml-sim: {message}");
            return nvmlReturn_enum_NVML_ERROR_UNKNOWN;
        }
    };
    if let Some(code) = &scenario.init_failure {
        return crate::errors::code_of(code);
    }
    let start_unix_us = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64);
    *guard = Some(Session { scenario, started: Instant::now(), start_unix_us, refcount: 1 });
    nvmlReturn_enum_NVML_SUCCESS
}

pub fn shutdown() -> nvmlReturn_t {
    let mut guard = lock();
    match guard.as_mut() {
        None => nvmlReturn_enum_NVML_ERROR_UNINITIALIZED,
        Some(session) => {
            session.refcount -= 1;
            if session.refcount == 0 {
                *guard = None;
            }
            nvmlReturn_enum_NVML_SUCCESS
        }
    }
}

/// Runs `read` with the session, or answers UNINITIALIZED.
pub fn with_session<T>(read: impl FnOnce(&Session) -> Result<T, nvmlReturn_t>) -> Result<T, nvmlReturn_t> {
    let guard = lock();
    let session = guard.as_ref().ok_or(nvmlReturn_enum_NVML_ERROR_UNINITIALIZED)?;
    read(session)
}

pub fn handle_of(index: u32) -> nvmlDevice_t {
    (index as usize + 1) as nvmlDevice_t
}

/// A read of one field of one device at the current elapsed time (ms since nvmlInit).
pub fn device_call<T>(
    device: nvmlDevice_t,
    field: &str,
    read: impl FnOnce(&DeviceScenario, f64, &Session) -> Result<T, nvmlReturn_t>,
) -> Result<T, nvmlReturn_t> {
    let (result, latency_us) = {
        let guard = lock();
        let Some(session) = guard.as_ref() else { return Err(nvmlReturn_enum_NVML_ERROR_UNINITIALIZED) };
        let index = (device as usize).wrapping_sub(1);
        let Some(dev) = session.scenario.devices.get(index) else { return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT) };
        let t = session.elapsed_ms();
        let latency = session.scenario.latency_us + dev.latency_us;
        let result = if dev.lost_after_ms.is_some_and(|lost| t >= lost) {
            Err(nvmlReturn_enum_NVML_ERROR_GPU_IS_LOST)
        } else if !dev.supports(field) {
            Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)
        } else {
            read(dev, t, session)
        };
        (result, latency)
    };
    // Outside the lock: a slow call on one device must not stall calls on the others.
    if latency_us > 0 {
        std::thread::sleep(Duration::from_micros(latency_us));
    }
    result
}

impl Session {
    pub fn elapsed_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}

/// Unix µs of the current session's nvmlInit, 0 when not initialized (for tests, which need
/// the scenario's time origin to compute analytic integrals).
pub fn start_unix_us() -> u64 {
    lock().as_ref().map_or(0, |s| s.start_unix_us)
}
