//! The sampler against nvml-sim through the real loading path: values, integrals, driver
//! samples, faults.
mod common;
use common::*;
use std::time::Duration;

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
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
    sleep_ms(150);
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
    assert_eq!(gpu_sampler::reading::throttle_names(r.throttle_reasons.unwrap()), vec!["sw_power_cap"]);
    let w = sampler.window(1000.0).remove(0);
    assert!(w.count > 5);
    assert_eq!(w.temperature_celsius.map(|t| (t.min, t.max, t.mean)), Some((90.0, 90.0, 90.0)));
    let stats = sampler.stats();
    assert!(stats.devices[0].errors.is_empty(), "{:?}", stats.devices[0].errors);
    assert_eq!(stats.driver_version, "550.54.15");
    sampler.stop();
    assert!(!sampler.stats().running);
}

#[test]
fn integrals_match_the_analytic_integrals() {
    let util = r#"{"sine": {"mean": 50, "amplitude": 40, "periodMs": 400}}"#;
    let power = r#"{"ramp": {"from": 100, "to": 300, "durationMs": 1000}}"#;
    let throttle = r#"{"steps": [{"atMs": 0, "value": 0}, {"atMs": 200, "value": 1}, {"atMs": 500, "value": 0}], "everyMs": 600}"#;
    let device = format!(r#"{{"utilization": {util}, "powerWatts": {power}, "throttle": {{"hw_slowdown": {throttle}}}, "samples": {{"periodMs": 5, "size": 100}}}}"#);
    let no_counter = format!(r#"{{"utilization": {util}, "powerWatts": {power}, "unsupported": ["energy"], "samples": {{"periodMs": 5, "size": 100}}}}"#);
    let _sim = scenario(&format!(r#"{{"devices": [{device}, {no_counter}]}}"#));
    let mut sampler = start(2, 4000);
    sleep_ms(1500);
    let origin = sim_origin_us() as f64;
    sampler.stop();
    let samples = sampler.samples(0);
    let stats = sampler.stats();
    let (util, power, throttle) = (parse_schedule(util), parse_schedule(power), parse_schedule(throttle));
    let elapsed_ms = |ts_us: u64| (ts_us as f64 - origin) / 1000.0;
    for gpu in 0..2u32 {
        let d = &stats.devices[gpu as usize];
        let of_kind = |k| samples.driver.iter().filter(|s| s.gpu == gpu && s.kind == k).collect::<Vec<_>>();
        let utilization = of_kind(gpu_sampler::reading::DriverSampleKind::Utilization);
        let (a, b) = (elapsed_ms(utilization[0].timestamp_us), elapsed_ms(utilization.last().unwrap().timestamp_us));
        let busy = (util.integral(b) - util.integral(a)) / 100.0 / 1000.0;
        assert!((d.busy_seconds - busy).abs() < 0.01 * busy, "gpu {gpu}: busy {} vs {busy}", d.busy_seconds);
        if gpu == 1 {
            let p = of_kind(gpu_sampler::reading::DriverSampleKind::Power);
            let (a, b) = (elapsed_ms(p[0].timestamp_us), elapsed_ms(p.last().unwrap().timestamp_us));
            let joules = (power.integral(b) - power.integral(a)) / 1000.0;
            assert_eq!(d.energy_source, "power_samples");
            assert!((d.energy_joules - joules).abs() < 0.01 * joules, "energy {} vs {joules}", d.energy_joules);
        } else {
            let readings: Vec<_> = samples.readings.iter().filter(|r| r.gpu == 0).collect();
            let (a, b) = (readings[0].time_ms - origin / 1000.0, readings.last().unwrap().time_ms - origin / 1000.0);
            let joules = (power.integral(b) - power.integral(a)) / 1000.0;
            assert_eq!(d.energy_source, "counter");
            assert!((d.energy_joules - joules).abs() < 0.01 * joules, "energy {} vs {joules}", d.energy_joules);
            let throttled = (throttle.integral(b) - throttle.integral(a)) / 1000.0;
            let measured = d.throttle_seconds.iter().find(|(r, _)| *r == "hw_slowdown").unwrap().1;
            assert!((measured - throttled).abs() < 0.01 * throttled, "throttle {measured} vs {throttled}");
        }
    }
}

#[test]
fn every_driver_sample_appears_exactly_once() {
    let _sim = scenario(r#"{"devices": [{"utilization": {"ramp": {"from": 0, "to": 100, "durationMs": 800}}, "samples": {"periodMs": 3, "size": 500}}, {"utilization": 30, "samples": {"periodMs": 7, "size": 500}}]}"#);
    // Buffers of seconds, as the driver's are, so a loaded test machine delays the reads without losing any.
    let mut sampler = start(1, 2000);
    let mut cursor = 0;
    let mut seen = Vec::new();
    for _ in 0..40 {
        sleep_ms(20);
        let batch = sampler.samples(cursor);
        assert!(!batch.missed, "the reader kept up, nothing may be missed");
        cursor = batch.cursor;
        seen.extend(batch.driver);
    }
    let origin = sim_origin_us();
    sampler.stop();
    for (gpu, period_us) in [(0u32, 3000u64), (1, 7000)] {
        let ts: Vec<u64> = seen.iter().filter(|s| s.gpu == gpu && s.kind.name() == "utilization").map(|s| s.timestamp_us).collect();
        assert!(ts.len() > 50, "gpu {gpu}: {} samples", ts.len());
        for pair in ts.windows(2) {
            assert_eq!(pair[1] - pair[0], period_us, "gpu {gpu}: a driver sample was lost or repeated");
        }
        // Each one is the sample the scenario has at that time.
        assert_eq!((ts[0] - origin) % period_us, 0);
    }
}
