//! nvml-sim: simulated GPUs behind NVML's C ABI (libnvml_sim.so). Clients load it exactly as
//! they load libnvidia-ml.so.1; devices and values come from the scenario in
//! NVML_SIM_SCENARIO (see README.md).
pub mod api;
pub mod errors;
pub mod handles;
pub mod scenario;
pub mod schedule;
pub mod session;
