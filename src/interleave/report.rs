//! `swapdiff interleave`: a concurrent program from a file, its schedules explored, the answer
//! printed. With a `schedule` line the file replays that one schedule; otherwise the exhaustive
//! walk (a preemption bound) or PCT runs.

#[cfg(feature = "cli")]
use cshim::Kernel;

use super::explore::Found;
#[cfg(feature = "cli")]
use super::explore::{exhaustive, judge_one, pct, Explored};
#[cfg(feature = "cli")]
use super::hunt::hunt;
use super::linear::Verdict;
use super::{text, trace_text, Concurrent};

/// How to explore.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Every schedule with at most this many preemptions (up to `max` schedules).
    Exhaustive { preemptions: usize, max: usize },
    /// `runs` PCT schedules of depth `depth` from `seed`.
    Pct { runs: usize, depth: usize, seed: u64 },
}

/// The report of a violation: the program with the schedule that replays it, why, the orders
/// that came closest, and both CPUs' stops.
pub fn violation_text(p: &Concurrent, f: &Found) -> String {
    let mut s = verdict_text(&f.verdict);
    s.push_str(&format!(
        "== program and schedule ({} preemptions; replay: swapdiff interleave FILE)\n{}",
        f.run.preemptions(),
        text::print(p, &f.schedule)
    ));
    s.push_str("== stops\n");
    s.push_str(&trace_text(&f.run));
    s
}

/// The head of a violation's report, for either series: why, and the orders that came closest.
pub fn verdict_text(v: &Verdict) -> String {
    let mut s = String::from("== violation\n");
    if let Verdict::Violation { why, closest, orders_tried } = v {
        s.push_str(&format!("{why}\n({orders_tried} sequential orders tried)\n"));
        for a in closest {
            s.push_str(&format!("  closest order {}: {}\n", order_text(&a.order), a.why));
        }
    }
    s
}

/// An order of ops as `cpu0#0 cpu1#0 ...`.
pub fn order_text(order: &[super::linear::OpId]) -> String {
    order.iter().map(|(c, i)| format!("cpu{c}#{i}")).collect::<Vec<_>>().join(" ")
}

#[cfg(feature = "cli")]
/// Runs the command on `src` (the file's text): the text to print and the exit code (0 no
/// violation, 1 a violation, 2 not judged).
pub fn command(k: &mut Kernel, src: &str, mode: Mode, repro: Option<&std::path::Path>) -> Result<(String, u8), String> {
    let (p, schedule) = text::parse(src)?;
    if !schedule.0.is_empty() {
        let (r, v) = judge_one(k, &p, &schedule);
        let f = Found { schedule: r.schedule(), run: r, verdict: v };
        return Ok(match &f.verdict {
            Verdict::Linearizable { order, .. } => {
                (format!("linearizable: {}\n{}", order_text(order), trace_text(&f.run)), 0)
            }
            Verdict::Violation { .. } => (violation_text(&p, &f) + &write_repro(repro, &p, &f)?, 1),
            Verdict::Unjudged(why) => (format!("not judged: {why}\n"), 2),
        });
    }
    let (e, what): (Explored, String) = match mode {
        Mode::Exhaustive { preemptions, max } => {
            (exhaustive(k, &p, preemptions, max), format!("at most {preemptions} preemptions"))
        }
        Mode::Pct { runs, depth, seed } => (pct(k, &p, seed, runs, depth), format!("PCT depth {depth}, seed {seed}")),
    };
    let mut out = format!("{}\n", e.summary(&what));
    let code = match (&e.finding, &e.unjudged) {
        (Some(f), _) => {
            out.push_str(&violation_text(&p, f));
            out.push_str(&write_repro(repro, &p, f)?);
            1
        }
        (None, Some(_)) => 2,
        (None, None) => 0,
    };
    Ok((out, code))
}

#[cfg(feature = "cli")]
/// `swapdiff interleave --hunt SECONDS`: generated programs until a violation or the time is
/// up. The text to print and the exit code (0 none, 1 a violation, 2 nothing judged).
pub fn hunt_command(k: &mut Kernel, seconds: f64, seed: u64) -> (String, u8) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(seconds.max(0.0));
    let h = hunt(k, seed, deadline, usize::MAX);
    let mut out = format!("hunt (seed {seed}): {}\n", h.summary());
    match &h.found {
        Some((p, f)) => {
            out.push_str("minimized:\n");
            out.push_str(&violation_text(p, f));
            (out, 1)
        }
        None if h.programs == h.unjudged => (out, 2),
        None => (out, 0),
    }
}

/// `swapdiff report FILE` for an interleaving target's input: the bytes decoded, the schedule
/// run and checked. A violation is filed in `<out>/<signature>/` (`program.txt`: the program
/// with the schedule that replays it, the report as its comment; `input.bin`; `README.md`);
/// a signature filed before keeps its directory. The text to print, and whether it violated.
#[cfg(feature = "cli")]
pub fn file_input(k: &mut Kernel, file: &std::path::Path, out: &std::path::Path) -> Result<(String, bool), String> {
    let data = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let (p, schedule) = super::bytes::decode(&data);
    let (run, verdict) = judge_one(k, &p, &schedule);
    if !verdict.is_violation() {
        return Ok((
            format!("{}: no violation (a {}-CPU program, its schedule replayed)\n", file.display(), p.cpus.len()),
            false,
        ));
    }
    let found = Found { schedule: run.schedule(), run, verdict };
    let sig = found.signature(&p);
    let dir = out.join(crate::findings::dir_name(&sig));
    let text = violation_text(&p, &found);
    if !dir.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        write_repro(Some(&dir.join("repro.c")), &p, &found)?;
        let write = |f: &str, body: &[u8]| {
            std::fs::write(dir.join(f), body).map_err(|e| format!("{}: {e}", dir.join(f).display()))
        };
        let comment: String = text.lines().map(|l| format!("# {l}\n")).collect();
        write("program.txt", format!("{comment}{}", text::print(&p, &found.schedule)).as_bytes())?;
        write("input.bin", &data)?;
        write(
            "README.md",
            format!(
                "# {sig}\n\nA concurrent program on kernel {} whose run no sequential order explains.\n\n\
                 Replay: `swapdiff interleave program.txt` (the `schedule` line replays the run exactly).\n\n```\n{text}```\n",
                cshim::kernel_version()
            )
            .as_bytes(),
        )?;
    }
    Ok((format!("{sig}: filed in {}\n{text}", dir.display()), true))
}

/// Writes `repro.c` for the violation to `path`, if one is given: the line saying so.
#[cfg(feature = "cli")]
fn write_repro(path: Option<&std::path::Path>, p: &Concurrent, f: &Found) -> Result<String, String> {
    let Some(path) = path else { return Ok(String::new()) };
    let header = format!(
        "swapdiff interleaving reproducer: {}\nkernel {}; build: the extract's standalone command (see README \"Findings\")\n\n{}",
        f.signature(p),
        cshim::kernel_version(),
        text::print(p, &f.schedule)
    );
    std::fs::write(path, super::repro::c_source(p, f, &header)).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("repro.c: {}\n", path.display()))
}
