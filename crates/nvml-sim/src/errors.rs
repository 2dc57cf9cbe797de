//! nvmlReturn_t codes: names for scenarios and the strings of nvmlErrorString.
use crate::scenario::ErrorCode;
use nvml_wrapper_sys::bindings::*;

const NAMES: [(nvmlReturn_t, &str, &std::ffi::CStr); 17] = [
    (nvmlReturn_enum_NVML_SUCCESS, "SUCCESS", c"Success"),
    (nvmlReturn_enum_NVML_ERROR_UNINITIALIZED, "UNINITIALIZED", c"Uninitialized"),
    (nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT, "INVALID_ARGUMENT", c"Invalid Argument"),
    (nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED, "NOT_SUPPORTED", c"Not Supported"),
    (nvmlReturn_enum_NVML_ERROR_NO_PERMISSION, "NO_PERMISSION", c"Insufficient Permissions"),
    (nvmlReturn_enum_NVML_ERROR_ALREADY_INITIALIZED, "ALREADY_INITIALIZED", c"Already Initialized"),
    (nvmlReturn_enum_NVML_ERROR_NOT_FOUND, "NOT_FOUND", c"Not Found"),
    (nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_SIZE, "INSUFFICIENT_SIZE", c"Insufficient Size"),
    (nvmlReturn_enum_NVML_ERROR_DRIVER_NOT_LOADED, "DRIVER_NOT_LOADED", c"Driver Not Loaded"),
    (nvmlReturn_enum_NVML_ERROR_TIMEOUT, "TIMEOUT", c"Timeout"),
    (nvmlReturn_enum_NVML_ERROR_LIBRARY_NOT_FOUND, "LIBRARY_NOT_FOUND", c"NVML Shared Library Not Found"),
    (nvmlReturn_enum_NVML_ERROR_FUNCTION_NOT_FOUND, "FUNCTION_NOT_FOUND", c"Function Not Found"),
    (nvmlReturn_enum_NVML_ERROR_GPU_IS_LOST, "GPU_IS_LOST", c"GPU is lost"),
    (nvmlReturn_enum_NVML_ERROR_LIB_RM_VERSION_MISMATCH, "LIB_RM_VERSION_MISMATCH", c"RM has detected an NVML/RM version mismatch."),
    (nvmlReturn_enum_NVML_ERROR_NO_DATA, "NO_DATA", c"No Data"),
    (nvmlReturn_enum_NVML_ERROR_NOT_READY, "NOT_READY", c"Not Ready"),
    (nvmlReturn_enum_NVML_ERROR_UNKNOWN, "UNKNOWN", c"Unknown Error"),
];

pub fn code_of(code: &ErrorCode) -> nvmlReturn_t {
    match code {
        ErrorCode::Code(c) => *c,
        ErrorCode::Name(name) => {
            let name = name.trim_start_matches("NVML_ERROR_");
            NAMES.iter().find(|(_, n, _)| *n == name).map_or(nvmlReturn_enum_NVML_ERROR_UNKNOWN, |(c, _, _)| *c)
        }
    }
}

pub fn message_of(code: nvmlReturn_t) -> &'static std::ffi::CStr {
    NAMES.iter().find(|(c, _, _)| *c == code).map_or(c"Unknown Error", |(_, _, m)| *m)
}
