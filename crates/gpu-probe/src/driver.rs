//! Loading NVML as the sampler does, and why the probe stops: no driver (exit 3, the normal
//! state of a machine without a GPU) is told apart from a driver that is there but fails (4).
use gpu_sampler::{SamplerOptions, Source, StartError};
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::Nvml;
use std::ffi::{OsStr, OsString};

#[derive(Debug)]
pub enum ProbeError {
    /// NVML could not be loaded, or it loaded and says the driver is not.
    NoDriver(String),
    /// NVML loaded but failed: nvmlInit, listing the GPUs, or starting the sampler.
    Nvml(String),
    /// The command line asked for something the sampler refuses.
    Usage(String),
    /// The output could not be written.
    Io(String),
}

impl ProbeError {
    pub fn exit_code(&self) -> u8 {
        match self {
            ProbeError::Io(_) => 1,
            ProbeError::Usage(_) => 2,
            ProbeError::NoDriver(_) => 3,
            ProbeError::Nvml(_) => 4,
        }
    }

    pub fn from_start(e: StartError) -> ProbeError {
        match e {
            StartError::Load { library, source } => no_driver_load(&library, &source),
            StartError::Init { library, call, source: NvmlError::DriverNotLoaded } => no_driver_init(&library, call),
            StartError::Options { .. } => ProbeError::Usage(e.to_string()),
            other => ProbeError::Nvml(format!("the sampler did not start: {other}")),
        }
    }
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::NoDriver(m) | ProbeError::Nvml(m) | ProbeError::Usage(m) | ProbeError::Io(m) => f.write_str(m),
        }
    }
}

fn no_driver_load(library: &str, source: &dyn std::fmt::Display) -> ProbeError {
    ProbeError::NoDriver(format!("no NVIDIA driver ({library} could not be loaded: {source})"))
}

fn no_driver_init(library: &str, call: &str) -> ProbeError {
    ProbeError::NoDriver(format!("no NVIDIA driver ({library} loaded, but {call} says the driver is not loaded)"))
}

/// The library the sampler would load with this option: the option, else ORFEAS_NVML_LIBRARY,
/// else libnvidia-ml.so.1.
pub fn resolved_library(library: Option<&OsString>) -> OsString {
    SamplerOptions { library_path: library.cloned(), ..Default::default() }.resolved_library()
}

/// nvmlInit_v2 on `library`, errors sorted into no driver and failing driver.
pub fn open(library: &OsStr) -> Result<Nvml, ProbeError> {
    let shown = library.to_string_lossy();
    Nvml::builder().lib_path(library).init().map_err(|e| match e {
        NvmlError::LibloadingError(source) => no_driver_load(&shown, &source),
        NvmlError::DriverNotLoaded => no_driver_init(&shown, "nvmlInit"),
        other => ProbeError::Nvml(format!("NVML ({shown}) could not be initialized: nvmlInit failed with {other}")),
    })
}

/// "nvml" for the NVIDIA driver, "sim" for nvml-sim (the catalog's GPU_SOURCES).
pub fn source_name(source: Source) -> &'static str {
    match source {
        Source::Nvml => "nvml",
        Source::Sim => "sim",
    }
}

/// A Rust variant name as the snake_case the sampler's JavaScript names use: `PowerLimit` ->
/// `power_limit` (Field, ErrorKind, EnergySource).
pub fn snake(value: &impl std::fmt::Debug) -> String {
    let name = format!("{value:?}");
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_sampler::field::Field;

    #[test]
    fn names_are_snake_case() {
        assert_eq!(snake(&Field::PowerLimit), "power_limit");
        assert_eq!(snake(&Field::Utilization), "utilization");
        assert_eq!(snake(&NvmlError::NotSupported), "not_supported");
    }

    #[test]
    fn a_missing_library_is_no_driver() {
        let e = open(OsStr::new("/no/such/libnvidia-ml.so.1")).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().starts_with("no NVIDIA driver (/no/such/libnvidia-ml.so.1 could not be loaded: "), "{e}");
    }
}
