//! Why a sampler did not start, in the manner of nvml-wrapper's error.rs: one variant per
//! cause with one message each, the underlying error kept as the source. Callers branch on the
//! variant (the Node binding turns it into the error's `code`); people read the message.
use nvml_wrapper::error::NvmlError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StartError {
    /// An option is out of range.
    #[error("{option} must be {allowed}, got {got}")]
    Options { option: &'static str, allowed: &'static str, got: String },
    /// The NVML library could not be loaded: no NVIDIA driver on this host, or a wrong path.
    #[error("the NVML library {library} could not be loaded: {source}")]
    Load {
        library: String,
        #[source]
        source: libloading::Error,
    },
    /// NVML loaded but did not come up (nvmlInit, or listing the devices, failed).
    #[error("NVML ({library}) could not be initialized: {call} failed with {source}")]
    Init {
        library: String,
        call: &'static str,
        #[source]
        source: NvmlError,
    },
    /// The operating system refused the sampling thread.
    #[error("cannot start the sampling thread: {0}")]
    Thread(#[source] std::io::Error),
}
