//! The event thread: XID errors come from nvmlEventSetWait on a thread of their own, never the
//! sampling thread, and are counted per GPU and code. The wait is short so that stop() is quick.
use crate::calls::is_unsupported;
use crate::reader::unix_ms;
use nvml_wrapper::bitmasks::event::EventTypes;
use nvml_wrapper::enums::event::XidError;
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, EventSet, Nvml};
use std::sync::atomic::{AtomicBool, Ordering};

/// How long one wait lasts, ms: the most stop() waits for this thread.
const WAIT_MS: u32 = 100;

/// What the event thread reports to the sampler's state.
pub trait EventSink {
    /// `device` is the position in the sampler's list; `supported` is whether it can deliver XIDs.
    fn registered(&self, device: usize, result: Result<(), NvmlError>);
    fn xid(&self, device: usize, xid: u32, at_ms: f64);
    fn failed(&self, device: Option<usize>, error: NvmlError);
}

/// Registers every whole GPU (`devices`: position and handle) for XID events and waits for
/// them until `stopping`. A GPU that cannot deliver them is reported unsupported and left out.
pub fn run_events(nvml: &Nvml, devices: &[(usize, Device)], stopping: &AtomicBool, sink: &impl EventSink) {
    let mut set: Option<EventSet> = match nvml.create_event_set() {
        Ok(set) => Some(set),
        Err(e) => {
            for (position, _) in devices {
                sink.registered(*position, Err(clone_error(&e)));
            }
            return;
        }
    };
    let mut registered: Vec<(usize, usize)> = Vec::new();
    for (position, device) in devices {
        let supported = device.supported_event_types().map(|t| t.contains(EventTypes::CRITICAL_XID_ERROR));
        let result = match supported {
            Ok(false) => Err(NvmlError::NotSupported),
            Err(e) => Err(e),
            Ok(true) => {
                match device.register_events(EventTypes::CRITICAL_XID_ERROR, set.take().expect("the set is put back after each registration")) {
                    Ok(s) => {
                        set = Some(s);
                        // SAFETY: the handle is only compared with those of events, never called.
                        registered.push((unsafe { device.handle() } as usize, *position));
                        Ok(())
                    }
                    Err(e) => {
                        // The set is consumed on failure: start a new one for the other GPUs.
                        set = nvml.create_event_set().ok();
                        Err(e.error)
                    }
                }
            }
        };
        sink.registered(*position, result);
        if set.is_none() {
            break;
        }
    }
    let Some(set) = set.filter(|_| !registered.is_empty()) else { return };
    while !stopping.load(Ordering::Relaxed) {
        match set.wait(WAIT_MS) {
            Ok(event) => {
                // SAFETY: as above.
                let handle = unsafe { event.device.handle() } as usize;
                let Some(&(_, position)) = registered.iter().find(|(h, _)| *h == handle) else { continue };
                if let Some(xid) = event.event_data {
                    let code = match xid {
                        XidError::Value(v) => v as u32,
                        XidError::Unknown => 999,
                    };
                    sink.xid(position, code, unix_ms());
                }
            }
            Err(NvmlError::Timeout) => {}
            Err(e) => {
                let unsupported = is_unsupported(&e);
                sink.failed(None, e);
                if unsupported {
                    return;
                }
                // An error that repeats must not spin: wait as a timeout would.
                std::thread::sleep(std::time::Duration::from_millis(WAIT_MS.into()));
            }
        }
    }
}

fn clone_error(e: &NvmlError) -> NvmlError {
    match e {
        NvmlError::NotSupported => NvmlError::NotSupported,
        NvmlError::FunctionNotFound => NvmlError::FunctionNotFound,
        NvmlError::GpuLost => NvmlError::GpuLost,
        NvmlError::NoPermission => NvmlError::NoPermission,
        _ => NvmlError::Unknown,
    }
}
