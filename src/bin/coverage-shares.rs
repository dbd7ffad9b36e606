//! `coverage-shares`: which share of a libFuzzer target's coverage counters
//! (and of its compare callbacks) belongs to the kernel C, the model and the
//! harness, and how many of each the seeds reach (`make coverage-shares`;
//! src/coverage_shares.rs says how).
//!
//! By default it builds the target the way `swapdiff fuzz --no-sanitizer`
//! does (the build the bench's libFuzzer run uses) and measures it on the
//! stock seeds: corpus/seeds and corpus/regressions encoded afresh, as
//! `swapdiff seeds` does (fuzz/corpus grows with every fuzzing run, so it
//! would not give the same figures twice).

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use swapdiff::drive::build;
use swapdiff::drive::plan::{Args, Fuzzer, Plan};

#[derive(Parser)]
#[command(about = "Shares of a libFuzzer target's coverage counters: kernel C, model, harness")]
struct Cli {
    /// The fuzz target.
    #[arg(default_value = "swap_mte")]
    target: String,
    /// Measure this binary instead of building the target.
    #[arg(long)]
    binary: Option<PathBuf>,
    /// The inputs (default: the stock seeds, from corpus/seeds and corpus/regressions).
    #[arg(long)]
    seeds: Option<PathBuf>,
    /// Build with ASan, as `make fuzz` does (the counters are the same
    /// code's; the default is the bench's build, without it).
    #[arg(long)]
    sanitizer: bool,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("coverage-shares: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let root = swapdiff::variant::workspace();
    let args = Args {
        targets: vec![cli.target.clone()],
        engine: "libfuzzer".into(),
        jobs: 1,
        seconds: 1,
        build_only: true,
        no_sanitizer: !cli.sanitizer,
        ..Args::default()
    };
    let plan = Plan::new(&root, &args)?;
    let binary = match cli.binary {
        Some(b) => b,
        None => {
            eprintln!("coverage-shares: building {} ({} kernel) ...", cli.target, plan.variant);
            build::build(&plan, Fuzzer::LibFuzzer)?;
            plan.binary(Fuzzer::LibFuzzer, &cli.target)
        }
    };
    let scratch = std::env::temp_dir().join(format!("swapdiff-coverage-shares-{}", std::process::id()));
    let result = measure(&root, &scratch, &binary, cli.seeds, &cli.target);
    let _ = std::fs::remove_dir_all(&scratch);
    let (tally, count, from) = result?;
    println!("coverage shares of {} ({}), {count} inputs: {from}", cli.target, binary.display());
    print!("{}", tally.render());
    Ok(())
}

/// The tally of `binary` on `seeds` (default the stock seeds), how many
/// inputs that was, and what they were.
fn measure(
    root: &std::path::Path,
    scratch: &std::path::Path,
    binary: &std::path::Path,
    seeds: Option<PathBuf>,
    target: &str,
) -> Result<(swapdiff::coverage_shares::Tally, usize, String), String> {
    let (dir, from) = match seeds {
        Some(dir) => (dir.clone(), dir.display().to_string()),
        None => (stock_seeds(root, scratch, target)?, "the stock seeds (corpus/seeds, corpus/regressions)".into()),
    };
    let count = std::fs::read_dir(&dir).map(|d| d.flatten().count()).unwrap_or(0);
    if count == 0 {
        return Err(format!("no inputs in {}", dir.display()));
    }
    let tally = swapdiff::coverage_shares::measure(&binary.to_string_lossy(), &dir.to_string_lossy(), scratch)?;
    Ok((tally, count, from))
}

/// The stock seeds of `target`, written under `scratch`.
fn stock_seeds(root: &std::path::Path, scratch: &std::path::Path, target: &str) -> Result<PathBuf, String> {
    let programs = swapdiff::corpus::stock_programs(root)?;
    let out = scratch.join("seeds");
    swapdiff::corpus::write_binary_seeds(&programs, &out)?;
    Ok(out.join(target))
}
