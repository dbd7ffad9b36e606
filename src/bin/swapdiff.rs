//! The swapdiff command line. Each subcommand is a thin shell over the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use swapdiff::engine::{KernelEngine, ModelEngine};

#[derive(Parser)]
#[command(name = "swapdiff", version, about = "Differential fuzzing of the kernel swap-count and MTE code against a Rust model")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Convert the text corpus into binary seeds, one directory per fuzz target.
    Seeds {
        /// Text programs (searched recursively).
        #[arg(long, default_value = "corpus")]
        from: PathBuf,
        #[arg(long, default_value = "fuzz/corpus")]
        out: PathBuf,
    },
    /// A deterministic campaign of generated programs through both engines.
    Campaign {
        #[arg(long, default_value_t = 20_000)]
        programs: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Executions per second: kernel only, model only and differential.
    Bench {
        /// Minimum seconds per measurement.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        #[arg(long, default_value_t = 500)]
        programs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.cmd) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("swapdiff: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cmd: Cmd) -> Result<ExitCode, String> {
    match cmd {
        Cmd::Seeds { from, out } => {
            let programs = swapdiff::corpus::text_programs(&from)?;
            for (target, n) in swapdiff::corpus::write_binary_seeds(&programs, &out)? {
                println!("{target}: {n} seeds in {}", out.join(target).display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Campaign { programs, seed } => {
            let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
            println!("kernel {}; {programs} programs from seed {seed}", swapdiff::engine::kernel_version());
            let c = swapdiff::campaign::run(&mut model, &mut kernel, seed, programs);
            print!("{}", c.tally.render());
            println!("{} steps, {} divergences", c.steps, c.findings.len());
            for f in &c.findings {
                println!("\n{}\nprogram:\n{}", f.report, f.program);
            }
            Ok(if c.findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Cmd::Bench { seconds, programs } => {
            let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
            let set = swapdiff::bench::programs(programs);
            let r = swapdiff::bench::measure(&mut model, &mut kernel, &set, Duration::from_secs_f64(seconds));
            println!("kernel {}; {programs} generated programs (seed 0x5eed)", swapdiff::engine::kernel_version());
            println!("  kernel only   {:>10.0} programs/s", r.kernel_only);
            println!("  model only    {:>10.0} programs/s", r.model_only);
            println!("  differential  {:>10.0} programs/s", r.differential);
            println!("  differential / kernel-only = {:.2}", r.ratio());
            Ok(ExitCode::SUCCESS)
        }
    }
}
