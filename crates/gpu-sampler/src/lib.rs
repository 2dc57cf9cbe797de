//! gpu-sampler: one thread samples every GPU through NVML (loaded at run time) into ring
//! buffers, window statistics and exact integrals that readers copy without touching the
//! driver. The `napi` feature adds the Node binding (src/napi.rs).
pub mod calls;
pub mod device;
pub mod error_kind;
pub mod events;
pub mod field;
pub mod health;
pub mod history;
pub mod integral;
pub mod options;
pub mod processes;
pub mod raw;
pub mod reader;
pub mod reading;
pub mod ring;
pub mod sampler;
pub mod slow;
pub mod snapshot;
pub mod source;
pub mod start_error;
pub mod window;

#[cfg(feature = "napi")]
mod napi;

pub use options::SamplerOptions;
pub use sampler::Sampler;
pub use source::Source;
pub use start_error::StartError;
