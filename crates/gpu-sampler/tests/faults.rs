//! Faults of the scenario: a lost GPU, an unsupported field, init failure, no library.
mod common;
use common::*;
use gpu_sampler::{Sampler, SamplerOptions};
use std::time::Duration;

#[test]
fn a_lost_gpu_stops_alone() {
    let _sim = scenario(r#"{"devices": [{"utilization": 10}, {"utilization": 20, "lostAfterMs": 100}]}"#);
    let mut sampler = start(5, 100);
    wait_until("GPU 1 lost", || sampler.devices()[1].lost);
    let stats = sampler.stats();
    let (before, lost_total) = (stats.devices[0].samples_total, stats.devices[1].samples_total);
    wait_until("10 more readings of GPU 0", || sampler.stats().devices[0].samples_total >= before + 10);
    let stats = sampler.stats();
    sampler.stop();
    let devices = sampler.devices();
    assert!(!devices[0].lost && devices[1].lost);
    assert!(stats.devices[0].samples_total > before, "the other GPU goes on");
    assert_eq!(stats.devices[1].samples_total, lost_total, "the lost GPU is not read again");
    let lost_errors: u64 = stats.devices[1].errors.iter().filter(|e| e.error == "gpu_lost").map(|e| e.count).sum();
    assert_eq!(lost_errors, 1);
}

#[test]
fn a_gpu_that_cannot_be_opened_is_down_not_empty() {
    let _sim = scenario(r#"{"devices": [{"utilization": 10}, {"utilization": 20, "lostAfterMs": 0}]}"#);
    let mut sampler = start(5, 100);
    wait_until("10 readings of GPU 0", || sampler.stats().devices[0].samples_total >= 10);
    sampler.stop();
    assert!(sampler.devices()[1].lost);
    let errors: Vec<_> = sampler.stats().devices[1].errors.iter().map(|e| (e.field, e.error, e.count)).collect();
    assert_eq!(errors, vec![("handle", "gpu_lost", 1)]);
}

#[test]
fn an_unsupported_field_is_reported_once() {
    let _sim = scenario(r#"{"devices": [{"fans": [50], "unsupported": ["fans", "samples.power"]}, {"fans": [40]}]}"#);
    let mut sampler = start(2, 100);
    wait_until("20 readings of each GPU", || sampler.stats().devices.iter().all(|d| d.samples_total > 20));
    sampler.stop();
    let stats = sampler.stats();
    let errors: Vec<_> = stats.devices[0].errors.iter().map(|e| (e.field, e.error, e.count)).collect();
    assert_eq!(errors, vec![("fans", "not_supported", 1), ("power_samples", "not_supported", 1)]);
    assert_eq!(sampler.devices()[0].disabled_fields, vec!["fans", "power_samples"]);
    let latest = sampler.latest();
    assert_eq!(latest[0].fan_speed_ratios, None);
    assert_eq!(latest[1].fan_speed_ratios, Some(vec![0.4]));
}

#[test]
fn init_failure_is_the_reason() {
    let _sim = scenario(r#"{"initFailure": "DRIVER_NOT_LOADED", "devices": []}"#);
    let err = Sampler::start(SamplerOptions { library_path: Some(sim_library().into()), ..SamplerOptions::default() }).err().unwrap();
    assert!(err.0.contains("nvmlInit failed") && err.0.contains("driver"), "{err}");
}

#[test]
fn a_missing_library_is_the_reason() {
    let err = Sampler::start(SamplerOptions { library_path: Some("/nonexistent/libnvidia-ml.so.1".into()), ..SamplerOptions::default() }).err().unwrap();
    assert!(err.0.contains("the NVML library /nonexistent/libnvidia-ml.so.1 could not be loaded"), "{err}");
}

#[test]
fn bad_options_are_named() {
    let err = Sampler::start(SamplerOptions { interval: Duration::from_micros(100), ..SamplerOptions::default() }).err().unwrap();
    assert!(err.0.contains("intervalMs must be a number from 1 to 3600000"), "{err}");
    let err = Sampler::start(SamplerOptions { interval: Duration::from_secs(1e12 as u64), ..SamplerOptions::default() }).err().unwrap();
    assert!(err.0.contains("got 1000000000000000"), "{err}");
}

#[test]
fn stop_does_not_wait_for_a_slow_tick() {
    // 300 ms per call: one tick of two devices is ~30 calls, 9 s. stop() ends the tick after
    // the call in progress instead of finishing it, and the partial tick is not applied.
    let _sim = scenario(r#"{"latencyUs": 300000, "devices": [{"utilization": 10}, {"utilization": 20}]}"#);
    let mut sampler = start(1, 16);
    let ticks = sampler.stats().ticks;
    let started = std::time::Instant::now();
    sampler.stop();
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(3), "stop() waited {waited:?} for a 9 s tick");
    assert_eq!(sampler.stats().ticks, ticks);
    assert!(sampler.latest().is_empty(), "no reading of the abandoned tick");
}
