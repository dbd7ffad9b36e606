//! Running `hunt-run` workers of a variant build under supervision, one job
//! per seed, `jobs` at a time. Every worker end is classified: a worker that
//! dies, overruns or reports a sanitizer error becomes an [`Abnormal`]
//! record (its program regenerated from seed and index), is restarted past
//! the bad program with the time left, and after the hunt each record is
//! filed as a finding of its class.
//!
//! Worker protocol (stdout, one line each):
//! `at I` before program I; `found SIG index I seconds S` at the first
//! divergence; `divergence SIG index I` for each distinct one; `filing I`
//! before filing the divergence of program I; `finding SIG ops N verdict V`
//! once filed (V: regression, fix, change, latent, or `-` when it joined a
//! finding filed before); `programs P seconds S next I` at the end. A worker that dies while
//! filing (a minimization candidate crashed the kernel) has its unfiled
//! divergences filed unminimized by a `swapdiff report` child.

use crate::abnormal::{self, abnormal, Abnormal, Prober};
use crate::compare::Level;
use crate::diagnose::Class;
use crate::diagnose::Diagnosis;
use crate::findings::{publish, Filed};
use crate::hunt::nth_program;
use crate::program::encode;
use crate::program::Family;
use crate::variant::{build_info, sanitizer_env, workspace, Variant};
use crate::worker::{supervise_quiet, Ended};
use std::cell::Cell;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What one seed's job saw, over all its workers.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    pub seed: u64,
    /// The first finding: (signature, programs run until it, seconds).
    pub first: Option<(String, u64, f64)>,
    pub programs: u64,
    /// Every signature filed (divergences and abnormal ends).
    pub signatures: Vec<String>,
    /// The verdict of each divergence the workers filed, by signature.
    pub verdicts: Vec<(String, String)>,
    /// Abnormal ends (filed as findings with their class).
    pub abnormal: usize,
    /// Every worker ran its budget (or stopped at its first finding) and exited cleanly.
    pub clean: bool,
    pub interrupted: bool,
}

pub struct Spec<'a> {
    pub variant: &'a Variant,
    pub seeds: &'a [u64],
    pub seconds: f64,
    pub level: Level,
    pub stop_at_first: bool,
    pub jobs: usize,
    pub findings: &'a Path,
    /// Bound of the filing after the hunt (minimization in worker and of
    /// abnormal ends).
    pub minimize_seconds: f64,
    /// The build's kernel against the spec alone (`hunt-run --spec`).
    pub spec_only: bool,
}

/// Slack on a worker's wall bound past its hunt and filing time.
const WORKER_SLACK: Duration = Duration::from_secs(10);
/// A hunting worker announces every program (a few ms each; a kernel call
/// that does not return is trapped in-process after about a second): one
/// silent this long is stuck in a program and ended as a hang.
pub const SILENT_WORKER: Duration = Duration::from_secs(15);
const GRACE: Duration = Duration::from_secs(3);

/// Runs the hunt of `spec` and files everything it finds. `stop()` is the
/// interrupt flag: workers are stopped, what was found is filed (abnormal
/// ends without minimization) and the partial counts returned.
pub fn run_variant(spec: &Spec, stop: &(dyn Fn() -> bool + Sync)) -> Result<Vec<RunResult>, String> {
    let start = Instant::now();
    let hunt = Duration::from_secs_f64(spec.seconds.max(0.0));
    let file_by = start + hunt + Duration::from_secs_f64(spec.minimize_seconds.max(0.0));
    let info = build_info(&spec.variant.bin);
    let info = info.as_str();
    let mut results = vec![];
    for chunk in spec.seeds.chunks(spec.jobs.max(1)) {
        let done: Vec<Result<RunResult, String>> = std::thread::scope(|s| {
            let handles: Vec<_> =
                chunk.iter().map(|&seed| s.spawn(move || job(spec, seed, start + hunt, file_by, info, stop))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a job thread panicked".into()))).collect()
        });
        for r in done {
            results.push(r?);
        }
    }
    Ok(results)
}

fn epoch_ms(t: Instant) -> u128 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    (now + t.saturating_duration_since(Instant::now())).as_millis()
}

/// One seed: workers until the hunt's end, restarted past each abnormal end.
fn job(
    spec: &Spec,
    seed: u64,
    hunt_end: Instant,
    file_by: Instant,
    info: &str,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<RunResult, String> {
    let job_start = Instant::now();
    let mut r = RunResult { seed, clean: true, ..RunResult::default() };
    let mut records: Vec<(Abnormal, u64, f64)> = vec![];
    let mut unfiled: Vec<(String, u64)> = vec![];
    let mut skip = 0u64;
    loop {
        let left = hunt_end.saturating_duration_since(Instant::now());
        if left.is_zero() && skip > 0 {
            break;
        }
        let mut cmd = Command::new(&spec.variant.bin);
        cmd.args(["hunt-run", "--seed", &seed.to_string(), "--skip", &skip.to_string()])
            .args(["--seconds", &format!("{:.3}", left.as_secs_f64()), "--level", spec.level.name()])
            .args(["--file-by-ms", &epoch_ms(file_by).to_string()])
            .arg("--out")
            .arg(spec.findings)
            .current_dir(workspace());
        if spec.stop_at_first {
            cmd.arg("--stop-at-first");
        }
        if spec.spec_only {
            cmd.arg("--spec");
        }
        if spec.variant.sanitized {
            sanitizer_env(&mut cmd);
        }
        let bound = file_by.saturating_duration_since(Instant::now()) + WORKER_SLACK;
        let mut at: Option<u64> = None;
        let mut filing: Option<u64> = None;
        let mut ended_cleanly = false;
        // Hunting (not yet filing, which minimizes silently): silence is a hang.
        let hunting = Cell::new(true);
        let mut run_programs = 0u64;
        // Distinct divergences announced (signature, program index).
        let mut divergences: Vec<(String, u64)> = vec![];
        let quiet = || hunting.get().then_some(SILENT_WORKER);
        let outcome = supervise_quiet(&mut cmd, bound, GRACE, stop, &quiet, |line| {
            let w: Vec<&str> = line.split_whitespace().collect();
            match w.as_slice() {
                ["at", i] => at = i.parse().ok(),
                ["filing", i] => {
                    filing = i.parse().ok();
                    hunting.set(false);
                }
                ["found", sig, "index", i, "seconds", _] => {
                    hunting.set(false);
                    if r.first.is_none() {
                        let i: u64 = i.parse().unwrap_or(0);
                        r.first = Some((sig.to_string(), r.programs + i + 1 - skip, job_start.elapsed().as_secs_f64()));
                    }
                }
                ["divergence", sig, "index", i] => divergences.push((sig.to_string(), i.parse().unwrap_or(0))),
                ["finding", sig, rest @ ..] => {
                    r.signatures.push(sig.to_string());
                    // `-`: the input joined a finding filed before (its verdict is that one's).
                    if let ["ops", _, "verdict", v] = rest {
                        if *v != "-" {
                            r.verdicts.push((sig.to_string(), v.to_string()));
                        }
                    }
                }
                ["programs", p, "seconds", _, "next", _] => {
                    run_programs = p.parse().unwrap_or(0);
                    ended_cleanly = true;
                }
                _ => eprintln!("{line}"),
            }
        })?;
        if outcome.ended == Ended::Stopped {
            r.interrupted = true;
            r.programs += at.map_or(run_programs, |a| a + 1 - skip).max(run_programs);
            break;
        }
        let diagnosis = abnormal(&outcome, &[0]).or_else(|| {
            (!ended_cleanly).then(|| Diagnosis {
                class: Some(crate::diagnose::Class::Crash),
                kind: "exit 0 without a result line".into(),
                report: outcome.stderr.clone(),
                ..Diagnosis::default()
            })
        });
        let Some(diagnosis) = diagnosis else {
            r.programs += run_programs;
            break;
        };
        // The program in flight: the fatal line's, else the last announced;
        // while filing, the divergence's program.
        let index = filing.or(diagnosis.program).or(at);
        let ran = at.map_or(0, |a| a + 1 - skip);
        r.programs += ran;
        r.clean = false;
        r.abnormal += 1;
        if filing.is_some() {
            // The divergences not filed yet are filed unminimized; whatever
            // killed the minimization shows when it replays in a fresh process.
            for (sig, i) in divergences.iter().filter(|(sig, _)| !r.signatures.contains(sig)) {
                unfiled.push((sig.clone(), *i));
            }
        }
        let program = index.map(|i| nth_program(seed, i));
        let origin = match index {
            Some(i) => format!("hunt seed {seed}, program {i} (`swapdiff hunt-run --seed {seed} --skip {i}`)"),
            None => format!("hunt seed {seed}, before its first program"),
        };
        let a = Abnormal { program, origin, family: Family::All, stderr: outcome.stderr.clone(), diagnosis };
        records.push((a, r.programs, job_start.elapsed().as_secs_f64()));
        if spec.stop_at_first || filing.is_some() || index.is_none() {
            break;
        }
        skip = index.unwrap_or(skip) + 1;
        if hunt_end <= Instant::now() {
            break;
        }
    }
    // File the abnormal ends: minimized until the filing deadline (not at
    // all after an interrupt: the user wants out, the finding is complete).
    // Each job its own scratch directory: the others' probes are not its to clean.
    let scratch = abnormal::scratch_dir(spec.findings).join(format!("seed-{seed}"));
    let prober =
        Prober { bin: &spec.variant.bin, level: spec.level, sanitized: spec.variant.sanitized, scratch: &scratch };
    for (sig, i) in &unfiled {
        let file = abnormal::scratch_program(&scratch, &nth_program(seed, *i))?;
        match abnormal::refile(&prober, &file, None, spec.findings)? {
            Some((filed, ops)) => {
                println!("{} (not minimized: a minimization candidate crashed the kernel)", describe(&filed, ops));
                r.signatures.push(sig.clone());
            }
            None => eprintln!("swapdiff: the divergence {sig} of seed {seed} program {i} could not be filed"),
        }
    }
    // A crash-prone patch kills workers every few programs: an end that looks
    // like one already filed (same class, kind, function and kernel entry
    // point) joins that finding without a probe, which keeps the filing time
    // bounded.
    type Look = (Option<Class>, String, Option<String>, Option<String>);
    let mut known: Vec<(Look, String)> = vec![];
    for (a, programs, seconds) in &records {
        let d = &a.diagnosis;
        let look = (d.class, d.kind.clone(), d.function().map(str::to_string), d.entry.clone());
        if let (Some((_, sig)), Some(p)) = (known.iter().find(|(k, _)| *k == look), &a.program) {
            let bytes = encode(p, a.family).unwrap_or_else(|_| p.to_string().into_bytes());
            publish(spec.findings, sig, &bytes, &[])?;
            continue;
        }
        let deadline = if stop() { Instant::now() } else { file_by };
        // None: it diverges rather than dies in a fresh process (filed above).
        let Some(f) = abnormal::file(&prober, a, info, spec.findings, deadline)? else {
            continue;
        };
        let sig = match &f.filed {
            Filed::New { signature, .. } | Filed::Seen { signature, .. } => signature.clone(),
        };
        if f.reproduced {
            known.push((look, sig.clone()));
        }
        if matches!(f.filed, Filed::New { .. }) {
            println!("{}", describe(&f.filed, f.ops));
        }
        if r.first.as_ref().is_none_or(|(_, p, _)| p > programs) {
            r.first = Some((sig.clone(), *programs, *seconds));
        }
        r.signatures.push(sig);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let _ = std::fs::remove_dir(abnormal::scratch_dir(spec.findings));
    Ok(r)
}

fn describe(f: &Filed, ops: usize) -> String {
    match f {
        Filed::New { dir, signature, .. } => format!("new finding {signature}: {} ({ops} ops)", dir.display()),
        Filed::Seen { dir, signature, times } => {
            format!("known finding {signature}: {} (seen {times} times)", dir.display())
        }
    }
}
