//! What serde cannot check: names in lists, ranges, references between keys. Each refusal
//! names the key (`devices[0].processes[1].pid`) and what is allowed.
use super::{DeviceScenario, Pid, Scenario, FIELDS, THROTTLE_REASONS};
use nvml_wrapper_sys::bindings::NVML_NVLINK_MAX_LINKS;

/// A GPU has 7 slices, so at most 7 GPU instances.
const MAX_MIG_INSTANCES: usize = 7;

impl Scenario {
    pub(super) fn validate(&self) -> Result<(), String> {
        for (i, d) in self.devices.iter().enumerate() {
            device(d).map_err(|e| format!("devices[{i}].{e}"))?;
        }
        Ok(())
    }
}

fn device(d: &DeviceScenario) -> Result<(), String> {
    if let Some(bad) = d.unsupported.iter().find(|f| !FIELDS.contains(&f.as_str())) {
        return Err(format!("unsupported: unknown field {bad:?}, allowed: {}", FIELDS.join(", ")));
    }
    if let Some(bad) = d.throttle.keys().find(|k| !THROTTLE_REASONS.iter().any(|(n, _)| n == k)) {
        let names: Vec<_> = THROTTLE_REASONS.iter().map(|(n, _)| *n).collect();
        return Err(format!("throttle: unknown reason {bad:?}, allowed: {}", names.join(", ")));
    }
    if d.samples.period_ms <= 0.0 || d.samples.size == 0 {
        return Err("samples: periodMs and size must be > 0".into());
    }
    processes(d)?;
    for (j, e) in d.xid_events.iter().enumerate() {
        if !(e.at_ms >= 0.0 && e.at_ms.is_finite()) {
            return Err(format!("xidEvents[{j}].atMs: must be a time >= 0 (ms after nvmlInit), got {}", e.at_ms));
        }
    }
    if let Some(p) = &d.pcie {
        if !(0.0..=1000.0).contains(&p.throughput_latency_ms) {
            return Err(format!("pcie.throughputLatencyMs: must be 0..1000 ms, got {}", p.throughput_latency_ms));
        }
    }
    if d.nvlink.len() > NVML_NVLINK_MAX_LINKS as usize {
        return Err(format!("nvlink: {} links, at most {NVML_NVLINK_MAX_LINKS} (NVML_NVLINK_MAX_LINKS)", d.nvlink.len()));
    }
    mig(d)
}

fn processes(d: &DeviceScenario) -> Result<(), String> {
    for (j, p) in d.processes.iter().enumerate() {
        let at = format!("processes[{j}]");
        if d.processes[..j].iter().any(|q| q.pid == p.pid) {
            return Err(format!("{at}.pid: {} is listed twice on this device", pid_text(p.pid)));
        }
        match (&p.name, p.pid) {
            (None, Pid::Number(pid)) => return Err(format!("{at}.name: required for pid {pid} (only \"self\" defaults to /proc/self/comm)")),
            (Some(name), _) if name.is_empty() => return Err(format!("{at}.name: must not be empty")),
            _ => {}
        }
        if let (Some(start), Some(end)) = (p.start_ms, p.end_ms) {
            if end <= start {
                return Err(format!("{at}.endMs: must be after startMs ({start}), got {end}"));
            }
        }
        if let Some(gi) = p.gpu_instance_id {
            if d.mig_instance(gi).is_none() {
                let known: Vec<_> = d.mig.iter().flat_map(|m| &m.instances).map(|i| i.gpu_instance_id.to_string()).collect();
                return Err(format!("{at}.gpuInstanceId: {gi} is not one of this device's mig.instances (gpuInstanceId: {})", or_none(&known)));
            }
        }
    }
    Ok(())
}

fn mig(d: &DeviceScenario) -> Result<(), String> {
    let Some(mig) = &d.mig else { return Ok(()) };
    if mig.instances.len() > MAX_MIG_INSTANCES {
        return Err(format!("mig.instances: {} instances, at most {MAX_MIG_INSTANCES} (a GPU has 7 slices)", mig.instances.len()));
    }
    for (j, instance) in mig.instances.iter().enumerate() {
        let at = format!("mig.instances[{j}]");
        if mig.instances[..j].iter().any(|other| other.gpu_instance_id == instance.gpu_instance_id) {
            return Err(format!("{at}.gpuInstanceId: {} is used twice (one entry per GPU instance)", instance.gpu_instance_id));
        }
        if !is_profile(&instance.profile) {
            return Err(format!("{at}.profile: {:?} is not a MIG profile name such as \"1g.10gb\", \"3g.40gb\" or \"1g.10gb+me\"", instance.profile));
        }
        if instance.memory_total_bytes == 0 {
            return Err(format!("{at}.memoryTotalBytes: must be > 0"));
        }
    }
    let total: u64 = mig.instances.iter().map(|i| i.memory_total_bytes).sum();
    if total > d.memory_total_bytes {
        return Err(format!("mig.instances: memoryTotalBytes add up to {total}, more than the GPU's memoryTotalBytes ({})", d.memory_total_bytes));
    }
    Ok(())
}

/// "<slices>g.<memory>gb" with an optional "+me"/"-me"/"+gfx"-style suffix, as nvidia-smi names profiles.
fn is_profile(profile: &str) -> bool {
    let (base, suffix) = match profile.find(['+', '-']) {
        Some(at) => profile.split_at(at),
        None => (profile, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let shape = base.split_once("g.").and_then(|(slices, memory)| Some((slices, memory.strip_suffix("gb")?)));
    let suffix_ok = suffix.is_empty() || (suffix.len() > 1 && suffix[1..].bytes().all(|b| b.is_ascii_lowercase()));
    shape.is_some_and(|(slices, memory)| digits(slices) && digits(memory)) && suffix_ok
}

fn pid_text(pid: Pid) -> String {
    match pid {
        Pid::Own => "\"self\"".into(),
        Pid::Number(pid) => pid.to_string(),
    }
}

fn or_none(list: &[String]) -> String {
    if list.is_empty() {
        "none, the device has no mig key".into()
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::super::DEFAULT_SCENARIO;
    use super::*;

    fn refusal(device: &str) -> String {
        Scenario::parse(&format!(r#"{{"devices": [{device}]}}"#), "inline").unwrap_err()
    }

    #[test]
    fn shipped_scenarios_parse() {
        assert_eq!(Scenario::parse(DEFAULT_SCENARIO, "default").unwrap().devices.len(), 2);
        let health = Scenario::parse(include_str!("../../scenarios/health-events.json"), "health-events").unwrap();
        assert_eq!(health.devices.len(), 2);
        let mig = Scenario::parse(include_str!("../../scenarios/mig.json"), "mig").unwrap();
        assert_eq!(mig.devices[0].mig.as_ref().unwrap().instances.len(), 3);
    }

    #[test]
    fn readme_examples_parse() {
        let readme = include_str!("../../README.md");
        let examples: Vec<_> = readme.split("```json").skip(1).filter_map(|block| block.split("```").next()).collect();
        assert!(examples.len() >= 3, "README examples not found");
        for example in examples {
            Scenario::parse(example, "README.md").unwrap();
        }
    }

    #[test]
    fn unknown_unsupported_field_is_named() {
        let err = refusal(r#"{"unsupported": ["fan"]}"#);
        assert!(err.contains("\"fan\"") && err.contains("fans") && err.contains("processUtilization"), "{err}");
    }

    #[test]
    fn unknown_keys_are_named_with_the_allowed_ones() {
        for (device, key, allowed) in [
            (r#"{"processs": []}"#, "processs", "processes"),
            (r#"{"processes": [{"pid": 1, "name": "a", "util": 5}]}"#, "util", "utilization"),
            (r#"{"ecc": {"corrected": 1, "double": 2}}"#, "double", "uncorrected"),
            (r#"{"pcie": {"tx": 1}}"#, "tx", "txBytesPerSecond"),
            (r#"{"nvlink": [{"txBytesPerSec": 1}]}"#, "txBytesPerSec", "txBytesPerSecond"),
            (r#"{"remappedRows": {"pendng": 1}}"#, "pendng", "pending"),
            (r#"{"retiredPages": {"single": 1}}"#, "single", "singleBit"),
            (r#"{"xidEvents": [{"atMs": 1, "xid": 48, "gpu": 0}]}"#, "gpu", "atMs"),
            (r#"{"mig": {"instances": [], "mode": 1}}"#, "mode", "instances"),
        ] {
            let err = refusal(device);
            assert!(err.contains(&format!("`{key}`")) && err.contains(allowed), "{device}: {err}");
        }
    }

    #[test]
    fn bad_values_are_named_with_what_is_allowed() {
        let gi = r#""mig": {"instances": [{"gpuInstanceId": 1, "profile": "1g.10gb", "memoryTotalBytes": 1000}]}"#;
        for (device, expected) in [
            (r#"{"architecture": "volta2"}"#, "hopper"),
            (r#"{"processes": [{"pid": "me", "name": "x"}]}"#, "a number or \"self\""),
            (r#"{"processes": [{"pid": 7, "type": "mps", "name": "x"}]}"#, "graphics"),
            (r#"{"processes": [{"pid": 4242}]}"#, "devices[0].processes[0].name: required for pid 4242"),
            (r#"{"processes": [{"pid": "self"}, {"pid": "self"}]}"#, "processes[1].pid: \"self\" is listed twice"),
            (r#"{"processes": [{"pid": "self", "startMs": 10, "endMs": 5}]}"#, "processes[0].endMs: must be after startMs"),
            (r#"{"processes": [{"pid": "self", "gpuInstanceId": 3}]}"#, "processes[0].gpuInstanceId: 3 is not one of"),
            (r#"{"xidEvents": [{"atMs": -1, "xid": 48}]}"#, "xidEvents[0].atMs: must be a time >= 0"),
            (r#"{"pcie": {"throughputLatencyMs": 5000}}"#, "pcie.throughputLatencyMs: must be 0..1000"),
            (&format!(r#"{{"nvlink": [{}]}}"#, vec!["{}"; 19].join(",")), "nvlink: 19 links, at most 18"),
            (&format!(r#"{{"memoryTotalBytes": 500, {gi}}}"#), "add up to 1000, more than the GPU's memoryTotalBytes (500)"),
            (r#"{"mig": {"instances": [{"gpuInstanceId": 1, "profile": "small", "memoryTotalBytes": 1}]}}"#, "\"small\" is not a MIG profile"),
            (
                r#"{"mig": {"instances": [{"gpuInstanceId": 1, "profile": "1g.5gb", "memoryTotalBytes": 1}, {"gpuInstanceId": 1, "profile": "1g.5gb", "memoryTotalBytes": 1}]}}"#,
                "mig.instances[1].gpuInstanceId: 1 is used twice",
            ),
        ] {
            let err = refusal(device);
            assert!(err.contains(expected), "{device}: {err}");
        }
    }

    #[test]
    fn profile_names() {
        for good in ["1g.10gb", "3g.40gb", "7g.80gb", "1g.10gb+me", "1g.12gb-me", "1g.24gb+gfx"] {
            assert!(is_profile(good), "{good}");
        }
        for bad in ["", "1g", "g.10gb", "1g.10", "1g.10gb+", "1g.10gb+ME", "a1g.10gb"] {
            assert!(!is_profile(bad), "{bad}");
        }
    }
}
