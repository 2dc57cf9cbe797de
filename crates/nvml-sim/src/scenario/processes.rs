//! Scenario keys for the processes on a GPU: who they are, when they run, what they use.
use crate::schedule::Schedule;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Process {
    pub pid: Pid,
    /// nvmlSystemGetProcessName; required for a numeric pid, "self" defaults to /proc/self/comm.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: ProcessKind,
    /// SM percent, for nvmlDeviceGetProcessUtilization.
    #[serde(default)]
    pub utilization: Schedule,
    #[serde(default)]
    pub memory_used_bytes: Schedule,
    #[serde(default)]
    pub start_ms: Option<f64>,
    #[serde(default)]
    pub end_ms: Option<f64>,
    /// The MIG instance the process runs in (GPUs in MIG mode).
    #[serde(default)]
    pub gpu_instance_id: Option<u32>,
}

/// A pid, or "self": the process that loaded the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "PidSpec")]
pub enum Pid {
    Own,
    Number(u32),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PidSpec {
    Number(u32),
    Name(String),
    Other(serde_json::Value),
}

impl TryFrom<PidSpec> for Pid {
    type Error = String;

    fn try_from(spec: PidSpec) -> Result<Self, String> {
        match spec {
            PidSpec::Number(pid) => Ok(Pid::Number(pid)),
            PidSpec::Name(name) if name == "self" => Ok(Pid::Own),
            PidSpec::Name(name) => Err(format!("pid {name:?}: a pid is a number or \"self\"")),
            PidSpec::Other(value) => Err(format!("pid {value}: a pid is a number 0..{} or \"self\"", u32::MAX)),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProcessKind {
    #[default]
    Compute,
    Graphics,
}

impl Pid {
    pub fn resolve(self) -> u32 {
        match self {
            Pid::Own => std::process::id(),
            Pid::Number(pid) => pid,
        }
    }
}

impl Process {
    pub fn listed_at(&self, t: f64) -> bool {
        self.start_ms.is_none_or(|start| start <= t) && self.end_ms.is_none_or(|end| t < end)
    }

    /// What nvmlSystemGetProcessName answers: the scenario's name, else (for "self") the real one.
    pub fn name(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        std::fs::read_to_string("/proc/self/comm").map_or_else(|_| "self".into(), |comm| comm.trim_end().to_string())
    }
}
