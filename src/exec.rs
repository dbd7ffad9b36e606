//! Runs one primitive op on one engine and collects what it returned.

use crate::engine::{Engine, Event, TRAPPED};
use crate::program::Op;

/// What an op did on one engine: the return value of each call it made
/// (bulk ops make several) and the events recorded meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub rets: Vec<i64>,
    pub events: Vec<Event>,
}

impl Outcome {
    /// The call hit BUG() or hung: the program cannot go on.
    pub fn trapped(&self) -> bool {
        self.rets.last() == Some(&TRAPPED)
    }
    /// The last (for single calls: the only) return value.
    pub fn ret(&self) -> i64 {
        self.rets.last().copied().unwrap_or(0)
    }
}

/// Calls `op` on `e` (the call its table row gives; an op with a repeat
/// count makes that many calls, stopping at a trap). Composites (`swap_out`,
/// `swap_in`) are not primitive: the runner expands them.
pub fn exec<E: Engine + ?Sized>(e: &mut E, op: &Op) -> Outcome {
    let mut rets = Vec::with_capacity(1);
    op.call(e, &mut rets);
    Outcome { rets, events: e.take_events() }
}

/// The entry `alloc_swap` returned, if it succeeded.
pub fn allocated(out: &Outcome) -> Option<u64> {
    let r = out.ret();
    (r > 0).then_some(r as u64)
}
