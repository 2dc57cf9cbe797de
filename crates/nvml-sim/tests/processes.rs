//! Process lists, process names and per-process utilization samples, called as a C client
//! would; the values are recomputed from the scenario's schedules.
mod support;
use nvml_sim::api::processes::*;
use nvml_sim::api::system::nvmlSimInitTimestampUs;
use nvml_wrapper_sys::bindings::*;
use std::ffi::CStr;
use support::*;

const RAMP: &str = r#"{"ramp": {"from": 0, "to": 100, "durationMs": 200}}"#;

fn scenario() -> String {
    format!(
        r#"{{"devices": [
        {{"samples": {{"periodMs": 5, "size": 100}}, "processes": [
            {{"pid": "self", "utilization": 40, "memoryUsedBytes": 1000}},
            {{"pid": 4242, "name": "python3", "utilization": {RAMP}, "memoryUsedBytes": 2000}},
            {{"pid": 777, "name": "idle", "utilization": 0}},
            {{"pid": 999, "name": "ended", "utilization": 20, "endMs": 50}},
            {{"pid": 555, "name": "late", "utilization": 50, "startMs": 100000}},
            {{"pid": 888, "name": "blender", "type": "graphics", "utilization": 10, "memoryUsedBytes": 5}}
        ]}},
        {{"samples": {{"periodMs": 5, "size": 100}}}},
        {{"unsupported": ["processes", "processUtilization"], "processes": [{{"pid": 1, "name": "init"}}]}}
    ]}}"#
    )
}

fn zeroed_infos<const N: usize>() -> [nvmlProcessInfo_t; N] {
    [nvmlProcessInfo_t { pid: 0, usedGpuMemory: 0, gpuInstanceId: 0, computeInstanceId: 0 }; N]
}

fn zeroed_samples(n: usize) -> Vec<nvmlProcessUtilizationSample_t> {
    vec![nvmlProcessUtilizationSample_t { pid: 0, timeStamp: 0, smUtil: 0, memUtil: 0, encUtil: 0, decUtil: 0 }; n]
}

unsafe fn process_name(pid: u32, length: u32) -> (nvmlReturn_t, String) {
    let mut buffer = [0 as std::os::raw::c_char; 64];
    let code = nvmlSystemGetProcessName(pid, buffer.as_mut_ptr(), length);
    (code, CStr::from_ptr(buffer.as_ptr()).to_string_lossy().into_owned())
}

/// The entries the sim must give for sample k: processes listed at its time with a rounded
/// SM share above 0, in scenario order.
fn expected_at(k: u64) -> Vec<(u32, u32)> {
    let end = k as f64 * 5.0;
    let share = |json: &str| schedule(json).mean(end - 5.0, end).round().clamp(0.0, 100.0) as u32;
    let mut entries = vec![(std::process::id(), share("40")), (4242, share(RAMP))];
    if end < 50.0 {
        entries.push((999, share("20")));
    }
    entries.push((888, share("10")));
    entries.into_iter().filter(|(_, sm)| *sm > 0).collect()
}

#[test]
fn lists_names_and_samples_processes() {
    init(&scenario());
    let (gpu, empty, unsupported) = (handle(0), handle(1), handle(2));
    unsafe {
        // The count query (NULL buffer): "ended" is listed until 50 ms, "late" not yet.
        let mut count = 0;
        let (code, before, after) = timed(|| nvmlDeviceGetComputeRunningProcesses_v3(gpu, &mut count, std::ptr::null_mut()));
        assert_eq!(code, INSUFFICIENT_SIZE);
        if after < 50.0 {
            assert_eq!(count, 4);
        } else if before >= 50.0 {
            assert_eq!(count, 3);
        }
        sleep_until(60.0);

        let mut count = 0;
        assert_eq!(nvmlDeviceGetComputeRunningProcesses_v3(gpu, &mut count, std::ptr::null_mut()), INSUFFICIENT_SIZE);
        assert_eq!(count, 3);
        let mut infos = zeroed_infos::<8>();
        let mut short = 2;
        assert_eq!(nvmlDeviceGetComputeRunningProcesses_v3(gpu, &mut short, infos.as_mut_ptr()), INSUFFICIENT_SIZE);
        assert_eq!((short, infos[0].pid), (3, 0), "a short buffer gets the count and nothing written");
        let mut room = 8;
        assert_eq!(nvmlDeviceGetComputeRunningProcesses_v3(gpu, &mut room, infos.as_mut_ptr()), SUCCESS);
        assert_eq!(room, 3);
        let listed: Vec<_> = infos[..3].iter().map(|p| (p.pid, p.usedGpuMemory, p.gpuInstanceId, p.computeInstanceId)).collect();
        assert_eq!(listed, [(std::process::id(), 1000, u32::MAX, u32::MAX), (4242, 2000, u32::MAX, u32::MAX), (777, 0, u32::MAX, u32::MAX)]);
        let mut room = 8;
        assert_eq!(nvmlDeviceGetGraphicsRunningProcesses_v3(gpu, &mut room, infos.as_mut_ptr()), SUCCESS);
        assert_eq!((room, infos[0].pid, infos[0].usedGpuMemory), (1, 888, 5));

        // No processes: SUCCESS with 0, as the driver (pynvml and nvml-wrapper expect it).
        let mut count = 7;
        assert_eq!(nvmlDeviceGetComputeRunningProcesses_v3(empty, &mut count, std::ptr::null_mut()), SUCCESS);
        assert_eq!(count, 0);
        assert_eq!(nvmlDeviceGetComputeRunningProcesses_v3(unsupported, &mut count, std::ptr::null_mut()), NOT_SUPPORTED);
        assert_eq!(nvmlDeviceGetComputeRunningProcesses_v3(gpu, std::ptr::null_mut(), std::ptr::null_mut()), INVALID_ARGUMENT);

        // Names: the scenario's, "self" the real one; cut to the buffer with the NUL.
        let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
        assert_eq!(process_name(std::process::id(), 64), (SUCCESS, comm.trim_end().to_string()));
        assert_eq!(process_name(4242, 64), (SUCCESS, "python3".into()));
        assert_eq!(process_name(4242, 4), (SUCCESS, "pyt".into()));
        assert_eq!(process_name(555, 64), (SUCCESS, "late".into()), "named even before it starts");
        assert_eq!(process_name(1234567, 64).0, NOT_FOUND);
        assert_eq!(process_name(4242, 0).0, INVALID_ARGUMENT);

        process_utilization(gpu, empty, unsupported);
    }
}

unsafe fn process_utilization(gpu: nvmlDevice_t, empty: nvmlDevice_t, unsupported: nvmlDevice_t) {
    let start = nvmlSimInitTimestampUs();
    let mut count = 0;
    assert_eq!(nvmlDeviceGetProcessUtilization(gpu, std::ptr::null_mut(), &mut count, 0), INSUFFICIENT_SIZE);
    assert!(count >= 3 * 12, "at least 12 samples of 3 processes after 60 ms, got {count}");

    // Every sample in the buffer, oldest first, each with the processes of its period.
    let mut samples = zeroed_samples(count as usize + 16);
    let mut room = samples.len() as u32;
    assert_eq!(nvmlDeviceGetProcessUtilization(gpu, samples.as_mut_ptr(), &mut room, 0), SUCCESS);
    let samples = &samples[..room as usize];
    let ks: Vec<u64> = samples.iter().map(|s| (s.timeStamp - start) / 5000).collect();
    assert!(samples.iter().all(|s| (s.timeStamp - start).is_multiple_of(5000)), "timestamps of nvmlDeviceGetSamples: start + k·period");
    assert_eq!(ks[0], 1, "the buffer (100 samples) still holds the first");
    for k in ks[0]..=*ks.last().unwrap() {
        let got: Vec<_> = samples.iter().zip(&ks).filter(|(_, sk)| **sk == k).map(|(s, _)| (s.pid, s.smUtil)).collect();
        assert_eq!(got, expected_at(k), "sample {k}");
    }
    assert!(samples.iter().all(|s| s.memUtil == 0 && s.encUtil == 0 && s.decUtil == 0));
    assert!(!samples.iter().any(|s| s.pid == 777), "a process that did not use the SMs has no samples");

    // Newer than lastSeenTimeStamp only; a short buffer gets whole samples, oldest first.
    let last_seen = start + 5 * 5000 - 1;
    let mut newer = zeroed_samples(64);
    let mut room = 5;
    assert_eq!(nvmlDeviceGetProcessUtilization(gpu, newer.as_mut_ptr(), &mut room, last_seen), SUCCESS);
    let got: Vec<_> = newer[..room as usize].iter().map(|s| (s.pid, s.smUtil, s.timeStamp)).collect();
    let want: Vec<_> = expected_at(5).into_iter().map(|(pid, sm)| (pid, sm, start + 25_000)).collect();
    assert_eq!(got, want, "sample 5 (4 processes) fits in 5, sample 6 does not");
    let mut room = 3;
    assert_eq!(nvmlDeviceGetProcessUtilization(gpu, newer.as_mut_ptr(), &mut room, last_seen), INSUFFICIENT_SIZE);
    assert!(room > 4, "not even one whole sample fits: the count of all, got {room}");

    let mut count = 9;
    assert_eq!(nvmlDeviceGetProcessUtilization(gpu, std::ptr::null_mut(), &mut count, u64::MAX), NOT_FOUND);
    assert_eq!(count, 0);
    assert_eq!(nvmlDeviceGetProcessUtilization(empty, std::ptr::null_mut(), &mut count, 0), NOT_FOUND, "no processes: still supported");
    assert_eq!(nvmlDeviceGetProcessUtilization(unsupported, std::ptr::null_mut(), &mut count, 0), NOT_SUPPORTED);
}
