//! Shared by the integration tests: the nvml-sim library built beside them, one scenario at
//! a time (NVML_SIM_SCENARIO and the sim's session are process-wide), and the sim's clock.
#![allow(dead_code)]
use gpu_sampler::{Sampler, SamplerOptions};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

static SIM: Mutex<()> = Mutex::new(());

/// libnvml_sim.so: built by cargo as this crate's dev-dependency, next to the test binary.
pub fn sim_library() -> PathBuf {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let path = deps.join("libnvml_sim.so");
    assert!(path.exists(), "{} is missing: cargo builds it as a dev-dependency of gpu-sampler", path.display());
    path
}

pub struct SimGuard(#[allow(dead_code)] MutexGuard<'static, ()>);

/// Holds the sim for one test with the given scenario (inline JSON).
pub fn scenario(json: &str) -> SimGuard {
    let guard = SIM.lock().unwrap_or_else(|e| e.into_inner());
    std::env::set_var("NVML_SIM_SCENARIO", json);
    SimGuard(guard)
}

/// The fast loop alone: the slow loop and the event thread off, so a test of the fast loop
/// sees only its own calls (tests/slow_loop.rs runs all three).
pub fn start(interval_ms: u64, ring_size: usize) -> Sampler {
    Sampler::start(SamplerOptions {
        library_path: Some(sim_library().into()),
        interval: Duration::from_millis(interval_ms),
        ring_size,
        slow_interval: None,
        events: false,
    })
    .expect("the sampler starts against nvml-sim")
}

/// All three threads: the fast loop, the slow loop every `slow_ms`, and the event thread.
pub fn start_all(interval_ms: u64, slow_ms: u64) -> Sampler {
    Sampler::start(SamplerOptions {
        library_path: Some(sim_library().into()),
        interval: Duration::from_millis(interval_ms),
        ring_size: 1000,
        slow_interval: Some(Duration::from_millis(slow_ms)),
        events: true,
    })
    .expect("the sampler starts against nvml-sim")
}

/// Unix µs of the sim session's nvmlInit: the time origin of the scenario's schedules.
pub fn sim_origin_us() -> u64 {
    // dlopen of the same file returns the instance the sampler loaded, with its session.
    unsafe {
        let lib = libloading::Library::new(sim_library()).unwrap();
        let f: libloading::Symbol<unsafe extern "C" fn() -> u64> = lib.get(b"nvmlSimInitTimestampUs\0").unwrap();
        f()
    }
}

pub fn parse_schedule(json: &str) -> nvml_sim::schedule::Schedule {
    serde_json::from_str(json).unwrap()
}

/// Waits until `check` holds, polling: the sampling thread and this one may both be delayed on
/// a loaded machine, so tests wait on what they need instead of sleeping a fixed time. The
/// deadline is generous; reaching it fails the test with `what`.
pub fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out after 30 s waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
