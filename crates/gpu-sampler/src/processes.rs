//! The processes on one GPU: the running list (pid, executable name, memory, cgroup) and the
//! integral of each one's SM utilization, from nvmlDeviceGetProcessUtilization drained by
//! last-seen timestamp. Busy seconds are kept by pid while it runs and by executable name for
//! good (a counter never goes back when a pid ends), and summed for the processes doing "our"
//! work (the attribution) so that a job is charged only its own share.
use std::collections::BTreeMap;

/// Executable names kept apart before the rest is summed as "other" (the catalog caps the label lower).
pub const MAX_NAMES: usize = 256;
pub const OTHER_NAME: &str = "other";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case", js_name = "GpuProcessType"))]
pub enum ProcessType {
    /// A CUDA (compute) context.
    Compute,
    /// A graphics context.
    Graphics,
}

/// A process with a context on the GPU, as the slow loop last listed it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningProcess {
    pub pid: u32,
    pub name: String,
    pub kind: ProcessType,
    pub memory_bytes: Option<u64>,
    pub cgroup: Option<String>,
    pub container_id: Option<String>,
}

/// One per-process utilization sample: pid, driver timestamp (µs), SM utilization (0..1).
pub type ProcessSample = (u32, u64, f64);

/// Which processes do the work a job is charged for: pids (the service's own) and executable
/// names (model servers it talks to).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attribution {
    pub pids: Vec<u32>,
    pub names: Vec<String>,
}

impl Attribution {
    pub fn covers(&self, pid: u32, name: &str) -> bool {
        self.pids.contains(&pid) || self.names.iter().any(|n| n == name)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProcessTable {
    pub running: Vec<RunningProcess>,
    busy_by_pid: BTreeMap<u32, f64>,
    last_ts_by_pid: BTreeMap<u32, u64>,
    pub busy_by_name: BTreeMap<String, f64>,
    /// The newest sample timestamp seen: what the next call asks with.
    pub last_seen_us: u64,
    /// The driver's sample period, as the smallest gap between two samples of one process.
    period_us: Option<u64>,
    /// ∫ SM utilization of the attributed processes, s.
    pub attributed_busy: f64,
}

impl ProcessTable {
    /// Replaces the running list; pids that are gone leave their per-pid totals (their names keep theirs).
    pub fn set_running(&mut self, running: Vec<RunningProcess>) {
        self.busy_by_pid.retain(|pid, _| running.iter().any(|p| p.pid == *pid));
        self.running = running;
    }

    /// The executable name of a pid: from the running list, else `fallback` (the slow loop's lookup).
    fn name_of<'a>(&'a self, pid: u32, fallback: &'a BTreeMap<u32, String>) -> &'a str {
        self.running.iter().find(|p| p.pid == pid).map(|p| p.name.as_str()).or_else(|| fallback.get(&pid).map(String::as_str)).unwrap_or("unknown")
    }

    /// Folds samples newer than `last_seen_us` (the timestamp the call asked with) into the
    /// integrals. Each sample is the mean over the sample period before it, so it covers the
    /// time since the process's previous sample, at most one period (a process idle between
    /// two samples had none). A process's first sample only sets where it starts until the
    /// period is known. Returns the attributed total after each sample time (Unix ms), the
    /// points of its history.
    pub fn apply_samples(
        &mut self,
        asked_us: u64,
        mut samples: Vec<ProcessSample>,
        names: &BTreeMap<u32, String>,
        attribution: &Attribution,
    ) -> Vec<(f64, f64)> {
        samples.retain(|s| s.1 > asked_us);
        samples.sort_by_key(|s| (s.1, s.0));
        samples.dedup_by_key(|s| (s.1, s.0));
        let mut points: Vec<(f64, f64)> = Vec::new();
        for &(pid, ts, ratio) in &samples {
            let previous = self.last_ts_by_pid.insert(pid, ts);
            if let Some(prev) = previous.filter(|p| ts > *p) {
                let gap = ts - prev;
                self.period_us = Some(self.period_us.map_or(gap, |p| p.min(gap)));
            }
            let since = previous.unwrap_or(asked_us).max(asked_us);
            let Some(period) = self.period_us else { continue };
            if since == 0 {
                continue;
            }
            let seconds = (ts.saturating_sub(since)).min(period) as f64 / 1e6;
            let busy = ratio * seconds;
            *self.busy_by_pid.entry(pid).or_insert(0.0) += busy;
            let name = self.name_of(pid, names).to_string();
            if attribution.covers(pid, &name) {
                self.attributed_busy += busy;
            }
            let key = if self.busy_by_name.contains_key(&name) || self.busy_by_name.len() < MAX_NAMES { name } else { OTHER_NAME.to_string() };
            *self.busy_by_name.entry(key).or_insert(0.0) += busy;
            let at = ts as f64 / 1000.0;
            match points.last_mut() {
                Some(last) if last.0 == at => last.1 = self.attributed_busy,
                _ => points.push((at, self.attributed_busy)),
            }
        }
        if let Some(&(_, ts, _)) = samples.last() {
            self.last_seen_us = self.last_seen_us.max(ts);
        }
        // Pids not seen for a while are forgotten, so the map stays as small as the running set.
        let horizon = self.last_seen_us.saturating_sub(60_000_000);
        self.last_ts_by_pid.retain(|_, ts| *ts >= horizon);
        points
    }

    pub fn busy_of_pid(&self, pid: u32) -> f64 {
        self.busy_by_pid.get(&pid).copied().unwrap_or(0.0)
    }

    pub fn period_us(&self) -> Option<u64> {
        self.period_us
    }
}

/// The cgroup of a pid (the unified hierarchy's path, else the first one listed) and the
/// container id in it (64 hex digits, as docker, containerd, CRI-O and podman write them).
pub fn cgroup_of(pid: u32) -> (Option<String>, Option<String>) {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/cgroup")) else { return (None, None) };
    let paths: Vec<&str> = text.lines().filter_map(|l| l.splitn(3, ':').nth(2)).collect();
    let cgroup = text.lines().find(|l| l.starts_with("0::")).and_then(|l| l.get(3..)).or(paths.first().copied()).map(str::to_string);
    let container = paths.iter().find_map(|p| container_id(p));
    (cgroup, container)
}

fn container_id(path: &str) -> Option<String> {
    path.split(['/', '-', '.', ':']).find(|part| part.len() == 64 && part.bytes().all(|b| b.is_ascii_hexdigit())).map(str::to_string)
}

/// The executable name of a process as the driver names it (a path or a name): its last part.
pub fn executable_name(name: &str) -> String {
    let command = name.split_whitespace().next().unwrap_or(name);
    command.rsplit('/').next().unwrap_or(command).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(pid: u32, name: &str) -> RunningProcess {
        RunningProcess { pid, name: name.into(), kind: ProcessType::Compute, memory_bytes: Some(1 << 30), cgroup: None, container_id: None }
    }

    #[test]
    fn busy_seconds_by_pid_name_and_attribution() {
        let mut t = ProcessTable::default();
        t.set_running(vec![process(10, "node"), process(20, "python3")]);
        let ours = Attribution { pids: vec![10], names: vec![] };
        let names = BTreeMap::new();
        // 20 ms samples: node at 40 %, python3 at 30 %; the first round only anchors the period.
        let mut asked = 0;
        for k in 1..=51u64 {
            let ts = 1_000_000 + k * 20_000;
            let _ = t.apply_samples(asked, vec![(10, ts, 0.4), (20, ts, 0.3)], &names, &ours);
            asked = t.last_seen_us;
        }
        // 50 periods of 20 ms after the first samples, which only anchor.
        assert!((t.busy_of_pid(10) - 0.4 * 0.02 * 50.0).abs() < 1e-9, "{}", t.busy_of_pid(10));
        assert!((t.attributed_busy - t.busy_of_pid(10)).abs() < 1e-12);
        assert!((t.busy_by_name["python3"] - 0.3 * 0.02 * 50.0).abs() < 1e-9);
        // A process idle for a second then busy again is charged one period, not the gap.
        let before = t.busy_of_pid(20);
        let ts = asked + 1_000_000;
        let points = t.apply_samples(asked, vec![(20, ts, 1.0)], &names, &ours);
        assert_eq!(points, vec![(ts as f64 / 1000.0, t.attributed_busy)]);
        assert!((t.busy_of_pid(20) - before - 0.02).abs() < 1e-9);
        // A pid that ends keeps its name's total.
        t.set_running(vec![process(10, "node")]);
        assert_eq!(t.busy_of_pid(20), 0.0);
        assert!(t.busy_by_name["python3"] > 0.3);
    }

    #[test]
    fn container_ids_from_cgroup_paths() {
        let id = "4f1d6a3c9e2b7a8d0c5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c";
        assert_eq!(container_id(&format!("/system.slice/docker-{id}.scope")), Some(id.to_string()));
        assert_eq!(container_id(&format!("/kubepods/besteffort/pod1/cri-containerd-{id}.scope")), Some(id.to_string()));
        assert_eq!(container_id("/user.slice/user-0.slice/session-3.scope"), None);
        assert_eq!(executable_name("/usr/bin/python3"), "python3");
        assert_eq!(executable_name("tritonserver --model-repository=/m"), "tritonserver");
    }
}
