//! NVML errors as a bounded set of kinds: the `error` label of `gpu_sampler_errors_total`.
use nvml_wrapper::error::NvmlError;

/// An NVML error (nvmlReturn_t) as the `error` label of gpu_sampler_errors_total; "other" for
/// one without a kind of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case", js_name = "GpuErrorKind"))]
pub enum ErrorKind {
    NotSupported,
    GpuLost,
    Uninitialized,
    InvalidArgument,
    NoPermission,
    NotFound,
    InsufficientSize,
    InsufficientPower,
    DriverNotLoaded,
    Timeout,
    IrqIssue,
    LibraryNotFound,
    FunctionNotFound,
    CorruptedInforom,
    ResetRequired,
    OperatingSystem,
    LibRmVersionMismatch,
    InUse,
    InsufficientMemory,
    NoData,
    Unknown,
    /// An error nvml-wrapper knows that has no kind of its own here.
    Other,
}

pub fn error_kind(e: &NvmlError) -> ErrorKind {
    match e {
        NvmlError::NotSupported => ErrorKind::NotSupported,
        NvmlError::GpuLost => ErrorKind::GpuLost,
        NvmlError::Uninitialized => ErrorKind::Uninitialized,
        NvmlError::InvalidArg => ErrorKind::InvalidArgument,
        NvmlError::NoPermission => ErrorKind::NoPermission,
        NvmlError::NotFound => ErrorKind::NotFound,
        NvmlError::InsufficientSize(_) => ErrorKind::InsufficientSize,
        NvmlError::InsufficientPower => ErrorKind::InsufficientPower,
        NvmlError::DriverNotLoaded => ErrorKind::DriverNotLoaded,
        NvmlError::Timeout => ErrorKind::Timeout,
        NvmlError::IrqIssue => ErrorKind::IrqIssue,
        NvmlError::LibraryNotFound => ErrorKind::LibraryNotFound,
        NvmlError::FunctionNotFound | NvmlError::FailedToLoadSymbol(_) => ErrorKind::FunctionNotFound,
        NvmlError::CorruptedInfoROM => ErrorKind::CorruptedInforom,
        NvmlError::ResetRequired => ErrorKind::ResetRequired,
        NvmlError::OperatingSystem => ErrorKind::OperatingSystem,
        NvmlError::LibRmVersionMismatch => ErrorKind::LibRmVersionMismatch,
        NvmlError::InUse => ErrorKind::InUse,
        NvmlError::InsufficientMemory => ErrorKind::InsufficientMemory,
        NvmlError::NoData => ErrorKind::NoData,
        NvmlError::Unknown => ErrorKind::Unknown,
        _ => ErrorKind::Other,
    }
}
