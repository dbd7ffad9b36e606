//! Structure-aware reduction of a diverging program that keeps its
//! divergence signature: delta debugging over the executed steps, then each
//! op made simpler (fewer repeats, smaller batches, lower orders, fewer clusters,
//! earlier faults), to a fixpoint. Deterministic: the same input always
//! minimizes to the same program.
//!
//! It works on the executed steps (raw mode: steering already applied,
//! composites expanded), so the result says exactly which kernel calls
//! diverge, and replays without steering.

use crate::compare::Level;
use crate::oracle::Oracle;
use crate::program::{Mode, Op, Program};
use crate::runner::{Options, Phase};
use std::time::Instant;

pub struct Minimized {
    pub program: Program,
    pub signature: String,
    /// Steps the input executed (composites expanded) and ops in the result.
    pub before: usize,
    pub after: usize,
    /// Differential runs it took.
    pub runs: u64,
}

/// A property of a candidate: `Some(cut)` when it holds (the candidate cut
/// after the step where it showed), `None` when not.
pub type Keeps<'a> = dyn FnMut(&[Op]) -> Option<Vec<Op>> + 'a;

struct Reducer<'a, 'b> {
    keeps: &'a mut Keeps<'b>,
    deadline: Option<Instant>,
    runs: u64,
}

impl Reducer<'_, '_> {
    /// Past the deadline no candidate holds: the reduction stops with what it has.
    fn keeps(&mut self, ops: &[Op]) -> Option<Vec<Op>> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        self.runs += 1;
        (self.keeps)(ops)
    }
}

/// The in-process property: the same divergence signature.
fn same_divergence<O: Oracle + ?Sized>(
    oracle: &mut O,
    mode: Mode,
    level: Level,
    signature: &str,
    ops: &[Op],
) -> Option<Vec<Op>> {
    let p = Program { mode, ops: ops.to_vec() };
    let run = oracle.run(&p, Options { level, ..Options::default() });
    let d = run.divergence.as_ref()?;
    if d.signature() != signature {
        return None;
    }
    Some(match d.phase {
        Phase::Step => run.steps[..=d.step].iter().map(|s| s.op.clone()).collect(),
        _ => ops.to_vec(),
    })
}

/// Minimizes `p`, which must diverge. `None` when it does not.
pub fn minimize<O: Oracle + ?Sized>(oracle: &mut O, p: &Program, level: Level) -> Option<Minimized> {
    minimize_until(oracle, p, level, None)
}

/// [`minimize`], stopping at `deadline` with the smallest program so far. The result is
/// in the mode of the executed steps (steered for a contract-mode input: the spec still
/// judges it).
pub fn minimize_until<O: Oracle + ?Sized>(
    oracle: &mut O,
    p: &Program,
    level: Level,
    deadline: Option<Instant>,
) -> Option<Minimized> {
    let first = oracle.run(p, Options { level, ..Options::default() });
    let d = first.divergence.as_ref()?;
    let signature = d.signature();
    let executed: Vec<Op> = match d.phase {
        Phase::Step => first.steps[..=d.step].iter().map(|s| s.op.clone()).collect(),
        _ => first.steps.iter().map(|s| s.op.clone()).collect(),
    };
    let mode = p.mode.executed();
    let mut keeps = |ops: &[Op]| same_divergence(oracle, mode, level, &signature, ops);
    // The executed steps replay the divergence without steering; if steering state
    // somehow mattered, keep the input as it was.
    let before = executed.len();
    let Some(start) = keeps(&executed) else {
        return Some(Minimized { before, after: p.ops.len(), program: p.clone(), signature, runs: 2 });
    };
    let (ops, runs) = reduce(start, &mut keeps, deadline);
    let after = ops.len();
    Some(Minimized { program: Program { mode, ops }, signature, before, after, runs: runs + 2 })
}

/// Reduces `ops` (for which `keeps` holds) while `keeps` holds: delta
/// debugging over whole ops, then each op made simpler, to a fixpoint or
/// `deadline`. Returns the result and the candidates tried. The property may
/// run anywhere (in process, or in a child process per candidate).
pub fn reduce(mut ops: Vec<Op>, keeps: &mut Keeps<'_>, deadline: Option<Instant>) -> (Vec<Op>, u64) {
    let mut r = Reducer { keeps, deadline, runs: 0 };
    loop {
        let before = ops.clone();
        ops = ddmin(&mut r, ops);
        ops = simplify(&mut r, ops);
        if ops == before || r.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
    }
    (ops, r.runs)
}

/// Zeller's ddmin over whole ops: remove chunks while the divergence stays.
fn ddmin(o: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut n = 2usize;
    while ops.len() >= 2 {
        let chunk = ops.len().div_ceil(n);
        let mut reduced = false;
        for start in (0..ops.len()).step_by(chunk) {
            let candidate: Vec<Op> =
                ops[..start].iter().chain(&ops[(start + chunk).min(ops.len())..]).cloned().collect();
            if let Some(kept) = o.keeps(&candidate) {
                ops = kept;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= ops.len() {
                break;
            }
            n = (n * 2).min(ops.len());
        }
    }
    ops
}

/// Tries simpler versions of each op, first the simplest.
fn simplify(o: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut i = 0;
    while i < ops.len() {
        for simpler in ops[i].simpler_versions() {
            let mut candidate = ops.clone();
            candidate[i] = simpler;
            if let Some(kept) = o.keeps(&candidate) {
                ops = kept;
                break;
            }
        }
        i += 1;
    }
    ops
}
