//! The NVML session: nvmlInit loads the scenario and starts the clock, nvmlShutdown ends it
//! (reference counted, as NVML is). Device calls go through `device_call`, which applies the
//! scenario's faults (lost GPU, unsupported field, latency) before reading a value.
use crate::api::{events::EventSet, gpm::GpmSample};
use crate::handles::{self, Handle};
use crate::scenario::{DeviceScenario, MigInstance, Scenario};
use nvml_wrapper_sys::bindings::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct Session {
    pub scenario: Scenario,
    started: Instant,
    /// Unix time of nvmlInit in µs: driver sample timestamps are CPU time in µs, as NVML's are.
    pub start_unix_us: u64,
    refcount: u32,
    /// What clients allocate; a RefCell because it changes under the session lock only.
    pub objects: RefCell<Objects>,
}

/// Event sets and GPM samples, by the number that is their handle. They go with the session,
/// as NVML frees them at nvmlShutdown.
#[derive(Default)]
pub struct Objects {
    pub event_sets: BTreeMap<usize, EventSet>,
    pub gpm_samples: BTreeMap<usize, GpmSample>,
}

/// Never reused, even across sessions: a handle kept past nvmlShutdown names nothing.
static NEXT_OBJECT: AtomicUsize = AtomicUsize::new(1);

pub fn new_object_id() -> usize {
    NEXT_OBJECT.fetch_add(1, Ordering::Relaxed)
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
    *guard = Some(Session { scenario, started: Instant::now(), start_unix_us, refcount: 1, objects: RefCell::default() });
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

/// What a device handle names: a whole GPU, or one MIG instance of it.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    /// The NVML index of the GPU (the parent, for a MIG device).
    pub index: usize,
    pub device: &'a DeviceScenario,
    /// Some for a MIG device handle.
    pub instance: Option<&'a MigInstance>,
}

/// A read of one field of one whole GPU at the current elapsed time (ms since nvmlInit). MIG
/// device handles answer NOT_SUPPORTED: only the calls written for them take `target_call`.
pub fn device_call<T>(
    device: nvmlDevice_t,
    field: &str,
    read: impl FnOnce(&DeviceScenario, f64, &Session) -> Result<T, nvmlReturn_t>,
) -> Result<T, nvmlReturn_t> {
    target_call(device, field, |target, t, s| match target.instance {
        Some(_) => Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED),
        None => read(target.device, t, s),
    })
}

/// device_call for calls that also answer for MIG devices. A MIG device has its parent's
/// faults: lost with it, its `unsupported` fields and latency.
pub fn target_call<T>(
    device: nvmlDevice_t,
    field: &str,
    read: impl FnOnce(Target, f64, &Session) -> Result<T, nvmlReturn_t>,
) -> Result<T, nvmlReturn_t> {
    let (result, latency_us) = {
        let guard = lock();
        let Some(session) = guard.as_ref() else { return Err(nvmlReturn_enum_NVML_ERROR_UNINITIALIZED) };
        let target = session.target(device).ok_or(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT)?;
        let dev = target.device;
        let t = session.elapsed_ms();
        let latency = session.scenario.latency_us + dev.latency_us;
        let result = if dev.lost_at(t) {
            Err(nvmlReturn_enum_NVML_ERROR_GPU_IS_LOST)
        } else if !dev.supports(field) {
            Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED)
        } else {
            read(target, t, session)
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

    /// The device or MIG device a handle names in this scenario.
    pub fn target(&self, device: nvmlDevice_t) -> Option<Target<'_>> {
        match handles::decode(device)? {
            Handle::Gpu(index) => Some(Target { index, device: self.scenario.devices.get(index)?, instance: None }),
            Handle::Mig { parent, position } => {
                let dev = self.scenario.devices.get(parent)?;
                let instance = dev.mig.as_ref()?.instances.get(position)?;
                Some(Target { index: parent, device: dev, instance: Some(instance) })
            }
        }
    }
}

/// Unix µs of the current session's nvmlInit, 0 when not initialized (for tests, which need
/// the scenario's time origin to compute analytic integrals).
pub fn start_unix_us() -> u64 {
    lock().as_ref().map_or(0, |s| s.start_unix_us)
}
