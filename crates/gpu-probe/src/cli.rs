//! The command line: `gpu-probe [--library PATH] fields|sample [flags]`, parsed by hand (a few
//! flags, no dependency), each bad value named with what is allowed.
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
usage: gpu-probe [--library PATH] <command> [flags]

Checks the ORFEAS GPU sampler against the NVIDIA driver. Prints JSON on stdout.

commands:
  fields   every NVML call the sampler makes, per GPU: supported or the error, and its latency
           --calls N          calls timed per NVML function (default 100)
           --budget-ms MS     at most this long per function (default 1000)
  sample   runs the sampler and checks what it read
           --interval-ms MS   sampling interval, 1 to 3600000 (required)
           --seconds S        length of the checked window (default 10)
           --warmup-seconds S sampling before the window opens (default 1)
           --poll-ms MS       how often the probe drains the sampler (default 50)
           --ring-size N      readings kept per GPU (default: enough for 20 polls)
           --series PATH      also write every reading to PATH, one JSON object a line

options:
  --library PATH   the NVML library (default: ORFEAS_NVML_LIBRARY, else libnvidia-ml.so.1)
  -h, --help       this text
  -V, --version    the version

exit codes:
  0  done (JSON on stdout)
  1  the output could not be written
  2  bad command line
  3  no NVIDIA driver: NVML could not be loaded, or it says the driver is not loaded
  4  NVML loaded but failed (nvmlInit, listing the GPUs, or the sampler did not start)
";

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    Version,
    Fields(FieldsArgs),
    Sample(SampleArgs),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldsArgs {
    pub library: Option<OsString>,
    pub calls: usize,
    pub budget: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SampleArgs {
    pub library: Option<OsString>,
    pub interval: Duration,
    pub seconds: f64,
    pub warmup_seconds: f64,
    pub poll: Duration,
    pub ring_size: Option<usize>,
    pub series: Option<PathBuf>,
}

/// A command line that cannot run, with what was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The flags after the program name: `--flag value` or `--flag=value`.
pub fn parse(args: &[OsString]) -> Result<Command, UsageError> {
    let mut library: Option<OsString> = None;
    let mut command: Option<String> = None;
    let mut flags: Vec<(String, Option<OsString>)> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let text = arg.to_string_lossy();
        match text.as_ref() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            _ => {}
        }
        if let Some(flag) = text.strip_prefix("--") {
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(OsString::from(value))),
                None => (flag.to_string(), None),
            };
            let value = match inline {
                Some(v) => v,
                None => rest.next().cloned().ok_or_else(|| UsageError(format!("--{name} needs a value")))?,
            };
            if name == "library" {
                library = Some(value);
            } else {
                flags.push((name, Some(value)));
            }
        } else if command.is_none() {
            command = Some(text.into_owned());
        } else {
            return Err(UsageError(format!("unexpected argument '{text}'")));
        }
    }
    let mut flags = Flags(flags);
    let command = match command.as_deref() {
        None => return Err(UsageError("a command is needed: fields or sample".into())),
        Some("fields") => Command::Fields(FieldsArgs {
            library,
            calls: flags.number("calls", 1.0, 100_000.0, "an integer from 1 to 100000")?.map_or(100, |n| n as usize),
            budget: ms(flags.number("budget-ms", 1.0, 600_000.0, "a number from 1 to 600000")?.unwrap_or(1000.0)),
        }),
        Some("sample") => Command::Sample(SampleArgs {
            library,
            interval: ms(flags
                .number("interval-ms", 1.0, 3_600_000.0, "a number from 1 to 3600000")?
                .ok_or_else(|| UsageError("sample needs --interval-ms (1 to 3600000)".into()))?),
            seconds: flags.number("seconds", 0.1, 3600.0, "a number from 0.1 to 3600")?.unwrap_or(10.0),
            warmup_seconds: flags.number("warmup-seconds", 0.0, 600.0, "a number from 0 to 600")?.unwrap_or(1.0),
            poll: ms(flags.number("poll-ms", 1.0, 10_000.0, "a number from 1 to 10000")?.unwrap_or(50.0)),
            ring_size: flags.number("ring-size", 1.0, 10_000_000.0, "an integer from 1 to 10000000")?.map(|n| n as usize),
            series: flags.take("series").map(PathBuf::from),
        }),
        Some(other) => return Err(UsageError(format!("unknown command '{other}': fields or sample"))),
    };
    if let Some((name, _)) = flags.0.first() {
        return Err(UsageError(format!("unknown flag --{name} for this command")));
    }
    Ok(command)
}

fn ms(value: f64) -> Duration {
    Duration::from_secs_f64(value / 1000.0)
}

struct Flags(Vec<(String, Option<OsString>)>);

impl Flags {
    fn take(&mut self, name: &str) -> Option<OsString> {
        let at = self.0.iter().position(|(n, _)| n == name)?;
        self.0.remove(at).1
    }

    fn number(&mut self, name: &str, min: f64, max: f64, allowed: &str) -> Result<Option<f64>, UsageError> {
        let Some(raw) = self.take(name) else { return Ok(None) };
        let text = raw.to_string_lossy();
        let integer = allowed.starts_with("an integer");
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= min && v <= max && (!integer || v.fract() == 0.0) => Ok(Some(v)),
            _ => Err(UsageError(format!("--{name} must be {allowed}, got '{text}'"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn sample_takes_its_flags_in_either_form_and_the_library_anywhere() {
        let Command::Sample(s) = parse(&args("sample --interval-ms=1 --seconds 2.5 --library /x/libnvml.so --series out.jsonl")).unwrap() else {
            panic!("not sample")
        };
        assert_eq!(s.interval, Duration::from_millis(1));
        assert_eq!(s.seconds, 2.5);
        assert_eq!(s.library, Some(OsString::from("/x/libnvml.so")));
        assert_eq!(s.series, Some(PathBuf::from("out.jsonl")));
        assert_eq!(s.poll, Duration::from_millis(50));
    }

    #[test]
    fn bad_values_are_named_with_what_is_allowed() {
        assert_eq!(parse(&args("sample --interval-ms 0.5")), Err(UsageError("--interval-ms must be a number from 1 to 3600000, got '0.5'".into())));
        assert_eq!(parse(&args("sample")), Err(UsageError("sample needs --interval-ms (1 to 3600000)".into())));
        assert_eq!(parse(&args("fields --calls 2.5")), Err(UsageError("--calls must be an integer from 1 to 100000, got '2.5'".into())));
        assert_eq!(parse(&args("fields --interval-ms 1")), Err(UsageError("unknown flag --interval-ms for this command".into())));
        assert_eq!(parse(&args("watch")), Err(UsageError("unknown command 'watch': fields or sample".into())));
        assert_eq!(parse(&args("fields --calls")), Err(UsageError("--calls needs a value".into())));
        assert_eq!(parse(&args("")), Err(UsageError("a command is needed: fields or sample".into())));
    }

    #[test]
    fn fields_defaults() {
        assert_eq!(parse(&args("fields")), Ok(Command::Fields(FieldsArgs { library: None, calls: 100, budget: Duration::from_secs(1) })));
        assert_eq!(parse(&args("fields --help")), Ok(Command::Help));
    }
}
