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
}

impl Field {
    pub const ALL: [Field; 13] = [
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
    ];

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// The fields switched off on one device (NotSupported).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldSet(u16);

impl FieldSet {
    pub fn contains(self, f: Field) -> bool {
        self.0 & f.bit() != 0
    }
    pub fn insert(&mut self, f: Field) {
        self.0 |= f.bit();
    }
    /// The fields in the set, in Field::ALL's order.
    pub fn fields(self) -> Vec<Field> {
        Field::ALL.into_iter().filter(|f| self.contains(*f)).collect()
    }
}
