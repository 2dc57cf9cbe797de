//! XID events through event sets, called as a C client would: each once per set, in time
//! order, TIMEOUT when none comes, and waiting never blocks other calls.
mod support;
use nvml_sim::api::events::*;
use nvml_sim::api::system::nvmlDeviceGetCount_v2;
use nvml_wrapper_sys::bindings::*;
use std::time::{Duration, Instant};
use support::*;

const XID: u64 = nvmlEventTypeXidCriticalError as u64;

fn new_set() -> nvmlEventSet_t {
    let mut set: nvmlEventSet_t = std::ptr::null_mut();
    assert_eq!(unsafe { nvmlEventSetCreate(&mut set) }, SUCCESS);
    set
}

/// (code, xid, device) of the next event.
unsafe fn wait(set: nvmlEventSet_t, timeout_ms: u32) -> (nvmlReturn_t, u64, nvmlDevice_t) {
    let mut data: nvmlEventData_t = std::mem::zeroed();
    let code = nvmlEventSetWait_v2(set, &mut data, timeout_ms);
    (code, data.eventData, data.device)
}

#[test]
fn delivers_each_xid_once_per_set() {
    init(
        r#"{"devices": [
        {"xidEvents": [{"atMs": 120, "xid": 79}, {"atMs": 40, "xid": 48}]},
        {"xidEvents": [{"atMs": 80, "xid": 31}]},
        {"xidEvents": [{"atMs": 10, "xid": 13}]},
        {"unsupported": ["events"], "xidEvents": [{"atMs": 10, "xid": 94}]}
    ]}"#,
    );
    let (a, b, unregistered, unsupported) = (handle(0), handle(1), handle(2), handle(3));
    unsafe {
        let mut types = 0;
        assert_eq!(nvmlDeviceGetSupportedEventTypes(a, &mut types), SUCCESS);
        assert_eq!(types, XID);
        assert_eq!(nvmlDeviceGetSupportedEventTypes(unsupported, &mut types), NOT_SUPPORTED);

        let set = new_set();
        assert_eq!(nvmlDeviceRegisterEvents(a, XID, set), SUCCESS);
        assert_eq!(nvmlDeviceRegisterEvents(b, XID, set), SUCCESS);
        assert_eq!(nvmlDeviceRegisterEvents(a, XID | nvmlEventTypePState as u64, set), NOT_SUPPORTED, "only XID events exist here");
        assert_eq!(nvmlDeviceRegisterEvents(unsupported, XID, set), NOT_SUPPORTED);
        assert_eq!(nvmlDeviceRegisterEvents(a, XID, 0xdead as nvmlEventSet_t), INVALID_ARGUMENT);

        // Nothing due yet (the first is at 40 ms): TIMEOUT after the timeout, not before.
        let (code, before, after) = timed(|| wait(set, 5).0);
        if after < 40.0 {
            assert_eq!(code, nvmlReturn_enum_NVML_ERROR_TIMEOUT);
            assert!(after - before >= 5.0);
        }

        // In time order across the set's devices, each when its time has come; the device
        // not registered (XID 13 at 10 ms) never comes.
        for (xid, device, at) in [(48, a, 40.0), (31, b, 80.0), (79, a, 120.0)] {
            let ((code, got, from), _, after) = timed(|| wait(set, 2000));
            assert_eq!((code, got, from), (SUCCESS, xid, device));
            assert!(after >= at, "XID {xid} came at {after} ms, before its time {at}");
        }
        assert_eq!(wait(set, 20).0, nvmlReturn_enum_NVML_ERROR_TIMEOUT, "each event once");
        let mut data: nvmlEventData_t = std::mem::zeroed();
        let second = new_set();
        assert_eq!(nvmlDeviceRegisterEvents(a, XID, second), SUCCESS);
        assert_eq!(nvmlEventSetWait_v2(second, &mut data, 0), SUCCESS, "another set gets its own copy");
        assert_eq!((data.eventType, data.eventData, data.gpuInstanceId, data.computeInstanceId), (XID, 48, u32::MAX, u32::MAX));
        assert_eq!(wait(second, 0), (SUCCESS, 79, a));
        assert_eq!(wait(second, 0).0, nvmlReturn_enum_NVML_ERROR_TIMEOUT);
        let third = new_set();
        assert_eq!(nvmlDeviceRegisterEvents(unregistered, XID, third), SUCCESS);
        assert_eq!(wait(third, 0), (SUCCESS, 13, unregistered), "its event was there, for sets that registered it");

        // A wait sleeps outside the session lock: calls made all through it go on.
        let id = set as usize;
        let waiting = std::thread::spawn(move || wait(id as nvmlEventSet_t, 300).0);
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(20));
            let started = Instant::now();
            assert_eq!(nvmlDeviceGetCount_v2(&mut 0), SUCCESS);
            assert!(started.elapsed() < Duration::from_millis(50), "blocked for {:?}", started.elapsed());
        }
        assert_eq!(waiting.join().unwrap(), nvmlReturn_enum_NVML_ERROR_TIMEOUT);

        assert_eq!(nvmlEventSetFree(set), SUCCESS);
        assert_eq!(nvmlEventSetFree(set), INVALID_ARGUMENT);
        assert_eq!(wait(set, 0).0, INVALID_ARGUMENT);
        assert_eq!(nvmlEventSetWait_v2(second, std::ptr::null_mut(), 0), INVALID_ARGUMENT);
    }
}
