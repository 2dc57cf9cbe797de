//! gpu-probe: checks the ORFEAS GPU sampler against the NVIDIA driver (run by
//! scripts/gpu-probe.sh, `npm run gpu:probe`). JSON on stdout, one line of error on stderr,
//! and an exit code the script branches on (see cli::USAGE): 3 means there is no driver.
mod checks;
mod cli;
mod driver;
mod fields;
mod latency;
mod report;
mod sample;
mod slice;

use cli::Command;
use driver::ProbeError;
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gpu-probe: {e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let json = match command {
        Command::Help => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("gpu-probe {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::Fields(args) => fields::run(&args).and_then(|r| to_json(&r)),
        Command::Sample(args) => sample::run(&args).and_then(|r| to_json(&r)),
    };
    match json.and_then(print) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gpu-probe: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<String, ProbeError> {
    serde_json::to_string_pretty(value).map_err(|e| ProbeError::Io(format!("cannot write JSON: {e}")))
}

fn print(json: String) -> Result<(), ProbeError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").and_then(|()| out.flush()).map_err(|e| ProbeError::Io(format!("cannot write to stdout: {e}")))
}
