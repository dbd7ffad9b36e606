//! Shrinking a violation: fewer ops, then the shortest schedule. An op is dropped when the
//! program without it still has a violating schedule within the same preemption bound (the
//! exhaustive walk decides); the schedule is then cut to the shortest prefix that, with the
//! default choices after it, still violates. The same steps for either series' programs
//! ([`Shrink`]).

use cshim::Kernel;

use super::explore::{exhaustive, judge_one, Decided, Found};
use super::linear::Verdict;
use super::{Concurrent, Schedule};

/// Schedules the walk may run per candidate while shrinking ops.
pub const MAX_SCHEDULES_PER_CANDIDATE: usize = 20_000;

/// A concurrent program of some series, as the shrinking sees it.
pub trait Shrink: Clone {
    /// The programs with one op fewer that are still concurrent programs.
    fn candidates(&self) -> Vec<Self>;
}

/// The programs with one op of `setup` or of a CPU fewer, each kept when `valid` (a CPU left
/// without ops goes).
pub fn one_op_fewer<P: Clone, O: Clone>(
    p: &P,
    parts: impl Fn(&mut P) -> (&mut Vec<O>, &mut Vec<Vec<O>>),
    valid: impl Fn(&P) -> bool,
) -> Vec<P> {
    let mut out = Vec::new();
    let mut probe = p.clone();
    let (setup_len, cpu_lens) = {
        let (setup, cpus) = parts(&mut probe);
        (setup.len(), cpus.iter().map(Vec::len).collect::<Vec<_>>())
    };
    for i in 0..setup_len {
        let mut c = p.clone();
        parts(&mut c).0.remove(i);
        out.push(c);
    }
    for (cpu, &n) in cpu_lens.iter().enumerate() {
        for i in 0..n {
            let mut c = p.clone();
            let (_, cpus) = parts(&mut c);
            cpus[cpu].remove(i);
            if cpus[cpu].is_empty() {
                cpus.remove(cpu);
            }
            if valid(&c) {
                out.push(c);
            }
        }
    }
    out
}

impl Shrink for Concurrent {
    fn candidates(&self) -> Vec<Concurrent> {
        one_op_fewer(self, |c| (&mut c.setup, &mut c.cpus), |c| c.validate().is_ok())
    }
}

/// A smaller program and schedule with a violation, from `found` (a violation of `p`).
pub fn minimize(k: &mut Kernel, p: &Concurrent, found: &Found) -> (Concurrent, Found) {
    let mut explore = |c: &Concurrent, bound: usize| exhaustive(k, c, bound, MAX_SCHEDULES_PER_CANDIDATE).finding;
    let (p, f) = shrink_ops(p, found, &mut explore);
    let f = shortest_schedule(f, &mut |s| judge_one(k, &p, s));
    (p, f)
}

/// Drops ops while `explore(candidate, bound)` still finds a violation.
pub fn shrink_ops<P: Shrink, R: Decided + Clone>(
    p: &P,
    found: &Found<R>,
    explore: &mut dyn FnMut(&P, usize) -> Option<Found<R>>,
) -> (P, Found<R>) {
    let bound = found.run.preemptions();
    let mut best = (p.clone(), found.clone());
    loop {
        let smaller = best.0.candidates().into_iter().find_map(|cand| explore(&cand, bound).map(|f| (cand, f)));
        match smaller {
            Some(s) => best = s,
            None => return best,
        }
    }
}

/// The shortest prefix of the found schedule that still violates (`judge` runs one).
pub fn shortest_schedule<R>(f: Found<R>, judge: &mut dyn FnMut(&Schedule) -> (R, Verdict)) -> Found<R> {
    for len in 0..f.schedule.0.len() {
        let s = Schedule(f.schedule.0[..len].to_vec());
        let (run, verdict) = judge(&s);
        if verdict.is_violation() {
            return Found { schedule: s, run, verdict };
        }
    }
    f
}
