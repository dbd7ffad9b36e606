//! Which schedules to run. [`exhaustive`]: every schedule of a program within a preemption
//! bound (the decision tree walked depth first: a run with a schedule prefix, then each
//! alternative at each decision past the prefix as a new prefix, so every schedule is run once).
//! [`pct`]: randomized schedules in the PCT style (random CPU priorities, the running CPU's
//! priority dropped at `depth - 1` random steps), each recorded as the schedule that replays it.

#[cfg(feature = "cli")]
use cshim::interleave::Choice;
use cshim::Kernel;

use super::linear::{check, Verdict};
use super::{run, Concurrent, Run, Schedule};

/// A schedule whose run the check refused, and what it said.
#[derive(Debug, Clone)]
pub struct Found {
    pub schedule: Schedule,
    pub run: Run,
    pub verdict: Verdict,
}

impl Found {
    /// A stable identity for dedup: `interleave/<what>/<the ops of the program, by kind>`,
    /// what being `deadlock`, `livelock`, `race` (a lock discipline WARN, linear.rs), `fault` (an
    /// oops on a simulated CPU) or `order` (no sequential order explains the run).
    pub fn signature(&self, p: &Concurrent) -> String {
        let what = match &self.verdict {
            Verdict::Violation { why, .. } if why.starts_with("deadlock") => "deadlock",
            Verdict::Violation { why, .. } if why.starts_with("no end") => "livelock",
            Verdict::Violation { why, .. } if why.starts_with("data race") => "race",
            Verdict::Violation { why, .. } if why.starts_with("fault") => "fault",
            _ => "order",
        };
        let mut kinds: Vec<&str> = p.cpu_ops().map(|(_, op)| op.kind()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        format!("interleave/{what}/{}", kinds.join("+"))
    }
}

/// What an exploration did.
#[derive(Debug, Clone)]
pub struct Explored {
    /// Schedules run.
    pub schedules: usize,
    /// Every schedule within the bound was run (false: stopped at `max_schedules` or a finding).
    pub complete: bool,
    /// The first violation.
    pub finding: Option<Found>,
    /// Why the spec could not judge, if it could not (then nothing was judged: never clean).
    pub unjudged: Option<String>,
}

impl Explored {
    /// The one-line summary: "no violation in all N schedules" only when that is what happened.
    pub fn summary(&self, what: &str) -> String {
        match (&self.finding, &self.unjudged) {
            (Some(f), _) => format!("violation after {} schedules: {}", self.schedules, why(&f.verdict)),
            (None, Some(u)) => format!("not judged: {u}"),
            (None, None) if self.complete => format!("no violation in all {} schedules ({what})", self.schedules),
            (None, None) => {
                format!("no violation in {} schedules ({what}; not every schedule was run)", self.schedules)
            }
        }
    }
}

fn why(v: &Verdict) -> String {
    match v {
        Verdict::Violation { why, .. } | Verdict::Unjudged(why) => why.clone(),
        Verdict::Linearizable { .. } => "linearizable".into(),
    }
}

/// Runs `p` under `schedule`, then judges it.
pub fn judge_one(k: &mut Kernel, p: &Concurrent, schedule: &Schedule) -> (Run, Verdict) {
    let r = run(k, p, schedule, None);
    let v = check(p, &r, k);
    (r, v)
}

/// Every schedule with at most `preemptions` preemptions, up to `max_schedules`.
pub fn exhaustive(k: &mut Kernel, p: &Concurrent, preemptions: usize, max_schedules: usize) -> Explored {
    let mut stack = vec![(Schedule::default(), 0usize)];
    let mut schedules = 0;
    while let Some((prefix, used)) = stack.pop() {
        if schedules == max_schedules {
            return Explored { schedules, complete: false, finding: None, unjudged: None };
        }
        let (r, v) = judge_one(k, p, &prefix);
        schedules += 1;
        match v {
            Verdict::Violation { .. } => {
                let schedule = r.schedule();
                return Explored {
                    schedules,
                    complete: false,
                    finding: Some(Found { schedule, run: r, verdict: v }),
                    unjudged: None,
                };
            }
            Verdict::Unjudged(why) => {
                return Explored { schedules, complete: false, finding: None, unjudged: Some(why) }
            }
            Verdict::Linearizable { .. } => {}
        }
        // Past the prefix every choice was the default (no preemption); each alternative there
        // starts a new subtree. Pushed last-first, so the walk takes the earliest first.
        let chosen: Vec<u8> = r.decisions.iter().map(|d| d.chosen as u8).collect();
        for i in (prefix.0.len()..r.decisions.len()).rev() {
            let d = &r.decisions[i];
            for alt in (0..d.runnable.len()).rev() {
                if alt == d.chosen || !d.runnable[alt] {
                    continue;
                }
                let cost = used + usize::from(d.preempts(alt));
                if cost <= preemptions {
                    let mut s = chosen[..i].to_vec();
                    s.push(alt as u8);
                    stack.push((Schedule(s), cost));
                }
            }
        }
    }
    Explored { schedules, complete: true, finding: None, unjudged: None }
}

/// `runs` PCT schedules of bug depth `depth` from `seed`, stopping at the first violation.
#[cfg(feature = "cli")]
pub fn pct(k: &mut Kernel, p: &Concurrent, seed: u64, runs: usize, depth: usize) -> Explored {
    let mut rng = crate::generate::Rng::new(seed);
    // The length of a run, for placing the change points: the default schedule's.
    let (first, v) = judge_one(k, p, &Schedule::default());
    if let Verdict::Unjudged(why) = v {
        return Explored { schedules: 1, complete: false, finding: None, unjudged: Some(why) };
    }
    let steps = first.trace.len().max(2) as u64;
    let n = p.cpus.len();
    for r in 0..runs {
        let mut prio: Vec<u64> = (0..n).map(|_| rng.next_u64() | 1 << 63).collect();
        let changes: Vec<usize> = (1..depth).map(|_| rng.range(1, steps) as usize).collect();
        let mut low = 1u64 << 62;
        let mut pick = |c: &Choice<'_>| {
            if let Some(l) = c.last {
                if changes.contains(&c.steps) {
                    low -= 1;
                    prio[l] = low;
                }
            }
            (0..n).filter(|&i| c.runnable[i]).max_by_key(|&i| prio[i]).unwrap_or(0)
        };
        let rn = run(k, p, &Schedule::default(), Some(&mut pick));
        let v = check(p, &rn, k);
        if v.is_violation() {
            return Explored {
                schedules: r + 1,
                complete: false,
                finding: Some(Found { schedule: rn.schedule(), run: rn, verdict: v }),
                unjudged: None,
            };
        }
        if let Verdict::Unjudged(why) = v {
            return Explored { schedules: r + 1, complete: false, finding: None, unjudged: Some(why) };
        }
    }
    Explored { schedules: runs, complete: false, finding: None, unjudged: None }
}
