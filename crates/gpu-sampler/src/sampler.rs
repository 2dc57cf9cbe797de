//! The sampler: loads NVML and starts three threads: the fast loop reads every device each
//! interval, the slow loop what is slow to read, the event thread waits on XID events. Readers
//! are answered from memory. stop() (or drop) wakes the threads and joins them.
use crate::device::{DeviceState, MigInfo};
use crate::events::{run_events, EventSink};
use crate::field::Field;
use crate::options::SamplerOptions;
use crate::processes::Attribution;
use crate::raw;
use crate::reader::{read_device, unix_ms, ReadPlan, TickRead};
use crate::reading::Reading;
use crate::slow::{read_slow, SlowContext, SlowLocal, SlowPlan, SlowRead};
use crate::snapshot::{device_info, device_stats, DeviceInfo, Integrals, SamplesSince, Snapshot, Stats};
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
    slow_ticks: u64,
    panics: u64,
    running: bool,
    attribution: Attribution,
}

pub struct Sampler {
    shared: Arc<Mutex<Shared>>,
    /// One per looping thread (fast, slow): dropping it wakes the thread to stop.
    stops: Vec<Sender<()>>,
    /// Checked between NVML calls, so stop() does not wait for the rest of a slow tick.
    stopping: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    interval: Duration,
    slow_interval: Option<Duration>,
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
        let devices = discover(&nvml, count, options.ring_size);
        let shared = Arc::new(Mutex::new(Shared {
            devices,
            seq: 0,
            ticks: 0,
            slow_ticks: 0,
            panics: 0,
            running: true,
            attribution: Attribution { pids: vec![std::process::id()], names: Vec::new() },
        }));
        let nvml = Arc::new(nvml);
        let stopping = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let mut sampler = Sampler {
            shared: Arc::clone(&shared),
            stops: Vec::new(),
            stopping: Arc::clone(&stopping),
            threads: Vec::new(),
            interval: options.interval,
            slow_interval: options.slow_interval,
            ring_size: options.ring_size,
            driver_version,
            source,
        };
        // The fast thread records the handles it cannot open; the slow one finds the same. Thread
        // names fit Linux's 15 bytes, so /proc and top show them whole.
        let loops: [(&str, Option<Duration>, LoopBody, bool); 2] =
            [("gpu-sampler", Some(options.interval), fast_tick, true), ("gpu-slow-loop", options.slow_interval, slow_tick, false)];
        for (name, interval, body, record) in loops {
            let Some(interval) = interval else { continue };
            let (stop, stopped) = mpsc::channel::<()>();
            let (nvml, shared, stopping) = (Arc::clone(&nvml), Arc::clone(&shared), Arc::clone(&stopping));
            let thread = std::thread::Builder::new()
                .name(name.into())
                .spawn(move || run_loop(&nvml, &shared, Loop { interval, started, body, record }, &stopped, &stopping))
                .map_err(StartError::Thread)?;
            sampler.stops.push(stop);
            sampler.threads.push(thread);
        }
        if options.events {
            let (nvml, shared, stopping) = (Arc::clone(&nvml), Arc::clone(&shared), Arc::clone(&stopping));
            let thread = std::thread::Builder::new()
                .name("gpu-xid-events".into())
                .spawn(move || watch_events(&nvml, &shared, &stopping))
                .map_err(StartError::Thread)?;
            sampler.threads.push(thread);
        }
        Ok(sampler)
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }

    pub fn devices(&self) -> Vec<DeviceInfo> {
        self.lock().devices.iter().map(device_info).collect()
    }

    pub fn latest(&self) -> Vec<Reading> {
        self.lock().devices.iter().filter_map(latest).collect()
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
            slow_interval_ms: self.slow_interval.map_or(0.0, |s| s.as_secs_f64() * 1000.0),
            ring_size: self.ring_size as u64,
            driver_version: self.driver_version.clone(),
            source: self.source,
            ticks: shared.ticks,
            slow_ticks: shared.slow_ticks,
            panics: shared.panics,
            devices: shared.devices.iter().map(device_stats).collect(),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let shared = self.lock();
        Snapshot {
            devices: shared.devices.iter().map(device_info).collect(),
            latest: shared.devices.iter().filter_map(latest).collect(),
            stats: self.stats_of(&shared),
        }
    }

    /// Which processes do "our" work: jobs are charged their busy seconds where the driver
    /// reports per-process use. Default: this process.
    pub fn set_attribution(&self, attribution: Attribution) {
        self.lock().attribution = attribution;
    }

    /// Each device's busy seconds, energy and attributed busy seconds over [from_ms, to_ms]
    /// (Unix ms), from the running totals, with how far they are known yet.
    pub fn integrals(&self, from_ms: f64, to_ms: f64) -> Integrals {
        Integrals::of(&self.lock().devices, from_ms, to_ms)
    }

    pub fn driver_version(&self) -> &str {
        &self.driver_version
    }

    /// The NVIDIA driver, or nvml-sim.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Wakes the threads and waits for them (NVML is shut down when the last one lets it go).
    /// A tick in progress ends after the NVML call it is in, and is not applied.
    pub fn stop(&mut self) {
        self.stopping.store(true, Ordering::Relaxed);
        self.stops.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        self.lock().running = false;
    }
}

/// A device's newest reading; a MIG instance's utilization comes from GPM on the slow loop.
fn latest(d: &DeviceState) -> Option<Reading> {
    let mut reading = d.latest.clone()?;
    reading.utilization_ratio = reading.utilization_ratio.or(d.gpm_utilization);
    Some(reading)
}

/// Every GPU, then the MIG instances of those in MIG mode, each a device of its own.
fn discover(nvml: &Nvml, count: u32, ring_size: usize) -> Vec<DeviceState> {
    let mut devices: Vec<DeviceState> = Vec::new();
    let mut migs: Vec<DeviceState> = Vec::new();
    for i in 0..count {
        let handle = nvml.device_by_index(i);
        let (name, uuid) = match &handle {
            Ok(d) => (d.name().unwrap_or_default(), d.uuid().unwrap_or_default()),
            Err(_) => (String::new(), String::new()),
        };
        devices.push(DeviceState::new(i, name, uuid, ring_size));
        let Ok(parent) = handle else { continue };
        if !parent.mig_mode().is_ok_and(|m| m.current == 1) {
            continue;
        }
        for k in 0..parent.mig_device_count().unwrap_or(0) {
            let Ok(mig) = parent.mig_device_by_index(k) else { continue };
            let (gpu_instance, compute_instance) = raw::mig_instance_ids(nvml, &mig).unwrap_or((k, 0));
            let name = mig.name().unwrap_or_default();
            let profile = name.rsplit_once("MIG ").map_or_else(String::new, |(_, p)| p.trim().to_string());
            let mut d = DeviceState::new(0, name, mig.uuid().unwrap_or_default(), ring_size);
            d.id = format!("{i}/{gpu_instance}");
            d.mig = Some(MigInfo { parent: i, index: k, gpu_instance, compute_instance, profile });
            migs.push(d);
        }
    }
    for (k, mut d) in migs.into_iter().enumerate() {
        d.index = count + k as u32;
        devices.push(d);
    }
    devices
}

/// A poisoned lock still holds consistent data: ticks are applied whole or not at all.
fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a looping thread does each interval with its handles.
type LoopBody = for<'n> fn(&'n Nvml, &[Option<Device<'n>>], &mut [SlowLocal<'n>], &Mutex<Shared>, Instant, &AtomicBool);

struct Loop {
    interval: Duration,
    /// The sampler's monotonic origin.
    started: Instant,
    body: LoopBody,
    /// Whether this thread records the devices it cannot open.
    record: bool,
}

fn run_loop(nvml: &Nvml, shared: &Mutex<Shared>, l: Loop, stopped: &mpsc::Receiver<()>, stopping: &AtomicBool) {
    let handles = open_all(nvml, shared, l.record);
    let mut locals: Vec<SlowLocal> = handles.iter().map(|_| SlowLocal::default()).collect();
    let (interval, started, body) = (l.interval, l.started, l.body);
    let mut deadline = Instant::now();
    loop {
        let ok = catch_unwind(AssertUnwindSafe(|| body(nvml, &handles, &mut locals, shared, started, stopping)));
        if ok.is_err() {
            lock(shared).panics += 1;
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
}

/// Every device's handle, MIG instances through their parent. One that cannot be opened (lost,
/// no permission, ...) is never read: the fast thread counts it as an error and marks it lost,
/// so it shows as down rather than silently empty.
fn open_all<'n>(nvml: &'n Nvml, shared: &Mutex<Shared>, record: bool) -> Vec<Option<Device<'n>>> {
    let migs: Vec<Option<MigInfo>> = lock(shared).devices.iter().map(|d| d.mig.clone()).collect();
    migs.iter()
        .enumerate()
        .map(|(i, mig)| {
            let opened = match mig {
                None => nvml.device_by_index(i as u32),
                Some(m) => nvml.device_by_index(m.parent).and_then(|p| p.mig_device_by_index(m.index)),
            };
            match opened {
                Ok(device) => Some(device),
                Err(e) => {
                    if record {
                        let mut guard = lock(shared);
                        let device = &mut guard.devices[i];
                        device.count_error(Field::Handle, &e);
                        device.lost_at_ms = Some(unix_ms());
                    }
                    None
                }
            }
        })
        .collect()
}

/// One fast tick: plans copied under the lock, NVML read without it, results applied under it.
fn fast_tick<'n>(
    _: &'n Nvml,
    handles: &[Option<Device<'n>>],
    _: &mut [SlowLocal<'n>],
    shared: &Mutex<Shared>,
    started: Instant,
    stopping: &AtomicBool,
) {
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

/// One slow tick, in the same three steps. A MIG instance's GPM samples come from its parent.
fn slow_tick<'n>(
    nvml: &'n Nvml,
    handles: &[Option<Device<'n>>],
    locals: &mut [SlowLocal<'n>],
    shared: &Mutex<Shared>,
    started: Instant,
    stopping: &AtomicBool,
) {
    let plans: Vec<(bool, SlowPlan, Option<u32>)> =
        lock(shared).devices.iter().map(|d| (d.lost(), d.slow_plan(), d.mig.as_ref().map(|m| m.parent))).collect();
    let reads: Vec<Option<SlowRead>> = handles
        .iter()
        .zip(plans)
        .zip(locals.iter_mut())
        .map(|((handle, (lost, plan, parent)), local)| match handle {
            Some(device) if !lost => {
                let parent = parent.and_then(|p| handles.get(p as usize)).and_then(Option::as_ref);
                Some(read_slow(&SlowContext { nvml, device, parent, started, stopping }, plan, local))
            }
            _ => None,
        })
        .collect();
    if reads.iter().flatten().any(|r| r.abandoned) {
        return;
    }
    let mut guard = lock(shared);
    let state = &mut *guard;
    for (device, read) in state.devices.iter_mut().zip(reads) {
        if let Some(read) = read {
            device.apply_slow(read, &state.attribution);
        }
    }
    state.slow_ticks += 1;
}

struct SharedSink<'a>(&'a Mutex<Shared>);

impl EventSink for SharedSink<'_> {
    fn registered(&self, device: usize, result: Result<(), NvmlError>) {
        lock(self.0).devices[device].events_registered(result);
    }
    fn xid(&self, device: usize, xid: u32, at_ms: f64) {
        lock(self.0).devices[device].health.record_xid(xid, at_ms);
    }
    fn failed(&self, device: Option<usize>, error: NvmlError) {
        let mut guard = lock(self.0);
        for d in guard.devices.iter_mut().filter(|d| device.is_none_or(|i| i == d.index as usize) && d.mig.is_none()) {
            d.count_error(Field::XidEvents, &error);
        }
    }
}

/// The event thread: whole GPUs only (a MIG instance's XIDs are its parent's).
fn watch_events(nvml: &Nvml, shared: &Mutex<Shared>, stopping: &AtomicBool) {
    let whole: Vec<usize> = lock(shared).devices.iter().filter(|d| d.mig.is_none()).map(|d| d.index as usize).collect();
    let devices: Vec<(usize, Device)> = whole.into_iter().filter_map(|i| nvml.device_by_index(i as u32).ok().map(|d| (i, d))).collect();
    let ok = catch_unwind(AssertUnwindSafe(|| run_events(nvml, &devices, stopping, &SharedSink(shared))));
    if ok.is_err() {
        lock(shared).panics += 1;
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop();
    }
}
