//! One target under libFuzzer: `jobs` worker processes sharing the target's
//! corpus (each reloads it every second, libFuzzer's default, to pick up
//! the others' finds), each with its own log and all with one artifacts
//! directory. A worker that stops on a finding starts again with the time
//! left, so one finding does not idle a core; one that stops within
//! seconds would only stop again (a corpus input that diverges) and is not
//! restarted. (libFuzzer's own -fork mode restarts its workers every few
//! seconds and re-runs corpus each time: a quarter fewer executions in a
//! 40 s run, measured when the shell drivers were written.)

use super::child::{last_lines, Proc, Tail};
use super::libfuzzer_log::{LogState, Stop};
use super::plan::{Fuzzer, Plan};
use super::progress::{Progress, Snapshot};
use super::summary::TargetResult;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// A run that stops sooner than this after starting is not restarted.
const QUICK_FAILURE: Duration = Duration::from_secs(3);
/// How long past its budget a worker may run before the driver stops it
/// (a unit that never returns: libFuzzer checks its clock between units).
const OVERRUN: Duration = Duration::from_secs(60);
/// ASan's quarantine grows without bound in long runs; keep it small. The
/// harness compares live allocations itself: no leak check.
pub const ASAN_OPTIONS: &str = "quarantine_size_mb=16:detect_leaks=0";
/// An input near this is a hang in the extracted code (fuzz/swapdiff.options).
const UNIT_TIMEOUT: u64 = 25;

struct Worker {
    index: usize,
    run: u64,
    proc: Option<Proc>,
    tail: Tail,
    log: LogState,
    failure: Option<String>,
    overran: bool,
    /// The largest peak RSS of its runs so far, in kB.
    peak_rss_kb: Option<u64>,
    /// Stops the log held when the current run started: the run's own come after.
    stops_before: usize,
}

/// The command of worker `w`'s run `run`, for `left` seconds.
pub fn command(plan: &Plan, target: &str, corpus: &Path, w: usize, run: u64, left: u64) -> Command {
    let mut cmd = Command::new(plan.binary(Fuzzer::LibFuzzer, target));
    cmd.current_dir(plan.root.join("fuzz"))
        .env("ASAN_OPTIONS", ASAN_OPTIONS)
        .env("SWAPDIFF_LEVEL", plan.level.name())
        .arg(format!("-max_total_time={left}"))
        .arg("-print_final_stats=1")
        .arg(format!("-timeout={UNIT_TIMEOUT}"))
        // One process may take more memory than several sharing the machine.
        .arg(format!("-rss_limit_mb={}", if plan.jobs == 1 { 4096 } else { 2048 }));
    if plan.jobs > 1 {
        // Different seeds, so the workers do not walk the same mutations.
        cmd.arg(format!("-seed={}", w as u64 * 7919 + run));
    }
    let artifacts = plan.artifacts().join(target);
    cmd.arg(format!("-artifact_prefix={}/", artifacts.display())).arg(corpus);
    cmd
}

fn crash_inputs(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.flatten().filter(|e| e.path().is_file()).count())
}

pub fn run_target(
    plan: &Plan,
    target: &str,
    corpus: &Path,
    stop: &dyn Fn() -> bool,
    progress: &mut Progress,
    found_before: usize,
) -> Result<TargetResult, String> {
    let artifacts = plan.artifacts().join(target);
    for d in [&artifacts, &plan.log_dir()] {
        super::make_dir(d)?;
    }
    let start = Instant::now();
    let budget = Duration::from_secs(plan.per);
    let deadline = start + budget;
    let mut workers: Vec<Worker> = (1..=plan.jobs)
        .map(|w| {
            let log: PathBuf = plan.log_dir().join(format!("{target}-w{w}.log"));
            Worker {
                index: w,
                run: 0,
                proc: None,
                tail: Tail::new(log),
                log: LogState::default(),
                failure: None,
                overran: false,
                peak_rss_kb: None,
                stops_before: 0,
            }
        })
        .collect();
    for w in &mut workers {
        start_run(plan, target, corpus, w, plan.per)?;
    }
    let mut interrupted = false;
    loop {
        let stopping = stop();
        for w in &mut workers {
            let text = w.tail.read(false);
            w.log.feed(&text);
            let Some(p) = &mut w.proc else { continue };
            if stopping {
                interrupted = true;
                p.stop(Duration::from_secs(10));
            } else if Instant::now() > deadline + OVERRUN {
                w.overran = true;
                p.stop(Duration::from_secs(10));
            }
            let Some(status) = p.poll() else { continue };
            let lasted = p.started.elapsed();
            w.peak_rss_kb = w.peak_rss_kb.max(p.peak_rss_kb());
            w.proc = None;
            end_run(w, status);
            let left = deadline.saturating_duration_since(Instant::now()).as_secs();
            // A run someone else interrupted (SIGTERM to the worker) is not restarted either.
            let killed = w.log.stops.len() > w.stops_before && w.log.stops.last() == Some(&Stop::Interrupted);
            if !status.success() && !stopping && !w.overran && !killed && lasted >= QUICK_FAILURE && left >= 1 {
                w.run += 1;
                start_run(plan, target, corpus, w, left)?;
            }
        }
        if workers.iter().all(|w| w.proc.is_none()) {
            break;
        }
        let found =
            found_before + workers.iter().map(|w| w.log.stops.iter().filter(|s| s.is_finding()).count()).sum::<usize>();
        progress.update(&snapshot(target, &workers, start.elapsed(), found));
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut r = TargetResult {
        target: target.to_string(),
        workers: plan.jobs,
        interrupted,
        seconds: start.elapsed().as_secs_f64().min(budget.as_secs_f64().max(1.0)),
        inputs: crash_inputs(&artifacts),
        ..TargetResult::default()
    };
    for w in &workers {
        // A worker interrupted by someone else (a SIGTERM or SIGINT we did not send)
        // fuzzed for less than its share: the run is partial, never "clean".
        if w.log.stops.contains(&Stop::Interrupted) {
            r.interrupted = true;
        }
        r.execs += w.log.execs();
        r.cov = r.cov.max(w.log.cov);
        r.ft = r.ft.max(w.log.ft);
        r.corpus = r.corpus.max(w.log.corpus);
        r.peak_rss_kb = r.peak_rss_kb.max(w.peak_rss_kb);
        if w.log.started {
            r.started += 1;
        }
        for s in w.log.stops.iter().filter(|s| s.is_finding()) {
            r.add_finding(s.describe());
        }
        if w.overran {
            r.add_finding(format!("a worker overran its budget by {}s (a hang)", OVERRUN.as_secs()));
        }
        if let Some(f) = &w.failure {
            r.failures.push(f.clone());
        }
    }
    if r.inputs == 0 {
        // Nothing saved: an empty artifacts directory would only be clutter.
        let _ = std::fs::remove_dir(&artifacts);
    }
    Ok(r)
}

fn start_run(plan: &Plan, target: &str, corpus: &Path, w: &mut Worker, left: u64) -> Result<(), String> {
    w.stops_before = w.log.stops.len();
    match Proc::spawn(&mut command(plan, target, corpus, w.index, w.run, left), &w.tail.path) {
        Ok(p) => w.proc = Some(p),
        Err(e) => w.failure = Some(e),
    }
    Ok(())
}

/// A run ended: read its last words and classify an exit that left no cause.
fn end_run(w: &mut Worker, status: ExitStatus) {
    let text = w.tail.read(true);
    w.log.feed(&text);
    w.log.finish();
    if status.success() || w.log.stops.len() > w.stops_before || w.overran {
        return;
    }
    if w.log.started {
        w.log.stops.push(Stop::Crash);
    } else {
        w.failure =
            Some(format!("{status}; the last lines of {}:\n{}", w.tail.path.display(), last_lines(&w.tail.path, 10)));
    }
}

fn snapshot(target: &str, workers: &[Worker], elapsed: Duration, findings: usize) -> Snapshot {
    let cov = workers.iter().filter_map(|w| w.log.cov).max();
    let ft = workers.iter().filter_map(|w| w.log.ft).max();
    let show = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    Snapshot {
        target: target.to_string(),
        execs: workers.iter().map(|w| w.log.execs()).sum(),
        coverage: format!("cov {} ft {}", show(cov), show(ft)),
        corpus: workers.iter().filter_map(|w| w.log.corpus).max(),
        findings,
        target_elapsed: elapsed,
    }
}
