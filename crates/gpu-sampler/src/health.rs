//! What the slow loop and the event thread learn about a GPU's health: ECC counts, retired
//! pages or remapped rows, PCIe traffic and replays, NVLink traffic, and XID events. Each is
//! None until the GPU answered it, so an unsupported counter is absent rather than 0.
use crate::integral::{Integral, Rule};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EccCounts {
    pub corrected: u64,
    pub uncorrected: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RetiredPages {
    pub single_bit: u64,
    pub double_bit: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RemappedRows {
    pub correctable: u64,
    pub uncorrectable: u64,
    pub pending: bool,
    pub failed: bool,
}

/// Bytes over one NVLink since the driver loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NvlinkBytes {
    pub link: u32,
    pub tx: f64,
    pub rx: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PcieCounts {
    /// ∫ throughput dt, bytes (tx: from the GPU).
    pub tx_bytes: f64,
    pub rx_bytes: f64,
    /// The driver's replay count since it loaded.
    pub replays: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Health {
    pub ecc: Option<EccCounts>,
    pub retired_pages: Option<RetiredPages>,
    pub remapped_rows: Option<RemappedRows>,
    pcie_tx: Integral,
    pcie_rx: Integral,
    pcie_read: bool,
    pub pcie_replays: Option<u64>,
    pub nvlink: Vec<NvlinkBytes>,
    /// XID code -> events seen.
    pub xid: BTreeMap<u32, u64>,
    pub xid_last_ms: Option<f64>,
}

/// One slow tick's health reads; a field is None when it failed or is not supported.
#[derive(Debug, Clone, Default)]
pub struct HealthRead {
    pub ecc: Option<EccCounts>,
    pub retired_pages: Option<RetiredPages>,
    pub remapped_rows: Option<RemappedRows>,
    /// (tx, rx) bytes per second.
    pub pcie_throughput: Option<(f64, f64)>,
    pub pcie_replays: Option<u64>,
    pub nvlink: Option<Vec<NvlinkBytes>>,
}

impl Health {
    /// Folds one slow tick in; `mono_s` is the sampler's monotonic time of the throughput read.
    pub fn apply(&mut self, read: HealthRead, mono_s: f64) {
        self.ecc = read.ecc.or(self.ecc);
        self.retired_pages = read.retired_pages.or(self.retired_pages);
        self.remapped_rows = read.remapped_rows.or(self.remapped_rows);
        if let Some((tx, rx)) = read.pcie_throughput {
            // Each read is the rate over the last ~20 ms; between reads it is taken as linear.
            self.pcie_tx.add(Rule::Trapezoid, mono_s, tx);
            self.pcie_rx.add(Rule::Trapezoid, mono_s, rx);
            self.pcie_read = true;
        }
        self.pcie_replays = read.pcie_replays.or(self.pcie_replays);
        if let Some(links) = read.nvlink {
            self.nvlink = links;
        }
    }

    pub fn record_xid(&mut self, xid: u32, at_ms: f64) {
        *self.xid.entry(xid).or_insert(0) += 1;
        self.xid_last_ms = Some(self.xid_last_ms.map_or(at_ms, |t| t.max(at_ms)));
    }

    pub fn pcie(&self) -> Option<PcieCounts> {
        (self.pcie_read || self.pcie_replays.is_some()).then_some(PcieCounts {
            tx_bytes: self.pcie_tx.total,
            rx_bytes: self.pcie_rx.total,
            replays: self.pcie_replays,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcie_bytes_integrate_and_counts_stay_when_a_read_fails() {
        let mut h = Health::default();
        assert_eq!(h.pcie(), None);
        for (t, rate) in [(0.0, 1e6), (1.0, 3e6), (2.0, 3e6)] {
            h.apply(
                HealthRead { pcie_throughput: Some((rate, rate / 2.0)), ecc: Some(EccCounts { corrected: 5, uncorrected: 0 }), ..Default::default() },
                t,
            );
        }
        h.apply(HealthRead::default(), 3.0);
        let p = h.pcie().unwrap();
        assert_eq!((p.tx_bytes, p.rx_bytes), (5e6, 2.5e6));
        assert_eq!(h.ecc.unwrap().corrected, 5);
        h.record_xid(48, 10.0);
        h.record_xid(48, 5.0);
        assert_eq!((h.xid[&48], h.xid_last_ms), (2, Some(10.0)));
    }
}
