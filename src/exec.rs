//! Runs one primitive op on one engine and collects what it returned.
//!
//! An op with a repeat count makes up to 20,000 calls, and most of them
//! answer alike (the same return value, the same WARN and LOG for a missing
//! device). The outcome keeps them as runs of identical calls, so an op costs
//! memory and comparison in proportion to how often its answer changes, not
//! to how many calls it made. Nothing is lost: the calls expand back to every
//! return value and every event, in order.

use crate::engine::{Engine, Event, TRAPPED};
use crate::program::Op;

/// `times` calls in a row that each returned `ret` and recorded `events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calls {
    pub ret: i64,
    pub events: Vec<Event>,
    pub times: u32,
}

/// What an op did on one engine: its calls in order, as maximal runs of
/// identical calls (two neighbouring runs always differ, so two outcomes are
/// equal exactly when their expanded calls are).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    runs: Vec<Calls>,
}

impl Outcome {
    /// One call.
    pub fn one(ret: i64, events: Vec<Event>) -> Outcome {
        let mut o = Outcome::default();
        o.record(ret, events);
        o
    }

    /// Appends a call: to the last run when it answered the same.
    pub fn record(&mut self, ret: i64, events: Vec<Event>) {
        if let Some(last) = self.runs.last_mut() {
            if last.ret == ret && last.events == events {
                last.times += 1;
                return;
            }
        }
        self.runs.push(Calls { ret, events, times: 1 });
    }

    pub fn runs(&self) -> &[Calls] {
        &self.runs
    }

    /// How many calls the op made.
    pub fn calls(&self) -> u64 {
        self.runs.iter().map(|r| u64::from(r.times)).sum()
    }

    /// Every call's return value, in order.
    pub fn rets(&self) -> impl Iterator<Item = i64> + '_ {
        self.runs.iter().flat_map(|r| std::iter::repeat_n(r.ret, r.times as usize))
    }

    /// Every event, in order.
    pub fn events(&self) -> impl Iterator<Item = &Event> + '_ {
        self.runs.iter().flat_map(|r| std::iter::repeat_n(&r.events, r.times as usize).flatten())
    }

    pub fn has_events(&self) -> bool {
        self.runs.iter().any(|r| !r.events.is_empty())
    }

    /// The call hit BUG() or hung: the program cannot go on.
    pub fn trapped(&self) -> bool {
        self.ret() == TRAPPED
    }

    /// The last (for single calls: the only) return value.
    pub fn ret(&self) -> i64 {
        self.runs.last().map_or(0, |r| r.ret)
    }
}

/// Calls `op` on `e` (the call its table row gives; an op with a repeat
/// count makes that many calls, stopping at a trap), taking each call's
/// events after it. Composites (`swap_out`, `swap_in`) are not primitive:
/// the runner expands them.
pub fn exec<E: Engine + ?Sized>(e: &mut E, op: &Op) -> Outcome {
    let mut out = Outcome::default();
    op.call(e, &mut out);
    out
}

/// The entry `alloc_swap` returned, if it succeeded.
pub fn allocated(out: &Outcome) -> Option<u64> {
    let r = out.ret();
    (r > 0).then_some(r as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EventKind;

    fn warn() -> Event {
        Event::new(EventKind::Warn, "__swap_duplicate", "!si")
    }

    #[test]
    fn calls_that_answer_alike_are_one_run_and_expand_back_in_order() {
        let mut o = Outcome::default();
        for _ in 0..3 {
            o.record(-22, vec![warn()]);
        }
        o.record(0, vec![]);
        o.record(0, vec![]);
        o.record(-22, vec![warn()]);
        // Three runs: the middle answer differs, so the last call is its own run.
        assert_eq!(o.runs().iter().map(|r| (r.ret, r.times)).collect::<Vec<_>>(), [(-22, 3), (0, 2), (-22, 1)]);
        assert_eq!(o.calls(), 6);
        assert_eq!(o.rets().collect::<Vec<_>>(), [-22, -22, -22, 0, 0, -22]);
        assert_eq!(o.events().count(), 4);
        assert_eq!(o.ret(), -22);
        assert!(!o.trapped());
    }

    #[test]
    fn equal_outcomes_are_equal_calls_whatever_the_order_of_recording() {
        // Built call by call on two engines, runs are maximal on both, so
        // equality of runs is equality of calls.
        let (mut a, mut b) = (Outcome::default(), Outcome::default());
        for i in 0..5 {
            a.record(i / 3, vec![]);
            b.record(i / 3, vec![]);
        }
        assert_eq!(a, b);
        b.record(TRAPPED, vec![Event::new(EventKind::Bug, "swap_count_continued", "")]);
        assert_ne!(a, b);
        assert!(b.trapped());
        assert_eq!(Outcome::default().ret(), 0);
        assert!(!Outcome::default().trapped());
    }
}
