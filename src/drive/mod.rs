//! `swapdiff fuzz`: the libFuzzer and AFL++ drivers. A run is planned
//! ([`plan`]), built ([`build`]), fuzzed target by target ([`libfuzzer`],
//! [`afl`]) with a status line ([`progress`]), summarized and classified
//! ([`summary`]), and its crash inputs filed as findings ([`triage`]).
//!
//! Exit status: 0 clean, 1 findings, 2 a tool error (bad arguments, a
//! build that failed, a fuzzer that could not start), 130 interrupted with
//! nothing found.

pub mod afl;
pub mod afl_stats;
pub mod build;
pub mod child;
pub mod libfuzzer;
pub mod libfuzzer_log;
pub mod plan;
pub mod progress;
pub mod summary;
pub mod triage;

use plan::{Args, Fuzzer, Plan};
use progress::Progress;
use std::path::{Path, PathBuf};
use std::time::Duration;
use summary::{verdict, TargetResult, Verdict};

/// Runs `swapdiff fuzz`; returns the exit status, or the message of a tool error.
pub fn fuzz(root: &Path, args: &Args, stop: &dyn Fn() -> bool) -> Result<u8, String> {
    let plan = Plan::new(root, args)?;
    for &f in &plan.fuzzers {
        eprintln!("swapdiff fuzz: building the {} targets ({} kernel) ...", f.name(), plan.variant);
        let took = match build::build(&plan, f) {
            Ok(took) => took,
            // Ctrl-C reaches cargo too: the build did not fail, it was stopped.
            Err(_) if stop() => {
                eprintln!("swapdiff fuzz: interrupted while building: nothing fuzzed");
                return Ok(Verdict::Interrupted.exit_code());
            }
            Err(e) => return Err(e),
        };
        eprintln!("swapdiff fuzz: {} build done in {:.0} s", f.name(), took.as_secs_f64());
    }
    if stop() {
        // Ctrl-C during a build that still finished (cargo did not get it).
        eprintln!("swapdiff fuzz: interrupted while building: nothing fuzzed");
        return Ok(Verdict::Interrupted.exit_code());
    }
    if plan.build_only {
        eprintln!("swapdiff fuzz: every target built ({})", plan.targets.join(", "));
        return Ok(0);
    }
    let fuzzer = plan.fuzzers[0];
    let mut progress = Progress::new(Duration::from_secs(plan.per * plan.targets.len() as u64));
    let mut results: Vec<TargetResult> = vec![];
    let mut scratch = vec![];
    for t in &plan.targets {
        if stop() {
            break;
        }
        let corpus = corpus_for(&plan, t, &mut scratch)?;
        let workers = match (fuzzer, plan.jobs) {
            (_, 1) => String::new(),
            (Fuzzer::LibFuzzer, n) => format!(" on {n} workers"),
            (Fuzzer::Afl, n) => format!(", 1 main + {} secondary instances", n - 1),
        };
        eprintln!("swapdiff fuzz: {t} for {}s{workers} at the {} level", plan.per, plan.level.name());
        let found: usize = results.iter().map(|r| r.findings.len().max(r.inputs)).sum();
        let r = match fuzzer {
            Fuzzer::LibFuzzer => libfuzzer::run_target(&plan, t, &corpus, stop, &mut progress, found),
            Fuzzer::Afl => afl::run_target(&plan, t, &corpus, stop, &mut progress, found),
        };
        progress.clear();
        results.push(r?);
    }
    for d in scratch {
        let _ = std::fs::remove_dir_all(d);
    }
    let interrupted = stop();
    let v = verdict(&results, interrupted);
    println!();
    print!("{}", summary::render(&plan, fuzzer, &results, v));
    if v != Verdict::Findings {
        let _ = std::fs::remove_dir(plan.artifacts());
        return Ok(v.exit_code());
    }
    let inputs = match fuzzer {
        Fuzzer::LibFuzzer => plan.artifacts(),
        Fuzzer::Afl => {
            let dir = plan.afl_out().join("crashes");
            for t in &plan.targets {
                afl::gather(&plan, t, &dir)?;
            }
            dir
        }
    };
    if inputs.is_dir() {
        // Findings stay findings whatever the triage makes of them: a crash
        // that does not replay is still what the fuzzer saw.
        match triage::file_inputs(&plan, &inputs, interrupted) {
            Ok(report) => print!("{}", triage::render(&inputs, &plan.variant, &report)),
            Err(e) => eprintln!("swapdiff fuzz: triage failed: {e} (the inputs are in {})", inputs.display()),
        }
    }
    Ok(v.exit_code())
}

/// `create_dir_all` with the path in the error, as every message of the driver names it.
pub(crate) fn make_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

/// The corpus a target fuzzes: its seeds directory, or (for the bench) a
/// temporary copy of it the run may grow.
pub(crate) fn corpus_for(plan: &Plan, target: &str, scratch: &mut Vec<PathBuf>) -> Result<PathBuf, String> {
    let seeds = plan.seeds(target);
    make_dir(&seeds)?;
    if !plan.scratch_corpus {
        return Ok(seeds);
    }
    let dir = std::env::temp_dir().join(format!("swapdiff-fuzz-{}-{target}", std::process::id()));
    make_dir(&dir)?;
    for e in std::fs::read_dir(&seeds).map_err(|e| format!("{}: {e}", seeds.display()))?.flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), dir.join(e.file_name())).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    scratch.push(dir.clone());
    Ok(dir)
}
