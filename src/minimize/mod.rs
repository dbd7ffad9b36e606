//! Structure-aware reduction of a diverging program that keeps its divergence
//! signature (`op/class/function`, the name the finding is filed under: a
//! candidate whose divergence moved to another op, even with the same class and
//! function, would describe a different finding than the directory it lands in).
//! Passes, to a fixpoint (`passes.rs`):
//!
//! - delta debugging over the executed steps, each deletion repaired (later
//!   folio handles renumbered, `renumber.rs`; then the candidate steered again
//!   in contract mode, which moves references that still dangle; then an armed
//!   fault's `nth` lowered by the allocations the deleted op may have made);
//! - adjacent repeats merged into one op, an op folded into a repeated op on the
//!   same slots near it, then every size binary-searched down, and the repeat
//!   counts of two repeated ops on the same slots lowered together
//!   (repeat counts, `nr`, orders, clusters, `nth`, seeds, page indices);
//! - allocations lowered jointly with the slots they hand out, slots renumbered
//!   downwards;
//! - each op's other simpler versions (fewer list entries, the default device).
//!
//! A raw-mode program that diverges the same way when steered (contract mode) is
//! continued steered: the steering keeps it inside the callers' contracts, so a
//! reader can trust it more, and the spec judges it.
//!
//! Deterministic (the same input always minimizes to the same program: no clock
//! but the deadline, no randomness) and bounded: the deadline, and at most
//! [`reducer::MAX_RUNS`] candidates, each an in-process run of the oracle.
//!
//! It works on the executed steps (composites expanded, steering applied), so
//! the result says exactly which kernel calls diverge, and replays as written.

mod passes;
mod reducer;
mod renumber;
#[cfg(test)]
mod tests;

use crate::compare::Level;
use crate::oracle::Oracle;
use crate::program::{Mode, Op, Program};
use crate::runner::{Options, Phase};
use reducer::Reducer;
use std::cell::RefCell;
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

/// The in-process property: the same divergence signature, the candidate run in
/// `mode`; the result is the executed steps up to the divergent one (steered ones
/// for a contract-mode run).
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
        _ => run.steps.iter().map(|s| s.op.clone()).collect(),
    })
}

/// `ops` steered (contract mode), as the executed steps that replay the same
/// divergence in steered mode; `None` when steering loses it.
fn steered<O: Oracle + ?Sized>(oracle: &mut O, level: Level, signature: &str, ops: &[Op]) -> Option<Vec<Op>> {
    let executed = same_divergence(oracle, Mode::Contract, level, signature, ops)?;
    same_divergence(oracle, Mode::Steered, level, signature, &executed)
}

/// Minimizes `p`, which must diverge. `None` when it does not.
pub fn minimize<O: Oracle + ?Sized>(oracle: &mut O, p: &Program, level: Level) -> Option<Minimized> {
    minimize_until(oracle, p, level, None)
}

/// [`minimize`], stopping at `deadline` with the smallest program so far. The result is
/// in the mode of the executed steps (steered for a contract-mode input: the spec still
/// judges it), or steered for a raw-mode input that diverges the same way steered.
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
    let before = executed.len();
    let mut mode = p.mode.executed();
    let oracle = RefCell::new(oracle);
    let mut runs = 2;
    // The executed steps replay the divergence without steering; if steering state
    // somehow mattered, keep the input as it was.
    let Some(mut ops) = same_divergence(*oracle.borrow_mut(), mode, level, &signature, &executed) else {
        return Some(Minimized { before, after: p.ops.len(), program: p.clone(), signature, runs });
    };
    loop {
        if mode == Mode::Raw {
            runs += 2;
            if let Some(s) = steered(*oracle.borrow_mut(), level, &signature, &ops) {
                (mode, ops) = (Mode::Steered, s);
            }
        }
        let mut keeps = |c: &[Op]| same_divergence(*oracle.borrow_mut(), mode, level, &signature, c);
        let mut steer = |c: &[Op]| steered(*oracle.borrow_mut(), level, &signature, c);
        let steer: Option<&mut Keeps<'_>> = (mode == Mode::Steered).then_some(&mut steer);
        let was_raw = mode == Mode::Raw;
        let (reduced, n) = reduce_with(ops, &mut keeps, steer, deadline);
        (ops, runs) = (reduced, runs + n);
        // A raw program reduced further may now stay inside the contracts: once more,
        // steered, when steering keeps it (the loop ends: steered never turns raw).
        let out_of_time = deadline.is_some_and(|d| Instant::now() >= d)
            || runs >= reducer::MAX_RUNS
            || crate::interrupt::requested();
        if !was_raw || out_of_time || steered(*oracle.borrow_mut(), level, &signature, &ops).is_none() {
            break;
        }
    }
    let after = ops.len();
    Some(Minimized { program: Program { mode, ops }, signature, before, after, runs })
}

/// Reduces `ops` (for which `keeps` holds) while `keeps` holds, with every pass
/// but the steered repair, to a fixpoint or `deadline`. Returns the result and
/// the candidates tried. The property may run anywhere (in process, or in a
/// child process per candidate).
pub fn reduce(ops: Vec<Op>, keeps: &mut Keeps<'_>, deadline: Option<Instant>) -> (Vec<Op>, u64) {
    reduce_with(ops, keeps, None, deadline)
}

/// [`reduce`], with `steered` (the property with the candidate run in contract mode)
/// to repair deletions and lowered allocations.
pub fn reduce_with<'b>(
    mut ops: Vec<Op>,
    keeps: &mut Keeps<'b>,
    steered: Option<&mut Keeps<'b>>,
    deadline: Option<Instant>,
) -> (Vec<Op>, u64) {
    let mut r = Reducer::new(keeps, steered, deadline);
    loop {
        let before = ops.clone();
        ops = passes::ddmin(&mut r, ops);
        ops = passes::delete_each(&mut r, ops);
        ops = passes::merge_repeats(&mut r, ops);
        ops = passes::absorb(&mut r, ops);
        ops = passes::lower_numbers(&mut r, ops);
        ops = passes::lower_paired_repeats(&mut r, ops);
        ops = passes::lower_allocations(&mut r, ops);
        ops = passes::coarsen_allocations(&mut r, ops);
        ops = passes::lower_slots(&mut r, ops);
        ops = passes::simplify(&mut r, ops);
        if ops == before || r.exhausted() {
            break;
        }
    }
    (ops, r.runs)
}
