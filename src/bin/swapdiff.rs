//! The swapdiff command line. Each subcommand is a thin shell over the library.

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use swapdiff::engine::{kernel_version, patches_applied, KernelEngine, ModelEngine};
use swapdiff::findings::{FileOptions, Filed};
use swapdiff::input::load;
use swapdiff::interrupt::Interrupt;
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
        Filed::New { dir, signature, ops_before, ops_after, verdict } => {
            let verdict = verdict.map(|v| format!(", {v}")).unwrap_or_default();
            format!("new finding {signature}: {} ({ops_before} -> {ops_after} ops{verdict})", dir.display())
        }
        Filed::Seen { dir, signature, times } => {
            format!("known finding {signature}: {} (seen {times} times)", dir.display())
        }
    }
}

#[derive(Parser)]
#[command(
    name = "swapdiff",
    version,
    about = "Differential fuzzing of the kernel swap-count and MTE code against a Rust model"
)]
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
        /// The build under test alone against the spec (no second engine).
        #[arg(long)]
        spec: bool,
    },
    /// Run a concurrent program (setup ops, then `cpuN op` lines; src/interleave/text.rs) on
    /// simulated CPUs and check every run for linearizability: against the spec on 6.12,
    /// against the build's own sequential orders on 7.x (--series). With a `schedule` line:
    /// replay that schedule. Exit 0: no violation; 1: a violation (printed
    /// with the schedule that replays it); 2: not judged or not usable.
    Interleave {
        /// The program (not with --hunt).
        file: Option<PathBuf>,
        /// Instead of a file: generated programs for this many seconds (stops at the first
        /// violation, minimized).
        #[arg(long)]
        hunt: Option<f64>,
        /// Explore every schedule with at most this many preemptions (the default: 2).
        #[arg(long)]
        preemptions: Option<usize>,
        /// Stop the exhaustive walk after this many schedules.
        #[arg(long, default_value_t = 1_000_000)]
        max_schedules: usize,
        /// Instead: this many PCT schedules.
        #[arg(long)]
        pct: Option<usize>,
        /// PCT's bug depth (priority change points + 1).
        #[arg(long, default_value_t = 3)]
        depth: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// On a violation, write the standalone C reproducer here (the same yield points).
        #[arg(long)]
        repro: Option<PathBuf>,
        /// The series: 6.12 (judged by the spec), or 7.x / 7.2 / 7.3, the binary's 7.x build
        /// (7.x ops, src/interleave/op72.rs; judged against the build's sequential orders).
        #[arg(long, default_value = "6.12")]
        series: String,
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
    /// With --mail, FILE is a finding directory and its mail body is printed instead.
    Report {
        file: PathBuf,
        /// Print the finding FILE (a directory) as a plain-text mail body for a review thread.
        #[arg(long)]
        mail: bool,
        /// Findings directory (default $SWAPDIFF_FINDINGS, else findings/).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        target: Option<String>,
        /// File the input as it is, without minimizing.
        #[arg(long)]
        no_minimize: bool,
        /// Bound of the minimization (the smallest program so far is filed).
        #[arg(long, default_value_t = 60.0)]
        minimize_seconds: f64,
        /// Also add the regression entry (always in the finding as regression.txt) to this
        /// directory, which cargo test replays (default corpus/regressions).
        #[arg(long, num_args = 0..=1, default_missing_value = "corpus/regressions")]
        add_regressions: Option<PathBuf>,
        /// The comparison level (raw or logical).
        #[arg(long, default_value = "raw")]
        level: String,
    },
    /// Write a finding's reproducer as a self-contained directory (repro.c, the kernel C of the
    /// finding's build, the shim, a Makefile; relative paths only): `make && ./repro` there, on any
    /// machine with clang. Exit 2: the finding or DIR is not usable, or its build is not at hand.
    Export {
        finding: PathBuf,
        /// Where to write it (default FINDING/export); must not exist, or be empty.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Report every crash file in a directory (libFuzzer artifacts/, AFL crashes/), each replayed
    /// in its own process: one line per signature. An input that crashes, hangs or trips a
    /// sanitizer in the replay is filed with that class. Exit 0 only when nothing was filed.
    Triage {
        dir: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        target: Option<String>,
        /// Bound of each input's minimization.
        #[arg(long, default_value_t = 60.0)]
        minimize_seconds: f64,
        /// Also add regression entries (always in each finding as regression.txt) to this
        /// directory (default corpus/regressions).
        #[arg(long, num_args = 0..=1, default_missing_value = "corpus/regressions")]
        add_regressions: Option<PathBuf>,
        /// The comparison level the inputs were found at (raw or logical).
        #[arg(long, default_value = "raw")]
        level: String,
    },
    /// Check kernel patches: build the patched kernel (C under ASan+UBSan), hunt for divergences
    /// from the model, crashes, hangs and sanitizer reports, file findings. Exit 0: none; 1: found
    /// and filed; 2: bad patch or usage; 130: interrupted with nothing found.
    CheckPatch {
        #[arg(required = true)]
        patches: Vec<PathBuf>,
        /// A patch the stock side applies too (repeatable; SWAPDIFF_BASE_PATCHES): the
        /// patches are checked on top of it (e.g. a fix of a bug the base plants).
        #[arg(long)]
        base: Vec<PathBuf>,
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
        /// Build the kernel C without ASan/UBSan (faster; memory errors may go unseen).
        #[arg(long)]
        no_sanitize: bool,
        /// Bound of the filing after the hunt (minimization of what was found).
        #[arg(long, default_value_t = 60.0)]
        minimize_seconds: f64,
        /// The kernel series the patch is for (6.12 or 7.2); default: the one whose source it
        /// applies to. A 7.2 patch is checked at the caller level: stock 7.2 against patched
        /// 7.2, the caller-level spec judging.
        #[arg(long)]
        series: Option<String>,
        /// Also hunt concurrent programs (`swapdiff interleave --hunt`) on the patched build for
        /// the same time, on the patch's series (a 7.2 patch: `--series 7.x`).
        #[arg(long)]
        interleave: bool,
    },
    /// Hunt every known bug of corpus/known-bugs with 3 fixed seeds; write RESULTS.md. With
    /// --spec: hunt stock C against the spec alone (bugs already in the kernel), file what it
    /// finds (verdict latent); exit codes as check-patch's.
    Hunt {
        #[arg(long, default_value = "corpus/known-bugs")]
        catalog: PathBuf,
        /// Budget per seed (with --spec: per job).
        #[arg(long, default_value_t = 120.0)]
        seconds: f64,
        /// Budget per seed for the stock kernel (which must show no divergence).
        #[arg(long, default_value_t = 120.0)]
        stock_seconds: f64,
        /// Seeds 1..=N per entry.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=64))]
        seeds: u64,
        /// Where the results table goes (default CATALOG/RESULTS.md).
        #[arg(long)]
        results: Option<PathBuf>,
        /// Stock C against the spec alone, instead of the catalog.
        #[arg(long)]
        spec: bool,
        /// With --spec: parallel workers (seeds 1..=N).
        #[arg(long, default_value_t = 1)]
        jobs: usize,
        /// With --spec: where findings go (default `findings`, or $SWAPDIFF_FINDINGS).
        #[arg(long)]
        out: Option<PathBuf>,
        /// With --spec: the kernel C without ASan/UBSan.
        #[arg(long)]
        no_sanitize: bool,
    },
    /// Fuzz with libFuzzer or AFL++: build the targets for the kernel variant, run each for its share
    /// of the time (JOBS processes sharing its corpus), summarize, file the crash inputs as
    /// findings. Exit 0: clean; 1: findings; 2: a tool error (bad arguments, a failed build, a
    /// fuzzer that could not start); 130: interrupted with nothing found.
    Fuzz(swapdiff::drive::plan::Args),
    /// (internal) Hunt in this build's kernel; one result line per event (see src/jobs.rs).
    #[command(hide = true)]
    HuntRun {
        #[arg(long)]
        seed: u64,
        /// Start at this program index of the seed's sequence.
        #[arg(long, default_value_t = 0)]
        skip: u64,
        #[arg(long)]
        seconds: f64,
        /// Minimization of the findings stops at this time (ms since the Unix epoch).
        #[arg(long)]
        file_by_ms: Option<u64>,
        #[arg(long, default_value = "raw")]
        level: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        stop_at_first: bool,
        /// This build's kernel against the spec alone (no second engine).
        #[arg(long)]
        spec: bool,
    },
    /// Replay a program announcing each kernel step before calling it (`step K OP`), then the
    /// end-state checks (`end`): when the kernel dies, the last line names the op in flight.
    Probe {
        file: PathBuf,
        #[arg(long, default_value = "raw")]
        level: String,
        #[arg(long)]
        target: Option<String>,
    },
    /// The key of a patch set (a hash of the patches' bytes, in order): `stock` for none.
    VariantKey { patches: Vec<PathBuf> },
    /// What this build is: kernel version, patches, patch-set key, C flags.
    BuildInfo,
    /// Convert the text corpus into binary seeds, one directory per fuzz target.
    Seeds {
        /// Directories of text programs (searched recursively). The known-bug
        /// catalog is not a seed source: its programs belong to patched kernels.
        /// Caller-level programs (first line `clusters N`) seed the caller-level targets.
        #[arg(long, default_values = ["corpus/seeds", "corpus/regressions", "corpus/callers"])]
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
        /// Seconds of libFuzzer per target and build (with and without ASan); 0: none.
        #[arg(long, default_value_t = 0)]
        fuzz_seconds: u64,
        /// Where the C floor's generated source and binary go (default target/bench-floor).
        #[arg(long)]
        floor_dir: Option<PathBuf>,
        /// Also measure the three-way run (stock C against patched C, the spec judging) in a
        /// two-build variant of this patch (one that keeps behaviour: the refactor control).
        #[arg(long)]
        three_way_patch: Option<PathBuf>,
    },
    /// (internal) In a two-build variant: `two-way R three-way R` programs/s, one process.
    #[command(hide = true)]
    BenchThreeWay {
        #[arg(long)]
        seconds: f64,
        #[arg(long)]
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
            .ok_or_else(|| format!("unknown target `{t}` ({})", swapdiff::harness::target_names().join(", "))),
    }
}

fn parse_level(s: &str) -> Result<swapdiff::compare::Level, String> {
    swapdiff::compare::Level::from_name(s).ok_or_else(|| format!("unknown level `{s}` (raw or logical)"))
}

struct CheckArgs {
    /// Base patches (both builds apply them).
    base: Vec<PathBuf>,
    /// Stock C against the spec alone (`hunt --spec`), no patch.
    spec_only: bool,
    seconds: f64,
    jobs: usize,
    level: String,
    out: PathBuf,
    sanitize: bool,
    minimize_seconds: f64,
    /// Hunt concurrent programs too (`swapdiff interleave --hunt` in the variant).
    interleave: bool,
}

/// `swapdiff interleave --series 7.x`: a 7.x program from `file`, or a hunt.
fn interleave72(
    series: &str,
    file: Option<PathBuf>,
    hunt: Option<f64>,
    seed: u64,
    mode: swapdiff::interleave::report::Mode,
    repro: Option<PathBuf>,
) -> Result<ExitCode, String> {
    use swapdiff::interleave::report72::{command72, hunt_command72};
    let mut k = cshim::kernel72::Kernel72::acquire();
    let build = k.build();
    let version = match build.patches {
        [] => k.kernel_version(),
        p => format!("{} + {}", k.kernel_version(), p.join(" + ")),
    };
    let (what, (text, code)) = match (file, hunt) {
        (None, Some(seconds)) => ("hunt".to_string(), hunt_command72(&mut k, seconds, seed)),
        (Some(f), None) => {
            let src = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            let out = command72(&mut k, &src, mode, repro.as_deref()).map_err(|e| format!("{}: {e}", f.display()))?;
            (f.display().to_string(), out)
        }
        _ => return Err("interleave: give a program file or --hunt SECONDS (not both)".into()),
    };
    print!("== {what} (series {series}, kernel {version})\n{text}");
    Ok(ExitCode::from(code))
}

/// check-patch --interleave: the variant's `interleave --hunt` for `seconds`, its output kept
/// in `<out>/interleave-hunt.txt`. Whether it found a violation (a crash of the child, a
/// sanitizer report included, is one too).
fn interleave_hunt(bin: &Path, series: &str, seconds: f64, out: &Path) -> Result<bool, String> {
    eprintln!("swapdiff: hunting concurrent programs on {series} for {seconds}s ({}) ...", bin.display());
    let mut cmd = std::process::Command::new(bin);
    cmd.args(["interleave", "--series", series, "--hunt", &seconds.to_string(), "--seed", "1"]);
    let o = cmd.output().map_err(|e| format!("{}: {e}", bin.display()))?;
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let found = o.status.code() != Some(0);
    let first = text.lines().nth(1).unwrap_or("").to_string();
    if found {
        std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        let file = out.join("interleave-hunt.txt");
        std::fs::write(&file, &text).map_err(|e| format!("{}: {e}", file.display()))?;
        println!("interleavings: {first} (exit {:?}): {}", o.status.code(), file.display());
    } else {
        println!("interleavings: {first}");
    }
    Ok(found)
}

fn check_patch(patches: &[PathBuf], a: CheckArgs) -> Result<ExitCode, String> {
    let level = parse_level(&a.level)?;
    if !(a.seconds.is_finite() && a.seconds >= 0.0 && a.minimize_seconds.is_finite() && a.minimize_seconds >= 0.0) {
        return Err("--seconds and --minimize-seconds take a number of seconds".into());
    }
    let interrupt = Interrupt::install()?;
    let absolute = |list: &[PathBuf]| -> Result<Vec<PathBuf>, String> {
        list.iter().map(|p| std::fs::canonicalize(p).map_err(|e| format!("patch {}: {e}", p.display()))).collect()
    };
    let (patches, base) = (absolute(patches)?, absolute(&a.base)?);
    let variant = match swapdiff::variant::build_variant(&base, &patches, a.sanitize) {
        Ok(v) => v,
        Err(_) if interrupt.is_set() => {
            println!("interrupted while building: nothing checked");
            return Ok(ExitCode::from(130));
        }
        Err(e) => return Err(e),
    };
    let out = std::path::absolute(&a.out).map_err(|e| e.to_string())?;
    let seeds: Vec<u64> = (1..=a.jobs.max(1) as u64).collect();
    eprintln!(
        "swapdiff: hunting for {}s with {} job(s) at the {} level{}, {} ({}) ...",
        a.seconds,
        seeds.len(),
        level.name(),
        if a.spec_only { ", stock C against the spec alone" } else { "" },
        if variant.sanitized { "kernel C under ASan+UBSan" } else { "no sanitizers" },
        variant.bin.display()
    );
    let spec = swapdiff::jobs::Spec {
        variant: &variant,
        seeds: &seeds,
        seconds: a.seconds,
        level,
        stop_at_first: false,
        jobs: a.jobs,
        findings: &out,
        minimize_seconds: a.minimize_seconds,
        spec_only: a.spec_only,
    };
    let stop = || interrupt.is_set();
    let results = swapdiff::jobs::run_variant(&spec, &stop)?;
    let racy = a.interleave && !interrupt.is_set() && interleave_hunt(&variant.bin, "6.12", a.seconds, &out)?;
    let programs: u64 = results.iter().map(|r| r.programs).sum();
    let interrupted = interrupt.is_set() || results.iter().any(|r| r.interrupted);
    let mut sigs: Vec<&String> = results.iter().flat_map(|r| &r.signatures).collect();
    sigs.sort();
    sigs.dedup();
    let lost = if variant.sanitized {
        String::new()
    } else {
        " (without sanitizers: memory errors may have gone unseen or surfaced as unrelated crashes)".to_string()
    };
    let so_far = if interrupted { "interrupted: " } else { "" };
    if sigs.is_empty() {
        if interrupted {
            println!(
                "{so_far}no divergence in the {programs} programs run so far ({} level; partial verdict){lost}",
                level.name()
            );
            return Ok(ExitCode::from(130));
        }
        // Only a hunt in which every worker ran its budget and exited cleanly says "none".
        if results.iter().all(|r| r.clean) {
            if racy {
                println!(
                    "no divergence in {programs} sequential programs ({} level){lost}; the concurrent hunt found a violation (above)",
                    level.name()
                );
                return Ok(ExitCode::FAILURE);
            }
            println!("no divergence in {programs} programs ({} level){lost}", level.name());
            return Ok(ExitCode::SUCCESS);
        }
        println!("a worker ended abnormally but nothing could be filed: see the messages above");
        return Ok(ExitCode::FAILURE);
    }
    let abnormal: usize = results.iter().map(|r| r.abnormal).sum();
    println!(
        "{so_far}{} finding signature(s) in {programs} programs ({abnormal} abnormal worker end(s)), filed in {}:{lost}",
        sigs.len(),
        out.display()
    );
    for s in sigs {
        // The finding's own record: whichever worker filed it first wrote it.
        let dir = out.join(swapdiff::findings::dir_name(s));
        let verdict = std::fs::read_to_string(dir.join("verdict.txt")).ok();
        let verdict = verdict.as_deref().and_then(|t| t.lines().next()).unwrap_or("-");
        println!("  {s}  {verdict:<10}  {}", dir.display());
    }
    println!("(replay with {})", variant.bin.display());
    Ok(ExitCode::FAILURE)
}

/// The worker of check-patch and hunt (protocol in src/jobs.rs).
#[allow(clippy::too_many_arguments)]
fn hunt_run(
    seed: u64,
    skip: u64,
    seconds: f64,
    file_by_ms: Option<u64>,
    level: &str,
    out: &Path,
    stop_at_first: bool,
    spec_only: bool,
) -> Result<ExitCode, String> {
    let level = parse_level(level)?;
    cshim::fatal::install_reporter();
    let interrupt = Interrupt::install()?;
    let stop = || interrupt.is_set();
    let mut oracle = swapdiff::oracle::acquire(spec_only);
    let budget = Duration::from_secs_f64(seconds.max(0.0));
    let h = swapdiff::hunt::hunt(&mut *oracle, seed, skip, budget, level, stop_at_first, &stop, |i| {
        cshim::fatal::set_program(Some(i));
        println!("at {i}");
    });
    cshim::fatal::set_program(None);
    if let Some((sig, i, t)) = &h.first {
        println!("found {sig} index {i} seconds {t:.3}");
    }
    // After an interrupt the findings are filed as found (no minimization).
    let deadline = if interrupt.is_set() {
        Some(Instant::now())
    } else {
        file_by_ms.map(|ms| {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
            Instant::now() + Duration::from_millis(ms).saturating_sub(now)
        })
    };
    let opts = FileOptions { minimize: true, deadline, regressions: None, level };
    for (index, f) in &h.findings {
        println!("divergence {} index {index}", f.signature);
    }
    for (index, f) in &h.findings {
        println!("filing {index}");
        let input = swapdiff::input::Input { program: f.program.clone(), bytes: None, family: Family::All };
        let filed = swapdiff::findings::file(&mut *oracle, &input, out, &opts)?;
        let (ops, verdict) = match &filed {
            Some(Filed::New { ops_after, verdict, .. }) => (*ops_after, verdict.unwrap_or("-")),
            _ => (0, "-"),
        };
        println!("finding {} ops {ops} verdict {verdict}", f.signature);
    }
    println!("programs {} seconds {:.3} next {}", h.programs, h.seconds, h.next);
    Ok(ExitCode::SUCCESS)
}

/// Announces each executed kernel step before calling it, on the kernel
/// alone (prefix by prefix, so the step in flight is the last announced),
/// then runs the whole program differentially for the end-state checks.
fn probe(file: &Path, level: &str, target: &Option<String>) -> Result<ExitCode, String> {
    let level = parse_level(level)?;
    let input = load(file, family(target)?).map_err(|e| e.to_string())?;
    let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
    cshim::fatal::install_reporter();
    let opts = Options { level, ..Options::default() };
    let steps = swapdiff::runner::single(&mut model, &input.program, opts).executed().ops;
    for k in 0..steps.len() {
        let one = swapdiff::program::Program { mode: swapdiff::program::Mode::Raw, ops: vec![steps[k].clone()] };
        println!("step {k} {}", one.to_string().lines().last().unwrap_or(""));
        let prefix = swapdiff::program::Program { mode: swapdiff::program::Mode::Raw, ops: steps[..=k].to_vec() };
        swapdiff::runner::single(&mut kernel, &prefix, opts);
    }
    println!("end");
    let run = differential(&mut model, &mut kernel, &input.program, opts);
    match run.divergence {
        Some(d) => {
            println!("diverged {}", d.signature());
            Ok(ExitCode::FAILURE)
        }
        None => {
            println!("agree");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn swapdiff_hunt(
    catalog: &std::path::Path,
    seeds: u64,
    results: Option<PathBuf>,
    seconds: f64,
    stock_seconds: f64,
) -> Result<ExitCode, String> {
    let interrupt = Interrupt::install()?;
    let stop = || interrupt.is_set();
    let seeds: Vec<u64> = (1..=seeds).collect();
    let report = swapdiff::catalog::hunt_all(catalog, &seeds, seconds, stock_seconds, &stop)?;
    if report.interrupted {
        print!("{}", report.table);
        println!("interrupted: partial results above; RESULTS.md left as it was");
        return Ok(ExitCode::from(130));
    }
    print!("{}", report.table);
    let results = results.unwrap_or_else(|| catalog.join("RESULTS.md"));
    std::fs::write(&results, &report.markdown).map_err(|e| format!("{}: {e}", results.display()))?;
    println!("written to {}", results.display());
    Ok(if report.all_as_expected { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn findings_dir(out: Option<PathBuf>) -> PathBuf {
    out.or_else(|| std::env::var_os("SWAPDIFF_FINDINGS").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("findings"))
}

fn run(cmd: Cmd) -> Result<ExitCode, String> {
    match cmd {
        Cmd::Replay { files, target, json, spec } => {
            let fam = family(&target)?;
            let mut oracle = swapdiff::oracle::acquire(spec);
            let names = oracle.names();
            let (mut diverged, mut out) = (false, Stdout::default());
            for f in &files {
                let input = load(f, fam).map_err(|e| e.to_string())?;
                let run = oracle.run(&input.program, Options { record: true, ..Options::default() });
                diverged |= run.divergence.is_some();
                let text = if json {
                    format!("{}\n", swapdiff::trace::json(&run, &f.display().to_string()))
                } else {
                    let mut t = format!("== {} (kernel {})\n{}\n", f.display(), variant(), input.program);
                    t.push_str(&swapdiff::trace::text(&run));
                    if let Some(d) = &run.divergence {
                        t.push_str(&format!("\n{}\n", swapdiff::render::divergence_named(&run, d, &names)));
                    }
                    t
                };
                out.print(&text)?;
            }
            Ok(if diverged { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Cmd::Interleave { file, hunt, preemptions, max_schedules, pct, depth, seed, repro, series } => {
            use swapdiff::interleave::report::{command, hunt_command, Mode};
            let mode = match pct {
                Some(runs) => Mode::Pct { runs, depth, seed },
                None => Mode::Exhaustive { preemptions: preemptions.unwrap_or(2), max: max_schedules },
            };
            let series = swapdiff::caller::engines::parse_series(&series)?;
            match series.as_slice() {
                ["6.12"] => {}
                [s] => return interleave72(s, file, hunt, seed, mode, repro),
                _ => return Err("interleave: --series names one series".into()),
            }
            let file = match (file, hunt) {
                (None, Some(seconds)) => {
                    let mut k = KernelEngine::acquire();
                    let (text, code) = hunt_command(&mut k, seconds, seed);
                    print!("== hunt (kernel {})\n{text}", variant());
                    return Ok(ExitCode::from(code));
                }
                (Some(f), None) => f,
                _ => return Err("interleave: give a program file or --hunt SECONDS (not both)".into()),
            };
            let src = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let mut k = KernelEngine::acquire();
            let (text, code) =
                command(&mut k, &src, mode, repro.as_deref()).map_err(|e| format!("{}: {e}", file.display()))?;
            print!("== {} (kernel {})\n{text}", file.display(), variant());
            Ok(ExitCode::from(code))
        }
        Cmd::Minimize { file, out, target } => {
            let input = load(&file, family(&target)?).map_err(|e| e.to_string())?;
            let mut oracle = swapdiff::oracle::acquire(false);
            let Some(m) = swapdiff::minimize::minimize(&mut *oracle, &input.program, Default::default()) else {
                eprintln!("swapdiff: {} does not diverge on kernel {}: nothing to minimize", file.display(), variant());
                return Ok(ExitCode::SUCCESS);
            };
            eprintln!(
                "{}: {} ops -> {} ops ({} runs), signature {}",
                file.display(),
                m.before,
                m.after,
                m.runs,
                m.signature
            );
            let text = format!("# swapdiff minimized: {}\n{}", m.signature, m.program);
            match out {
                Some(o) => std::fs::write(&o, text).map_err(|e| format!("{}: {e}", o.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::FAILURE)
        }
        Cmd::Report { file, mail: true, .. } => {
            print!("{}", swapdiff::mail::body(&file)?);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Report { file, mail: false, out, target, no_minimize, minimize_seconds, add_regressions, level } => {
            if let Some(t) = swapdiff::harness::interleave_target(target.as_deref(), &file) {
                // An interleaving target's input: a concurrent program and its schedule.
                let (text, found) = if t == "interleave_7x" {
                    let mut k = cshim::kernel72::Kernel72::acquire();
                    swapdiff::interleave::report72::file_input72(&mut k, &file, &findings_dir(out))?
                } else {
                    let mut k = KernelEngine::acquire();
                    swapdiff::interleave::report::file_input(&mut k, &file, &findings_dir(out))?
                };
                print!("{text}");
                return Ok(if found { ExitCode::FAILURE } else { ExitCode::SUCCESS });
            }
            if let Some(series) = swapdiff::harness::input_series(target.as_deref(), &file) {
                // A caller-level target's input: its own kind of finding (src/caller_fuzz.rs).
                let series = swapdiff::caller_fuzz::parse_series(series)?;
                let minimize = !no_minimize && minimize_seconds > 0.0;
                let found = swapdiff::caller_fuzz::report_input(&series, &file, &findings_dir(out), minimize)?;
                return Ok(if found { ExitCode::FAILURE } else { ExitCode::SUCCESS });
            }
            let level = parse_level(&level)?;
            let input = load(&file, family(&target)?).map_err(|e| e.to_string())?;
            let mut oracle = swapdiff::oracle::acquire(false);
            let deadline = Some(Instant::now() + Duration::from_secs_f64(minimize_seconds.max(0.0)));
            let opts = FileOptions { minimize: !no_minimize, deadline, regressions: add_regressions, level };
            match swapdiff::findings::file(&mut *oracle, &input, &findings_dir(out), &opts)? {
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
        Cmd::Export { finding, out } => swapdiff::export::command(&finding, out.as_deref()),
        Cmd::CheckPatch {
            patches,
            base,
            seconds,
            jobs,
            level,
            out,
            no_sanitize,
            minimize_seconds,
            series,
            interleave,
        } => match swapdiff::variant::patch_series(&base, &patches, series.as_deref()) {
            Ok("7.2") => check_patch_72(&patches, &base, seconds, jobs, findings_dir(out), !no_sanitize, interleave),
            Ok(_) => check_patch(
                &patches,
                CheckArgs {
                    base,
                    spec_only: false,
                    seconds,
                    jobs,
                    level,
                    out: findings_dir(out),
                    sanitize: !no_sanitize,
                    minimize_seconds,
                    interleave,
                },
            ),
            Err(e) => Err(e),
        },
        Cmd::Hunt { catalog, seconds, stock_seconds, seeds, results, spec, jobs, out, no_sanitize } => {
            if spec {
                let a = CheckArgs {
                    base: vec![],
                    spec_only: true,
                    seconds,
                    jobs,
                    level: "raw".into(),
                    out: findings_dir(out),
                    sanitize: !no_sanitize,
                    minimize_seconds: 60.0,
                    interleave: false,
                };
                check_patch(&[], a)
            } else {
                swapdiff_hunt(&catalog, seeds, results, seconds, stock_seconds)
            }
        }
        Cmd::HuntRun { seed, skip, seconds, file_by_ms, level, out, stop_at_first, spec } => {
            hunt_run(seed, skip, seconds, file_by_ms, &level, &out, stop_at_first, spec)
        }
        Cmd::Triage { dir, out, target, minimize_seconds, add_regressions, level } => {
            let level = parse_level(&level)?;
            let interrupt = Interrupt::install()?;
            let bin = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
            let spec = swapdiff::triage::Spec {
                bin,
                out: std::path::absolute(findings_dir(out)).map_err(|e| e.to_string())?,
                target,
                add_regressions: add_regressions.map(|r| std::path::absolute(r).unwrap_or_default()),
                minimize_seconds,
                sanitized: cshim::build_flags().contains("-fsanitize=address"),
                level,
            };
            let r = swapdiff::triage::triage(&dir, &spec, &|| interrupt.is_set())?;
            print!("{}", swapdiff::drive::triage::render(&dir, &variant(), &r));
            Ok(if !r.table.is_empty() {
                ExitCode::FAILURE
            } else if r.interrupted {
                ExitCode::from(130)
            } else {
                ExitCode::SUCCESS
            })
        }
        Cmd::Probe { file, level, target } => probe(&file, &level, &target),
        Cmd::Fuzz(args) if args.series.is_some() => series_fuzz(&args),
        Cmd::Fuzz(args) => {
            let interrupt = Interrupt::install()?;
            let code = swapdiff::drive::fuzz(&swapdiff::variant::workspace(), &args, &|| interrupt.is_set())?;
            Ok(ExitCode::from(code))
        }
        Cmd::VariantKey { patches } => {
            println!("{}", swapdiff::identity::variant_key(&[], &patches)?);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::BuildInfo => {
            let p = patches_applied();
            println!("kernel: {}", kernel_version());
            println!("source hash: {}", cshim::source_hash());
            println!("patches: {}", if p.is_empty() { "none".to_string() } else { p.join(", ") });
            println!("patch set: {}", swapdiff::identity::build_key());
            println!("C build flags: {}", cshim::build_flags());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Seeds { from, out } => {
            let (mut programs, mut callers) = (vec![], vec![]);
            for dir in &from {
                let (ops, calls) = swapdiff::corpus::seed_programs(dir)?;
                programs.extend(ops);
                callers.extend(calls);
            }
            let mut written = swapdiff::corpus::write_binary_seeds(&programs, &out)?;
            written.extend(swapdiff::corpus::write_caller_seeds(&callers, &out)?);
            for (target, n) in written {
                println!("{target}: {n} seeds in {}", out.join(target).display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Campaign { programs, seed } => {
            let mut oracle = swapdiff::oracle::acquire(false);
            println!("kernel {}; {programs} programs from seed {seed}", swapdiff::engine::kernel_version());
            let c = swapdiff::campaign::run(&mut *oracle, seed, programs);
            print!("{}", c.tally.render());
            println!("{} steps, {} divergences", c.steps, c.findings.len());
            for f in &c.findings {
                println!("\n{}\nprogram:\n{}", f.report, f.program);
            }
            Ok(if c.findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Cmd::Bench { seconds, programs, fuzz_seconds, floor_dir, three_way_patch } => {
            bench(seconds, programs, fuzz_seconds, floor_dir, three_way_patch)
        }
        Cmd::BenchThreeWay { seconds, programs } => {
            let [base, .., _] = cshim::builds() else {
                return Err("bench-three-way needs a binary with two kernel builds (a patched variant)".into());
            };
            let (mut model, mut stock) = (ModelEngine::new(), KernelEngine::acquire_build(base));
            let mut patched = KernelEngine::acquire_build(cshim::primary());
            let set = swapdiff::bench::programs(programs);
            let t = swapdiff::bench::three_way(
                &mut model,
                &mut stock,
                &mut patched,
                &set,
                Duration::from_secs_f64(seconds),
            );
            println!("two-way {:.1} three-way {:.1}", t.two_way, t.three_way);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `swapdiff bench`: the C floor, the three engine rates, then (with
/// `--fuzz-seconds`) libFuzzer's, printed as one table.
fn bench(
    seconds: f64,
    programs: usize,
    fuzz_seconds: u64,
    floor_dir: Option<PathBuf>,
    three_way_patch: Option<PathBuf>,
) -> Result<ExitCode, String> {
    use swapdiff::bench::{floor, fuzz, report};
    if programs == 0 || seconds.is_nan() || seconds <= 0.0 {
        return Err("bench needs --programs >= 1 and --seconds > 0".into());
    }
    let date = swapdiff::bench::date_utc();
    let root = swapdiff::variant::workspace();
    let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
    let set = swapdiff::bench::programs(programs);
    let dir = floor_dir.unwrap_or_else(|| root.join("target/bench-floor"));
    eprintln!("swapdiff bench: the C floor (generated and built in {}) ...", dir.display());
    let c_floor = floor::measure(&mut kernel, &set, &dir, seconds)?;
    eprintln!("swapdiff bench: kernel only, model only, differential ...");
    let rates = swapdiff::bench::measure(&mut model, &mut kernel, &set, Duration::from_secs_f64(seconds));
    eprintln!("swapdiff bench: the C floor and the differential rate on swap_mte's seeds ...");
    let seed_set = swapdiff::bench::seed_programs(&root, "swap_mte")?;
    let seed_floor = floor::measure(&mut kernel, &seed_set, &dir.join("seeds"), seconds)?;
    let seed_rates = swapdiff::bench::measure(&mut model, &mut kernel, &seed_set, Duration::from_secs_f64(seconds));
    let seeds = report::SeedRates {
        target: "swap_mte".into(),
        programs: seed_set.len(),
        calls: seed_floor.calls,
        floor: seed_floor.rate,
        differential: seed_rates.differential,
    };
    drop(kernel);
    eprintln!("swapdiff bench: caller-level programs through 6.12, 7.x and both ...");
    let callers = swapdiff::bench::callers::measure(programs, Duration::from_secs_f64(seconds));
    eprintln!("swapdiff bench: the scheduler's cost and the exhaustive walk's rate ...");
    let interleave = Some(swapdiff::bench::interleave::measure(programs.min(200), Duration::from_secs_f64(seconds)));
    let mut rates = rates;
    if let Some(patch) = &three_way_patch {
        eprintln!("swapdiff bench: two-way and three-way in a two-build variant of {} ...", patch.display());
        let patch = std::fs::canonicalize(patch).map_err(|e| format!("{}: {e}", patch.display()))?;
        let variant = swapdiff::variant::build_variant(&[], &[patch], false)?;
        let out = std::process::Command::new(&variant.bin)
            .args(["bench-three-way", "--seconds", &seconds.to_string(), "--programs", &programs.to_string()])
            .output()
            .map_err(|e| format!("{}: {e}", variant.bin.display()))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let parsed = match text.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["two-way", a, "three-way", b] => a.parse().ok().zip(b.parse().ok()),
            _ => None,
        };
        let Some((two_way, three_way)) = parsed.filter(|_| out.status.success()) else {
            return Err(format!("bench-three-way failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
        };
        rates.three_way = Some(swapdiff::bench::ThreeWay { two_way, three_way });
    }
    let fuzz = if fuzz_seconds > 0 {
        let interrupt = Interrupt::install()?;
        fuzz::measure(&root, fuzz_seconds, &|| interrupt.is_set())?
    } else {
        vec![]
    };
    let r = report::Report {
        date,
        command: format!(
            "swapdiff bench --seconds {seconds} --programs {programs} --fuzz-seconds {fuzz_seconds}{}",
            three_way_patch.as_ref().map(|p| format!(" --three-way-patch {}", p.display())).unwrap_or_default()
        ),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        kernel: variant(),
        programs,
        steps: c_floor.steps,
        floor_build: format!("{} {}", floor::compiler(), floor::opt_level()?),
        floor: c_floor.rate,
        rates,
        fuzz,
        fuzz_seconds,
        seeds: Some(seeds),
        callers,
        interleave,
    };
    println!();
    print!("{}", report::render(&r));
    Ok(ExitCode::SUCCESS)
}

/// Standard output for a command whose verdict is its exit status: a reader
/// that goes away (`swapdiff replay … | head`) ends the printing, not the
/// run, so the status still covers every input.
#[derive(Default)]
struct Stdout {
    closed: bool,
}

impl Stdout {
    fn print(&mut self, text: &str) -> Result<(), String> {
        use std::io::Write;
        if self.closed {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(format!("writing to standard output: {e}")),
        }
    }
}

/// `swapdiff fuzz --series ...`: the caller-level run across kernel series.
fn series_fuzz(args: &swapdiff::drive::plan::Args) -> Result<ExitCode, String> {
    use swapdiff::caller_fuzz;
    let series = caller_fuzz::parse_series(args.series.as_deref().unwrap_or(""))?;
    if let Some(file) = &args.replay {
        return Ok(match caller_fuzz::replay(&series, file)? {
            Some(report) => {
                println!("{report}");
                ExitCode::FAILURE
            }
            None => {
                println!("{}: no finding", file.display());
                ExitCode::SUCCESS
            }
        });
    }
    let interrupt = Interrupt::install()?;
    let out = args.findings.clone().unwrap_or_else(|| PathBuf::from("findings")).join("series");
    let s = caller_fuzz::fuzz(&series, args.seconds, args.seed, &out, &|| interrupt.is_set())?;
    println!(
        "{} caller-level programs through {}: {} distinct findings{}{}",
        s.programs,
        series.join(" and "),
        s.findings.len(),
        s.first_at.map_or(String::new(), |n| format!(", the first at program {n}")),
        if s.interrupted { " (interrupted)" } else { "" }
    );
    for (sig, (program, report)) in &s.findings {
        let hits = s.hits.get(sig).copied().unwrap_or(0);
        println!(
            "\n{sig} ({hits} programs; minimized to {} ops, filed in {}):\n{report}",
            program.ops.len(),
            out.display()
        );
    }
    if !s.findings.is_empty() && !s.failing {
        println!("(every finding is a change both series' spec allows: exit 0)");
    }
    Ok(if s.interrupted {
        ExitCode::from(130)
    } else if s.failing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// check-patch of a 7.2 patch: the variant links stock and patched 7.2 (on the 7.2 source),
/// and its caller-level run compares them, the spec judging; every finding gets a verdict.
fn check_patch_72(
    patches: &[PathBuf],
    base: &[PathBuf],
    seconds: f64,
    jobs: usize,
    out: PathBuf,
    sanitize: bool,
    interleave: bool,
) -> Result<ExitCode, String> {
    let interrupt = Interrupt::install()?;
    let absolute = |list: &[PathBuf]| -> Result<Vec<PathBuf>, String> {
        list.iter().map(|p| std::fs::canonicalize(p).map_err(|e| format!("patch {}: {e}", p.display()))).collect()
    };
    let (patches, base) = (absolute(patches)?, absolute(base)?);
    let source = swapdiff::variant::source_72();
    let variant = match swapdiff::variant::build_variant_on(Some(("7.2", &source)), &base, &patches, sanitize) {
        Ok(v) => v,
        Err(_) if interrupt.is_set() => {
            println!("interrupted while building: nothing checked");
            return Ok(ExitCode::from(130));
        }
        Err(e) => return Err(e),
    };
    let secs = seconds.max(0.0).ceil() as u64;
    eprintln!(
        "swapdiff: hunting for {secs}s: stock 7.2 against patched 7.2 at the caller level, {} ({})",
        if variant.sanitized { "kernel C under ASan+UBSan" } else { "no sanitizers" },
        variant.bin.display()
    );
    // One run per seed (1..=jobs), one after the other. Each run's own exit: 0 nothing
    // found, 1 findings (printed, with verdicts), 130 interrupted. Anything else is the run
    // dying: a finding in itself, never a pass.
    let mut found = false;
    for seed in 1..=jobs.max(1) {
        println!("seed {seed}:");
        let mut cmd = std::process::Command::new(&variant.bin);
        cmd.args(["fuzz", "--series", "7.2", "--seconds", &secs.to_string(), "--seed", &seed.to_string()])
            .arg("--findings")
            .arg(&out);
        if variant.sanitized {
            swapdiff::variant::sanitizer_env(&mut cmd);
        }
        let status = cmd.status().map_err(|e| format!("cannot run {}: {e}", variant.bin.display()))?;
        match status.code() {
            Some(0) => {}
            Some(1) => found = true,
            Some(130) => return Ok(ExitCode::from(130)),
            _ => {
                println!(
                    "the caller-level run of the patched 7.2 kernel ended abnormally ({status}): a crash, hang or \
                     sanitizer report in the kernel C; see its messages above (replay with {} fuzz --series 7.2 \
                     --seed {seed})",
                    variant.bin.display()
                );
                found = true;
            }
        }
    }
    // check-patch --interleave: the patched 7.x build's concurrent hunt for the same time.
    if interleave && !interrupt.is_set() && interleave_hunt(&variant.bin, "7.x", seconds, &out)? {
        found = true;
    }
    Ok(if found { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
