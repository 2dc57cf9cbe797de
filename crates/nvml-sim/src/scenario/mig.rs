//! Scenario keys for the GPU generation and MIG mode: `architecture` and `mig.instances`.
use crate::schedule::Schedule;
use nvml_wrapper_sys::bindings::*;
use serde::Deserialize;

/// nvml.h's NVML_DEVICE_ARCH_*, by lower-case name; in generation order, so `>=` compares them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    Kepler,
    Maxwell,
    Pascal,
    Volta,
    Turing,
    #[default]
    Ampere,
    Ada,
    Hopper,
    Blackwell,
}

impl Architecture {
    pub fn code(self) -> nvmlDeviceArchitecture_t {
        match self {
            Architecture::Kepler => NVML_DEVICE_ARCH_KEPLER,
            Architecture::Maxwell => NVML_DEVICE_ARCH_MAXWELL,
            Architecture::Pascal => NVML_DEVICE_ARCH_PASCAL,
            Architecture::Volta => NVML_DEVICE_ARCH_VOLTA,
            Architecture::Turing => NVML_DEVICE_ARCH_TURING,
            Architecture::Ampere => NVML_DEVICE_ARCH_AMPERE,
            Architecture::Ada => NVML_DEVICE_ARCH_ADA,
            Architecture::Hopper => NVML_DEVICE_ARCH_HOPPER,
            Architecture::Blackwell => NVML_DEVICE_ARCH_BLACKWELL,
        }
    }

    /// GPM (GPU performance monitoring) came with Hopper.
    pub fn has_gpm(self) -> bool {
        self >= Architecture::Hopper
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mig {
    #[serde(default)]
    pub instances: Vec<MigInstance>,
}

/// One GPU instance with one compute instance: one MIG device.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MigInstance {
    pub gpu_instance_id: u32,
    #[serde(default)]
    pub compute_instance_id: u32,
    /// "1g.10gb", "3g.40gb", "1g.10gb+me", ...
    pub profile: String,
    pub memory_total_bytes: u64,
    #[serde(default)]
    pub memory_used_bytes: Schedule,
    /// SM percent, read through GPM (nvmlGpmMigSampleGet).
    #[serde(default)]
    pub utilization: Schedule,
}
