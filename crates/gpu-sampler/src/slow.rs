//! One slow tick's reads for one device: what is slow or changes slowly (process lists and their
//! utilization, ECC, retired pages or remapped rows, PCIe throughput, which blocks about 20 ms,
//! NVLink counters, and GPM for MIG instances). They run on their own thread so they never delay
//! the fast loop, and without the sampler's lock, as the fast reads do.
use crate::calls::Calls;
use crate::field::{Field, FieldSet};
use crate::health::{EccCounts, HealthRead, RetiredPages};
use crate::processes::{cgroup_of, executable_name, ProcessSample, ProcessType, RunningProcess};
use crate::raw;
use crate::reader::unix_ms;
use nvml_wrapper::enum_wrappers::device::{EccCounter, MemoryError, PcieUtilCounter, RetirementCause};
use nvml_wrapper::enums::device::UsedGpuMemory;
use nvml_wrapper::enums::gpm::GpmMetricId;
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::gpm::gpm_metrics_get;
use nvml_wrapper::{Device, GpmSample, Nvml};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What the slow loop knows before reading a device.
#[derive(Debug, Clone, Copy, Default)]
pub struct SlowPlan {
    pub disabled: FieldSet,
    pub process_last_seen_us: u64,
    /// The GPU instance id, for a MIG device (its GPM samples are taken on the parent).
    pub gpu_instance: Option<u32>,
}

#[derive(Debug, Default)]
pub struct SlowRead {
    pub errors: Vec<(Field, NvmlError)>,
    pub asked: FieldSet,
    pub lost: bool,
    pub abandoned: bool,
    pub time_ms: f64,
    pub mono_s: f64,
    pub processes: Option<Vec<RunningProcess>>,
    /// The last-seen timestamp asked with, and the samples.
    pub process_samples: Option<(u64, Vec<ProcessSample>)>,
    /// Names of sampled pids that are no longer listed (they ended between the two calls).
    pub names: BTreeMap<u32, String>,
    pub health: HealthRead,
    /// GPM SM utilization (0..1) over the `seconds` since the previous GPM sample.
    pub gpm: Option<(f64, f64)>,
}

/// What the slow thread keeps between its ticks for one device (never shared).
#[derive(Default)]
pub struct SlowLocal<'n> {
    /// pid -> (name, cgroup, container id), looked up once per pid.
    known: BTreeMap<u32, (String, Option<String>, Option<String>)>,
    gpm_previous: Option<(GpmSample<'n>, f64)>,
    /// The active NVLinks, found on the first tick.
    nvlinks: Option<Vec<u32>>,
}

impl<'n> SlowLocal<'n> {
    fn identify(&mut self, nvml: &Nvml, pid: u32) -> &(String, Option<String>, Option<String>) {
        self.known.entry(pid).or_insert_with(|| {
            let name = nvml
                .sys_process_name(pid, 256)
                .ok()
                .or_else(|| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok())
                .map(|n| executable_name(&n))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "unknown".into());
            let (cgroup, container) = cgroup_of(pid);
            (name, cgroup, container)
        })
    }
}

/// The most NVLinks a GPU has (NVML_NVLINK_MAX_LINKS).
const MAX_NVLINKS: u32 = 18;

pub struct SlowContext<'a, 'n> {
    pub nvml: &'n Nvml,
    pub device: &'a Device<'n>,
    /// The parent of a MIG device.
    pub parent: Option<&'a Device<'n>>,
    pub started: Instant,
    pub stopping: &'a AtomicBool,
}

pub fn read_slow<'n>(cx: &SlowContext<'_, 'n>, plan: SlowPlan, local: &mut SlowLocal<'n>) -> SlowRead {
    let (nvml, device) = (cx.nvml, cx.device);
    let mut c = Calls::new(plan.disabled, cx.stopping);
    let time_ms = unix_ms();
    let mono_s = cx.started.elapsed().as_secs_f64();

    let processes = c.read(Field::Processes, || {
        let mut list: Vec<(nvml_wrapper::struct_wrappers::device::ProcessInfo, ProcessType)> = Vec::new();
        list.extend(device.running_compute_processes()?.into_iter().map(|p| (p, ProcessType::Compute)));
        // A GPU without graphics contexts (most data-center ones) answers NotSupported for them.
        match device.running_graphics_processes() {
            Ok(g) => list.extend(g.into_iter().map(|p| (p, ProcessType::Graphics))),
            Err(NvmlError::NotSupported) => {}
            Err(e) => return Err(e),
        }
        Ok(list)
    });
    let processes = processes.map(|list| {
        list.into_iter()
            .map(|(p, kind)| {
                let (name, cgroup, container_id) = local.identify(nvml, p.pid).clone();
                let memory_bytes = match p.used_gpu_memory {
                    UsedGpuMemory::Used(b) => Some(b),
                    UsedGpuMemory::Unavailable => None,
                };
                RunningProcess { pid: p.pid, name, kind, memory_bytes, cgroup, container_id }
            })
            .collect::<Vec<_>>()
    });
    if let Some(list) = &processes {
        local.known.retain(|pid, _| list.iter().any(|p| p.pid == *pid));
    }

    let asked_us = plan.process_last_seen_us;
    let samples = c.read(Field::ProcessUtilization, || match device.process_utilization_stats(asked_us) {
        Err(NvmlError::NotFound) => Ok(Vec::new()),
        other => other,
    });
    let mut names = BTreeMap::new();
    let process_samples = samples.map(|found| {
        let samples: Vec<ProcessSample> = found.into_iter().map(|s| (s.pid, s.timestamp, f64::from(s.sm_util) / 100.0)).collect();
        for &(pid, _, _) in &samples {
            if !processes.as_ref().is_some_and(|l| l.iter().any(|p| p.pid == pid)) {
                names.insert(pid, local.identify(nvml, pid).0.clone());
            }
        }
        (asked_us, samples)
    });

    let ecc = c.read(Field::Ecc, || {
        Ok(EccCounts {
            corrected: device.total_ecc_errors(MemoryError::Corrected, EccCounter::Volatile)?,
            uncorrected: device.total_ecc_errors(MemoryError::Uncorrected, EccCounter::Volatile)?,
        })
    });
    let remapped_rows = c.read(Field::RemappedRows, || raw::remapped_rows(nvml, device));
    let retired_pages = c.read(Field::RetiredPages, || {
        Ok(RetiredPages {
            single_bit: device.retired_pages(RetirementCause::MultipleSingleBitEccErrors)?.len() as u64,
            double_bit: device.retired_pages(RetirementCause::DoubleBitEccError)?.len() as u64,
        })
    });
    // NVML counts KB/s (1024 bytes).
    let pcie_throughput = c.read(Field::PcieThroughput, || {
        Ok((
            f64::from(device.pcie_throughput(PcieUtilCounter::Send)?) * 1024.0,
            f64::from(device.pcie_throughput(PcieUtilCounter::Receive)?) * 1024.0,
        ))
    });
    let pcie_replays = c.read(Field::PcieReplays, || device.pcie_replay_counter().map(u64::from));
    let nvlink = c.read(Field::Nvlink, || {
        let links = match &local.nvlinks {
            Some(links) => links.clone(),
            None => {
                let links = active_nvlinks(device)?;
                local.nvlinks = Some(links.clone());
                links
            }
        };
        if links.is_empty() {
            return Ok(Vec::new());
        }
        raw::nvlink_bytes(nvml, device, &links)
    });

    let gpm = match (plan.gpu_instance, cx.parent) {
        (Some(gi), Some(parent)) => c
            .read(Field::Gpm, || {
                let sample = parent.gpm_mig_sample(gi)?;
                let utilization = match local.gpm_previous.take() {
                    Some((previous, at)) => {
                        let result = gpm_metrics_get(nvml, &previous, &sample, &[GpmMetricId::SmUtil])?.pop().ok_or(NvmlError::Unknown)??;
                        Some((result.value / 100.0, mono_s - at))
                    }
                    None => None,
                };
                local.gpm_previous = Some((sample, mono_s));
                Ok(utilization)
            })
            .flatten(),
        _ => None,
    };

    SlowRead {
        errors: c.errors,
        asked: c.asked,
        lost: c.lost,
        abandoned: c.abandoned,
        time_ms,
        mono_s,
        processes,
        process_samples,
        names,
        health: HealthRead { ecc, retired_pages, remapped_rows, pcie_throughput, pcie_replays, nvlink },
        gpm,
    }
}

/// The NVLinks that are up. A GPU without NVLink answers NotSupported for link 0.
fn active_nvlinks(device: &Device) -> Result<Vec<u32>, NvmlError> {
    let mut links = Vec::new();
    for link in 0..MAX_NVLINKS {
        match device.link_wrapper_for(link).is_active() {
            Ok(true) => links.push(link),
            Ok(false) => {}
            Err(e) if link == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(links)
}
