//! Structure-aware reduction of a diverging program that keeps its
//! divergence signature: delta debugging over the executed steps, then each
//! op made simpler (fewer repeats, smaller batches, lower orders and offsets,
//! earlier faults), to a fixpoint. Deterministic: the same input always
//! minimizes to the same program.
//!
//! It works on the executed steps (raw mode: steering already applied,
//! composites expanded), so the result says exactly which kernel calls
//! diverge, and replays without steering.

use crate::compare::Level;
use crate::engine::Engine;
use crate::program::{Mode, Op, Program};
use crate::runner::{differential, Options, Phase};
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
fn same_divergence<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    level: Level,
    signature: &str,
    ops: &[Op],
) -> Option<Vec<Op>> {
    let p = Program {
        mode: Mode::Raw,
        ops: ops.to_vec(),
    };
    let run = differential(
        model,
        kernel,
        &p,
        Options {
            level,
            ..Options::default()
        },
    );
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
pub fn minimize<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    p: &Program,
    level: Level,
) -> Option<Minimized> {
    minimize_until(model, kernel, p, level, None)
}

/// [`minimize`], stopping at `deadline` with the smallest program so far.
pub fn minimize_until<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    p: &Program,
    level: Level,
    deadline: Option<Instant>,
) -> Option<Minimized> {
    let first = differential(
        model,
        kernel,
        p,
        Options {
            level,
            ..Options::default()
        },
    );
    let d = first.divergence.as_ref()?;
    let signature = d.signature();
    let executed: Vec<Op> = match d.phase {
        Phase::Step => first.steps[..=d.step].iter().map(|s| s.op.clone()).collect(),
        _ => first.steps.iter().map(|s| s.op.clone()).collect(),
    };
    let mut keeps = |ops: &[Op]| same_divergence(model, kernel, level, &signature, ops);
    // The executed steps replay the divergence in raw mode; if steering state
    // somehow mattered, keep the input as it was.
    let before = executed.len();
    let Some(start) = keeps(&executed) else {
        return Some(Minimized {
            before,
            after: p.ops.len(),
            program: p.clone(),
            signature,
            runs: 2,
        });
    };
    let (ops, runs) = reduce(start, &mut keeps, deadline);
    let after = ops.len();
    Some(Minimized {
        program: Program { mode: Mode::Raw, ops },
        signature,
        before,
        after,
        runs: runs + 2,
    })
}

/// Reduces `ops` (for which `keeps` holds) while `keeps` holds: delta
/// debugging over whole ops, then each op made simpler, to a fixpoint or
/// `deadline`. Returns the result and the candidates tried. The property may
/// run anywhere (in process, or in a child process per candidate).
pub fn reduce(mut ops: Vec<Op>, keeps: &mut Keeps<'_>, deadline: Option<Instant>) -> (Vec<Op>, u64) {
    let mut r = Reducer {
        keeps,
        deadline,
        runs: 0,
    };
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
            let candidate: Vec<Op> = ops[..start]
                .iter()
                .chain(&ops[(start + chunk).min(ops.len())..])
                .cloned()
                .collect();
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
        for simpler in simpler_versions(&ops[i]) {
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

/// Smaller values to try, closing in geometrically (never one by one: a
/// repeat count of 8064 must not cost thousands of runs).
fn smaller(v: u16, floor: u16) -> Vec<u16> {
    let mut out = vec![];
    if v <= floor {
        return out;
    }
    let gap = v - floor;
    for c in [floor, floor + gap / 2, floor + gap * 3 / 4, floor + gap * 7 / 8] {
        if c < v && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn smaller8(v: u8, floor: u8) -> Vec<u8> {
    smaller(u16::from(v), u16::from(floor))
        .into_iter()
        .map(|x| x as u8)
        .collect()
}

/// Simpler variants of one op, simplest first (never the op itself).
fn simpler_versions(op: &Op) -> Vec<Op> {
    use Op::*;
    let mut out = vec![];
    match op.clone() {
        SwapDuplicate { slot, times } => {
            out.extend(smaller(times, 1).into_iter().map(|times| SwapDuplicate { slot, times }))
        }
        SwapFreeNr { slot, nr, times } => {
            out.extend(
                smaller(times, 1)
                    .into_iter()
                    .map(|times| SwapFreeNr { slot, nr, times }),
            );
            out.extend(smaller(nr, 1).into_iter().map(|nr| SwapFreeNr { slot, nr, times }));
        }
        SwapDuplicateRaw { slot, usage, nr } => {
            out.extend(
                smaller(nr, 1)
                    .into_iter()
                    .map(|nr| SwapDuplicateRaw { slot, usage, nr }),
            );
        }
        SwapcachePrepare { slot, nr } => out.extend(smaller(nr, 1).into_iter().map(|nr| SwapcachePrepare { slot, nr })),
        SwapShmemAlloc { slot, nr } => out.extend(smaller(nr, 1).into_iter().map(|nr| SwapShmemAlloc { slot, nr })),
        SwapcacheClear { slot, nr } => out.extend(smaller(nr, 1).into_iter().map(|nr| SwapcacheClear { slot, nr })),
        FreeSwapAndCacheNr { slot, nr } => {
            out.extend(smaller(nr, 1).into_iter().map(|nr| FreeSwapAndCacheNr { slot, nr }))
        }
        SwapcacheFreeEntries { slots } if slots.len() > 1 => {
            for i in 0..slots.len() {
                let mut fewer = slots.clone();
                fewer.remove(i);
                out.push(SwapcacheFreeEntries { slots: fewer });
            }
        }
        AllocSwap { ty, order } => out.extend(smaller8(order, 0).into_iter().map(|order| AllocSwap { ty, order })),
        FolioNew { order } => out.extend(smaller8(order, 0).into_iter().map(|order| FolioNew { order })),
        PutSwapFolio { slot, order } => {
            out.extend(smaller8(order, 0).into_iter().map(|order| PutSwapFolio { slot, order }))
        }
        Swapon { clusters, cluster_info } => {
            out.extend(
                smaller8(clusters, 1)
                    .into_iter()
                    .map(|clusters| Swapon { clusters, cluster_info }),
            );
        }
        Fault { site, nth } => out.extend(smaller8(nth, 1).into_iter().map(|nth| Fault { site, nth })),
        PageSet {
            folio,
            idx,
            seed,
            flags,
        } => out.extend(smaller8(seed, 0).into_iter().map(|seed| PageSet {
            folio,
            idx,
            seed,
            flags,
        })),
        _ => {}
    }
    out
}
