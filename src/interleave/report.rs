//! `swapdiff interleave`: a concurrent program from a file, its schedules explored, the answer
//! printed. With a `schedule` line the file replays that one schedule; otherwise the exhaustive
//! walk (a preemption bound) or PCT runs.

use cshim::Kernel;

use super::explore::{exhaustive, judge_one, pct, Explored, Found};
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
    let mut s = String::from("== violation\n");
    if let Verdict::Violation { why, closest, orders_tried } = &f.verdict {
        s.push_str(&format!("{why}\n({orders_tried} sequential orders tried)\n"));
        for a in closest {
            let order: Vec<String> = a.order.iter().map(|(c, i)| format!("cpu{c}#{i}")).collect();
            s.push_str(&format!("  closest order {}: {}\n", order.join(" "), a.why));
        }
    }
    s.push_str(&format!(
        "== program and schedule ({} preemptions; replay: swapdiff interleave FILE)\n{}",
        f.run.preemptions(),
        text::print(p, &f.schedule)
    ));
    s.push_str("== stops\n");
    s.push_str(&trace_text(&f.run));
    s
}

/// Runs the command on `src` (the file's text): the text to print and the exit code (0 no
/// violation, 1 a violation, 2 not judged).
pub fn command(k: &mut Kernel, src: &str, mode: Mode) -> Result<(String, u8), String> {
    let (p, schedule) = text::parse(src)?;
    if !schedule.0.is_empty() {
        let (r, v) = judge_one(k, &p, &schedule);
        let f = Found { schedule: r.schedule(), run: r, verdict: v };
        return Ok(match &f.verdict {
            Verdict::Linearizable { order, .. } => {
                let order: Vec<String> = order.iter().map(|(c, i)| format!("cpu{c}#{i}")).collect();
                (format!("linearizable: {}\n{}", order.join(" "), trace_text(&f.run)), 0)
            }
            Verdict::Violation { .. } => (violation_text(&p, &f), 1),
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
            1
        }
        (None, Some(_)) => 2,
        (None, None) => 0,
    };
    Ok((out, code))
}
