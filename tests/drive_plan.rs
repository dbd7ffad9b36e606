//! The run plan and the verdict of `swapdiff fuzz`: targets, budget split,
//! level, variant naming, directories, and how results become an exit status.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};
use swapdiff::drive::plan::{all_targets, patches_from_env, resolve_level, run_id, split_budget, Args, Fuzzer, Plan};
use swapdiff::drive::progress::{line, Snapshot};
use swapdiff::drive::summary::{verdict, TargetResult, Verdict};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn args(engine: &str) -> Args {
    Args { engine: engine.into(), jobs: 1, seconds: 60, level: Some("raw".into()), ..Args::default() }
}

#[test]
fn the_targets_are_the_fuzz_target_files() {
    // fuzz/fuzz_targets holds one file per target; src/harness.rs names the same nine: four
    // op-level, three caller-level (one per series and the cross-series one), two of
    // concurrent programs (one per series).
    let t = all_targets(&root()).unwrap();
    let mut h = swapdiff::harness::target_names();
    assert_eq!(h.len(), 9);
    h.sort();
    assert_eq!(t, h);
}

#[test]
fn the_budget_is_split_evenly_with_a_floor() {
    // 60 s over 3 targets: 20 each; 10 s over 3 for AFL++ is below its 5 s floor.
    assert_eq!(split_budget(60, 3, 1), 20);
    assert_eq!(split_budget(10, 3, 5), 5);
    assert_eq!(split_budget(0, 3, 1), 1);
    assert_eq!(split_budget(7, 2, 1), 3);
}

#[test]
fn a_plan_splits_the_time_and_names_stock() {
    let p = Plan::new(&root(), &args("afl")).unwrap();
    assert_eq!(p.fuzzers, vec![Fuzzer::Afl]);
    // Every target file (the three differential ones, spec_alone, the three caller-level
    // ones, interleave_612, interleave_7x): 60 s / 9, rounded down.
    assert_eq!((p.targets.len(), p.per), (9, 6));
    assert_eq!(p.variant, "stock");
    // One run's files apart: fuzz/logs/stock/run-.../ and fuzz/afl/out/stock/run-.../
    assert!(p.log_dir().starts_with(root().join("fuzz/logs/stock")));
    assert!(p.afl_out().ends_with(Path::new("stock").join(&p.run_id)));
    assert!(p.binary(Fuzzer::Afl, "swap_mte").ends_with("fuzz/afl/target/stock/release/swap_mte"));
}

#[test]
fn bad_arguments_are_errors_naming_them() {
    let mut a = args("libfuzzer");
    a.targets = vec!["swap_mtee".into()];
    let e = Plan::new(&root(), &a).unwrap_err();
    assert!(e.contains("`swap_mtee`") && e.contains("swap_mte"), "{e}");
    let e = Plan::new(&root(), &args("honggfuzz")).unwrap_err();
    assert!(e.contains("`honggfuzz`"), "{e}");
    // Both engines only for a build: a run has one summary format and one budget.
    assert!(Plan::new(&root(), &args("all")).is_err());
    let mut a = args("all");
    a.build_only = true;
    assert_eq!(Plan::new(&root(), &a).unwrap().fuzzers, vec![Fuzzer::LibFuzzer, Fuzzer::Afl]);
    let mut a = args("libfuzzer");
    a.jobs = 0;
    assert!(Plan::new(&root(), &a).is_err());
    let mut a = args("libfuzzer");
    a.patches = vec!["/nonexistent.patch".into()];
    assert!(Plan::new(&root(), &a).unwrap_err().contains("/nonexistent.patch"));
}

#[test]
fn the_level_comes_from_the_flag_then_the_environment_then_raw() {
    use swapdiff::compare::Level;
    assert_eq!(resolve_level(Some("logical"), Some("raw")), Ok(Level::Logical));
    assert_eq!(resolve_level(None, Some("logical")), Ok(Level::Logical));
    assert_eq!(resolve_level(None, None), Ok(Level::Raw));
    // A typo is never a default: it is named, with where it came from.
    let e = resolve_level(None, Some("lgical")).unwrap_err();
    assert!(e.contains("SWAPDIFF_LEVEL") && e.contains("`lgical`"), "{e}");
}

#[test]
fn a_patched_plan_is_named_by_the_patch_set_key() {
    // The same key check-patch and `swapdiff variant-key` use, in the order given.
    let one = root().join("corpus/known-bugs/shmem-remove-rfc/bug.patch");
    let two = root().join("corpus/known-bugs/mte-restore-same-entry/bug.patch");
    let mut a = args("libfuzzer");
    a.patches = vec![one.clone(), two.clone()];
    let p = Plan::new(&root(), &a).unwrap();
    assert_eq!(p.variant, swapdiff::identity::variant_key(&[], &[one.clone(), two.clone()]).unwrap());
    assert!(p.variant.starts_with("patched-"));
    assert!(p.target_dir(Fuzzer::LibFuzzer).ends_with(Path::new("fuzz/target").join(&p.variant)));
    // SWAPDIFF_PATCHES's a:b form gives the same list.
    let env = format!("{}:{}", one.display(), two.display());
    assert_eq!(patches_from_env(&env), vec![one, two]);
}

#[test]
fn run_ids_are_utc_dates() {
    // 0 is the epoch; 951782400 is 2000-02-29 00:00:00 UTC (a leap day, `date -u -d @951782400`);
    // 1796127273 is 2026-12-01 12:14:33 UTC.
    assert_eq!(run_id(UNIX_EPOCH), "run-19700101-000000");
    assert_eq!(run_id(UNIX_EPOCH + Duration::from_secs(951_782_400)), "run-20000229-000000");
    assert_eq!(run_id(UNIX_EPOCH + Duration::from_secs(1_796_127_273)), "run-20261201-121433");
}

fn result(execs: u64) -> TargetResult {
    TargetResult { target: "swap_mte".into(), execs, workers: 2, started: 2, ..TargetResult::default() }
}

#[test]
fn the_verdict_never_calls_a_finding_or_a_failure_clean() {
    assert_eq!(verdict(&[result(10)], false), Verdict::Clean);
    let mut found = result(10);
    found.add_finding("a/b/c".into());
    found.add_finding("a/b/c".into());
    assert_eq!(found.findings.len(), 1, "one signature seen twice is one finding");
    let mut saved = result(10);
    saved.inputs = 1;
    let mut dead = result(0);
    dead.started = 0;
    dead.failures.push("cannot run".into());
    let mut half = result(5);
    half.started = 1;
    // A finding wins over everything (it is real and filed); a fuzzer that did not start is a
    // tool error, never clean; an interrupt with nothing found is 130.
    assert_eq!(verdict(&[dead.clone(), found.clone()], false), Verdict::Findings);
    assert_eq!(verdict(&[saved], false), Verdict::Findings);
    assert_eq!(verdict(&[result(1), dead], false), Verdict::ToolError);
    assert_eq!(verdict(&[half], false), Verdict::ToolError);
    assert_eq!(verdict(&[result(1)], true), Verdict::Interrupted);
    assert_eq!(
        [Verdict::Clean, Verdict::Findings, Verdict::ToolError, Verdict::Interrupted].map(|v| v.exit_code()),
        [0, 1, 2, 130]
    );
}

#[test]
fn the_status_line_shows_time_rate_coverage_and_findings() {
    let s = Snapshot {
        target: "swap_mte".into(),
        execs: 5000,
        coverage: "cov 12 ft 34".into(),
        corpus: Some(56),
        findings: 1,
        target_elapsed: Duration::from_secs(10),
    };
    // 5000 execs in the target's 10 s: 500/s; 72 s of 120 s is 1:12/2:00.
    assert_eq!(
        line(Duration::from_secs(72), Duration::from_secs(120), &s),
        "[1:12/2:00] swap_mte  5000 execs (500/s)  cov 12 ft 34  corpus 56  1 findings"
    );
}
