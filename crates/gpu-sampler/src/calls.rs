//! NVML calls of one tick on one device, by either loop: a field switched off (NotSupported) is
//! skipped, GpuLost ends the device's calls at once, and stop() abandons the tick between two
//! calls, so it never waits for the rest of a slow tick.
use crate::field::{Field, FieldSet};
use nvml_wrapper::error::NvmlError;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Calls<'a> {
    disabled: FieldSet,
    stopping: &'a AtomicBool,
    /// The errors met, by field.
    pub errors: Vec<(Field, NvmlError)>,
    /// The fields called (answered or not): what gpu_field_supported can speak for.
    pub asked: FieldSet,
    pub lost: bool,
    /// stop() came during the calls: the tick is dropped, not applied.
    pub abandoned: bool,
}

impl<'a> Calls<'a> {
    pub fn new(disabled: FieldSet, stopping: &'a AtomicBool) -> Self {
        Calls { disabled, stopping, errors: Vec::new(), asked: FieldSet::default(), lost: false, abandoned: false }
    }

    /// Runs one NVML call unless the field is off or the device was lost this tick.
    pub fn read<T>(&mut self, field: Field, call: impl FnOnce() -> Result<T, NvmlError>) -> Option<T> {
        if self.lost || self.abandoned || self.disabled.contains(field) {
            return None;
        }
        if self.stopping.load(Ordering::Relaxed) {
            self.abandoned = true;
            return None;
        }
        self.asked.insert(field);
        match call() {
            Ok(v) => Some(v),
            Err(e) => {
                self.lost |= matches!(e, NvmlError::GpuLost);
                self.errors.push((field, e));
                None
            }
        }
    }
}

/// Whether an error means the field will never answer on this device: NotSupported, or a
/// driver too old to have the call.
pub fn is_unsupported(e: &NvmlError) -> bool {
    matches!(e, NvmlError::NotSupported | NvmlError::FunctionNotFound | NvmlError::FailedToLoadSymbol(_))
}
