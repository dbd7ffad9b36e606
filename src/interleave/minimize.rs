//! Shrinking a violation: fewer ops, then the shortest schedule. An op is dropped when the
//! program without it still has a violating schedule within the same preemption bound (the
//! exhaustive walk decides); the schedule is then cut to the shortest prefix that, with the
//! default choices after it, still violates.

use cshim::Kernel;

use super::explore::{exhaustive, judge_one, Found};
use super::{Concurrent, Schedule};

/// Schedules the walk may run per candidate while shrinking ops.
const MAX_SCHEDULES_PER_CANDIDATE: usize = 20_000;

/// A smaller program and schedule with a violation, from `found` (a violation of `p`).
pub fn minimize(k: &mut Kernel, p: &Concurrent, found: &Found) -> (Concurrent, Found) {
    let bound = found.run.preemptions();
    let mut best = (p.clone(), found.clone());
    loop {
        let mut smaller = None;
        for cand in candidates(&best.0) {
            let e = exhaustive(k, &cand, bound, MAX_SCHEDULES_PER_CANDIDATE);
            if let Some(f) = e.finding {
                smaller = Some((cand, f));
                break;
            }
        }
        match smaller {
            Some(s) => best = s,
            None => break,
        }
    }
    let (p, f) = best;
    let f = shortest_schedule(k, &p, f);
    (p, f)
}

/// The programs with one op fewer that are still concurrent programs.
fn candidates(p: &Concurrent) -> Vec<Concurrent> {
    let mut out = Vec::new();
    for i in 0..p.setup.len() {
        let mut c = p.clone();
        c.setup.remove(i);
        out.push(c);
    }
    for cpu in 0..p.cpus.len() {
        for i in 0..p.cpus[cpu].len() {
            let mut c = p.clone();
            c.cpus[cpu].remove(i);
            if c.cpus[cpu].is_empty() {
                c.cpus.remove(cpu);
            }
            if c.validate().is_ok() {
                out.push(c);
            }
        }
    }
    out
}

/// The shortest prefix of the found schedule that still violates.
fn shortest_schedule(k: &mut Kernel, p: &Concurrent, f: Found) -> Found {
    for len in 0..f.schedule.0.len() {
        let s = Schedule(f.schedule.0[..len].to_vec());
        let (run, verdict) = judge_one(k, p, &s);
        if verdict.is_violation() {
            return Found { schedule: s, run, verdict };
        }
    }
    f
}
