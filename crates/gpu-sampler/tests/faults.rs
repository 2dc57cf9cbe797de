//! Faults of the scenario: a lost GPU, an unsupported field, init failure, no library.
mod common;
use common::*;
use gpu_sampler::error_kind::ErrorKind;
use gpu_sampler::field::Field;
use gpu_sampler::{Sampler, SamplerOptions, StartError};
use std::error::Error;
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
    let lost_errors: u64 = stats.devices[1].errors.iter().filter(|e| e.error == ErrorKind::GpuLost).map(|e| e.count).sum();
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
    assert_eq!(errors, vec![(Field::Handle, ErrorKind::GpuLost, 1)]);
}

#[test]
fn an_unsupported_field_is_reported_once() {
    let _sim = scenario(r#"{"devices": [{"fans": [50], "unsupported": ["fans", "samples.power"]}, {"fans": [40]}]}"#);
    let mut sampler = start(2, 100);
    wait_until("20 readings of each GPU", || sampler.stats().devices.iter().all(|d| d.samples_total > 20));
    sampler.stop();
    let stats = sampler.stats();
    let errors: Vec<_> = stats.devices[0].errors.iter().map(|e| (e.field, e.error, e.count)).collect();
    assert_eq!(errors, vec![(Field::Fans, ErrorKind::NotSupported, 1), (Field::PowerSamples, ErrorKind::NotSupported, 1)]);
    assert_eq!(sampler.devices()[0].disabled_fields, vec![Field::Fans, Field::PowerSamples]);
    let latest = sampler.latest();
    assert_eq!(latest[0].fan_speed_ratios, None);
    assert_eq!(latest[1].fan_speed_ratios, Some(vec![0.4]));
}

#[test]
fn init_failure_is_the_reason() {
    let _sim = scenario(r#"{"initFailure": "DRIVER_NOT_LOADED", "devices": []}"#);
    let err = Sampler::start(SamplerOptions { library_path: Some(sim_library().into()), ..SamplerOptions::default() }).err().unwrap();
    assert!(matches!(err, StartError::Init { call: "nvmlInit", .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("nvmlInit failed") && message.contains("driver"), "{message}");
    assert!(err.source().is_some_and(|cause| message.ends_with(&cause.to_string())), "the cause is kept: {err:?}");
}

#[test]
fn a_missing_library_is_the_reason() {
    let err =
        Sampler::start(SamplerOptions { library_path: Some("/nonexistent/libnvidia-ml.so.1".into()), ..SamplerOptions::default() }).err().unwrap();
    assert!(matches!(err, StartError::Load { .. }), "{err:?}");
    assert!(err.to_string().starts_with("the NVML library /nonexistent/libnvidia-ml.so.1 could not be loaded: "), "{err}");
    // The loader's own words (dlopen's), kept as the source.
    assert!(err.source().unwrap().to_string().contains("/nonexistent/libnvidia-ml.so.1"), "{err:?}");
}

#[test]
fn bad_options_are_named() {
    let err = Sampler::start(SamplerOptions { interval: Duration::from_micros(100), ..SamplerOptions::default() }).err().unwrap();
    assert!(matches!(err, StartError::Options { option: "intervalMs", .. }), "{err:?}");
    assert_eq!(err.to_string(), "intervalMs must be a number from 1 to 3600000 (an hour), got 0.1");
    let err = Sampler::start(SamplerOptions { interval: Duration::from_secs(1e12 as u64), ..SamplerOptions::default() }).err().unwrap();
    assert!(err.to_string().ends_with("got 1000000000000000"), "{err}");
    let err = Sampler::start(SamplerOptions { ring_size: 0, ..SamplerOptions::default() }).err().unwrap();
    assert_eq!(err.to_string(), "ringSize must be an integer from 1 to 10000000, got 0");
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
