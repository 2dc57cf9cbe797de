//! The NVML calls nvml-wrapper 0.13 does not wrap, made through its loaded library: remapped
//! rows, field values with a scope (per NVLink), and a MIG instance's ids. A library without
//! the symbol answers FunctionNotFound, which switches the field off like NotSupported.
#![allow(non_upper_case_globals)] // nvml.h's constant names, as bindgen wrote them
use crate::health::{NvlinkBytes, RemappedRows};
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, Nvml};
use nvml_wrapper_sys::bindings::field_id::{NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX, NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX};
use nvml_wrapper_sys::bindings::*;
use std::os::raw::c_uint;

fn check(code: nvmlReturn_t) -> Result<(), NvmlError> {
    if code == nvmlReturn_enum_NVML_SUCCESS {
        Ok(())
    } else {
        Err(NvmlError::from(code))
    }
}

fn symbol<T>(s: &Result<T, libloading::Error>) -> Result<&T, NvmlError> {
    s.as_ref().map_err(|_| NvmlError::FunctionNotFound)
}

pub fn remapped_rows(nvml: &Nvml, device: &Device) -> Result<RemappedRows, NvmlError> {
    let call = symbol(&nvml.lib().nvmlDeviceGetRemappedRows)?;
    let (mut corr, mut unc, mut pending, mut failed): (c_uint, c_uint, c_uint, c_uint) = (0, 0, 0, 0);
    // SAFETY: the handle is this library's; the out pointers are valid for one write each.
    check(unsafe { call(device.handle(), &mut corr, &mut unc, &mut pending, &mut failed) })?;
    Ok(RemappedRows { correctable: corr.into(), uncorrectable: unc.into(), pending: pending != 0, failed: failed != 0 })
}

/// A MIG device's GPU instance id and compute instance id.
pub fn mig_instance_ids(nvml: &Nvml, device: &Device) -> Result<(u32, u32), NvmlError> {
    let lib = nvml.lib();
    let (gi, ci) = (symbol(&lib.nvmlDeviceGetGpuInstanceId)?, symbol(&lib.nvmlDeviceGetComputeInstanceId)?);
    let (mut g, mut c): (c_uint, c_uint) = (0, 0);
    // SAFETY: as above.
    unsafe {
        check(gi(device.handle(), &mut g))?;
        check(ci(device.handle(), &mut c))?;
    }
    Ok((g, c))
}

fn unsigned(v: &nvmlFieldValue_t) -> Option<f64> {
    // SAFETY: the union member read is the one valueType names.
    unsafe {
        match v.valueType {
            nvmlValueType_enum_NVML_VALUE_TYPE_DOUBLE => Some(v.value.dVal),
            nvmlValueType_enum_NVML_VALUE_TYPE_UNSIGNED_INT => Some(v.value.uiVal as f64),
            nvmlValueType_enum_NVML_VALUE_TYPE_UNSIGNED_LONG => Some(v.value.ulVal as f64),
            nvmlValueType_enum_NVML_VALUE_TYPE_UNSIGNED_LONG_LONG => Some(v.value.ullVal as f64),
            nvmlValueType_enum_NVML_VALUE_TYPE_SIGNED_LONG_LONG => Some(v.value.sllVal as f64),
            nvmlValueType_enum_NVML_VALUE_TYPE_SIGNED_INT => Some(v.value.siVal as f64),
            _ => None,
        }
    }
}

/// Data bytes over each of `links` since the driver loaded (NVML counts KiB).
pub fn nvlink_bytes(nvml: &Nvml, device: &Device, links: &[u32]) -> Result<Vec<NvlinkBytes>, NvmlError> {
    let call = symbol(&nvml.lib().nvmlDeviceGetFieldValues)?;
    let mut values: Vec<nvmlFieldValue_t> = links
        .iter()
        .flat_map(|&link| {
            [NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX, NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX].map(|id| {
                // SAFETY: nvmlFieldValue_t is plain data; all zeroes is a valid request.
                let mut v: nvmlFieldValue_t = unsafe { std::mem::zeroed() };
                v.fieldId = id;
                v.scopeId = link;
                v
            })
        })
        .collect();
    // SAFETY: `values` holds valuesCount requests.
    check(unsafe { call(device.handle(), values.len() as i32, values.as_mut_ptr()) })?;
    values
        .chunks(2)
        .zip(links)
        .map(|(pair, &link)| {
            let kib = |v: &nvmlFieldValue_t| {
                check(v.nvmlReturn)?;
                unsigned(v).ok_or(NvmlError::Unknown)
            };
            Ok(NvlinkBytes { link, tx: kib(&pair[0])? * 1024.0, rx: kib(&pair[1])? * 1024.0 })
        })
        .collect()
}
