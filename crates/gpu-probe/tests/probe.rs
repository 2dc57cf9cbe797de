//! The gpu-probe binary run as the probe script runs it: against nvml-sim (built beside these
//! tests), and against a library that is not there. Each run is its own process, with its own
//! sim session, so the tests run in parallel.
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn sim_library() -> PathBuf {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let path = deps.join("libnvml_sim.so");
    assert!(path.exists(), "{} is missing: cargo builds it as a dev-dependency of gpu-probe", path.display());
    path
}

fn probe(scenario: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gpu-probe"))
        .arg("--library")
        .arg(sim_library())
        .args(args)
        .env("NVML_SIM_SCENARIO", scenario)
        .env_remove("ORFEAS_NVML_LIBRARY")
        .output()
        .expect("gpu-probe runs")
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn call<'a>(device: &'a Value, name: &str) -> &'a Value {
    device["calls"].as_array().unwrap().iter().find(|c| c["call"] == name).unwrap_or_else(|| panic!("no row for {name}"))
}

const STEADY: &str = r#"{"driverVersion": "555.42.06", "devices": [{"name": "Probe GPU", "utilization": 60, "powerWatts": 150, "temperature": 55,
    "memoryUsedBytes": 4294967296, "unsupported": ["fans"], "samples": {"periodMs": 5, "size": 400}}]}"#;

#[test]
fn fields_lists_every_call_with_its_answer_and_latency() {
    let out = json_of(&probe(STEADY, &["fields", "--calls", "7"]));
    assert_eq!(out["source"], "sim");
    assert_eq!(out["driver_version"], "555.42.06");
    assert_eq!(out["device_count"], 1);
    let gpu = &out["devices"][0];
    assert_eq!(gpu["name"], "Probe GPU");
    let utilization = call(gpu, "nvmlDeviceGetUtilizationRates");
    assert_eq!(utilization["field"], "utilization");
    assert_eq!(utilization["status"], "ok");
    assert_eq!(utilization["value"]["gpu_percent"], 60);
    assert_eq!(utilization["latency"]["calls"], 7);
    assert!(f(&utilization["latency"]["median_us"]) > 0.0);
    assert!(f(&utilization["latency"]["p99_us"]) >= f(&utilization["latency"]["median_us"]));
    assert_eq!(call(gpu, "nvmlDeviceGetPowerUsage")["value"]["milliwatts"], 150_000);
    let fans = call(gpu, "nvmlDeviceGetNumFans");
    assert_eq!((&fans["field"], &fans["status"], &fans["error"]), (&"fans".into(), &"not_supported".into(), &"not_supported".into()));
    assert_eq!(call(gpu, "nvmlDeviceGetSamples(NVML_GPU_UTILIZATION_SAMPLES, lastSeen)")["status"], "ok");
    // Every field the fast tick reads has a row.
    for field in ["energy", "throttle", "memory", "temperature", "power_limit", "clocks", "performance_state", "power_samples"] {
        assert!(gpu["calls"].as_array().unwrap().iter().any(|c| c["field"] == field), "no row for the field {field}");
    }
}

#[test]
fn sample_at_1_ms_matches_a_constant_60_percent_and_sees_each_driver_sample_once() {
    let series = std::env::temp_dir().join(format!("gpu-probe-series-{}.jsonl", std::process::id()));
    let out =
        json_of(&probe(STEADY, &["sample", "--interval-ms", "1", "--seconds", "1", "--warmup-seconds", "0.3", "--series", series.to_str().unwrap()]));
    assert_eq!((out["missed"].as_bool(), out["seq_repeats"].as_u64(), out["panics"].as_u64()), (Some(false), Some(0), Some(0)));
    assert!(out["ticks"].as_u64().unwrap() > 100, "ticks: {}", out["ticks"]);
    let gpu = &out["devices"][0];
    let busy = &gpu["busy"];
    assert_eq!(busy["window_source"], "driver_samples");
    let window_s = (f(&busy["window"]["end_ms"]) - f(&busy["window"]["start_ms"])) / 1000.0;
    assert!(window_s > 0.9, "window {window_s} s");
    assert!((f(&busy["share"]) - 0.6).abs() < 1e-6, "busy share {}", busy["share"]);
    assert!((f(&busy["from_driver_samples_s"]) - f(&busy["sampler_s"])).abs() < 1e-6);
    assert!((f(&busy["from_direct_record_s"]) - f(&busy["sampler_s"])).abs() < 1e-6);
    let energy = &gpu["energy"];
    assert_eq!(energy["sampler_source"], "counter");
    for ratio in ["power_readings_vs_counter", "power_samples_vs_counter", "sampler_vs_counter"] {
        assert!((f(&energy[ratio]) - 1.0).abs() < 0.01, "{ratio}: {}", energy[ratio]);
    }
    assert!((f(&energy["mean_w"]["counter"]) - 150.0).abs() < 1.0);
    for kind in ["utilization", "power"] {
        let once = &gpu["samples_once"][kind];
        assert_eq!(once["exactly_once"], true, "{kind}: {once}");
        assert_eq!((once["missing"].as_u64(), once["duplicates"].as_u64()), (Some(0), Some(0)));
        // 5 ms samples over the window, give or take the edges.
        assert!((once["sampler"].as_f64().unwrap() - window_s * 200.0).abs() <= 2.0, "{kind}: {once}");
        assert_eq!(once["period_ms"], 5.0);
    }
    assert!((f(&gpu["means"]["temperature_c"]) - 55.0).abs() < 1e-9);
    let lines = std::fs::read_to_string(&series).unwrap();
    std::fs::remove_file(&series).ok();
    let first: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["power_w"], 150.0);
    assert_eq!(lines.lines().count() as u64, out["series_readings"].as_u64().unwrap());
}

#[test]
fn a_sampler_slower_than_the_driver_buffer_is_caught_losing_samples() {
    // The buffer holds 20 ms of samples; the sampler reads every 100 ms, the probe every 2 ms.
    let scenario = r#"{"devices": [{"utilization": 60, "samples": {"periodMs": 1, "size": 20}}]}"#;
    let out = json_of(&probe(scenario, &["sample", "--interval-ms", "100", "--seconds", "1", "--warmup-seconds", "0.3", "--poll-ms", "2"]));
    let once = &out["devices"][0]["samples_once"]["utilization"];
    assert_eq!(once["exactly_once"], false, "{once}");
    assert!(once["missing"].as_u64().unwrap() > 100, "{once}");
    assert!(once["gaps_sampler"].as_u64().unwrap() > once["gaps_direct"].as_u64().unwrap(), "{once}");
}

#[test]
fn no_driver_is_exit_3_with_one_line_saying_so() {
    for args in [&["fields"][..], &["sample", "--interval-ms", "100"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_gpu-probe")).args(["--library", "/no/such/libnvidia-ml.so.1"]).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("gpu-probe: no NVIDIA driver (/no/such/libnvidia-ml.so.1 could not be loaded: "), "{stderr}");
        assert_eq!(stderr.lines().count(), 1);
    }
}

#[test]
fn a_driver_that_is_not_loaded_is_no_driver_and_one_that_refuses_is_exit_4() {
    let not_loaded = probe(r#"{"initFailure": "DRIVER_NOT_LOADED", "devices": []}"#, &["fields"]);
    assert_eq!(not_loaded.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&not_loaded.stderr).contains("no NVIDIA driver"));
    let refused = probe(r#"{"initFailure": "NO_PERMISSION", "devices": []}"#, &["sample", "--interval-ms", "100"]);
    assert_eq!(refused.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("permission"), "{}", String::from_utf8_lossy(&refused.stderr));
}

#[test]
fn a_bad_command_line_is_exit_2_with_the_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_gpu-probe")).args(["sample", "--interval-ms", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("gpu-probe: --interval-ms must be a number from 1 to 3600000, got '0'"), "{stderr}");
    assert!(stderr.contains("exit codes:"));
}
