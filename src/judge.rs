//! The spec in the loop. In a contract-mode run, every call the reference engine
//! makes is judged by the spec (swapdiff-spec: what callers are promised, knowing no
//! encoding), and after each step the spec's view of the slots the step touched is
//! compared with the engine's. A disagreement is a [`Mismatch`] of class `spec`, found
//! like any other divergence (signature `op/spec/function`).
//!
//! Only the reference is judged: the engine under test is compared with it at the run's
//! level first, and every observable the spec reads (returns, each slot's exact count and
//! cache presence) is inside every level. So when the two agree on a step, the spec's
//! answer for one is its answer for the other; when they do not, the run stops at the
//! raw difference and the verdict (`verdict.rs`) judges each side on its own.
//!
//! Raw-mode programs are not judged: raw mode passes arguments outside the callers'
//! contracts, where the spec promises nothing.

use crate::compare::{Mismatch, Touch};
use crate::counts::exact_count;
use crate::engine::{entry, Engine, EventKind, MAX_DEVICES};
use crate::exec::Outcome;
use crate::program::Op;
use swapdiff_spec::{SlotState, Spec, Verdict};

/// The class of a spec disagreement.
pub const CLASS: &str = "spec";

/// A spec following one engine through a run.
#[derive(Debug, Clone, Default)]
pub struct Judge {
    spec: Spec,
    /// A fault was armed since the reset (it may not have fired yet).
    fault_armed: bool,
}

/// The engine's view of one slot, the spec's vocabulary read out of raw state (the map
/// byte, and a continued count's digits, as `counts::exact_count` reads them).
pub fn slot_state<E: Engine + ?Sized>(e: &E, ty: u32, off: u64) -> SlotState {
    match e.map_byte(entry(ty, off)) {
        Some(byte) => state_of(e, ty, off, byte),
        None => SlotState::Absent,
    }
}

/// [`slot_state`] of a slot whose map byte is `byte` (read from the whole map at once).
fn state_of<E: Engine + ?Sized>(e: &E, ty: u32, off: u64, byte: u8) -> SlotState {
    use crate::counts::SlotView;
    let v = SlotView { byte };
    if v.is_free() {
        return SlotState::Free;
    }
    if v.is_bad() {
        // A cluster waiting for its discard (count 0, flags 0: on the discard list) holds
        // slots the spec counts free; the kernel marks them SWAP_MAP_BAD meanwhile.
        if e.cluster(ty, (off / u64::from(crate::engine::CLUSTER)) as u32) == Some((0, 0)) {
            return SlotState::Free;
        }
        return SlotState::Bad;
    }
    let digits = if v.is_continued() { e.cont_digits(entry(ty, off)) } else { vec![] };
    let refs = exact_count(byte, &digits).unwrap_or(0);
    SlotState::Used { refs, cached: v.has_cache() }
}

impl Judge {
    pub fn new() -> Judge {
        Judge::default()
    }

    /// A judge with the given spec (tests pass one with a rule made wrong).
    pub fn with_spec(spec: Spec) -> Judge {
        Judge { spec, fault_armed: false }
    }

    pub fn env_reset(&mut self) {
        self.spec.env_reset();
        self.fault_armed = false;
    }

    /// A call the spec says kept its contract has nothing to warn about: a WARN, BUG or
    /// hang there is a broken promise, whatever it returned. Not a LOG: pr_err reports a
    /// caller's bad entry, which the count readers may be asked about. Nor a WARN once a
    /// fault was armed: the kernel WARNs on some allocation failures by design
    /// (mte_save_tags on a failed xa_store), and which call a fault hits is encoding.
    fn warned(&self, op: &Op, events: &[crate::engine::Event]) -> Option<Mismatch> {
        let e = events.iter().find(|e| match e.kind {
            EventKind::Bug | EventKind::Hang => true,
            EventKind::Warn => !self.fault_armed,
            _ => false,
        })?;
        Some(Mismatch {
            class: CLASS,
            detail: format!("{}: a call within its contract records no warning", op.kind()),
            func: Some(e.func.to_string()),
            expected: "no WARN, BUG or hang".into(),
            actual: format!("{} {}: {}", e.kind.name(), e.func, e.message()),
        })
    }

    /// Why the spec no longer knows the state, if it does not (a call outside what it can
    /// follow); nothing is judged until the next reset.
    pub fn lost(&self) -> Option<&str> {
        self.spec.lost()
    }

    /// Judges `out`, what `op` did on `eng`, call by call, then the slots `touch` names.
    pub fn step<E: Engine + ?Sized>(&mut self, op: &Op, out: &Outcome, eng: &E, touch: &Touch) -> Option<Mismatch> {
        if self.spec.lost().is_some() {
            return None;
        }
        if let Op::fault { nth, .. } = op {
            self.fault_armed |= *nth > 0;
        }
        let view = |ty: u32, off: u64| slot_state(eng, ty, off);
        for run in out.runs() {
            for _ in 0..run.times {
                match op.judge(&mut self.spec, run.ret, &view) {
                    Verdict::Disagrees(m) => {
                        return Some(Mismatch {
                            class: CLASS,
                            detail: format!("{}: {}", m.call, m.what),
                            func: Some(op.kind().to_string()),
                            expected: m.allowed,
                            actual: m.observed,
                        })
                    }
                    Verdict::Agrees => {
                        if let Some(m) = self.warned(op, &run.events) {
                            return Some(m);
                        }
                    }
                    Verdict::Unpromised(_) => {}
                }
                if self.spec.lost().is_some() {
                    return None;
                }
            }
        }
        if let Some(m) = self.state(eng, touch, Some(op)) {
            return Some(m);
        }
        if touch.everything || touch.tag_store || !touch.folios.is_empty() {
            return self.tags(eng, Some(op));
        }
        None
    }

    /// The spec's tag store and pages against the engine's (MTE, folios). Takes `&mut`:
    /// where the contract allowed several outcomes, the spec settles on the engine's.
    pub fn tags<E: Engine + ?Sized>(&mut self, eng: &E, op: Option<&Op>) -> Option<Mismatch> {
        let d = self.spec.tag_view_difference(eng)?;
        // "tag store 0:5: spec <tags> (from <call>), engine <tags>" and the page form alike.
        let (detail, expected, actual) =
            match d.split_once(": spec ").and_then(|(w, r)| Some((w, r.rsplit_once(", engine ")?))) {
                Some((what, (allowed, observed))) => (what.to_string(), allowed.to_string(), observed.to_string()),
                None => (d.clone(), "the spec's view".into(), d),
            };
        let after = op.map_or("at the end".to_string(), |o| format!("after {}", o.kind()));
        Some(Mismatch {
            class: CLASS,
            detail: format!("{detail} {after}"),
            func: op.map(|o| o.kind().to_string()),
            expected,
            actual,
        })
    }

    /// The spec's view of the slots `touch` names against the engine's (every slot of
    /// every device for `Touch::everything`). `op` names the step for the report.
    pub fn state<E: Engine + ?Sized>(&self, eng: &E, touch: &Touch, op: Option<&Op>) -> Option<Mismatch> {
        if self.spec.lost().is_some() {
            return None;
        }
        let mismatch = |(ty, off, want, got): (u32, u64, SlotState, SlotState)| Mismatch {
            class: CLASS,
            detail: match op {
                Some(op) => format!("slot {ty}:{off} after {}", op.kind()),
                None => format!("slot {ty}:{off} at the end"),
            },
            func: op.map(|o| o.kind().to_string()),
            expected: format!("{want:?}"),
            actual: format!("{got:?}"),
        };
        if touch.everything {
            return (0..MAX_DEVICES).find_map(|ty| self.first_difference(eng, ty, 0, u64::MAX)).map(mismatch);
        }
        touch.ranges.iter().find_map(|&(ty, lo, hi)| self.first_difference(eng, ty, lo, hi)).map(mismatch)
    }

    /// The first slot of `ty` in `lo..hi` where the spec's view and the engine's differ:
    /// the engine's map read once, the spec's slots walked in order, a free byte decided
    /// without a call into the engine.
    fn first_difference<E: Engine + ?Sized>(
        &self,
        eng: &E,
        ty: u32,
        lo: u64,
        hi: u64,
    ) -> Option<(u32, u64, SlotState, SlotState)> {
        let map = eng.swap_map(ty);
        let max = u64::from(self.spec.device_max(ty)).max(map.len() as u64);
        let mut want = self.spec.device_slots(ty).skip(usize::try_from(lo).ok()?);
        for off in lo..hi.min(max) {
            let want = want.next().unwrap_or(SlotState::Absent);
            let got = match map.get(off as usize) {
                Some(0) => SlotState::Free,
                Some(b) => state_of(eng, ty, off, *b),
                None => SlotState::Absent,
            };
            if want != got {
                return Some((ty, off, want, got));
            }
        }
        None
    }
}
