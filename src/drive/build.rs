//! Building the fuzz targets of one kernel variant: `cargo +nightly fuzz
//! build -O` (libFuzzer, ASan) and `cargo afl build --release` (AFL++), each
//! in the variant's own target directory, with the build's output in a log
//! whose last lines are shown when it fails.
//!
//! The libFuzzer build passes `--no-trace-compares`: the Rust side (runner,
//! comparison, model, decoding) gets coverage counters but no compare
//! callbacks, while the kernel C keeps them (cshim's build compiles it with
//! `-fsanitize=fuzzer-no-link`, which includes trace-cmp, whatever cargo fuzz
//! does to rustc). Measured on swap_mte (issue 11), with them Rust's compare
//! callbacks took 18% of the perf samples (the kernel C's 25%) and a replay
//! of 1,328 inputs 20 times cost 11.8 CPU seconds against 6.8 without; 20 s
//! runs from the seeds reached as many kernel counters either way
//! (`make coverage-shares` shows whose code the counters and compares are).
//!
//! The builds run without SWAPDIFF_LEVEL: a value in the build's environment
//! is baked into the targets as their default (for OSS-Fuzz,
//! src/harness.rs), and changing it would rebuild the crate. The patches go
//! in through SWAPDIFF_PATCHES, read by cshim's build script.

use super::plan::{Fuzzer, Plan};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn cargo() -> Command {
    // Not $CARGO: under `cargo run` it is a toolchain's cargo binary, which
    // does not understand `+nightly`; the rustup proxy on PATH does.
    Command::new("cargo")
}

fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// The tools an engine needs, checked before anything is built.
pub fn check_tools(f: Fuzzer) -> Result<(), String> {
    let install = "scripts/install-deps.sh fuzz afl installs them; make fuzz and make afl do it first";
    match f {
        Fuzzer::LibFuzzer => {
            if !succeeds(cargo().args(["+nightly", "--version"])) {
                return Err(format!("the nightly toolchain is not installed (cargo +nightly fails; {install})"));
            }
            if !succeeds(cargo().args(["fuzz", "--version"])) {
                return Err(format!("cargo-fuzz is not installed (cargo fuzz fails; {install})"));
            }
        }
        Fuzzer::Afl => {
            if !succeeds(cargo().args(["afl", "--version"])) {
                return Err(format!("cargo-afl is not installed (cargo afl fails; {install})"));
            }
        }
    }
    Ok(())
}

/// The build command of `f` for `plan`'s variant.
pub fn command(plan: &Plan, f: Fuzzer) -> Command {
    let mut cmd = cargo();
    match f {
        Fuzzer::LibFuzzer => {
            cmd.current_dir(plan.root.join("fuzz")).args(["+nightly", "fuzz", "build", "-O", "--no-trace-compares"]);
            if !plan.sanitizer {
                cmd.args(["-s", "none"]);
            }
        }
        Fuzzer::Afl => {
            cmd.current_dir(plan.root.join("fuzz/afl")).args(["afl", "build", "--release"]);
        }
    }
    cmd.arg("--target-dir").arg(plan.target_dir(f));
    cmd.env_remove("SWAPDIFF_LEVEL");
    // The fuzz targets are stock or stock + the plan's patches (the variant key says so).
    cmd.env_remove("SWAPDIFF_BASE_PATCHES");
    // A 7.2 patch's targets are built on 7.2 (SWAPDIFF_KERNEL_SRC of the build; 6.12 comes in
    // as the companion); otherwise the user's SWAPDIFF_KERNEL_SRC, if any, is the kernel.
    if let Some((_, src)) = &plan.source {
        cmd.env("SWAPDIFF_KERNEL_SRC", src);
    }
    match std::env::join_paths(&plan.patches) {
        Ok(p) if !plan.patches.is_empty() => cmd.env("SWAPDIFF_PATCHES", p),
        _ => cmd.env_remove("SWAPDIFF_PATCHES"),
    };
    cmd
}

/// Builds every target of `f`; on failure the error holds the log's last
/// lines. Afterwards every planned target's binary must exist.
pub fn build(plan: &Plan, f: Fuzzer) -> Result<Duration, String> {
    check_tools(f)?;
    let log = plan.build_log(f);
    if let Some(dir) = log.parent() {
        super::make_dir(dir)?;
    }
    let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let start = Instant::now();
    let status = command(plan, f)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(25).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(format!(
            "the {} build failed ({status}); the last lines of {}:\n{}",
            f.name(),
            log.display(),
            tail.join("\n")
        ));
    }
    for t in &plan.targets {
        let bin = plan.binary(f, t);
        if !bin.is_file() {
            return Err(format!("the {} build made no binary for {t} ({} is missing)", f.name(), bin.display()));
        }
    }
    Ok(start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::plan::Args;

    fn plan(no_sanitizer: bool) -> Plan {
        let args = Args { engine: "all".into(), jobs: 1, build_only: true, no_sanitizer, ..Args::default() };
        Plan::new(&crate::variant::workspace(), &args).expect("a plan of the workspace's own targets")
    }

    fn args(cmd: &Command) -> Vec<String> {
        cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn the_libfuzzer_build_instruments_no_rust_compares_and_keeps_the_sanitizer_choice() {
        let with_asan = args(&command(&plan(false), Fuzzer::LibFuzzer));
        assert!(with_asan.iter().any(|a| a == "--no-trace-compares"), "{with_asan:?}");
        assert!(!with_asan.iter().any(|a| a == "-s"), "ASan is cargo fuzz's default: {with_asan:?}");
        let bench = args(&command(&plan(true), Fuzzer::LibFuzzer));
        assert!(bench.iter().any(|a| a == "--no-trace-compares"), "{bench:?}");
        assert!(bench.windows(2).any(|w| w == ["-s", "none"]), "{bench:?}");
        // cargo afl has no such option (its runtime's compare hooks return at once without CMPLOG).
        assert!(!args(&command(&plan(false), Fuzzer::Afl)).iter().any(|a| a.contains("trace-compares")));
    }
}
