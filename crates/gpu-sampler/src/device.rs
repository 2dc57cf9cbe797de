//! Everything the sampler keeps for one device: identity, latest reading, rings of readings
//! and driver samples, integrals, and counts of samples and errors.
use crate::calls::is_unsupported;
use crate::error_kind::{error_kind, ErrorKind};
use crate::field::{Field, FieldSet};
use crate::health::Health;
use crate::history::Cumulative;
use crate::integral::{ContinuedTotal, Integral, Rule};
use crate::processes::{Attribution, ProcessTable};
use crate::reader::{ReadPlan, TickRead};
use crate::reading::{DriverSample, DriverSampleKind, Reading, ThrottleReason, THROTTLE_REASONS};
use crate::ring::{Ring, Sequenced};
use crate::slow::{SlowPlan, SlowRead};
use nvml_wrapper::error::NvmlError;
use std::collections::BTreeMap;

impl Sequenced for Reading {
    fn seq(&self) -> u64 {
        self.seq
    }
}

impl Sequenced for DriverSample {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// Where energy comes from, worst first (the rank of a `ContinuedTotal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnergySource {
    /// ∫ power over the sampler's own reads
    PowerReadings = 1,
    /// ∫ power over nvmlDeviceGetSamples power samples
    PowerSamples = 2,
    /// nvmlDeviceGetTotalEnergyConsumption
    Counter = 3,
}

impl EnergySource {
    fn of_rank(rank: u8) -> EnergySource {
        match rank {
            3 => EnergySource::Counter,
            2 => EnergySource::PowerSamples,
            _ => EnergySource::PowerReadings,
        }
    }
}

/// A MIG instance: a device of its own, inside its parent GPU.
#[derive(Debug, Clone, PartialEq)]
pub struct MigInfo {
    /// The parent's NVML index.
    pub parent: u32,
    /// Its index among the parent's MIG devices (nvmlDeviceGetMigDeviceHandleByIndex).
    pub index: u32,
    pub gpu_instance: u32,
    pub compute_instance: u32,
    /// The profile, e.g. "1g.10gb".
    pub profile: String,
}

/// The running totals a job's window is measured on.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub busy: Cumulative,
    pub energy: Cumulative,
    /// Busy seconds of the attributed processes.
    pub attributed: Cumulative,
}

/// The driver's per-process sample period until one is seen: it updates them about every 1/6 s.
const PROCESS_PERIOD_MS: f64 = 200.0;

/// Busy seconds from GPM (MIG instances), the best source where it is the only one.
const GPM_RANK: u8 = 3;

#[derive(Debug, Clone)]
pub struct DeviceState {
    /// Position in the sampler's list: the NVML index for a whole GPU; MIG instances follow.
    pub index: u32,
    /// The `gpu` label: "0", or "0/3" (parent index / GPU instance id) for a MIG instance.
    pub id: String,
    pub mig: Option<MigInfo>,
    pub name: String,
    pub uuid: String,
    pub lost_at_ms: Option<f64>,
    pub disabled: FieldSet,
    /// The fields called at least once: those gpu_field_supported speaks for.
    pub asked: FieldSet,
    pub processes: ProcessTable,
    pub health: Health,
    pub history: History,
    /// The latest GPM utilization of a MIG instance, 0..1.
    pub gpm_utilization: Option<f64>,
    busy_from_gpm: f64,
    pub fans: Option<u32>,
    pub latest: Option<Reading>,
    pub readings: Ring<Reading>,
    pub driver_samples: Ring<DriverSample>,
    pub samples_total: u64,
    pub errors: BTreeMap<(Field, ErrorKind), u64>,
    last_seen_utilization_us: u64,
    last_seen_power_us: u64,
    utilization_samples_offered: bool,
    power_samples_offered: bool,
    wall_offset_ms: Option<f64>,
    /// Over driver timestamps in µs, exact as f64 (Unix seconds would round each to 0.2 µs).
    busy_from_samples: Integral,
    busy_from_readings: Integral,
    busy: ContinuedTotal,
    /// Sum of the counter's increases; a decrease (the driver reloaded) adds nothing.
    energy_from_counter: f64,
    energy_counter_last: Option<f64>,
    /// W·µs, like busy_from_samples.
    energy_from_samples: Integral,
    energy_from_readings: Integral,
    energy: ContinuedTotal,
    throttle: [Integral; THROTTLE_REASONS.len()],
}

impl DeviceState {
    pub fn new(index: u32, name: String, uuid: String, ring_size: usize) -> Self {
        DeviceState {
            index,
            id: index.to_string(),
            mig: None,
            name,
            uuid,
            lost_at_ms: None,
            disabled: FieldSet::default(),
            asked: FieldSet::default(),
            processes: ProcessTable::default(),
            health: Health::default(),
            history: History::default(),
            gpm_utilization: None,
            busy_from_gpm: 0.0,
            fans: None,
            latest: None,
            readings: Ring::new(ring_size),
            driver_samples: Ring::new(ring_size),
            samples_total: 0,
            errors: BTreeMap::new(),
            last_seen_utilization_us: 0,
            last_seen_power_us: 0,
            utilization_samples_offered: false,
            power_samples_offered: false,
            wall_offset_ms: None,
            busy_from_samples: Integral::default(),
            busy_from_readings: Integral::default(),
            busy: ContinuedTotal::default(),
            energy_from_counter: 0.0,
            energy_counter_last: None,
            energy_from_samples: Integral::default(),
            energy_from_readings: Integral::default(),
            energy: ContinuedTotal::default(),
            throttle: [Integral::default(); THROTTLE_REASONS.len()],
        }
    }

    pub fn lost(&self) -> bool {
        self.lost_at_ms.is_some()
    }

    pub fn plan(&self) -> ReadPlan {
        ReadPlan {
            disabled: self.disabled,
            last_seen_utilization_us: self.last_seen_utilization_us,
            last_seen_power_us: self.last_seen_power_us,
            fans: self.fans,
            wall_offset_ms: self.wall_offset_ms,
        }
    }

    pub fn count_error(&mut self, field: Field, error: &NvmlError) {
        *self.errors.entry((field, error_kind(error))).or_insert(0) += 1;
    }

    /// Counts the errors of a tick; a field that is not supported is switched off, so it is
    /// reported once and not read again on this device.
    fn fold_errors(&mut self, asked: FieldSet, errors: &[(Field, NvmlError)]) {
        self.asked = self.asked.union(asked);
        for (field, error) in errors {
            self.count_error(*field, error);
            if is_unsupported(error) {
                self.disabled.insert(*field);
            }
        }
    }

    /// What the event thread learned registering the device for XID events.
    pub fn events_registered(&mut self, result: Result<(), NvmlError>) {
        let mut asked = FieldSet::default();
        asked.insert(Field::XidEvents);
        let errors: Vec<_> = result.err().map(|e| (Field::XidEvents, e)).into_iter().collect();
        self.fold_errors(asked, &errors);
    }

    /// Whether a field was asked and answered: the value of gpu_field_supported.
    pub fn field_support(&self) -> Vec<(Field, bool)> {
        Field::ALL.into_iter().filter(|f| *f != Field::Handle && self.asked.contains(*f)).map(|f| (f, !self.disabled.contains(f))).collect()
    }

    pub fn slow_plan(&self) -> SlowPlan {
        SlowPlan {
            disabled: self.disabled,
            process_last_seen_us: self.processes.last_seen_us,
            gpu_instance: self.mig.as_ref().map(|m| m.gpu_instance),
        }
    }

    /// Whether per-process utilization is read on this device (then jobs are charged by process).
    pub fn attributes_processes(&self) -> bool {
        self.asked.contains(Field::ProcessUtilization) && !self.disabled.contains(Field::ProcessUtilization)
    }

    /// Folds one slow tick into the device.
    pub fn apply_slow(&mut self, read: SlowRead, attribution: &Attribution) {
        self.fold_errors(read.asked, &read.errors);
        if read.lost {
            self.lost_at_ms = Some(read.time_ms);
            return;
        }
        if let Some(running) = read.processes {
            self.processes.set_running(running);
        }
        if let Some((asked_us, samples)) = read.process_samples {
            let points = self.processes.apply_samples(asked_us, samples, &read.names, attribution);
            if points.is_empty() {
                // None new: the total is known up to a sample period before the call (a sample
                // due before that would have come).
                let period_ms = self.processes.period_us().map_or(PROCESS_PERIOD_MS, |p| p as f64 / 1000.0);
                self.history.attributed.push(read.time_ms - period_ms, self.processes.attributed_busy);
            }
            for (at, total) in points {
                self.history.attributed.push(at, total);
            }
        }
        self.health.apply(read.health, read.mono_s);
        if let Some((ratio, seconds)) = read.gpm {
            self.busy_from_gpm += ratio * seconds.max(0.0);
            self.gpm_utilization = Some(ratio);
            self.busy.follow(GPM_RANK, self.busy_from_gpm);
            self.history.busy.push(read.time_ms, self.busy.value());
        }
    }

    /// Folds one tick into the device; `next_seq` hands out cursor positions.
    pub fn apply(&mut self, tick: TickRead, next_seq: &mut impl FnMut() -> u64) {
        self.fold_errors(tick.asked, &tick.errors);
        if tick.lost {
            self.lost_at_ms = Some(tick.reading.time_ms);
            return;
        }
        self.fans = self.fans.or(tick.fans);
        if tick.clock_stepped_back {
            self.last_seen_utilization_us = tick.last_seen_utilization_us;
            self.last_seen_power_us = tick.last_seen_power_us;
            self.busy_from_samples.restart();
            self.energy_from_samples.restart();
        }
        let mono_s = tick.mono_s;
        self.wall_offset_ms = Some(tick.reading.time_ms - mono_s * 1000.0);
        self.utilization_samples_offered |= tick.utilization_samples_offered;
        self.power_samples_offered |= tick.power_samples_offered;
        for (ts, ratio) in tick.utilization_samples {
            self.push_driver_sample(DriverSampleKind::Utilization, ts, ratio, next_seq());
            self.busy_from_samples.add(Rule::BackwardStep, ts as f64, ratio);
            self.last_seen_utilization_us = ts;
        }
        for (ts, watts) in tick.power_samples {
            self.push_driver_sample(DriverSampleKind::Power, ts, watts, next_seq());
            self.energy_from_samples.add(Rule::Trapezoid, ts as f64, watts);
            self.last_seen_power_us = ts;
        }
        let mut reading = tick.reading;
        reading.seq = next_seq();
        if let Some(u) = reading.utilization_ratio {
            self.busy_from_readings.add(Rule::Trapezoid, mono_s, u);
        }
        if let Some(p) = reading.power_watts {
            self.energy_from_readings.add(Rule::Trapezoid, mono_s, p);
        }
        if let Some(e) = reading.energy_counter_joules {
            if let Some(last) = self.energy_counter_last {
                self.energy_from_counter += (e - last).max(0.0);
            }
            self.energy_counter_last = Some(e);
        }
        if let Some(bits) = reading.throttle_reasons {
            for (integral, (_, reason)) in self.throttle.iter_mut().zip(THROTTLE_REASONS) {
                integral.add(Rule::ForwardStep, mono_s, if bits & reason.bits() != 0 { 1.0 } else { 0.0 });
            }
        }
        self.follow_totals();
        self.record_history(reading.time_ms);
        self.samples_total += 1;
        self.readings.push(reading.clone());
        self.latest = Some(reading);
    }

    /// Busy seconds and energy from the best source the driver offered so far (driver samples
    /// over reads, the energy counter over both), never going back when a better one starts
    /// late. A source that later fails keeps its total where it was rather than mixing sources.
    fn follow_totals(&mut self) {
        if self.utilization_samples_offered {
            self.busy.follow(2, self.busy_from_samples.total / 1e6);
        } else if self.busy_from_readings.from.is_some() {
            self.busy.follow(1, self.busy_from_readings.total);
        }
        let (source, total) = if self.energy_counter_last.is_some() {
            (EnergySource::Counter, self.energy_from_counter)
        } else if self.power_samples_offered {
            (EnergySource::PowerSamples, self.energy_from_samples.total / 1e6)
        } else if self.energy_from_readings.from.is_some() {
            (EnergySource::PowerReadings, self.energy_from_readings.total)
        } else {
            return;
        };
        self.energy.follow(source as u8, total);
    }

    /// The totals as known after a fast tick at `time_ms`: up to the newest driver sample where
    /// the driver's samples are the source, else up to the reading.
    fn record_history(&mut self, time_ms: f64) {
        match self.busy.rank() {
            0 | GPM_RANK => {}
            2 if self.last_seen_utilization_us == 0 => {}
            2 => self.history.busy.push(self.last_seen_utilization_us as f64 / 1000.0, self.busy.value()),
            _ => self.history.busy.push(time_ms, self.busy.value()),
        }
        match self.energy.rank() {
            0 => {}
            r if r == EnergySource::PowerSamples as u8 && self.last_seen_power_us == 0 => {}
            r if r == EnergySource::PowerSamples as u8 => self.history.energy.push(self.last_seen_power_us as f64 / 1000.0, self.energy.value()),
            _ => self.history.energy.push(time_ms, self.energy.value()),
        }
    }

    fn push_driver_sample(&mut self, kind: DriverSampleKind, timestamp_us: u64, value: f64, seq: u64) {
        self.driver_samples.push(DriverSample { seq, gpu: self.index, kind, timestamp_us, value });
    }

    /// ∫ utilization dt (s): from the driver's samples where it gives them, else from reads.
    pub fn busy_seconds(&self) -> f64 {
        self.busy.value()
    }

    /// Energy since the sampler started (J) and where it came from.
    pub fn energy_joules(&self) -> (f64, EnergySource) {
        (self.energy.value(), EnergySource::of_rank(self.energy.rank()))
    }

    /// Seconds with each throttle reason active.
    pub fn throttle_seconds(&self) -> Vec<(ThrottleReason, f64)> {
        THROTTLE_REASONS.iter().zip(&self.throttle).map(|((reason, _), i)| (*reason, i.total)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out 1, 2, 3, ... as the sampler's sequence does.
    fn sequence() -> impl FnMut() -> u64 {
        let mut seq = 0;
        move || {
            seq += 1;
            seq
        }
    }

    fn tick(mono_s: f64, util: Option<f64>, power: Option<f64>) -> TickRead {
        TickRead {
            reading: Reading {
                time_ms: mono_s * 1000.0,
                utilization_ratio: util,
                power_watts: power,
                throttle_reasons: Some(0x4),
                ..Reading::default()
            },
            mono_s,
            ..TickRead::default()
        }
    }

    #[test]
    fn not_supported_switches_a_field_off_once() {
        let mut d = DeviceState::new(0, "g".into(), "u".into(), 4);
        let mut next = sequence();
        let mut t = tick(0.0, Some(0.5), None);
        t.errors.push((Field::Fans, NvmlError::NotSupported));
        d.apply(t, &mut next);
        assert!(d.plan().disabled.contains(Field::Fans));
        assert_eq!(d.errors.get(&(Field::Fans, ErrorKind::NotSupported)), Some(&1));
    }

    #[test]
    fn falls_back_to_reads_without_driver_samples() {
        let mut d = DeviceState::new(0, "g".into(), "u".into(), 4);
        let mut next = sequence();
        for (i, t) in [0.0, 0.1, 0.35, 1.0].iter().enumerate() {
            d.apply(tick(*t, Some(0.5), Some(100.0)), &mut next);
            assert_eq!(d.samples_total, i as u64 + 1);
        }
        assert!((d.busy_seconds() - 0.5).abs() < 1e-12);
        assert_eq!(d.energy_joules(), (100.0, EnergySource::PowerReadings));
        assert_eq!(d.throttle_seconds()[2], (ThrottleReason::SwPowerCap, 1.0));
        // The ring kept the newest 4 of 4; every reading got its own cursor position.
        assert_eq!(d.readings.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn driver_samples_are_kept_once() {
        let mut d = DeviceState::new(0, "g".into(), "u".into(), 16);
        let mut next = sequence();
        let mut t = tick(0.0, None, None);
        t.utilization_samples = vec![(1_000_000, 1.0), (1_500_000, 0.5)];
        t.utilization_samples_offered = true;
        d.apply(t, &mut next);
        let mut t = tick(0.1, None, None);
        t.utilization_samples = vec![(2_000_000, 0.25)];
        t.utilization_samples_offered = true;
        d.apply(t, &mut next);
        assert_eq!(d.plan().last_seen_utilization_us, 2_000_000);
        assert!((d.busy_seconds() - (0.25 + 0.125)).abs() < 1e-12);
        assert_eq!(d.driver_samples.len(), 3);
    }

    #[test]
    fn samples_offered_but_none_yet_are_the_source_from_the_start() {
        let mut d = DeviceState::new(0, "g".into(), "u".into(), 16);
        let mut next = sequence();
        for (i, t) in [0.0, 0.5, 1.0].into_iter().enumerate() {
            let mut r = tick(t, Some(1.0), None);
            r.utilization_samples_offered = true;
            if i == 2 {
                r.utilization_samples = vec![(2_000_000, 0.5), (2_200_000, 0.5)];
            }
            d.apply(r, &mut next);
        }
        // Only the samples count: 0.2 s at 50 %, none of the reads' 1 s at 100 %.
        assert!((d.busy_seconds() - 0.1).abs() < 1e-12, "{}", d.busy_seconds());
    }

    #[test]
    fn energy_never_goes_back() {
        let mut d = DeviceState::new(0, "g".into(), "u".into(), 16);
        let mut next = sequence();
        // Reads only at first, then the counter, which the driver restarts (a reload).
        d.apply(tick(0.0, None, Some(100.0)), &mut next);
        d.apply(tick(1.0, None, Some(100.0)), &mut next);
        assert_eq!(d.energy_joules(), (100.0, EnergySource::PowerReadings));
        for (t, counter) in [(2.0, 5000.0), (3.0, 5100.0), (4.0, 20.0), (5.0, 120.0)] {
            let mut r = tick(t, None, Some(100.0));
            r.reading.energy_counter_joules = Some(counter);
            d.apply(r, &mut next);
        }
        assert_eq!(d.energy_joules(), (300.0, EnergySource::Counter));
    }

    #[test]
    fn after_the_clock_stepped_back_samples_go_on_from_the_new_time() {
        let mut d = DeviceState::new(0, "g".into(), "u".into(), 16);
        let mut next = sequence();
        let mut t = tick(0.0, None, None);
        t.utilization_samples = vec![(90_000_000, 1.0), (91_000_000, 1.0)];
        t.utilization_samples_offered = true;
        d.apply(t, &mut next);
        let mut t = tick(0.1, None, None);
        t.clock_stepped_back = true;
        t.last_seen_utilization_us = 10_000_000;
        t.utilization_samples = vec![(10_500_000, 0.5), (11_000_000, 0.5)];
        t.utilization_samples_offered = true;
        d.apply(t, &mut next);
        assert_eq!(d.plan().last_seen_utilization_us, 11_000_000);
        // 1 s before the step, 0.5 s at 50 % after it; nothing across it.
        assert!((d.busy_seconds() - 1.25).abs() < 1e-12, "{}", d.busy_seconds());
    }
}
