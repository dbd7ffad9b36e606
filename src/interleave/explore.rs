//! Which schedules to run. [`exhaustive`]: every schedule of a program within a preemption
//! bound (the decision tree walked depth first: a run with a schedule prefix, then each
//! alternative at each decision past the prefix as a new prefix, so every schedule is run once).
//! [`pct`]: randomized schedules in the PCT style (random CPU priorities, the running CPU's
//! priority dropped at `depth - 1` random steps), each recorded as the schedule that replays it.

use cshim::interleave::Choice;
use cshim::Kernel;

use super::linear::{check, Verdict};
use super::{run, Concurrent, Decision, Run, Schedule};

/// What the walks need of a run, of either series: the decisions it made and its length.
pub trait Decided {
    fn decisions(&self) -> &[Decision];
    /// Stops the run made.
    fn steps(&self) -> usize;
    /// The schedule that replays it: every decision made.
    fn schedule(&self) -> Schedule {
        Schedule(self.decisions().iter().map(|d| d.chosen as u8).collect())
    }
    /// Preemptions it made.
    fn preemptions(&self) -> usize {
        self.decisions().iter().filter(|d| d.preempts(d.chosen)).count()
    }
}

impl Decided for Run {
    fn decisions(&self) -> &[Decision] {
        &self.decisions
    }
    fn steps(&self) -> usize {
        self.trace.len()
    }
}

/// Runs a program under a schedule (with `pick` past its end, None: the default) and judges
/// the run: what the walks call, one per series.
pub type JudgeFn<'k, R> = dyn FnMut(&Schedule, Option<&mut dyn FnMut(&Choice<'_>) -> usize>) -> (R, Verdict) + 'k;

/// A schedule whose run the check refused, and what it said.
#[derive(Debug, Clone)]
pub struct Found<R = Run> {
    pub schedule: Schedule,
    pub run: R,
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
pub struct Explored<R = Run> {
    /// Schedules run.
    pub schedules: usize,
    /// Every schedule within the bound was run (false: stopped at `max_schedules` or a finding).
    pub complete: bool,
    /// The first violation.
    pub finding: Option<Found<R>>,
    /// Why the spec could not judge, if it could not (then nothing was judged: never clean).
    pub unjudged: Option<String>,
}

impl<R> Explored<R> {
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

/// Every schedule of `p` with at most `preemptions` preemptions, up to `max_schedules`.
pub fn exhaustive(k: &mut Kernel, p: &Concurrent, preemptions: usize, max_schedules: usize) -> Explored {
    exhaustive_by(preemptions, max_schedules, &mut |s, pick| {
        let r = run(k, p, s, pick);
        let v = check(p, &r, k);
        (r, v)
    })
}

/// Every schedule with at most `preemptions` preemptions, up to `max_schedules`, each run and
/// judged by `judge`.
pub fn exhaustive_by<R: Decided>(preemptions: usize, max_schedules: usize, judge: &mut JudgeFn<'_, R>) -> Explored<R> {
    let mut stack = vec![(Schedule::default(), 0usize)];
    let mut schedules = 0;
    while let Some((prefix, used)) = stack.pop() {
        if schedules == max_schedules {
            return Explored { schedules, complete: false, finding: None, unjudged: None };
        }
        let (r, v) = judge(&prefix, None);
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
        let decisions = r.decisions();
        let chosen: Vec<u8> = decisions.iter().map(|d| d.chosen as u8).collect();
        for i in (prefix.0.len()..decisions.len()).rev() {
            let d = &decisions[i];
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

/// `runs` PCT schedules of `p` of bug depth `depth` from `seed`, stopping at the first violation.
#[cfg(feature = "cli")]
pub fn pct(k: &mut Kernel, p: &Concurrent, seed: u64, runs: usize, depth: usize) -> Explored {
    pct_by(p.cpus.len(), seed, runs, depth, &mut |s, pick| {
        let r = run(k, p, s, pick);
        let v = check(p, &r, k);
        (r, v)
    })
}

/// `runs` PCT schedules of bug depth `depth` from `seed` over `n` CPUs, each run and judged by
/// `judge`, stopping at the first violation.
#[cfg(feature = "cli")]
pub fn pct_by<R: Decided>(n: usize, seed: u64, runs: usize, depth: usize, judge: &mut JudgeFn<'_, R>) -> Explored<R> {
    let mut rng = crate::generate::Rng::new(seed);
    // The length of a run, for placing the change points: the default schedule's.
    let (first, v) = judge(&Schedule::default(), None);
    if let Verdict::Unjudged(why) = v {
        return Explored { schedules: 1, complete: false, finding: None, unjudged: Some(why) };
    }
    let steps = first.steps().max(2) as u64;
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
        let (rn, v) = judge(&Schedule::default(), Some(&mut pick));
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
