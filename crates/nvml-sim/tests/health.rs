//! ECC totals, retired pages, remapped rows, PCIe and NVLink, called as a C client would;
//! counters are recomputed from the scenario's schedules.
mod support;
use nvml_sim::api::{health::*, links::*, system::nvmlSimInitTimestampUs};
use nvml_wrapper_sys::bindings::field_id::*;
use nvml_wrapper_sys::bindings::*;
use std::time::{Duration, Instant};
use support::*;

const CORRECTED: &str = r#"{"ramp": {"from": 0, "to": 1000, "durationMs": 1000}}"#;
const AT_30: &str = r#"{"steps": [{"atMs": 0, "value": 0}, {"atMs": 30, "value": 1}]}"#;
const LINK1_TX: &str = r#"{"ramp": {"from": 0, "to": 10240000, "durationMs": 1000}}"#;

fn scenario() -> String {
    format!(
        r#"{{"devices": [
        {{"ecc": {{"corrected": {CORRECTED}, "uncorrected": {AT_30}}},
          "remappedRows": {{"correctable": 2, "uncorrectable": {AT_30}, "pending": {AT_30}, "failed": 0}},
          "pcie": {{"txBytesPerSecond": 2048000, "rxBytesPerSecond": 512000, "throughputLatencyMs": 15,
                   "replays": {{"steps": [{{"atMs": 0, "value": 0}}, {{"atMs": 30, "value": 3}}]}}}},
          "nvlink": [{{"txBytesPerSecond": 1024000, "rxBytesPerSecond": 2048000}}, {{"txBytesPerSecond": {LINK1_TX}}}]}},
        {{"architecture": "volta", "retiredPages": {{"singleBit": 2, "doubleBit": 1}}}},
        {{"unsupported": ["ecc", "pcie", "nvlink"], "ecc": {{}}, "pcie": {{}}, "nvlink": [{{}}]}}
    ]}}"#
    )
}

unsafe fn ecc(device: nvmlDevice_t, error: nvmlMemoryErrorType_t, counter: nvmlEccCounterType_t) -> (nvmlReturn_t, u64) {
    let mut count = u64::MAX;
    (nvmlDeviceGetTotalEccErrors(device, error, counter, &mut count), count)
}

const CORR: nvmlMemoryErrorType_t = nvmlMemoryErrorType_enum_NVML_MEMORY_ERROR_TYPE_CORRECTED;
const UNCORR: nvmlMemoryErrorType_t = nvmlMemoryErrorType_enum_NVML_MEMORY_ERROR_TYPE_UNCORRECTED;
const VOLATILE: nvmlEccCounterType_t = nvmlEccCounterType_enum_NVML_VOLATILE_ECC;
const AGGREGATE: nvmlEccCounterType_t = nvmlEccCounterType_enum_NVML_AGGREGATE_ECC;

#[test]
fn counts_memory_errors_and_bus_traffic() {
    init(&scenario());
    let (gpu, old, unsupported) = (handle(0), handle(1), handle(2));
    unsafe {
        // Corrected errors: 1 per ms (rounded down), as the ramp says.
        let ((code, corrected), before, after) = timed(|| ecc(gpu, CORR, VOLATILE));
        assert_eq!(code, SUCCESS);
        assert!((before.floor() as u64..=after.floor() as u64).contains(&corrected), "{corrected} not in {before}..{after}");
        if after < 30.0 {
            assert_eq!(ecc(gpu, UNCORR, VOLATILE), (SUCCESS, 0));
        }
        sleep_until(35.0);
        assert_eq!(ecc(gpu, UNCORR, VOLATILE), (SUCCESS, 1));
        assert_eq!(ecc(gpu, UNCORR, AGGREGATE), (SUCCESS, 1));
        assert_eq!(ecc(gpu, 5, VOLATILE).0, INVALID_ARGUMENT);
        assert_eq!(ecc(gpu, CORR, 7).0, INVALID_ARGUMENT);
        assert_eq!(ecc(old, CORR, VOLATILE).0, NOT_SUPPORTED, "no ecc key");
        assert_eq!(ecc(unsupported, CORR, VOLATILE).0, NOT_SUPPORTED);
        let (mut current, mut pending) = (0, 0);
        assert_eq!(nvmlDeviceGetEccMode(gpu, &mut current, &mut pending), SUCCESS);
        assert_eq!((current, pending), (nvmlEnableState_enum_NVML_FEATURE_ENABLED, nvmlEnableState_enum_NVML_FEATURE_ENABLED));
        assert_eq!(nvmlDeviceGetEccMode(old, &mut current, &mut pending), NOT_SUPPORTED);

        // Remapped rows after the uncorrectable error at 30 ms: one more row, a remap pending.
        let mut rows = [9u32; 4];
        let [c, u, p, f] = rows.each_mut().map(|r| r as *mut u32);
        assert_eq!(nvmlDeviceGetRemappedRows(gpu, c, u, p, f), SUCCESS);
        assert_eq!(rows, [2, 1, 1, 0]);
        assert_eq!(nvmlDeviceGetRemappedRows(old, c, u, p, f), NOT_SUPPORTED);

        retired_pages(gpu, old);
        pcie(gpu, old, unsupported);
        nvlink(gpu, old, unsupported);
    }
}

unsafe fn retired_pages(gpu: nvmlDevice_t, old: nvmlDevice_t) {
    const SINGLE: nvmlPageRetirementCause_t = nvmlPageRetirementCause_enum_NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS;
    const DOUBLE: nvmlPageRetirementCause_t = nvmlPageRetirementCause_enum_NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR;
    // nvml-wrapper's count query: a count of 0 with a one-element buffer.
    let mut addresses = [0u64; 4];
    let mut timestamps = [0u64; 4];
    let mut count = 0;
    assert_eq!(nvmlDeviceGetRetiredPages(old, SINGLE, &mut count, addresses.as_mut_ptr()), INSUFFICIENT_SIZE);
    assert_eq!((count, addresses[0]), (2, 0));
    let mut count = 4;
    assert_eq!(nvmlDeviceGetRetiredPages(old, SINGLE, &mut count, addresses.as_mut_ptr()), SUCCESS);
    assert_eq!((count, &addresses[..2]), (2, &[0x1_0000_0000, 0x1_0000_1000][..]));
    let mut count = 4;
    assert_eq!(nvmlDeviceGetRetiredPages_v2(old, DOUBLE, &mut count, addresses.as_mut_ptr(), timestamps.as_mut_ptr()), SUCCESS);
    assert_eq!((count, addresses[0], timestamps[0]), (1, 0x2_0000_0000, nvmlSimInitTimestampUs() / 1_000_000));
    assert_eq!(nvmlDeviceGetRetiredPages(old, 9, &mut count, addresses.as_mut_ptr()), INVALID_ARGUMENT);
    assert_eq!(nvmlDeviceGetRetiredPages(gpu, SINGLE, &mut count, addresses.as_mut_ptr()), NOT_SUPPORTED, "remaps rows instead");
}

unsafe fn pcie(gpu: nvmlDevice_t, old: nvmlDevice_t, unsupported: nvmlDevice_t) {
    // KiB/s over the window, and the call takes the window (15 ms here) as the driver's does.
    let mut value = 0;
    let started = Instant::now();
    assert_eq!(nvmlDeviceGetPcieThroughput(gpu, nvmlPcieUtilCounter_enum_NVML_PCIE_UTIL_TX_BYTES, &mut value), SUCCESS);
    assert!(started.elapsed() >= Duration::from_millis(15));
    assert_eq!(value, 2000);
    assert_eq!(nvmlDeviceGetPcieThroughput(gpu, nvmlPcieUtilCounter_enum_NVML_PCIE_UTIL_RX_BYTES, &mut value), SUCCESS);
    assert_eq!(value, 500);
    assert_eq!(nvmlDeviceGetPcieThroughput(gpu, 5, &mut value), INVALID_ARGUMENT);
    assert_eq!(nvmlDeviceGetPcieThroughput(old, 0, &mut value), NOT_SUPPORTED);
    assert_eq!(nvmlDeviceGetPcieThroughput(unsupported, 0, &mut value), NOT_SUPPORTED);
    assert_eq!(nvmlDeviceGetPcieReplayCounter(gpu, &mut value), SUCCESS);
    assert_eq!(value, 3);
    assert_eq!(nvmlDeviceGetPcieReplayCounter(old, &mut value), NOT_SUPPORTED);
}

fn field(id: u32, scope: u32) -> nvmlFieldValue_t {
    let mut value: nvmlFieldValue_t = unsafe { std::mem::zeroed() };
    value.fieldId = id;
    value.scopeId = scope;
    value
}

unsafe fn nvlink(gpu: nvmlDevice_t, old: nvmlDevice_t, unsupported: nvmlDevice_t) {
    let state = |device, link| {
        let mut state = 7;
        (nvmlDeviceGetNvLinkState(device, link, &mut state), state)
    };
    assert_eq!(state(gpu, 0), (SUCCESS, nvmlEnableState_enum_NVML_FEATURE_ENABLED));
    assert_eq!(state(gpu, 1), (SUCCESS, nvmlEnableState_enum_NVML_FEATURE_ENABLED));
    assert_eq!(state(gpu, 2).0, NOT_SUPPORTED);
    assert_eq!(state(gpu, 18).0, INVALID_ARGUMENT);
    assert_eq!(state(old, 0).0, NOT_SUPPORTED);
    assert_eq!(state(unsupported, 0).0, NOT_SUPPORTED);

    // KiB since nvmlInit, exact at each slot's timestamp.
    let (tx, rx) = (NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX, NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX);
    let mut values =
        [field(tx, 0), field(rx, 0), field(tx, 1), field(tx, 5), field(NVML_FI_DEV_NVLINK_LINK_COUNT, 0), field(NVML_FI_DEV_ECC_CURRENT, 0)];
    assert_eq!(nvmlDeviceGetFieldValues(gpu, values.len() as i32, values.as_mut_ptr()), SUCCESS);
    let start = nvmlSimInitTimestampUs() as i64;
    for (slot, rate) in values[..3].iter().zip(["1024000", "2048000", LINK1_TX]) {
        let t = (slot.timestamp - start) as f64 / 1000.0;
        let kib = (schedule(rate).integral(t) / 1000.0 / 1024.0).floor() as u64;
        assert_eq!((slot.nvmlReturn, slot.valueType, slot.value.ullVal), (SUCCESS, nvmlValueType_enum_NVML_VALUE_TYPE_UNSIGNED_LONG_LONG, kib));
        assert!(kib > 0 || rate == LINK1_TX);
    }
    assert_eq!(values[3].nvmlReturn, NOT_SUPPORTED, "link 5 is not active");
    assert_eq!((values[4].nvmlReturn, values[4].value.uiVal), (SUCCESS, 2));
    assert_eq!(values[5].nvmlReturn, NOT_SUPPORTED, "a field the sim does not know");

    let mut values = [field(tx, 0), field(NVML_FI_DEV_NVLINK_LINK_COUNT, 0)];
    assert_eq!(nvmlDeviceGetFieldValues(old, 2, values.as_mut_ptr()), SUCCESS);
    assert_eq!((values[0].nvmlReturn, values[1].nvmlReturn, values[1].value.uiVal), (NOT_SUPPORTED, SUCCESS, 0));
    assert_eq!(nvmlDeviceGetFieldValues(unsupported, 2, values.as_mut_ptr()), SUCCESS);
    assert_eq!((values[0].nvmlReturn, values[1].nvmlReturn), (NOT_SUPPORTED, NOT_SUPPORTED));
    assert_eq!(nvmlDeviceGetFieldValues(gpu, -1, values.as_mut_ptr()), INVALID_ARGUMENT);
}
