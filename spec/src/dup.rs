//! Taking references and the cache: `__swap_duplicate` and its three callers.

use swapdiff_contract::{Entry, EEXIST, ENOENT, ENOMEM, REFUSED, SWAPFILE_CLUSTER, SWAP_HAS_CACHE, SWAP_MAP_SHMEM};

use crate::state::{at, Slot};
use crate::{Spec, Verdict, WrongRule};

const ENOMEM_: i64 = -(ENOMEM as i64);

impl Spec {
    /// The three usages callers pass: 1 (one more mapping; one entry at a time),
    /// SWAP_HAS_CACHE (as `swapcache_prepare`), SWAP_MAP_SHMEM (as `swap_shmem_alloc`, but
    /// the error is returned). Any other usage byte is outside the contract.
    pub fn __swap_duplicate(&mut self, entry: Entry, usage: u8, nr: i32, observed: i64) -> Verdict {
        let call = || format!("__swap_duplicate({}, {usage:#x}, {nr})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        match usage {
            1 if nr == 1 => self.dup_map(call, entry, observed, true),
            SWAP_HAS_CACHE => self.prepare(call, entry, nr, observed),
            SWAP_MAP_SHMEM => self.shmem(call, entry, nr, observed, true),
            _ => self.lose_unless_refused(call(), observed, "usage or nr outside the contract"),
        }
    }

    /// One more mapping of the entry; the count's storage is the engine's business, so only
    /// memory can fail: `swap_duplicate` gets it itself (-ENOMEM only when an allocation
    /// fails, here an armed fault), `__swap_duplicate` may report -ENOMEM for the caller to
    /// add storage and retry. Either way a failed call takes no reference.
    pub fn swap_duplicate(&mut self, entry: Entry, observed: i64) -> Verdict {
        let call = || format!("swap_duplicate({})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        self.dup_map(call, entry, observed, false)
    }

    /// Readahead claims the cache for `nr` slots: all or nothing. -ENOENT when a slot is
    /// not in use (free: nothing to read; bad), -EEXIST when the cache already holds one
    /// (someone else is reading it in). Which of the two a range with both gets is not
    /// promised. A failed call changes nothing.
    pub fn swapcache_prepare(&mut self, entry: Entry, nr: i32, observed: i64) -> Verdict {
        let call = || format!("swapcache_prepare({}, {nr})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        self.prepare(call, entry, nr, observed)
    }

    /// shmem takes its single reference on slots it just allocated (held by the cache only).
    /// A void function: it returns 0.
    pub fn swap_shmem_alloc(&mut self, entry: Entry, nr: i32, observed: i64) -> Verdict {
        let call = || format!("swap_shmem_alloc({}, {nr})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        self.shmem(call, entry, nr, observed, false)
    }

    /// Storage for a higher count of an entry in use: 0, or -ENOMEM when an allocation
    /// fails (an armed fault). It takes no reference either way. shmem's entry never gets
    /// more references, so nobody asks for it; a free or bad slot has no count to grow.
    pub fn add_swap_count_continuation(&mut self, entry: Entry, observed: i64) -> Verdict {
        let call = || format!("add_swap_count_continuation({})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        match self.range(entry, 1).map(|r| r[0]) {
            Some(s @ Slot::Used { .. }) if !s.is_shmem() => self.memory_or(call, 0, observed),
            _ => Verdict::Unpromised("no count to grow (shmem, free, bad or no slot)"),
        }
    }

    fn dup_map(&mut self, call: impl Fn() -> String, entry: Entry, observed: i64, may_ask: bool) -> Verdict {
        let slot = match self.range(entry, 1) {
            Some(r) => r[0],
            None => return Verdict::Unpromised("no slot there"),
        };
        match slot {
            // Nothing holds a free or bad slot: there is no reference to duplicate.
            // __swap_duplicate reports it; swap_duplicate's callers hold a reference by
            // contract, so what it answers here is not promised.
            Slot::Free | Slot::Bad if may_ask => Spec::expect(call, "return", &[-i64::from(ENOENT)], observed),
            Slot::Free | Slot::Bad => Verdict::Unpromised("no reference to duplicate"),
            s if s.is_shmem() => Verdict::Unpromised("shmem's reference is not duplicated"),
            _ => {
                let v = if may_ask {
                    Spec::expect(call, "return", &[0, ENOMEM_], observed)
                } else {
                    self.memory_or(call, 0, observed)
                };
                if v == Verdict::Agrees && observed == 0 {
                    let add = if self.wrong == Some(WrongRule::SwapDuplicateAddsTwo) && !may_ask { 2 } else { 1 };
                    if let Some(Slot::Used { refs, .. }) = self.range_mut(entry, 1).map(|r| &mut r[0]) {
                        *refs += add;
                    }
                }
                v
            }
        }
    }

    fn prepare(&mut self, call: impl Fn() -> String, entry: Entry, nr: i32, observed: i64) -> Verdict {
        let Some(slots) = self.batch(entry, nr) else {
            return self.lose_unless_refused(call(), observed, "range outside the contract");
        };
        let absent = slots.iter().any(|s| matches!(s, Slot::Free | Slot::Bad));
        let cached = slots.iter().any(|s| s.cached()) && self.wrong != Some(WrongRule::PrepareOnCachedSucceeds);
        let mut allowed = Vec::new();
        if absent {
            allowed.push(-i64::from(ENOENT));
        }
        if cached {
            allowed.push(-i64::from(EEXIST));
        }
        if allowed.is_empty() {
            allowed.push(0);
        }
        let v = Spec::expect(call, "return", &allowed, observed);
        if v == Verdict::Agrees && observed == 0 {
            for s in self.range_mut(entry, nr as u64).expect("checked") {
                if let Slot::Used { cached, .. } = s {
                    *cached = true;
                }
            }
        }
        v
    }

    fn shmem(&mut self, call: impl Fn() -> String, entry: Entry, nr: i32, observed: i64, reports: bool) -> Verdict {
        let Some(slots) = self.batch(entry, nr) else {
            return self.lose_unless_refused(call(), observed, "range outside the contract");
        };
        if !slots.iter().all(|s| *s == Slot::Used { refs: 0, shmem: false, cached: true }) {
            let why = if reports { "shmem usage on slots not held by the cache only" } else { "slots not cache-only" };
            return self.lose_unless_refused(call(), observed, why);
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v == Verdict::Agrees {
            for s in self.range_mut(entry, nr as u64).expect("checked") {
                *s = Slot::Used { refs: 1, shmem: true, cached: true };
            }
        }
        v
    }

    /// `ok`, or -ENOMEM while a continuation-page fault is armed (then it has fired).
    pub(crate) fn memory_or(&mut self, call: impl Fn() -> String, ok: i64, observed: i64) -> Verdict {
        let allowed: &[i64] = if self.cont_fault_armed { &[ok, ENOMEM_] } else { &[ok] };
        let v = Spec::expect(call, "return", allowed, observed);
        if observed == ENOMEM_ {
            self.cont_fault_armed = false;
        }
        v
    }

    /// A batch's slots when the contract covers it: 1..=SWAPFILE_CLUSTER slots on one
    /// device, inside one cluster (batched callers work on one folio, which never crosses
    /// one).
    pub(crate) fn batch(&self, entry: Entry, nr: i32) -> Option<&[Slot]> {
        let nr = u64::try_from(nr).ok().filter(|n| (1..=u64::from(SWAPFILE_CLUSTER)).contains(n))?;
        let off = swapdiff_contract::entry_offset(entry);
        let cluster = u64::from(SWAPFILE_CLUSTER);
        if off / cluster != (off + nr - 1) / cluster {
            return None;
        }
        self.range(entry, nr)
    }

    /// Outside the contract: a guard's REFUSED changed nothing; anything else may have.
    pub(crate) fn lose_unless_refused(&mut self, call: String, observed: i64, why: &'static str) -> Verdict {
        if observed == REFUSED {
            return Verdict::Unpromised(why);
        }
        self.lose(call, why)
    }
}
