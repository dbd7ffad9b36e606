//! The candidate runner every pass goes through: the property, the deadline
//! and run bound, a memo of candidates that failed (the fixpoint loop offers
//! many of them again), and the order that makes each accepted candidate
//! smaller, so the passes together always end.

use super::Keeps;
use crate::program::Op;
use std::collections::HashSet;
use std::time::Instant;

/// Candidates one minimization runs at most: a few thousand in-process runs
/// (milliseconds each), whatever the deadline.
pub const MAX_RUNS: u64 = 4000;

pub struct Reducer<'a, 'b> {
    keeps: &'a mut Keeps<'b>,
    /// The same property with the candidate run in contract mode (steered again from
    /// its ops, which repairs references a deletion left dangling); `None` when the
    /// program is raw (steering would change what it tests).
    steered: Option<&'a mut Keeps<'b>>,
    deadline: Option<Instant>,
    pub runs: u64,
    failed: HashSet<(bool, Vec<Op>)>,
}

impl<'a, 'b> Reducer<'a, 'b> {
    pub fn new(keeps: &'a mut Keeps<'b>, steered: Option<&'a mut Keeps<'b>>, deadline: Option<Instant>) -> Self {
        Reducer { keeps, steered, deadline, runs: 0, failed: HashSet::new() }
    }

    /// Past the deadline or the run bound, or after an interrupt (the user
    /// wants out, and a worker is killed a few seconds after its SIGTERM),
    /// no candidate holds: the reduction stops with what it has.
    pub fn exhausted(&self) -> bool {
        self.runs >= MAX_RUNS || self.deadline.is_some_and(|d| Instant::now() >= d) || crate::interrupt::requested()
    }

    fn run(&mut self, steered: bool, ops: &[Op]) -> Option<Vec<Op>> {
        if self.exhausted() {
            return None;
        }
        let key = (steered, ops.to_vec());
        if self.failed.contains(&key) {
            return None;
        }
        self.runs += 1;
        let kept = if steered { (self.steered.as_mut()?)(ops) } else { (self.keeps)(ops) };
        if kept.is_none() {
            self.failed.insert(key);
        }
        kept
    }

    /// `candidate` (or what it was cut to) when the property holds on it and the
    /// result is smaller than `current` ([`weight`]).
    pub fn accept(&mut self, current: &[Op], candidate: &[Op]) -> Option<Vec<Op>> {
        self.run(false, candidate).filter(|kept| weight(kept) < weight(current))
    }

    /// [`Reducer::accept`], then the candidate steered again (contract mode) when
    /// that is possible and the plain candidate failed.
    pub fn accept_or_steer(&mut self, current: &[Op], candidate: &[Op]) -> Option<Vec<Op>> {
        self.accept(current, candidate).or_else(|| {
            self.steered.as_ref()?;
            self.run(true, candidate).filter(|kept| weight(kept) < weight(current))
        })
    }
}

/// What "smaller" means: fewer ops first, then smaller sizes, slots, folio
/// handles and plainer devices. Every pass only accepts a smaller candidate, so
/// the fixpoint loop ends even when a steered repair moves a slot upwards.
pub fn weight(ops: &[Op]) -> (usize, u64) {
    let mut w = 0u64;
    for op in ops {
        let mut op = op.clone();
        w += op.numbers().iter().map(|&(_, v, _)| u64::from(v)).sum::<u64>();
        op.map_slots(&mut |s| {
            w += u64::from(s.off) + 4096 * u64::from(s.ty);
            s
        });
        op.map_folios(&mut |f| {
            w += u64::from(f);
            f
        });
        if let Op::swapon { device, .. } = &op {
            w += u64::from(!device.cluster_info);
        }
    }
    (ops.len(), w)
}
