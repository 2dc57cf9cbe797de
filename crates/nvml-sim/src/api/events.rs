//! Event sets: XID critical errors from the scenario's `xidEvents`. Each event reaches each
//! set that registered its device once, in time order, as soon as its time has come (also to
//! a set registered after that time, so a test need not race the scenario's clock).
use super::{code, put, NOT_AVAILABLE};
use crate::handles;
use crate::session::{self, new_object_id, target_call, Session};
use nvml_wrapper_sys::bindings::*;
use std::collections::BTreeMap;
use std::os::raw::{c_uint, c_ulonglong};
use std::time::{Duration, Instant};

/// The only event type the sim raises.
const XID: c_ulonglong = nvmlEventTypeXidCriticalError as c_ulonglong;

/// How long nvmlEventSetWait sleeps between looks: short, and never holding the session lock.
const WAIT_STEP: Duration = Duration::from_millis(2);

#[derive(Default)]
pub struct EventSet {
    /// Device index -> event types registered.
    registered: BTreeMap<usize, c_ulonglong>,
    /// Device index -> how many of its xidEvents this set has delivered.
    delivered: BTreeMap<usize, usize>,
}

#[no_mangle]
pub unsafe extern "C" fn nvmlEventSetCreate(set: *mut nvmlEventSet_t) -> nvmlReturn_t {
    code(session::with_session(|s| {
        if set.is_null() {
            return Err(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT);
        }
        let id = new_object_id();
        s.objects.borrow_mut().event_sets.insert(id, EventSet::default());
        put(set, id as nvmlEventSet_t)
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlEventSetFree(set: nvmlEventSet_t) -> nvmlReturn_t {
    code(session::with_session(|s| {
        s.objects.borrow_mut().event_sets.remove(&(set as usize)).map(|_| ()).ok_or(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT)
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetSupportedEventTypes(device: nvmlDevice_t, event_types: *mut c_ulonglong) -> nvmlReturn_t {
    code(target_call(device, "events", |target, _, _| match target.instance {
        None => put(event_types, XID),
        Some(_) => Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED),
    }))
}

/// Types beyond XID critical errors answer NOT_SUPPORTED, as the driver does for types a
/// device lacks.
#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceRegisterEvents(device: nvmlDevice_t, event_types: c_ulonglong, set: nvmlEventSet_t) -> nvmlReturn_t {
    code(target_call(device, "events", |target, _, s| {
        if target.instance.is_some() || event_types & !XID != 0 {
            return Err(nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED);
        }
        let mut objects = s.objects.borrow_mut();
        let entry = objects.event_sets.get_mut(&(set as usize)).ok_or(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT)?;
        *entry.registered.entry(target.index).or_default() |= event_types;
        Ok(())
    }))
}

/// The next event of the set, waiting up to `timeoutms` for one; TIMEOUT when none came.
#[no_mangle]
pub unsafe extern "C" fn nvmlEventSetWait_v2(set: nvmlEventSet_t, data: *mut nvmlEventData_t, timeoutms: c_uint) -> nvmlReturn_t {
    if data.is_null() {
        return nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT;
    }
    let deadline = Instant::now() + Duration::from_millis(u64::from(timeoutms));
    loop {
        match session::with_session(|s| next_event(s, set as usize)) {
            Err(e) => return e,
            Ok(Some(event)) => {
                data.write(event);
                return nvmlReturn_enum_NVML_SUCCESS;
            }
            Ok(None) => {}
        }
        let now = Instant::now();
        if now >= deadline {
            return nvmlReturn_enum_NVML_ERROR_TIMEOUT;
        }
        std::thread::sleep(WAIT_STEP.min(deadline - now));
    }
}

/// Takes the earliest due event of the set's devices, if any.
fn next_event(s: &Session, set: usize) -> Result<Option<nvmlEventData_t>, nvmlReturn_t> {
    let mut objects = s.objects.borrow_mut();
    let entry = objects.event_sets.get_mut(&set).ok_or(nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT)?;
    let t = s.elapsed_ms();
    let due = entry
        .registered
        .iter()
        .filter(|(_, types)| *types & XID != 0)
        .filter_map(|(&index, _)| {
            let next = *entry.delivered.get(&index).unwrap_or(&0);
            let event = s.scenario.devices.get(index)?.xid_events.get(next)?;
            (event.at_ms <= t).then_some((event.at_ms, index, event.xid))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let Some((_, index, xid)) = due else { return Ok(None) };
    *entry.delivered.entry(index).or_default() += 1;
    Ok(Some(nvmlEventData_t {
        device: handles::gpu(index),
        eventType: XID,
        eventData: xid,
        gpuInstanceId: NOT_AVAILABLE,
        computeInstanceId: NOT_AVAILABLE,
    }))
}
