//! The slow loop and the event thread against nvml-sim through the real loading path:
//! processes and their busy seconds, the window integrals a job is charged from, health
//! counters, XID events, MIG instances with GPM, and explicit field support.
mod common;
use common::*;
use gpu_sampler::field::Field;
use gpu_sampler::processes::{Attribution, ProcessType};
use gpu_sampler::reader::unix_ms;
use gpu_sampler::Sampler;
use std::time::Duration;

/// The integrals over [from, to], once every total of every device is known up to `to`.
fn settled(sampler: &Sampler, from: f64, to: f64) -> gpu_sampler::snapshot::Integrals {
    let mut out = None;
    wait_until("the totals to cover the window", || {
        let i = sampler.integrals(from, to);
        let done = i.devices.iter().all(|d| d.covered_to_ms.is_some_and(|c| c >= to));
        out = Some(i);
        done
    });
    out.unwrap()
}

fn support(sampler: &Sampler, gpu: usize, field: Field) -> Option<bool> {
    sampler.devices()[gpu].fields.iter().find(|(f, _)| *f == field).map(|(_, s)| *s)
}

fn within(value: f64, expected: f64, share: f64) -> bool {
    (value - expected).abs() <= expected.abs() * share
}

#[test]
fn processes_are_integrated_and_a_window_is_charged_by_process() {
    let _sim = scenario(
        r#"{"devices": [{"utilization": 70, "samples": {"periodMs": 10, "size": 3000},
            "processes": [{"pid": "self", "utilization": 40, "memoryUsedBytes": 1073741824},
                          {"pid": 4242, "name": "python3", "utilization": 30, "memoryUsedBytes": 2147483648}]}]}"#,
    );
    let sampler = start_all(10, 50);
    wait_until("process samples", || sampler.stats().devices[0].process_busy.len() == 2);
    let from = unix_ms();
    std::thread::sleep(Duration::from_millis(1000));
    let to = unix_ms();
    let seconds = (to - from) / 1000.0;
    let d = settled(&sampler, from, to).devices.remove(0);
    assert!(within(d.busy_seconds, 0.7 * seconds, 0.02), "device busy {} over {seconds} s", d.busy_seconds);
    // Only this process (the default attribution) is charged: 40 %, not the stranger's 30 %.
    let ours = d.attributed_busy_seconds.expect("per-process use is read");
    assert!(within(ours, 0.4 * seconds, 0.03), "attributed busy {ours} over {seconds} s");

    let stats = sampler.stats();
    let mut processes = stats.devices[0].processes.clone();
    processes.sort_by_key(|p| p.process.pid);
    let me = std::process::id();
    let comm = std::fs::read_to_string("/proc/self/comm").unwrap().trim().to_string();
    let listed: Vec<_> = processes.iter().map(|p| (p.process.pid, p.process.name.clone(), p.process.kind, p.process.memory_bytes)).collect();
    let mut expected = vec![(me, comm.clone(), ProcessType::Compute, Some(1 << 30)), (4242, "python3".into(), ProcessType::Compute, Some(2 << 30))];
    expected.sort_by_key(|p| p.0);
    assert_eq!(listed, expected);
    // Its own cgroup is read from /proc (the stranger's pid does not exist here).
    let mine = processes.iter().find(|p| p.process.pid == me).unwrap();
    assert!(mine.process.cgroup.is_some());
    let by_name: std::collections::BTreeMap<_, _> = stats.devices[0].process_busy.iter().cloned().collect();
    assert!(within(by_name["python3"] / by_name[&comm], 0.75, 0.05), "{by_name:?}");

    // Model servers are named: the stranger's share is charged once it is named.
    sampler.set_attribution(Attribution { pids: vec![], names: vec!["python3".into()] });
    let from = unix_ms() + 200.0;
    std::thread::sleep(Duration::from_millis(1200));
    let to = unix_ms();
    let d = settled(&sampler, from, to).devices.remove(0);
    let seconds = (to - from) / 1000.0;
    assert!(within(d.attributed_busy_seconds.unwrap(), 0.3 * seconds, 0.03), "{d:?} over {seconds} s");
    assert_eq!(support(&sampler, 0, Field::ProcessUtilization), Some(true));
    assert_eq!(support(&sampler, 0, Field::Processes), Some(true));
}

#[test]
fn health_counters_and_xid_events() {
    let _sim = scenario(
        r#"{"devices": [
            {"xidEvents": [{"atMs": 200, "xid": 48}, {"atMs": 300, "xid": 13}, {"atMs": 400, "xid": 48}],
             "ecc": {"corrected": {"ramp": {"from": 0, "to": 10, "durationMs": 500}}, "uncorrected": 1},
             "remappedRows": {"correctable": 2, "uncorrectable": 1, "pending": 1, "failed": 0},
             "pcie": {"txBytesPerSecond": 1048576000, "rxBytesPerSecond": 524288000, "replays": 7, "throughputLatencyMs": 2},
             "nvlink": [{"txBytesPerSecond": 1024000000, "rxBytesPerSecond": 2048000000}, {"txBytesPerSecond": 512000000, "rxBytesPerSecond": 512000000}]},
            {"retiredPages": {"singleBit": 3, "doubleBit": 1}, "unsupported": ["events", "pcie", "nvlink"]}]}"#,
    );
    let sampler = start_all(10, 50);
    wait_until("three XID events", || sampler.stats().devices[0].xid.iter().map(|(_, c)| c).sum::<u64>() == 3);
    wait_until("ECC after the ramp", || sampler.stats().devices[0].ecc.is_some_and(|e| e.corrected == 10));
    let origin_ms = sim_origin_us() as f64 / 1000.0;
    let stats = sampler.stats();
    let (d0, d1) = (&stats.devices[0], &stats.devices[1]);
    assert_eq!(d0.xid, vec![(13, 1), (48, 2)]);
    assert!(d0.xid_last_ms.unwrap() >= origin_ms + 400.0, "the last XID came at 400 ms");
    assert_eq!(d0.ecc.unwrap().uncorrected, 1);
    let rows = d0.remapped_rows.unwrap();
    assert_eq!((rows.correctable, rows.uncorrectable, rows.pending, rows.failed), (2, 1, true, false));
    let pcie = d0.pcie.unwrap();
    assert_eq!(pcie.replays, Some(7));
    assert!(pcie.tx_bytes > 0.0 && within(pcie.tx_bytes / pcie.rx_bytes, 2.0, 1e-9), "{pcie:?}");
    // NVLink counters are the driver's since nvmlInit: link 0 sends half of what it receives.
    assert_eq!(d0.nvlink.iter().map(|l| l.link).collect::<Vec<_>>(), vec![0, 1]);
    assert!(within(d0.nvlink[0].rx / d0.nvlink[0].tx, 2.0, 0.01), "{:?}", d0.nvlink);
    assert_eq!(d0.retired_pages, None);
    let pages = d1.retired_pages.unwrap();
    assert_eq!((pages.single_bit, pages.double_bit), (3, 1));
    assert!(d1.xid.is_empty() && d1.pcie.is_none() && d1.nvlink.is_empty());

    // Every field asked says whether it answers; a missing series is explained.
    for field in [Field::Ecc, Field::RemappedRows, Field::PcieThroughput, Field::PcieReplays, Field::Nvlink, Field::XidEvents] {
        assert_eq!(support(&sampler, 0, field), Some(true), "{field:?} on GPU 0");
    }
    assert_eq!(support(&sampler, 0, Field::RetiredPages), Some(false));
    for field in [Field::XidEvents, Field::PcieThroughput, Field::Nvlink, Field::RemappedRows, Field::Ecc] {
        assert_eq!(support(&sampler, 1, field), Some(false), "{field:?} on GPU 1");
    }
    assert_eq!(support(&sampler, 1, Field::RetiredPages), Some(true));
    assert_eq!(support(&sampler, 0, Field::Gpm), None, "GPM is read for MIG instances only");
}

#[test]
fn mig_instances_are_devices_with_gpm_utilization() {
    let _sim = scenario(
        r#"{"devices": [{"name": "NVIDIA H100 80GB HBM3", "architecture": "hopper", "memoryTotalBytes": 85899345920, "utilization": 50,
            "mig": {"instances": [
                {"gpuInstanceId": 1, "profile": "3g.40gb", "memoryTotalBytes": 42949672960, "memoryUsedBytes": 10737418240, "utilization": 80},
                {"gpuInstanceId": 13, "profile": "1g.10gb", "memoryTotalBytes": 10737418240, "memoryUsedBytes": 1073741824, "utilization": 25}]}}]}"#,
    );
    let sampler = start_all(10, 50);
    wait_until("GPM utilization of both instances", || sampler.latest().iter().filter(|r| r.gpu > 0 && r.utilization_ratio.is_some()).count() == 2);
    let devices = sampler.devices();
    let migs: Vec<_> = devices.iter().map(|d| (d.index, d.id.as_str(), d.mig.as_ref().map(|m| (m.parent, m.profile.as_str())))).collect();
    assert_eq!(migs, vec![(0, "0", None), (1, "0/1", Some((0, "3g.40gb"))), (2, "0/13", Some((0, "1g.10gb")))]);
    let latest = sampler.latest();
    let of = |gpu: u32| latest.iter().find(|r| r.gpu == gpu).unwrap();
    assert!(within(of(1).utilization_ratio.unwrap(), 0.80, 1e-6) && within(of(2).utilization_ratio.unwrap(), 0.25, 1e-6));
    assert_eq!(of(2).memory.map(|m| (m.total, m.used)), Some((10 << 30, 1 << 30)));
    // A MIG instance's utilization comes from GPM, not the device call, and says so.
    assert_eq!((support(&sampler, 1, Field::Gpm), support(&sampler, 1, Field::Utilization)), (Some(true), Some(false)));
    let from = unix_ms();
    std::thread::sleep(Duration::from_millis(600));
    let to = unix_ms();
    let i = settled(&sampler, from, to);
    let seconds = (to - from) / 1000.0;
    assert!(within(i.devices[1].busy_seconds, 0.8 * seconds, 0.05), "{:?} over {seconds} s", i.devices[1]);
}

#[test]
fn without_the_slow_loop_and_events_nothing_of_theirs_is_asked() {
    let _sim = scenario(r#"{"devices": [{"utilization": 10, "ecc": {"corrected": 1, "uncorrected": 0}}]}"#);
    let sampler = start(5, 100);
    wait_until("readings", || sampler.stats().devices[0].samples_total > 5);
    let stats = sampler.stats();
    assert_eq!((stats.slow_ticks, stats.slow_interval_ms), (0, 0.0));
    assert_eq!(stats.devices[0].ecc, None);
    assert_eq!(support(&sampler, 0, Field::Ecc), None);
    assert_eq!(support(&sampler, 0, Field::Utilization), Some(true));
}
