//! The sampler: loads NVML, starts one thread that reads every device each interval, and
//! answers readers from memory. stop() (or drop) wakes the thread and joins it.
use crate::device::DeviceState;
use crate::field::Field;
use crate::options::SamplerOptions;
use crate::reader::{read_device, unix_ms, ReadPlan, TickRead};
use crate::reading::Reading;
use crate::snapshot::{device_info, device_stats, DeviceInfo, SamplesSince, Snapshot, Stats};
use crate::source::Source;
use crate::start_error::StartError;
use crate::window::{window_stats, WindowStats};
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, Nvml};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

struct Shared {
    devices: Vec<DeviceState>,
    seq: u64,
    ticks: u64,
    panics: u64,
    running: bool,
}

pub struct Sampler {
    shared: Arc<Mutex<Shared>>,
    stop: Option<Sender<()>>,
    /// Checked between NVML calls, so stop() does not wait for the rest of a slow tick.
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    interval: Duration,
    ring_size: usize,
    driver_version: String,
    source: Source,
}

impl Sampler {
    pub fn start(options: SamplerOptions) -> Result<Sampler, StartError> {
        options.validate()?;
        let library = options.resolved_library();
        let shown = library.to_string_lossy().into_owned();
        let nvml = Nvml::builder().lib_path(&library).init().map_err(|e| match e {
            NvmlError::LibloadingError(source) => StartError::Load { library: shown.clone(), source },
            source => StartError::Init { library: shown.clone(), call: "nvmlInit", source },
        })?;
        let driver_version = nvml.sys_driver_version().unwrap_or_default();
        let source = Source::of_library(&library);
        let count = nvml.device_count().map_err(|source| StartError::Init { library: shown, call: "nvmlDeviceGetCount", source })?;
        let devices = (0..count)
            .map(|i| {
                let (name, uuid) = match nvml.device_by_index(i) {
                    Ok(d) => (d.name().unwrap_or_default(), d.uuid().unwrap_or_default()),
                    Err(_) => (String::new(), String::new()),
                };
                DeviceState::new(i, name, uuid, options.ring_size)
            })
            .collect();
        let shared = Arc::new(Mutex::new(Shared { devices, seq: 0, ticks: 0, panics: 0, running: true }));
        let (stop, stopped) = mpsc::channel::<()>();
        let interval = options.interval;
        let thread_shared = Arc::clone(&shared);
        let stopping = Arc::new(AtomicBool::new(false));
        let thread_stopping = Arc::clone(&stopping);
        let thread = std::thread::Builder::new()
            .name("gpu-sampler".into())
            .spawn(move || run(nvml, thread_shared, interval, stopped, thread_stopping))
            .map_err(StartError::Thread)?;
        Ok(Sampler { shared, stop: Some(stop), stopping, thread: Some(thread), interval, ring_size: options.ring_size, driver_version, source })
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }

    pub fn devices(&self) -> Vec<DeviceInfo> {
        self.lock().devices.iter().map(device_info).collect()
    }

    pub fn latest(&self) -> Vec<Reading> {
        self.lock().devices.iter().filter_map(|d| d.latest.clone()).collect()
    }

    pub fn window(&self, window_ms: f64) -> Vec<WindowStats> {
        let now = unix_ms();
        self.lock().devices.iter().map(|d| window_stats(d.index, d.readings.iter(), now, window_ms)).collect()
    }

    pub fn samples(&self, since: u64) -> SamplesSince {
        let shared = self.lock();
        let mut out = SamplesSince { cursor: shared.seq, missed: false, readings: Vec::new(), driver: Vec::new() };
        for d in &shared.devices {
            out.missed |= d.readings.missed_since(since) || d.driver_samples.missed_since(since);
            out.readings.extend(d.readings.since(since).cloned());
            out.driver.extend(d.driver_samples.since(since).copied());
        }
        out
    }

    pub fn stats(&self) -> Stats {
        self.stats_of(&self.lock())
    }

    fn stats_of(&self, shared: &Shared) -> Stats {
        Stats {
            running: shared.running,
            interval_ms: self.interval.as_secs_f64() * 1000.0,
            ring_size: self.ring_size as u64,
            driver_version: self.driver_version.clone(),
            source: self.source,
            ticks: shared.ticks,
            panics: shared.panics,
            devices: shared.devices.iter().map(device_stats).collect(),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let shared = self.lock();
        Snapshot {
            devices: shared.devices.iter().map(device_info).collect(),
            latest: shared.devices.iter().filter_map(|d| d.latest.clone()).collect(),
            stats: self.stats_of(&shared),
        }
    }

    pub fn driver_version(&self) -> &str {
        &self.driver_version
    }

    /// The NVIDIA driver, or nvml-sim.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Wakes the sampling thread and waits for it (NVML is shut down on that thread). A tick
    /// in progress ends after the NVML call it is in, and is not applied.
    pub fn stop(&mut self) {
        self.stopping.store(true, Ordering::Relaxed);
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.lock().running = false;
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A poisoned lock still holds consistent data: ticks are applied whole or not at all.
fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

fn run(nvml: Nvml, shared: Arc<Mutex<Shared>>, interval: Duration, stopped: mpsc::Receiver<()>, stopping: Arc<AtomicBool>) {
    let count = lock(&shared).devices.len() as u32;
    let handles: Vec<Option<Device>> = (0..count).map(|i| open(&nvml, &shared, i)).collect();
    let started = Instant::now();
    let mut deadline = started;
    loop {
        let ok = catch_unwind(AssertUnwindSafe(|| tick(&handles, &shared, started, &stopping)));
        if ok.is_err() {
            lock(&shared).panics += 1;
        }
        deadline += interval;
        let now = Instant::now();
        if deadline < now {
            // Behind (a slow driver): skip the missed ticks rather than bursting to catch up.
            deadline = now;
        }
        match stopped.recv_timeout(deadline - now) {
            Err(RecvTimeoutError::Timeout) => continue,
            _ => break,
        }
    }
    drop(handles);
    drop(nvml);
}

/// A device's handle. One that cannot be opened (lost, no permission, ...) is never read:
/// counted as an error and marked lost, so it shows as down rather than silently empty.
fn open<'n>(nvml: &'n Nvml, shared: &Mutex<Shared>, index: u32) -> Option<Device<'n>> {
    match nvml.device_by_index(index) {
        Ok(device) => Some(device),
        Err(e) => {
            let mut guard = lock(shared);
            let device = &mut guard.devices[index as usize];
            device.count_error(Field::Handle, &e);
            device.lost_at_ms = Some(unix_ms());
            None
        }
    }
}

/// One tick: plans copied under the lock, NVML read without it, results applied under it.
fn tick(handles: &[Option<Device>], shared: &Mutex<Shared>, started: Instant, stopping: &AtomicBool) {
    let plans: Vec<(bool, ReadPlan)> = lock(shared).devices.iter().map(|d| (d.lost(), d.plan())).collect();
    let reads: Vec<Option<TickRead>> = handles
        .iter()
        .zip(plans)
        .enumerate()
        .map(|(i, (handle, (lost, plan)))| match handle {
            Some(device) if !lost => Some(read_device(device, i as u32, plan, started, stopping)),
            _ => None,
        })
        .collect();
    if reads.iter().flatten().any(|r| r.abandoned) {
        return;
    }
    let mut guard = lock(shared);
    let state = &mut *guard;
    let seq = &mut state.seq;
    let mut next_seq = || {
        *seq += 1;
        *seq
    };
    for (device, read) in state.devices.iter_mut().zip(reads) {
        if let Some(read) = read {
            device.apply(read, &mut next_seq);
        }
    }
    state.ticks += 1;
}
