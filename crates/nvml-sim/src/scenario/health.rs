//! Scenario keys for the health and traffic counters: XID events, ECC, retired pages, remapped
//! rows, PCIe and NVLink. Counts are schedules read as cumulative counts (rounded down).
use crate::schedule::Schedule;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct XidEvent {
    pub at_ms: f64,
    pub xid: u64,
}

/// Volatile ECC totals (the aggregate counters answer the same).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ecc {
    #[serde(default)]
    pub corrected: Schedule,
    #[serde(default)]
    pub uncorrected: Schedule,
}

/// Pages retired before nvmlInit (pre-Ampere GPUs; later ones remap rows instead).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetiredPages {
    #[serde(default)]
    pub single_bit: u32,
    #[serde(default)]
    pub double_bit: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemappedRows {
    #[serde(default)]
    pub correctable: Schedule,
    #[serde(default)]
    pub uncorrectable: Schedule,
    /// A remap waits for a GPU reset while >= 0.5.
    #[serde(default)]
    pub pending: Schedule,
    /// A remap failed while >= 0.5.
    #[serde(default)]
    pub failed: Schedule,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pcie {
    #[serde(default)]
    pub tx_bytes_per_second: Schedule,
    #[serde(default)]
    pub rx_bytes_per_second: Schedule,
    /// The replay counter: a cumulative count.
    #[serde(default)]
    pub replays: Schedule,
    /// How long nvmlDeviceGetPcieThroughput blocks: the driver counts bytes over 20 ms.
    #[serde(default = "default_throughput_latency")]
    pub throughput_latency_ms: f64,
}

fn default_throughput_latency() -> f64 {
    20.0
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NvLink {
    #[serde(default)]
    pub tx_bytes_per_second: Schedule,
    #[serde(default)]
    pub rx_bytes_per_second: Schedule,
}
