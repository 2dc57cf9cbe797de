//! The sampler against nvml-sim through the real loading path: values, integrals, driver
//! samples, faults.
mod common;
use common::*;
use gpu_sampler::device::EnergySource;
use gpu_sampler::reading::{throttle_reasons, DriverSample, DriverSampleKind, ThrottleReason};
use gpu_sampler::Source;
use std::time::Duration;

/// Timestamps (µs) of one GPU's driver samples of one kind, checked to be consecutive samples
/// of the scenario: none lost (the integrals are exact only then), none twice.
fn consecutive(samples: &[DriverSample], gpu: u32, kind: DriverSampleKind, period_us: u64) -> Vec<u64> {
    let ts: Vec<u64> = samples.iter().filter(|s| s.gpu == gpu && s.kind == kind).map(|s| s.timestamp_us).collect();
    assert!(ts.len() > 50, "gpu {gpu} {kind:?}: {} samples", ts.len());
    for pair in ts.windows(2) {
        assert_eq!(pair[1] - pair[0], period_us, "gpu {gpu} {kind:?}: a driver sample was lost or repeated");
    }
    ts
}

#[test]
fn latest_values_follow_the_scenario() {
    let _sim = scenario(
        r#"{"devices": [{"name": "Alert GPU", "uuid": "GPU-alert", "memoryTotalBytes": 17179869184, "memoryReservedBytes": 1073741824,
            "utilization": 98, "memoryUtilization": 40, "memoryUsedBytes": 8589934592, "temperature": 90, "powerWatts": 250,
            "powerLimitWatts": 300, "clocksMhz": {"sm": 1500, "memory": 5000, "graphics": 1400, "video": 1200},
            "fans": [60, 35], "performanceState": 2, "throttle": {"sw_power_cap": 1, "hw_slowdown": 0}}]}"#,
    );
    let mut sampler = start(5, 100);
    wait_until("10 readings", || sampler.stats().devices[0].samples_total >= 10);
    let info = sampler.devices();
    assert_eq!((info[0].name.as_str(), info[0].uuid.as_str()), ("Alert GPU", "GPU-alert"));
    let r = sampler.latest().remove(0);
    assert_eq!(r.utilization_ratio, Some(0.98));
    assert_eq!(r.memory_utilization_ratio, Some(0.40));
    let m = r.memory.unwrap();
    assert_eq!((m.total, m.used, m.reserved, m.free), (16 << 30, 8 << 30, 1 << 30, 7 << 30));
    assert_eq!(r.temperature_celsius, Some(90.0));
    assert_eq!((r.power_watts, r.power_limit_watts), (Some(250.0), Some(300.0)));
    assert_eq!((r.clocks_hz.sm, r.clocks_hz.memory, r.clocks_hz.graphics, r.clocks_hz.video), (Some(1.5e9), Some(5e9), Some(1.4e9), Some(1.2e9)));
    assert_eq!(r.fan_speed_ratios, Some(vec![0.6, 0.35]));
    assert_eq!(r.performance_state, Some(2));
    assert_eq!(throttle_reasons(r.throttle_reasons.unwrap()), vec![ThrottleReason::SwPowerCap]);
    let w = sampler.window(60_000.0).remove(0);
    assert!(w.count >= 10, "{} readings in the window", w.count);
    assert_eq!(w.temperature_celsius.map(|t| (t.min, t.max, t.mean)), Some((90.0, 90.0, 90.0)));
    let stats = sampler.stats();
    assert!(stats.devices[0].errors.is_empty(), "{:?}", stats.devices[0].errors);
    assert_eq!(stats.driver_version, "550.54.15");
    // nvml-sim says it is a simulator: its telemetry is labelled sim, never passed off as the driver's.
    assert_eq!((stats.source, sampler.source()), (Source::Sim, Source::Sim));
    sampler.stop();
    assert!(!sampler.stats().running);
}

#[test]
fn integrals_match_the_analytic_integrals() {
    let util = r#"{"sine": {"mean": 50, "amplitude": 40, "periodMs": 400}}"#;
    let power = r#"{"ramp": {"from": 100, "to": 300, "durationMs": 1000}}"#;
    let throttle = r#"{"steps": [{"atMs": 0, "value": 0}, {"atMs": 200, "value": 1}, {"atMs": 500, "value": 0}], "everyMs": 600}"#;
    // The driver keeps seconds of samples (here 10 s), so a sampling thread delayed on a loaded
    // machine reads them late but loses none.
    let buffer = r#""samples": {"periodMs": 5, "size": 2000}"#;
    let device = format!(r#"{{"utilization": {util}, "powerWatts": {power}, "throttle": {{"hw_slowdown": {throttle}}}, {buffer}}}"#);
    let no_counter = format!(r#"{{"utilization": {util}, "powerWatts": {power}, "unsupported": ["energy"], {buffer}}}"#);
    let _sim = scenario(&format!(r#"{{"devices": [{device}, {no_counter}]}}"#));
    let mut sampler = start(2, 20_000);
    // 1.2 s of utilization and power samples (5 ms apart) on both GPUs.
    wait_until("1.2 s of driver samples", || sampler.stats().devices.iter().all(|d| d.driver_samples_kept >= 480));
    let origin_ms = sim_origin_us() as f64 / 1000.0;
    sampler.stop();
    let stopped_ms = gpu_sampler::reader::unix_ms();
    let samples = sampler.samples(0);
    assert!(!samples.missed, "the rings hold the whole run");
    let stats = sampler.stats();
    let (util, power, throttle) = (parse_schedule(util), parse_schedule(power), parse_schedule(throttle));
    // Schedules run on the sim's elapsed ms; the sampler records Unix µs (driver) and ms (reads).
    let elapsed_ms = |ts_us: u64| ts_us as f64 / 1000.0 - origin_ms;
    for gpu in 0..2u32 {
        let d = &stats.devices[gpu as usize];
        // Busy seconds integrate the utilization samples, each the mean over the period before
        // it: exactly ∫ utilization from the first sample's time to the last one's.
        let utilization = consecutive(&samples.driver, gpu, DriverSampleKind::Utilization, 5000);
        let (a, b) = (elapsed_ms(utilization[0]), elapsed_ms(*utilization.last().unwrap()));
        let busy = (util.integral(b) - util.integral(a)) / 100.0 / 1000.0;
        assert!((d.busy_seconds - busy).abs() < 0.01 * busy, "gpu {gpu}: busy {} vs {busy}", d.busy_seconds);
        if gpu == 1 {
            let p = consecutive(&samples.driver, gpu, DriverSampleKind::Power, 5000);
            let (a, b) = (elapsed_ms(p[0]), elapsed_ms(*p.last().unwrap()));
            let joules = (power.integral(b) - power.integral(a)) / 1000.0;
            assert_eq!(d.energy_source, EnergySource::PowerSamples);
            assert!((d.energy_joules - joules).abs() < 0.01 * joules, "energy {} vs {joules}", d.energy_joules);
            continue;
        }
        let readings: Vec<_> = samples.readings.iter().filter(|r| r.gpu == 0).collect();
        let (first, last) = (readings[0], *readings.last().unwrap());
        // Energy is the counter's increase from the first reading to the last, and that is
        // within 1% of ∫ power between the times the counter was read: first thing after each
        // reading's time was taken, before the next reading (or stop()) began. Those bounds
        // are tight (a tick) unless the thread was delayed right there.
        let counted = last.energy_counter_joules.unwrap() - first.energy_counter_joules.unwrap();
        assert_eq!(d.energy_source, EnergySource::Counter);
        assert!((d.energy_joules - counted).abs() < 1e-6, "energy {} vs counter increase {counted}", d.energy_joules);
        let joules = |a: f64, b: f64| (power.integral(b - origin_ms) - power.integral(a - origin_ms)) / 1000.0;
        let (least, most) = (joules(readings[1].time_ms, last.time_ms), joules(first.time_ms, stopped_ms));
        assert!(least * 0.99 < d.energy_joules && d.energy_joules < most * 1.01, "energy {} outside [{least}, {most}] ±1%", d.energy_joules);
        let (a, b) = (first.time_ms - origin_ms, last.time_ms - origin_ms);
        // Throttle seconds hold each read state until the next read: the scenario's state at
        // each reading's time, held until the next reading, is what the sampler could measure.
        let active = |r: &gpu_sampler::reading::Reading| if throttle.at(r.time_ms - origin_ms) >= 0.5 { 1.0 } else { 0.0 };
        let held: f64 = readings.windows(2).map(|w| active(w[0]) * (w[1].time_ms - w[0].time_ms) / 1000.0).sum();
        let measured = d.throttle_seconds.iter().find(|(r, _)| *r == ThrottleReason::HwSlowdown).unwrap().1;
        assert!((measured - held).abs() < 0.01 * held, "throttle {measured} vs {held}");
        // And that differs from the exact ∫ only within the reads around each state change.
        let exact = (throttle.integral(b) - throttle.integral(a)) / 1000.0;
        let around_changes: f64 = readings.windows(2).filter(|w| active(w[0]) != active(w[1])).map(|w| (w[1].time_ms - w[0].time_ms) / 1000.0).sum();
        assert!((measured - exact).abs() <= around_changes + 0.01 * exact, "throttle {measured} vs exact {exact}");
    }
}

#[test]
fn every_driver_sample_appears_exactly_once() {
    // Buffers of seconds, as the driver's are, so a loaded test machine delays the reads without losing any.
    let _sim = scenario(
        r#"{"devices": [{"utilization": {"ramp": {"from": 0, "to": 100, "durationMs": 800}}, "samples": {"periodMs": 3, "size": 5000}}, {"utilization": 30, "samples": {"periodMs": 7, "size": 5000}}]}"#,
    );
    let mut sampler = start(1, 50_000);
    let mut cursor = 0;
    let mut seen = Vec::new();
    let count = |seen: &[DriverSample], gpu| seen.iter().filter(|s| s.gpu == gpu && s.kind == DriverSampleKind::Utilization).count();
    wait_until("100 utilization samples of each GPU read through the cursor", || {
        std::thread::sleep(Duration::from_millis(20));
        let batch = sampler.samples(cursor);
        assert!(!batch.missed, "the reader kept up, nothing may be missed");
        cursor = batch.cursor;
        seen.extend(batch.driver);
        count(&seen, 0) >= 100 && count(&seen, 1) >= 100
    });
    let origin = sim_origin_us();
    sampler.stop();
    let batch = sampler.samples(cursor);
    seen.extend(batch.driver);
    for (gpu, period_us) in [(0u32, 3000u64), (1, 7000)] {
        let ts = consecutive(&seen, gpu, DriverSampleKind::Utilization, period_us);
        // Each one is the sample the scenario has at that time.
        assert_eq!((ts[0] - origin) % period_us, 0);
    }
}
