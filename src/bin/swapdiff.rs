//! The swapdiff command line. Each subcommand is a thin shell over the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use swapdiff::engine::{kernel_version, patches_applied, KernelEngine, ModelEngine};
use swapdiff::findings::{FileOptions, Filed};
use swapdiff::input::load;
use swapdiff::program::Family;
use swapdiff::runner::{differential, Options};

fn variant() -> String {
    let p = patches_applied();
    if p.is_empty() {
        kernel_version().to_string()
    } else {
        format!("{} + {}", kernel_version(), p.join(" + "))
    }
}

fn describe(f: &Filed) -> String {
    match f {
        Filed::New { dir, signature, ops_before, ops_after } => {
            format!("new finding {signature}: {} ({ops_before} -> {ops_after} ops)", dir.display())
        }
        Filed::Seen { dir, signature, times } => format!("known finding {signature}: {} (seen {times} times)", dir.display()),
    }
}

/// Files every crash input under `dir`; one line per signature.
fn triage(dir: &std::path::Path, out: PathBuf, fam: Option<Family>, regressions: PathBuf) -> Result<ExitCode, String> {
    let mut files = vec![];
    collect(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    files.sort();
    let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
    let opts = FileOptions { minimize: true, regressions: Some(regressions), level: Default::default() };
    // signature -> (new?, inputs, minimal ops, dir)
    let mut table: std::collections::BTreeMap<String, (bool, usize, usize, PathBuf)> = Default::default();
    let mut agreeing = 0;
    for f in &files {
        let input = match load(f, fam) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("swapdiff triage: skipping {e}");
                continue;
            }
        };
        match swapdiff::findings::file(&mut model, &mut kernel, &input, &out, &opts)? {
            None => agreeing += 1,
            Some(Filed::New { dir, signature, ops_after, .. }) => {
                table.insert(signature, (true, 1, ops_after, dir));
            }
            Some(Filed::Seen { dir, signature, .. }) => {
                let minimal = std::fs::read_to_string(dir.join("program.txt"))
                    .ok()
                    .and_then(|t| swapdiff::program::parse(&t).ok())
                    .map_or(0, |p| p.ops.len());
                let e = table.entry(signature).or_insert((false, 0, minimal, dir));
                e.1 += 1;
            }
        }
    }
    println!("triage of {} ({} files, kernel {}): {} signatures, {} inputs without divergence", dir.display(), files.len(), variant(), table.len(), agreeing);
    for (sig, (new, n, ops, d)) in &table {
        println!("  {:<5} {:>4} inputs  {:>3} ops  {sig}  {}", if *new { "new" } else { "known" }, n, ops, d.display());
    }
    Ok(if table.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Crash files: every regular file except READMEs and hidden ones.
fn collect(dir: &std::path::Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with("README") {
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Parser)]
#[command(name = "swapdiff", version, about = "Differential fuzzing of the kernel swap-count and MTE code against a Rust model")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run inputs (text programs or fuzzer files) through both engines and print the trace.
    /// Exit 0: they agree; 1: a divergence; 2: an input is not usable.
    Replay {
        files: Vec<PathBuf>,
        /// Decode binary inputs for this target (default: guessed from the path, else swap_mte).
        #[arg(long)]
        target: Option<String>,
        /// One JSON object per file instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Reduce a diverging input to a small program with the same divergence signature.
    Minimize {
        file: PathBuf,
        /// Write the minimal program here (text form) instead of stdout.
        #[arg(short, long)]
        out: Option<PathBuf>,
        #[arg(long)]
        target: Option<String>,
    },
    /// File a diverging input as a finding: DIR/<signature>/ with README, program, input and repro.c.
    Report {
        file: PathBuf,
        /// Findings directory (default $SWAPDIFF_FINDINGS, else findings/).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        target: Option<String>,
        /// File the input as it is, without minimizing.
        #[arg(long)]
        no_minimize: bool,
        /// Where the regression entry goes.
        #[arg(long, default_value = "corpus/regressions")]
        regressions: PathBuf,
    },
    /// Report every crash file in a directory (libFuzzer artifacts/, AFL crashes/): one line per signature.
    Triage {
        dir: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        target: Option<String>,
        #[arg(long, default_value = "corpus/regressions")]
        regressions: PathBuf,
    },
    /// Check kernel patches: build the patched kernel, hunt for divergences
    /// from the model, file findings. Exit 0: none; 1: found and filed; 2: bad patch or usage.
    CheckPatch {
        #[arg(required = true)]
        patches: Vec<PathBuf>,
        /// Hunting time (each job runs this long).
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        /// Parallel hunting processes, each with its own seed.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// raw: compare everything; logical: counts, returns, events and tags, not encodings.
        #[arg(long, default_value = "raw")]
        level: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Hunt every known bug of corpus/known-bugs with 3 fixed seeds; write RESULTS.md.
    Hunt {
        #[arg(long, default_value = "corpus/known-bugs")]
        catalog: PathBuf,
        /// Budget per seed.
        #[arg(long, default_value_t = 120.0)]
        seconds: f64,
        /// Budget per seed for the stock kernel (which must show no divergence).
        #[arg(long, default_value_t = 120.0)]
        stock_seconds: f64,
    },
    /// (internal) Hunt in this build's kernel; one result line per event.
    #[command(hide = true)]
    HuntRun {
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        seconds: f64,
        #[arg(long, default_value = "raw")]
        level: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        stop_at_first: bool,
    },
    /// Convert the text corpus into binary seeds, one directory per fuzz target.
    Seeds {
        /// Directories of text programs (searched recursively). The known-bug
        /// catalog is not a seed source: its programs belong to patched kernels.
        #[arg(long, default_values = ["corpus/seeds", "corpus/regressions"])]
        from: Vec<PathBuf>,
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

fn family(target: &Option<String>) -> Result<Option<Family>, String> {
    match target {
        None => Ok(None),
        Some(t) => swapdiff::harness::target_family(t)
            .map(Some)
            .ok_or_else(|| format!("unknown target `{t}` (swap_counts, mte_tags, swap_mte)")),
    }
}

fn parse_level(s: &str) -> Result<swapdiff::compare::Level, String> {
    swapdiff::compare::Level::from_name(s).ok_or_else(|| format!("unknown level `{s}` (raw or logical)"))
}

fn check_patch(patches: &[PathBuf], seconds: f64, jobs: usize, level: &str, out: PathBuf) -> Result<ExitCode, String> {
    let level = parse_level(level)?;
    let patches: Vec<PathBuf> = patches
        .iter()
        .map(|p| std::fs::canonicalize(p).map_err(|e| format!("patch {}: {e}", p.display())))
        .collect::<Result<_, _>>()?;
    let bin = swapdiff::hunt::build_variant(&patches)?;
    let out = std::path::absolute(&out).map_err(|e| e.to_string())?;
    let seeds: Vec<u64> = (1..=jobs.max(1) as u64).collect();
    eprintln!("swapdiff: hunting for {seconds}s with {} job(s) at the {} level ...", seeds.len(), level.name());
    let results = swapdiff::hunt::run_variant(&bin, &seeds, seconds, level, false, jobs, &out)?;
    let programs: u64 = results.iter().map(|r| r.programs).sum();
    let mut sigs: Vec<&String> = results.iter().flat_map(|r| &r.signatures).collect();
    sigs.sort();
    sigs.dedup();
    if sigs.is_empty() {
        println!("no divergence in {programs} programs ({} level)", level.name());
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} divergence signature(s) in {programs} programs, filed in {}:", sigs.len(), out.display());
    for s in sigs {
        println!("  {s}  {}", out.join(swapdiff::findings::dir_name(s)).display());
    }
    Ok(ExitCode::FAILURE)
}

fn swapdiff_hunt(catalog: &std::path::Path, seconds: f64, stock_seconds: f64) -> Result<ExitCode, String> {
    let report = swapdiff::catalog::hunt_all(catalog, seconds, stock_seconds)?;
    print!("{}", report.table);
    let results = catalog.join("RESULTS.md");
    std::fs::write(&results, &report.markdown).map_err(|e| format!("{}: {e}", results.display()))?;
    println!("written to {}", results.display());
    Ok(if report.all_as_expected { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn findings_dir(out: Option<PathBuf>) -> PathBuf {
    out.or_else(|| std::env::var_os("SWAPDIFF_FINDINGS").map(PathBuf::from)).unwrap_or_else(|| PathBuf::from("findings"))
}

fn run(cmd: Cmd) -> Result<ExitCode, String> {
    match cmd {
        Cmd::Replay { files, target, json } => {
            let fam = family(&target)?;
            let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
            let mut diverged = false;
            for f in &files {
                let input = load(f, fam).map_err(|e| e.to_string())?;
                let run = differential(&mut model, &mut kernel, &input.program, Options { record: true, ..Options::default() });
                diverged |= run.divergence.is_some();
                if json {
                    println!("{}", swapdiff::trace::json(&run, &f.display().to_string()));
                } else {
                    println!("== {} (kernel {})
{}", f.display(), variant(), input.program);
                    print!("{}", swapdiff::trace::text(&run));
                    if let Some(d) = &run.divergence {
                        println!("\n{}", swapdiff::render::divergence(&run, d));
                    }
                }
            }
            Ok(if diverged { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Cmd::Minimize { file, out, target } => {
            let input = load(&file, family(&target)?).map_err(|e| e.to_string())?;
            let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
            let Some(m) = swapdiff::minimize::minimize(&mut model, &mut kernel, &input.program, Default::default()) else {
                eprintln!("swapdiff: {} does not diverge on kernel {}: nothing to minimize", file.display(), variant());
                return Ok(ExitCode::SUCCESS);
            };
            eprintln!("{}: {} ops -> {} ops ({} runs), signature {}", file.display(), m.before, m.after, m.runs, m.signature);
            let text = format!("# swapdiff minimized: {}\n{}", m.signature, m.program);
            match out {
                Some(o) => std::fs::write(&o, text).map_err(|e| format!("{}: {e}", o.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::FAILURE)
        }
        Cmd::Report { file, out, target, no_minimize, regressions } => {
            let input = load(&file, family(&target)?).map_err(|e| e.to_string())?;
            let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
            let opts = FileOptions { minimize: !no_minimize, regressions: Some(regressions), level: Default::default() };
            match swapdiff::findings::file(&mut model, &mut kernel, &input, &findings_dir(out), &opts)? {
                None => {
                    println!("{}: no divergence on kernel {}", file.display(), variant());
                    Ok(ExitCode::SUCCESS)
                }
                Some(filed) => {
                    println!("{}", describe(&filed));
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Cmd::CheckPatch { patches, seconds, jobs, level, out } => check_patch(&patches, seconds, jobs, &level, findings_dir(out)),
        Cmd::Hunt { catalog, seconds, stock_seconds } => swapdiff_hunt(&catalog, seconds, stock_seconds),
        Cmd::HuntRun { seed, seconds, level, out, stop_at_first } => {
            let level = parse_level(&level)?;
            let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
            let h = swapdiff::hunt::hunt(&mut model, &mut kernel, seed, Duration::from_secs_f64(seconds), level, stop_at_first);
            if let Some((sig, n, t)) = &h.first {
                println!("found {sig} programs {n} seconds {t:.3}");
            }
            println!("programs {} seconds {:.3}", h.programs, h.seconds);
            let opts = FileOptions { minimize: true, regressions: None, level };
            for f in &h.findings {
                let input = swapdiff::input::Input { program: f.program.clone(), bytes: None, family: Family::All };
                let filed = swapdiff::findings::file(&mut model, &mut kernel, &input, &out, &opts)?;
                let ops = match &filed {
                    Some(Filed::New { ops_after, .. }) => *ops_after,
                    _ => 0,
                };
                println!("finding {} ops {ops}", f.signature);
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Triage { dir, out, target, regressions } => triage(&dir, findings_dir(out), family(&target)?, regressions),
        Cmd::Seeds { from, out } => {
            let mut programs = vec![];
            for dir in &from {
                programs.extend(swapdiff::corpus::text_programs(dir)?);
            }
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
