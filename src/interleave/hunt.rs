//! A hunt: generated concurrent programs (`generate`), each walked exhaustively within a
//! preemption bound, until a violation or the deadline. The first violation is minimized.

use std::time::{Duration, Instant};

use cshim::Kernel;

use super::explore::{exhaustive, Explored, Found};
use super::Run;
use super::{generate, minimize, Concurrent};
use crate::generate::Rng;

/// Preemptions per program, and schedules per program at most.
pub const PREEMPTIONS: usize = 2;
pub const MAX_SCHEDULES: usize = 5_000;

/// What a hunt did (of either series: `P` its programs, `R` its runs).
#[derive(Debug, Clone)]
pub struct Hunted<P = Concurrent, R = Run> {
    pub programs: usize,
    pub schedules: usize,
    /// Programs the spec could not judge (counted, never passed).
    pub unjudged: usize,
    /// From the start to the first violation (or to the end).
    pub elapsed: Duration,
    /// The first violation, minimized: the program and its finding.
    pub found: Option<(P, Found<R>)>,
}

impl<P, R> Hunted<P, R> {
    pub fn summary(&self) -> String {
        let judged = self.programs - self.unjudged;
        match &self.found {
            Some(_) => format!(
                "violation in program {} after {:.3} s ({} schedules in all)",
                self.programs,
                self.elapsed.as_secs_f64(),
                self.schedules
            ),
            None => format!(
                "no violation in {judged} programs ({} schedules, <= {PREEMPTIONS} preemptions each), {:.1} s; {} not judged",
                self.schedules,
                self.elapsed.as_secs_f64(),
                self.unjudged
            ),
        }
    }
}

/// Hunts from `seed` until `deadline` or `max_programs`.
pub fn hunt(k: &mut Kernel, seed: u64, deadline: Instant, max_programs: usize) -> Hunted {
    let k = std::cell::RefCell::new(k);
    hunt_by(
        seed,
        deadline,
        max_programs,
        &mut generate::program,
        &mut |p| exhaustive(&mut k.borrow_mut(), p, PREEMPTIONS, MAX_SCHEDULES),
        &mut |p, f| minimize::minimize(&mut k.borrow_mut(), p, f),
    )
}

/// Shrinks a violation of a program: the smaller program and its violation.
pub type MinimizeFn<'a, P, R> = dyn FnMut(&P, &Found<R>) -> (P, Found<R>) + 'a;

/// The hunt's loop for either series: `generate` makes a program of so many CPUs, `explore`
/// walks it, `minimize` shrinks the first violation.
pub fn hunt_by<P, R>(
    seed: u64,
    deadline: Instant,
    max_programs: usize,
    generate: &mut dyn FnMut(&mut Rng, usize) -> P,
    explore: &mut dyn FnMut(&P) -> Explored<R>,
    minimize: &mut MinimizeFn<'_, P, R>,
) -> Hunted<P, R> {
    let start = Instant::now();
    let mut rng = Rng::new(seed);
    let mut h = Hunted { programs: 0, schedules: 0, unjudged: 0, elapsed: Duration::ZERO, found: None };
    while h.programs < max_programs && Instant::now() < deadline {
        let cpus = if rng.chance(75) { 2 } else { 3 };
        let p = generate(&mut rng, cpus);
        h.programs += 1;
        let e = explore(&p);
        h.schedules += e.schedules;
        if e.unjudged.is_some() {
            h.unjudged += 1;
        }
        if let Some(f) = e.finding {
            h.elapsed = start.elapsed();
            h.found = Some(minimize(&p, &f));
            return h;
        }
    }
    h.elapsed = start.elapsed();
    h
}
