//! One target under AFL++: one instance (`jobs` 1), or a main instance
//! (`-M main`) and `jobs - 1` secondaries (`-S sN`) sharing one sync
//! directory, each importing the others' finds every minute
//! (AFL_SYNC_TIME=1; AFL++'s default is 20). The secondaries use different
//! power schedules so they do not all walk the same paths. Every instance
//! stops by itself (-V); its statistics are its own `fuzzer_stats`.

use super::afl_stats::{parse_fuzzer_stats, parse_plot_data, AflStats};
use super::child::{last_lines, Proc};
use super::plan::{Fuzzer, Plan};
use super::progress::{Progress, Snapshot};
use super::summary::TargetResult;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Power schedules of the secondaries, in turn (the main instance keeps the default).
const SCHEDULES: [&str; 7] = ["explore", "coe", "lin", "quad", "exploit", "rare", "fast"];
const OVERRUN: Duration = Duration::from_secs(60);

/// The instance names of a run: `default` alone, else `main`, `s1`, ...
pub fn instance_names(jobs: usize) -> Vec<String> {
    if jobs == 1 {
        return vec!["default".into()];
    }
    std::iter::once("main".to_string()).chain((1..jobs).map(|i| format!("s{i}"))).collect()
}

pub fn command(plan: &Plan, target: &str, corpus: &Path, index: usize) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(&plan.root).args(["afl", "fuzz"]);
    if plan.jobs > 1 {
        if index == 0 {
            cmd.args(["-M", "main"]);
        } else {
            cmd.args(["-S", &format!("s{index}"), "-p", SCHEDULES[(index - 1) % SCHEDULES.len()]]);
        }
        cmd.env("AFL_SYNC_TIME", "1");
    }
    // -t 1000: an explicit timeout makes AFL++ skip a corpus input that is
    // slow under its instrumentation (bulk ops of 20000 references) instead
    // of aborting on it; AFL_CRASHING_SEEDS_AS_NEW_CRASH: a corpus input
    // that already diverges (a patched kernel) is a crash, not skipped.
    cmd.env("AFL_SKIP_CPUFREQ", "1")
        .env("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1")
        .env("AFL_CRASHING_SEEDS_AS_NEW_CRASH", "1")
        .env("AFL_NO_UI", "1")
        .env("AFL_NO_AFFINITY", "1")
        .env("SWAPDIFF_LEVEL", plan.level.name())
        .args(["-V", &plan.per.to_string(), "-t", "1000", "-i"])
        .arg(corpus)
        .arg("-o")
        .arg(plan.afl_out().join(target))
        .arg("--")
        .arg(plan.binary(Fuzzer::Afl, target));
    cmd
}

/// Saved inputs of one kind (`crashes`, `hangs`) of an instance.
pub fn saved(instance: &Path, kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(instance.join(kind))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("id:")))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn live_stats(instance: &Path) -> Option<AflStats> {
    let plot = std::fs::read_to_string(instance.join("plot_data")).ok().and_then(|t| parse_plot_data(&t));
    let stats = std::fs::read_to_string(instance.join("fuzzer_stats")).ok().and_then(|t| parse_fuzzer_stats(&t).ok());
    match (plot, stats) {
        (Some(p), Some(s)) => Some(if p.execs >= s.execs { p } else { s }),
        (p, s) => p.or(s),
    }
}

pub fn run_target(
    plan: &Plan,
    target: &str,
    corpus: &Path,
    stop: &dyn Fn() -> bool,
    progress: &mut Progress,
    found_before: usize,
) -> Result<TargetResult, String> {
    let out = plan.afl_out().join(target);
    for d in [&out, &plan.log_dir()] {
        super::make_dir(d)?;
    }
    let names = instance_names(plan.jobs);
    let logs: Vec<PathBuf> = names.iter().map(|n| plan.log_dir().join(format!("afl-{target}-{n}.log"))).collect();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(plan.per);
    let mut r = TargetResult { target: target.to_string(), workers: names.len(), ..TargetResult::default() };
    let mut procs: Vec<Option<Proc>> = vec![];
    for (i, log) in logs.iter().enumerate() {
        match Proc::spawn(&mut command(plan, target, corpus, i), log) {
            Ok(p) => procs.push(Some(p)),
            Err(e) => {
                r.failures.push(e);
                procs.push(None);
            }
        }
    }
    let mut overran = false;
    loop {
        let stopping = stop();
        for slot in procs.iter_mut() {
            let Some(p) = slot else { continue };
            if stopping {
                r.interrupted = true;
                p.stop(Duration::from_secs(10));
            } else if Instant::now() > deadline + OVERRUN {
                overran = true;
                p.stop(Duration::from_secs(10));
            }
            if p.poll().is_some() {
                r.peak_rss_kb = r.peak_rss_kb.max(p.peak_rss_kb());
                *slot = None;
            }
        }
        if procs.iter().all(Option::is_none) {
            break;
        }
        let stats: Vec<AflStats> = names.iter().filter_map(|n| live_stats(&out.join(n))).collect();
        let found: usize =
            names.iter().map(|n| saved(&out.join(n), "crashes").len() + saved(&out.join(n), "hangs").len()).sum();
        progress.update(&Snapshot {
            target: target.to_string(),
            execs: stats.iter().map(|s| s.execs).sum(),
            coverage: format!(
                "bitmap {}",
                stats.first().and_then(|s| s.bitmap_cvg).map_or("?".into(), |c| format!("{c:.2}%"))
            ),
            corpus: stats.iter().filter_map(|s| s.corpus).max(),
            findings: found_before + found,
            target_elapsed: start.elapsed(),
        });
        std::thread::sleep(Duration::from_millis(200));
    }
    r.seconds = start.elapsed().as_secs_f64().min(plan.per.max(1) as f64);
    for (i, n) in names.iter().enumerate() {
        let inst = out.join(n);
        let crashes = saved(&inst, "crashes").len();
        let hangs = saved(&inst, "hangs").len();
        r.inputs += crashes + hangs;
        if crashes > 0 {
            r.add_finding("crash (a divergence aborts the target; triage names it)".into());
        }
        if hangs > 0 {
            r.add_finding("hang (over 1 s under AFL++)".into());
        }
        match std::fs::read_to_string(inst.join("fuzzer_stats"))
            .map_err(|e| e.to_string())
            .and_then(|t| parse_fuzzer_stats(&t))
        {
            Ok(s) => {
                r.started += 1;
                r.execs += s.execs;
                r.corpus = r.corpus.max(s.corpus);
                if i == 0 {
                    r.bitmap_cvg = s.bitmap_cvg;
                    r.edges = s.edges;
                }
            }
            Err(_) if crashes + hangs > 0 || r.interrupted => {}
            Err(_) => r.failures.push(format!(
                "instance {n} wrote no fuzzer_stats; the last lines of {}:\n{}",
                logs[i].display(),
                last_lines(&logs[i], 10)
            )),
        }
    }
    if overran {
        r.add_finding(format!("an instance overran its budget by {}s (a hang)", OVERRUN.as_secs()));
    }
    Ok(r)
}

/// Hard links of every saved crash and hang input of `target`'s instances
/// into `dir/<target>/` (`<instance>-<kind>-<id...>`), for the triage: only
/// the inputs, not the queues and stats beside them; the target in every path.
pub fn gather(plan: &Plan, target: &str, dir: &Path) -> Result<usize, String> {
    let mut n = 0;
    for name in instance_names(plan.jobs) {
        let inst = plan.afl_out().join(target).join(&name);
        for kind in ["crashes", "hangs"] {
            for f in saved(&inst, kind) {
                let into = dir.join(target);
                super::make_dir(&into)?;
                let base = f.file_name().map(|b| b.to_string_lossy().replace([':', ','], "_")).unwrap_or_default();
                let to = into.join(format!("{name}-{kind}-{base}"));
                if std::fs::hard_link(&f, &to).is_err() {
                    std::fs::copy(&f, &to).map_err(|e| format!("{}: {e}", f.display()))?;
                }
                n += 1;
            }
        }
    }
    Ok(n)
}
