//! `gpu-probe sample`: runs the sampler as the backend does, drains it through samples(cursor)
//! every poll, and reads the driver's sample buffers directly beside it (the independent record
//! the "seen exactly once" check compares with). The window opens and closes on marks: stats
//! and cursor taken together, so each total is paired with exactly the samples behind it.
use crate::cli::SampleArgs;
use crate::driver::{self, source_name, ProbeError};
use crate::report::{self, SampleReport};
use gpu_sampler::reader::unix_ms;
use gpu_sampler::reading::{DriverSample, Reading};
use gpu_sampler::snapshot::{SamplesSince, Stats};
use gpu_sampler::{Sampler, SamplerOptions};
use nvml_wrapper::enum_wrappers::device::Sampling;
use nvml_wrapper::enums::device::SampleValue;
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, Nvml};
use serde_json::json;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Everything drained from the sampler, in the order it came.
#[derive(Default)]
pub struct Log {
    cursor: u64,
    pub missed: bool,
    /// Sequence numbers handed out twice (across drains): the cursor repeated something.
    pub seq_repeats: usize,
    seqs: HashSet<u64>,
    pub drains: usize,
    pub readings: Vec<Reading>,
    pub driver: Vec<DriverSample>,
    series: Option<Series>,
}

/// The state at one instant: the sampler's totals and how much of the log was behind them.
pub struct Mark {
    pub at_ms: f64,
    pub stats: Stats,
    pub readings: usize,
    pub driver: usize,
}

impl Log {
    fn absorb(&mut self, got: SamplesSince) {
        self.drains += 1;
        self.missed |= got.missed;
        self.cursor = self.cursor.max(got.cursor);
        for seq in got.readings.iter().map(|r| r.seq).chain(got.driver.iter().map(|s| s.seq)) {
            if !self.seqs.insert(seq) {
                self.seq_repeats += 1;
            }
        }
        if let Some(series) = &mut self.series {
            for r in &got.readings {
                series.write(r);
            }
        }
        self.readings.extend(got.readings);
        self.driver.extend(got.driver);
    }

    fn drain(&mut self, sampler: &Sampler) {
        let got = sampler.samples(self.cursor);
        self.absorb(got);
    }

    /// Stats and cursor together: drains until nothing came between the stats and the drain.
    fn mark(&mut self, sampler: &Sampler) -> Mark {
        self.drain(sampler);
        let mut stats = sampler.stats();
        for _ in 0..1000 {
            let more = sampler.samples(self.cursor);
            if more.readings.is_empty() && more.driver.is_empty() {
                break;
            }
            self.absorb(more);
            stats = sampler.stats();
        }
        Mark { at_ms: unix_ms(), stats, readings: self.readings.len(), driver: self.driver.len() }
    }
}

/// Every reading, one JSON object a line, for comparing with nvidia-smi and pynvml by time.
struct Series {
    out: BufWriter<File>,
    written: usize,
    error: Option<String>,
}

impl Series {
    fn create(path: &Path) -> Result<Series, ProbeError> {
        let file = File::create(path).map_err(|e| ProbeError::Io(format!("cannot write the series {}: {e}", path.display())))?;
        Ok(Series { out: BufWriter::new(file), written: 0, error: None })
    }

    fn write(&mut self, r: &Reading) {
        if self.error.is_some() {
            return;
        }
        let line = json!({
            "t_ms": r.time_ms,
            "gpu": r.gpu,
            "utilization_ratio": r.utilization_ratio,
            "power_w": r.power_watts,
            "temperature_c": r.temperature_celsius,
            "memory_used_bytes": r.memory.map(|m| m.used),
            "sm_clock_mhz": r.clocks_hz.sm.map(|hz| hz / 1e6),
            "energy_counter_j": r.energy_counter_joules,
        });
        match writeln!(self.out, "{line}") {
            Ok(()) => self.written += 1,
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn finish(mut self) -> Result<usize, String> {
        if let Err(e) = self.out.flush() {
            self.error.get_or_insert(e.to_string());
        }
        self.error.map_or(Ok(self.written), Err)
    }
}

/// The driver's sample buffers read directly, newer-than-last-seen, as an independent record.
pub struct Direct<'n> {
    devices: Vec<(u32, Device<'n>)>,
    last_seen: Vec<[u64; 2]>,
    /// Per GPU (position in `devices`): [utilization, power] as (timestamp µs, ratio or watts).
    pub seen: Vec<[Vec<(u64, f64)>; 2]>,
    pub errors: Vec<String>,
}

/// [utilization, power]: the sampling type and the scale to a ratio or watts (percent, mW).
const KINDS: [(Sampling, f64); 2] = [(Sampling::GpuUtilization, 0.01), (Sampling::Power, 0.001)];

impl<'n> Direct<'n> {
    fn open(nvml: &'n Nvml) -> Direct<'n> {
        let count = nvml.device_count().unwrap_or(0);
        let devices: Vec<(u32, Device)> = (0..count).filter_map(|i| nvml.device_by_index(i).ok().map(|d| (i, d))).collect();
        let n = devices.len();
        Direct { devices, last_seen: vec![[0; 2]; n], seen: vec![[Vec::new(), Vec::new()]; n], errors: Vec::new() }
    }

    fn poll(&mut self) {
        for (k, (index, device)) in self.devices.iter().enumerate() {
            for (slot, (sampling, scale)) in KINDS.iter().enumerate() {
                let last_seen = self.last_seen[k][slot];
                match device.samples(*sampling, last_seen) {
                    Ok(found) => {
                        let mut found: Vec<(u64, f64)> =
                            found.iter().filter(|s| s.timestamp > last_seen).map(|s| (s.timestamp, sample_value(&s.value) * scale)).collect();
                        found.sort_by_key(|s| s.0);
                        found.dedup_by_key(|s| s.0);
                        if let Some(&(newest, _)) = found.last() {
                            self.last_seen[k][slot] = newest;
                        }
                        self.seen[k][slot].extend(found);
                    }
                    Err(NvmlError::NotFound) => {}
                    Err(e) => {
                        let message = format!("GPU {index} {sampling:?} samples: {e}");
                        if !self.errors.contains(&message) {
                            self.errors.push(message);
                        }
                    }
                }
            }
        }
    }

    /// The record of one GPU by NVML index, if it was opened.
    pub fn record(&self, index: u32) -> Option<&[Vec<(u64, f64)>; 2]> {
        self.devices.iter().position(|(i, _)| *i == index).map(|k| &self.seen[k])
    }
}

/// A driver sample or field value as a number.
pub fn sample_value(v: &SampleValue) -> f64 {
    match *v {
        SampleValue::F64(x) => x,
        SampleValue::U32(x) => x.into(),
        SampleValue::U64(x) => x as f64,
        SampleValue::I64(x) => x as f64,
    }
}

/// Enough for 20 polls of readings between two drains, at least the sampler's default.
fn default_ring(args: &SampleArgs) -> usize {
    let per_poll = args.poll.as_secs_f64() / args.interval.as_secs_f64();
    ((per_poll * 20.0).ceil() as usize).clamp(gpu_sampler::options::DEFAULT_RING_SIZE, gpu_sampler::options::MAX_RING_SIZE)
}

fn collect(sampler: &Sampler, log: &mut Log, direct: &mut Direct, poll: Duration, until: Instant) {
    loop {
        log.drain(sampler);
        direct.poll();
        let now = Instant::now();
        if now >= until {
            return;
        }
        std::thread::sleep(poll.min(until - now));
    }
}

pub fn run(args: &SampleArgs) -> Result<SampleReport, ProbeError> {
    let library = driver::resolved_library(args.library.as_ref());
    let ring_size = args.ring_size.unwrap_or_else(|| default_ring(args));
    let t = Instant::now();
    // The sampler's other options (slow loop, events, and those still to come) keep their
    // defaults: the probe checks the sampler as the backend runs it.
    let options = SamplerOptions { library_path: Some(library.clone()), interval: args.interval, ring_size, ..Default::default() };
    let mut sampler = Sampler::start(options).map_err(ProbeError::from_start)?;
    let start_ms = t.elapsed().as_secs_f64() * 1000.0;
    // A second reference to the same NVML (nvmlInit is reference counted).
    let nvml = driver::open(&library)?;
    let mut direct = Direct::open(&nvml);
    let mut log = Log { series: args.series.as_deref().map(Series::create).transpose()?, ..Log::default() };

    collect(&sampler, &mut log, &mut direct, args.poll, Instant::now() + Duration::from_secs_f64(args.warmup_seconds));
    let a = log.mark(&sampler);
    collect(&sampler, &mut log, &mut direct, args.poll, Instant::now() + Duration::from_secs_f64(args.seconds));
    let b = log.mark(&sampler);
    // The driver's buffer still holds what the sampler saw last: the record catches up to it.
    direct.poll();
    let devices = sampler.devices();
    let t = Instant::now();
    sampler.stop();
    let stop_ms = t.elapsed().as_secs_f64() * 1000.0;
    let series = log.series.take().map(Series::finish).transpose().map_err(|e| ProbeError::Io(format!("cannot write the series: {e}")))?;

    let run = report::Run {
        library: library.to_string_lossy().into_owned(),
        source: source_name(sampler.source()),
        driver_version: sampler.driver_version().to_string(),
        args,
        ring_size,
        start_ms,
        stop_ms,
        series_readings: series,
    };
    Ok(report::build(run, &log, &a, &b, &devices, &direct))
}
