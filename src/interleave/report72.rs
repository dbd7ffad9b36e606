//! `swapdiff interleave --series 7.x`: 7.x concurrent programs from a file or a hunt, and the
//! triage of `interleave_7x` inputs, reported as 6.12's are (report.rs) with the 7.x judge's
//! words, `repro.c` from repro72.rs.

#[cfg(feature = "cli")]
use cshim::kernel72::Kernel72;

use super::explore::Found;
#[cfg(feature = "cli")]
use super::explore::{Decided, Explored};
use super::report::verdict_text;
#[cfg(feature = "cli")]
use super::report::{order_text, Mode};
use super::trace_lines;
#[cfg(feature = "cli")]
use super::v72::{exhaustive72, judge72, minimize72, pct72, Checker72};
use super::v72::{Concurrent72, Run72};

/// The report of a 7.x violation: why, the closest orders, the program with the schedule that
/// replays it, every CPU's stops.
pub fn violation_text72(p: &Concurrent72, f: &Found<Run72>) -> String {
    let mut s = verdict_text(&f.verdict);
    s.push_str(&format!(
        "== program and schedule ({} preemptions; replay: swapdiff interleave --series 7.x FILE)\n{}",
        super::explore::Decided::preemptions(&f.run),
        p.print(&f.schedule)
    ));
    s.push_str("== stops\n");
    s.push_str(&trace_lines(&f.run.trace));
    s
}

#[cfg(feature = "cli")]
/// Runs `swapdiff interleave --series 7.x` on `src`: the text to print and the exit code (0 no
/// violation, 1 a violation, 2 not judged).
pub fn command72(
    k: &mut Kernel72,
    src: &str,
    mode: Mode,
    repro: Option<&std::path::Path>,
) -> Result<(String, u8), String> {
    use super::linear::Verdict;
    let (p, schedule) = Concurrent72::parse(src)?;
    if !schedule.0.is_empty() {
        let mut c = Checker72::new(&p);
        let (r, v) = judge72(k, &mut c, &p, &schedule, None);
        let f = Found { schedule: r.schedule(), run: r, verdict: v };
        return Ok(match &f.verdict {
            Verdict::Linearizable { order, .. } => {
                (format!("linearizable: {}\n{}", order_text(order), trace_lines(&f.run.trace)), 0)
            }
            Verdict::Violation { .. } => (violation_text72(&p, &f) + &write_repro72(k, repro, &p, &f)?, 1),
            Verdict::Unjudged(why) => (format!("not judged: {why}\n"), 2),
        });
    }
    let (e, what): (Explored<Run72>, String) = match mode {
        Mode::Exhaustive { preemptions, max } => {
            (exhaustive72(k, &p, preemptions, max), format!("at most {preemptions} preemptions"))
        }
        Mode::Pct { runs, depth, seed } => (pct72(k, &p, seed, runs, depth), format!("PCT depth {depth}, seed {seed}")),
    };
    let mut out = format!("{}\n", e.summary(&what));
    let code = match (&e.finding, &e.unjudged) {
        (Some(f), _) => {
            out.push_str(&violation_text72(&p, f));
            out.push_str(&write_repro72(k, repro, &p, f)?);
            1
        }
        (None, Some(_)) => 2,
        (None, None) => 0,
    };
    Ok((out, code))
}

#[cfg(feature = "cli")]
/// `swapdiff interleave --series 7.x --hunt SECONDS`: generated 7.x programs (generate72) until
/// a violation or the time is up; the first violation minimized.
pub fn hunt_command72(k: &mut Kernel72, seconds: f64, seed: u64) -> (String, u8) {
    use super::hunt::{hunt_by, MAX_SCHEDULES, PREEMPTIONS};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(seconds.max(0.0));
    let k = std::cell::RefCell::new(k);
    let h = hunt_by(
        seed,
        deadline,
        usize::MAX,
        &mut super::generate72::program72,
        &mut |p| exhaustive72(&mut k.borrow_mut(), p, PREEMPTIONS, MAX_SCHEDULES),
        &mut |p, f| minimize72(&mut k.borrow_mut(), p, f),
    );
    let mut out = format!("hunt (seed {seed}): {}\n", h.summary());
    match &h.found {
        Some((p, f)) => {
            out.push_str("minimized:\n");
            out.push_str(&violation_text72(p, f));
            (out, 1)
        }
        None if h.programs == h.unjudged => (out, 2),
        None => (out, 0),
    }
}

/// The program and schedule an `interleave_7x` input stands for (bytes.rs's layout over
/// generate72's families), of two or three CPUs: the judge runs every order of a program once
/// (v72 `Checker72`), and four CPUs of two ops have 2,520 of them, which a fuzzer that makes a
/// new program every few inputs cannot pay for.
pub fn decode72(data: &[u8]) -> (Concurrent72, super::Schedule) {
    super::bytes::decode_with(data, super::generate72::MAX_PATTERNS, 3, super::generate72::from_choices72)
}

/// `swapdiff report FILE` for an `interleave_7x` input: decoded, its schedule run and judged, a
/// violation filed in `<out>/<signature>/` (program.txt replayable, input.bin, README.md; a
/// signature filed before keeps its directory). The text to print, and whether it violated.
#[cfg(feature = "cli")]
pub fn file_input72(k: &mut Kernel72, file: &std::path::Path, out: &std::path::Path) -> Result<(String, bool), String> {
    let data = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let (p, schedule) = decode72(&data);
    let mut c = Checker72::new(&p);
    let (run, verdict) = judge72(k, &mut c, &p, &schedule, None);
    if !verdict.is_violation() {
        return Ok((
            format!("{}: no violation (a {}-CPU 7.x program, its schedule replayed)\n", file.display(), p.cpus.len()),
            false,
        ));
    }
    let sig = super::v72::signature72(&p, &verdict);
    let found = Found { schedule: run.schedule(), run, verdict };
    let dir = out.join(crate::findings::dir_name(&sig));
    let text = violation_text72(&p, &found);
    if !dir.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let write = |f: &str, body: &[u8]| {
            std::fs::write(dir.join(f), body).map_err(|e| format!("{}: {e}", dir.join(f).display()))
        };
        write_repro72(k, Some(&dir.join("repro.c")), &p, &found)?;
        let comment: String = text.lines().map(|l| format!("# {l}\n")).collect();
        write("program.txt", format!("{comment}{}", p.print(&found.schedule)).as_bytes())?;
        write("input.bin", &data)?;
        write(
            "README.md",
            format!(
                "# {sig}\n\nA concurrent program on kernel {} whose run no sequential order of its ops explains.\n\n\
                 Replay: `swapdiff interleave --series 7.x program.txt` (the `schedule` line replays the run exactly).\n\n```\n{text}```\n",
                k.kernel_version()
            )
            .as_bytes(),
        )?;
    }
    Ok((format!("{sig}: filed in {}\n{text}", dir.display()), true))
}

/// Writes `repro.c` for the violation to `path`, if one is given: the line saying so.
#[cfg(feature = "cli")]
fn write_repro72(
    k: &mut Kernel72,
    path: Option<&std::path::Path>,
    p: &Concurrent72,
    f: &Found<Run72>,
) -> Result<String, String> {
    let Some(path) = path else { return Ok(String::new()) };
    let header = format!(
        "swapdiff interleaving reproducer: {}\n\n{}",
        super::v72::signature72(p, &f.verdict),
        p.print(&f.schedule)
    );
    let c = super::repro72::c_source72(k, p, f, &header)?;
    std::fs::write(path, c).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("repro.c: {}\n", path.display()))
}
