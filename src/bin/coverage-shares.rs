//! `coverage-shares`: which share of a libFuzzer target's coverage counters
//! (and of its compare callbacks) belongs to the kernel C, the model and the
//! harness, and how many of each the seeds reach (`make coverage-shares`;
//! src/coverage_shares.rs says how).
//!
//! By default it builds the target the way `swapdiff fuzz --no-sanitizer`
//! does (the build the bench's libFuzzer run uses) and measures it on the
//! target's seeds in fuzz/corpus.

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
    /// The inputs (default fuzz/corpus/<target>, from `make seeds`).
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
    let seeds = cli.seeds.unwrap_or_else(|| plan.seeds(&cli.target));
    let count = std::fs::read_dir(&seeds).map(|d| d.flatten().count()).unwrap_or(0);
    if count == 0 {
        return Err(format!("no seeds in {} (make seeds writes them)", seeds.display()));
    }
    let scratch = std::env::temp_dir().join(format!("swapdiff-coverage-shares-{}", std::process::id()));
    let tally = swapdiff::coverage_shares::measure(&binary.to_string_lossy(), &seeds.to_string_lossy(), &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let tally = tally?;
    println!("coverage shares of {} ({}), {count} seeds from {}:", cli.target, binary.display(), seeds.display());
    print!("{}", tally.render());
    Ok(())
}
