//! The libFuzzer worker loop of `swapdiff fuzz` against stand-in fuzzers:
//! small shell scripts, placed where the build puts a target, that print what
//! libFuzzer prints (the formats of tests/fixtures/drive) and exit the way it
//! does. No build, no kernel: this is the driver's restart, classification and
//! interrupt handling, checked against what each script is known to do.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use swapdiff::drive::libfuzzer::run_target;
use swapdiff::drive::plan::{Args, Fuzzer, Plan};
use swapdiff::drive::progress::Progress;
use swapdiff::drive::summary::{verdict, Verdict};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A workspace with one target `t` whose "binary" is `script`; each run adds a
/// line to the returned file (`CALLS` in the script names it).
fn workspace(script: &str, jobs: usize, seconds: u64) -> (Plan, PathBuf) {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let root = std::env::temp_dir().join(format!("swapdiff-drive-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("fuzz/fuzz_targets")).unwrap();
    std::fs::write(root.join("fuzz/fuzz_targets/t.rs"), "").unwrap();
    let args = Args { engine: "libfuzzer".into(), jobs, seconds, level: Some("raw".into()), ..Args::default() };
    let mut plan = Plan::new(&root, &args).unwrap();
    // Whatever SWAPDIFF_PATCHES the test process has: this is a stock run.
    plan.patches.clear();
    plan.variant = "stock".into();
    let bin = plan.binary(Fuzzer::LibFuzzer, "t");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    let calls = root.join("calls");
    let script = script.replace("CALLS", &calls.display().to_string());
    let text = format!("#!/usr/bin/env bash\necho run >> '{}'\n{script}\n", calls.display());
    std::fs::write(&bin, text).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(plan.seeds("t")).unwrap();
    (plan, calls)
}

fn calls(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

const START: &str =
    r#"echo "INFO: Seed: 1"; printf '#10\tpulse  cov: 5 ft: 6 corp: 1/1b lim: 4 exec/s: 10 rss: 1Mb\n'"#;
/// libFuzzer's crash path: the target's divergence line, the deadly signal, the
/// input written to -artifact_prefix, the final stats, a non-zero exit.
const DIVERGE: &str = r#"prefix=$(printf '%s\n' "$@" | sed -n 's/^-artifact_prefix=//p')
echo "swapdiff divergence: put_swap_folio/events/swap_entry_range_free"
echo "==1== ERROR: libFuzzer: deadly signal"
echo x > "${prefix}crash-1"
echo "stat::number_of_executed_units: 7"
exit 1"#;
const CLEAN: &str = r#"echo "Done 100 runs in 1 second(s)"; echo "stat::number_of_executed_units: 100"; exit 0"#;

#[test]
fn clean_workers_add_their_executions() {
    let (plan, calls_file) = workspace(&format!("{START}\n{CLEAN}"), 2, 1);
    let mut p = Progress::with_terminal(std::time::Duration::from_secs(1), false);
    let r = run_target(&plan, "t", &plan.seeds("t"), &|| false, &mut p, 0).unwrap();
    // Two workers, each reporting 100 executed units in its final stats.
    assert_eq!((r.execs, r.started, r.workers), (200, 2, 2));
    assert_eq!((r.cov, r.ft), (Some(5), Some(6)));
    assert!(r.findings.is_empty() && r.inputs == 0, "{:?}", r.findings);
    assert_eq!(calls(&calls_file), 2, "a worker that ends cleanly is not restarted");
    assert_eq!(verdict(&[r], false), Verdict::Clean);
    let _ = std::fs::remove_dir_all(&plan.root);
}

#[test]
fn a_quick_divergence_is_one_finding_and_is_not_restarted() {
    let (plan, calls_file) = workspace(&format!("{START}\n{DIVERGE}"), 1, 30);
    let mut p = Progress::with_terminal(std::time::Duration::from_secs(30), false);
    let start = Instant::now();
    let r = run_target(&plan, "t", &plan.seeds("t"), &|| false, &mut p, 0).unwrap();
    // It stopped within 3 s: restarting would only stop again; the 30 s budget is not waited out.
    assert_eq!(calls(&calls_file), 1);
    assert!(start.elapsed().as_secs() < 20);
    // Exactly the divergence: its deadly signal is the same stop, not a second "crash".
    assert_eq!(r.findings, vec!["put_swap_folio/events/swap_entry_range_free".to_string()]);
    assert_eq!((r.inputs, r.execs), (1, 7));
    assert_eq!(verdict(&[r], false), Verdict::Findings);
    let _ = std::fs::remove_dir_all(&plan.root);
}

#[test]
fn a_worker_that_found_something_late_restarts_with_the_time_left() {
    // The first run diverges after 3.5 s (past the quick-failure bound); the next runs end cleanly.
    let script = format!("{START}\nif [ \"$(wc -l < CALLS)\" -eq 1 ]; then sleep 3.5; {DIVERGE}; fi\n{CLEAN}");
    let (plan, calls_file) = workspace(&script, 1, 8);
    let mut p = Progress::with_terminal(std::time::Duration::from_secs(8), false);
    let r = run_target(&plan, "t", &plan.seeds("t"), &|| false, &mut p, 0).unwrap();
    assert_eq!(calls(&calls_file), 2, "one restart, then a clean end");
    // 7 executions before the divergence, 100 after the restart.
    assert_eq!(r.execs, 107);
    assert_eq!(r.findings.len(), 1);
    let _ = std::fs::remove_dir_all(&plan.root);
}

#[test]
fn a_fuzzer_that_cannot_start_is_a_tool_error() {
    // The targets' own message for a bad level, before libFuzzer prints its seed.
    let script = "echo 'swapdiff: SWAPDIFF_LEVEL is `x`; the comparison level is `raw` or `logical`' >&2; exit 2";
    let (plan, _) = workspace(script, 1, 5);
    let mut p = Progress::with_terminal(std::time::Duration::from_secs(5), false);
    let r = run_target(&plan, "t", &plan.seeds("t"), &|| false, &mut p, 0).unwrap();
    assert_eq!(r.started, 0);
    assert!(r.failures[0].contains("SWAPDIFF_LEVEL is `x`"), "{:?}", r.failures);
    assert!(r.findings.is_empty());
    assert_eq!(verdict(&[r], false), Verdict::ToolError);
    let _ = std::fs::remove_dir_all(&plan.root);
}

#[test]
fn an_interrupt_stops_the_workers_and_keeps_their_statistics() {
    // libFuzzer on SIGTERM: "run interrupted", its final stats, exit 72.
    let script = format!(
        "{START}\ntrap 'echo \"==1== libFuzzer: run interrupted; exiting\"; echo \"stat::number_of_executed_units: 50\"; exit 72' TERM\nsleep 30 & wait"
    );
    let (plan, calls_file) = workspace(&script, 2, 60);
    let mut p = Progress::with_terminal(std::time::Duration::from_secs(60), false);
    let start = Instant::now();
    let stop = || start.elapsed().as_millis() > 1500;
    let r = run_target(&plan, "t", &plan.seeds("t"), &stop, &mut p, 0).unwrap();
    assert!(start.elapsed().as_secs() < 20, "stopped, not waited out");
    assert!(r.interrupted);
    assert_eq!(calls(&calls_file), 2, "an interrupted worker is not restarted");
    // Both workers' final stats: 2 x 50.
    assert_eq!(r.execs, 100);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(verdict(&[r], true), Verdict::Interrupted);
    let _ = std::fs::remove_dir_all(&plan.root);
}

#[test]
fn a_worker_interrupted_from_outside_is_not_restarted() {
    // Someone sent the worker SIGTERM 3.5 s in (past the quick-failure bound): libFuzzer's
    // "run interrupted" and exit 72. It is not a finding, and not worth a restart; but the
    // target fuzzed for 3.5 of its 20 s, so the verdict is a partial run, never "clean".
    let script = format!(
        "{START}\nsleep 3.5\necho \"==1== libFuzzer: run interrupted; exiting\"\necho \"stat::number_of_executed_units: 30\"\nexit 72"
    );
    let (plan, calls_file) = workspace(&script, 1, 20);
    let mut p = Progress::with_terminal(std::time::Duration::from_secs(20), false);
    let r = run_target(&plan, "t", &plan.seeds("t"), &|| false, &mut p, 0).unwrap();
    assert_eq!(calls(&calls_file), 1);
    assert_eq!(r.execs, 30);
    assert!(r.findings.is_empty() && r.failures.is_empty(), "{:?} {:?}", r.findings, r.failures);
    assert!(r.interrupted);
    assert_eq!(verdict(&[r], false), Verdict::Interrupted);
    let _ = std::fs::remove_dir_all(&plan.root);
}
