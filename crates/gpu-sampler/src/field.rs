//! The fields read per device each tick, as named in error counts and disabled-field lists.

/// What the sampler reads from each GPU each tick; "handle" is opening the GPU at all
/// (nvmlDeviceGetHandleByIndex). The `field` label of gpu_sampler_errors_total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case", js_name = "GpuField"))]
pub enum Field {
    Utilization,
    Memory,
    Temperature,
    Power,
    PowerLimit,
    Energy,
    Clocks,
    Throttle,
    Fans,
    PerformanceState,
    UtilizationSamples,
    PowerSamples,
    /// nvmlDeviceGetHandleByIndex: the device could not be opened at all.
    Handle,
    /// The running compute and graphics processes and their memory (slow loop).
    Processes,
    /// nvmlDeviceGetProcessUtilization: per-process SM utilization samples (slow loop).
    ProcessUtilization,
    /// nvmlDeviceGetTotalEccErrors, volatile (slow loop).
    Ecc,
    /// nvmlDeviceGetRetiredPages: GPUs before Ampere (slow loop).
    RetiredPages,
    /// nvmlDeviceGetRemappedRows: Ampere and later (slow loop).
    RemappedRows,
    /// nvmlDeviceGetPcieThroughput, which blocks about 20 ms (slow loop).
    PcieThroughput,
    /// nvmlDeviceGetPcieReplayCounter (slow loop).
    PcieReplays,
    /// NVLink throughput through nvmlDeviceGetFieldValues (slow loop).
    Nvlink,
    /// XID events through nvmlDeviceRegisterEvents and nvmlEventSetWait (event thread).
    XidEvents,
    /// GPU performance monitoring (nvmlGpmMetricsGet): the utilization of MIG instances (slow loop).
    Gpm,
}

impl Field {
    pub const ALL: [Field; 23] = [
        Field::Utilization,
        Field::Memory,
        Field::Temperature,
        Field::Power,
        Field::PowerLimit,
        Field::Energy,
        Field::Clocks,
        Field::Throttle,
        Field::Fans,
        Field::PerformanceState,
        Field::UtilizationSamples,
        Field::PowerSamples,
        Field::Handle,
        Field::Processes,
        Field::ProcessUtilization,
        Field::Ecc,
        Field::RetiredPages,
        Field::RemappedRows,
        Field::PcieThroughput,
        Field::PcieReplays,
        Field::Nvlink,
        Field::XidEvents,
        Field::Gpm,
    ];

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// A set of fields: those switched off on one device (NotSupported), or those asked so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldSet(u32);

impl FieldSet {
    pub fn contains(self, f: Field) -> bool {
        self.0 & f.bit() != 0
    }
    pub fn insert(&mut self, f: Field) {
        self.0 |= f.bit();
    }
    pub fn union(self, other: FieldSet) -> FieldSet {
        FieldSet(self.0 | other.0)
    }
    /// The fields in the set, in Field::ALL's order.
    pub fn fields(self) -> Vec<Field> {
        Field::ALL.into_iter().filter(|f| self.contains(*f)).collect()
    }
}
