//! Where readings come from: the NVIDIA driver, or nvml-sim. The simulator says so through a
//! symbol NVML does not have (`nvmlSimIdentify`), so simulated telemetry is labelled as such
//! however the sampler was pointed at it (ORFEAS_GPU=sim, or ORFEAS_NVML_LIBRARY).
use std::ffi::OsStr;
use std::os::raw::c_char;

/// Where readings come from, as the catalog's GPU_SOURCES: "nvml" for the NVIDIA driver, "sim"
/// for nvml-sim's simulated GPUs (which says so itself, however it was loaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case", js_name = "GpuSource"))]
pub enum Source {
    /// The NVIDIA driver's libnvidia-ml.
    Nvml,
    /// nvml-sim's simulated GPUs.
    Sim,
}

impl Source {
    /// The source of the NVML library at `library`, which nvml-wrapper has loaded already:
    /// opening it again only takes another reference to the same mapping.
    pub fn of_library(library: &OsStr) -> Source {
        // SAFETY: the library is loaded already, so no initializer runs again; the symbol is
        // only looked up, never called.
        let Ok(lib) = (unsafe { libloading::Library::new(library) }) else { return Source::Nvml };
        let marked = unsafe { lib.get::<unsafe extern "C" fn() -> *const c_char>(b"nvmlSimIdentify\0") }.is_ok();
        if marked {
            Source::Sim
        } else {
            Source::Nvml
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_library_without_the_marker_is_the_driver() {
        // Any loaded library without nvmlSimIdentify reads as the driver; the C library is always there.
        assert_eq!(Source::of_library(OsStr::new("libc.so.6")), Source::Nvml);
        assert_eq!(Source::of_library(OsStr::new("/no/such/libnvidia-ml.so.1")), Source::Nvml);
    }
}
