//! libFuzzer executions per second of every fuzz target, with and without
//! ASan, each from a fresh scratch copy of its seeds (`fuzz/corpus/<target>`)
//! for the same time: the figures the targets are stated in. The runs
//! are the fuzz driver's own (src/drive): its build, its worker, its log
//! parsing and its peak RSS.

use crate::drive::plan::{all_targets, Args, Fuzzer, Plan};
use crate::drive::progress::Progress;
use crate::drive::summary::TargetResult;
use crate::drive::{build, corpus_for, libfuzzer};
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
            let seeds = plan.seeds(t);
            if std::fs::read_dir(&seeds).map_or(true, |mut d| d.next().is_none()) {
                return Err(format!("no seeds in {} (make seeds writes them)", seeds.display()));
            }
            let mut scratch = vec![];
            let corpus = corpus_for(&plan, t, &mut scratch)?;
            eprintln!("swapdiff bench: libFuzzer {t} {what} for {}s", plan.per);
            let r = libfuzzer::run_target(&plan, t, &corpus, stop, &mut progress, 0);
            progress.clear();
            for d in scratch {
                let _ = std::fs::remove_dir_all(d);
            }
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
