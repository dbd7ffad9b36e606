//! libFuzzer executions per second of every fuzz target, with and without
//! ASan, each from its stock seeds freshly encoded into a scratch directory
//! (what a fresh clone fuzzes from; `fuzz/corpus` grows with every run) for
//! the same time: the figures the targets are stated in. The runs
//! are the fuzz driver's own (src/drive): its build, its worker, its log
//! parsing and its peak RSS.

use crate::drive::plan::{all_targets, Args, Fuzzer, Plan};
use crate::drive::progress::Progress;
use crate::drive::summary::TargetResult;
use crate::drive::{build, libfuzzer};
use std::path::Path;
use std::time::Duration;

/// One target's run in one build.
#[derive(Debug, Clone)]
pub struct FuzzRate {
    pub target: String,
    pub asan: bool,
    pub result: TargetResult,
}

impl FuzzRate {
    pub fn exec_per_sec(&self) -> f64 {
        if self.result.seconds > 0.0 {
            self.result.execs as f64 / self.result.seconds
        } else {
            0.0
        }
    }
}

/// Runs every target for `seconds` each, first without ASan, then with it
/// (the `make fuzz` build). A build that fails, a fuzzer that does not start
/// or an empty seed directory is an error: no figure is made up.
pub fn measure(root: &Path, seconds: u64, stop: &dyn Fn() -> bool) -> Result<Vec<FuzzRate>, String> {
    let targets = all_targets(root)?;
    let mut rates = vec![];
    for asan in [false, true] {
        let args = Args {
            targets: targets.clone(),
            engine: "libfuzzer".into(),
            jobs: 1,
            seconds: seconds * targets.len() as u64,
            level: Some("raw".into()),
            patches: vec![],
            build_only: false,
            findings: None,
            no_sanitizer: !asan,
            scratch_corpus: true,
            ..Args::default()
        };
        let plan = Plan::new(root, &args)?;
        let what = if asan { "with ASan" } else { "without ASan" };
        eprintln!("swapdiff bench: building the libFuzzer targets {what} ...");
        build::build(&plan, Fuzzer::LibFuzzer)?;
        let mut progress = Progress::new(Duration::from_secs(plan.per * targets.len() as u64));
        for t in &targets {
            if stop() {
                return Err("interrupted".into());
            }
            let scratch = std::env::temp_dir().join(format!("swapdiff-bench-{}", crate::findings::unique_suffix()));
            let corpus = fresh_seeds(root, &scratch, t);
            let r = corpus.and_then(|corpus| {
                eprintln!("swapdiff bench: libFuzzer {t} {what} for {}s", plan.per);
                libfuzzer::run_target(&plan, t, &corpus, stop, &mut progress, 0)
            });
            progress.clear();
            let _ = std::fs::remove_dir_all(&scratch);
            let r = r?;
            if let Some(f) = r.failures.first() {
                return Err(format!("libFuzzer {t} {what} could not start: {f}"));
            }
            if r.execs == 0 {
                return Err(format!(
                    "libFuzzer {t} {what} reported no executions (logs in {})",
                    plan.log_dir().display()
                ));
            }
            rates.push(FuzzRate { target: t.clone(), asan, result: r });
        }
    }
    Ok(rates)
}

/// `target`'s stock seeds encoded under `scratch`; an error when there are none. The
/// interleaving targets have no seed programs (every byte string is a concurrent program of
/// their generators' families, the empty one included): they start from an empty corpus.
fn fresh_seeds(root: &Path, scratch: &Path, target: &str) -> Result<std::path::PathBuf, String> {
    if crate::harness::INTERLEAVE_TARGETS.contains(&target) {
        let dir = scratch.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        return Ok(dir);
    }
    let counts = crate::corpus::write_stock_seeds(root, scratch)?;
    match counts.iter().find(|(t, _)| *t == target) {
        Some((_, n)) if *n > 0 => Ok(scratch.join(target)),
        _ => Err(format!("no stock seeds for {target} (corpus/seeds, corpus/regressions, corpus/callers)")),
    }
}
