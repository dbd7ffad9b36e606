//! Dropping references and the cache.

use swapdiff_contract::{entry as swp_entry, entry_offset, entry_type, Entry, MAX_FOLIO_ORDER};

use crate::state::{at, Slot};
use crate::{SlotState, Spec, Verdict};

impl Spec {
    /// The cache lets go of `nr` slots it holds (a void function: 0). A slot left with no
    /// reference is free again. Clearing a slot the cache does not hold is outside the
    /// contract.
    pub fn swapcache_clear(&mut self, entry: Entry, nr: i32, observed: i64) -> Verdict {
        let call = || format!("swapcache_clear({}, {nr})", at(entry));
        self.drop_cache(call, entry, nr, observed)
    }

    /// A folio leaves the swap cache: its naturally aligned `1 << order` slots lose the
    /// cache (0). A folio's slots are aligned and all held by the cache, or the call is
    /// outside the contract.
    pub fn put_swap_folio(&mut self, entry: Entry, order: u32, observed: i64) -> Verdict {
        let call = || format!("put_swap_folio({}, {order})", at(entry));
        if order > MAX_FOLIO_ORDER || !entry_offset(entry).is_multiple_of(1 << order) {
            return self.skip_or_lose(call(), observed, "not a folio's aligned range");
        }
        self.drop_cache(call, entry, 1 << order, observed)
    }

    /// `nr` mappings go, one reference from each slot (0). A slot left with neither a
    /// reference nor the cache is free. Dropping a reference a slot does not hold is outside
    /// the contract.
    pub fn swap_free_nr(&mut self, entry: Entry, nr: i32, observed: i64) -> Verdict {
        let call = || format!("swap_free_nr({}, {nr})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        if !self.all_referenced(entry, nr) {
            return self.lose_unless_refused(call(), observed, "a slot without a reference");
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v == Verdict::Agrees {
            self.put_refs(entry, nr as u64);
        }
        v
    }

    /// The slot cache hands back slots only the cache holds: each is free (0). Any other
    /// slot, or one twice, is outside the contract.
    pub fn swapcache_free_entries(&mut self, entries: &[Entry], observed: i64) -> Verdict {
        let call =
            || format!("swapcache_free_entries({})", entries.iter().map(|e| at(*e)).collect::<Vec<_>>().join(" "));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let cache_only = |e: &Entry| self.range(*e, 1).is_some_and(|r| r[0] == CACHE_ONLY);
        let distinct = entries.iter().enumerate().all(|(i, e)| !entries[..i].contains(e));
        if !distinct || !entries.iter().all(cache_only) {
            return self.lose_unless_refused(call(), observed, "not distinct cache-only slots");
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v == Verdict::Agrees {
            for e in entries {
                self.range_mut(*e, 1).expect("checked")[0] = Slot::Free;
            }
        }
        v
    }

    /// Zapping `nr` mappings: one reference from each slot (0), as `swap_free_nr`; then
    /// the kernel may reclaim the swap cache of slots nobody references any more. Reclaim
    /// is opportunistic (it depends on the folio, its mapping and how full swap is), so the
    /// spec follows the engine: a slot it still holds only for the cache may be free
    /// afterwards, in the range or in the naturally aligned blocks of the largest folio
    /// around it (the folio reclaimed may cover more than the range). `view` is the
    /// engine's view of a slot after the call.
    pub fn free_swap_and_cache_nr(
        &mut self,
        entry: Entry,
        nr: i32,
        observed: i64,
        view: impl Fn(u32, u64) -> SlotState,
    ) -> Verdict {
        let call = || format!("free_swap_and_cache_nr({}, {nr})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        if !self.all_referenced(entry, nr) {
            return self.lose_unless_refused(call(), observed, "a slot without a reference");
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v != Verdict::Agrees {
            return v;
        }
        self.put_refs(entry, nr as u64);
        let block = 1u64 << MAX_FOLIO_ORDER;
        let (ty, off) = (entry_type(entry), entry_offset(entry));
        let lo = off / block * block;
        let hi = ((off + nr as u64).div_ceil(block) * block).min(u64::from(self.device_max(ty)));
        for o in lo..hi {
            if self.get(ty, o) == Some(CACHE_ONLY) && view(ty, o) == SlotState::Free {
                self.range_mut(swp_entry(ty, o), 1).expect("in range")[0] = Slot::Free;
            }
        }
        v
    }

    fn drop_cache(&mut self, call: impl Fn() -> String, entry: Entry, nr: i32, observed: i64) -> Verdict {
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let held = self.range(entry, u64::try_from(nr).unwrap_or(0)).filter(|r| !r.is_empty() && nr <= 512);
        if !held.is_some_and(|r| r.iter().all(|s| s.cached())) {
            return self.lose_unless_refused(call(), observed, "a slot the cache does not hold");
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v == Verdict::Agrees {
            for s in self.range_mut(entry, nr as u64).expect("checked") {
                if let Slot::Used { cached, .. } = s {
                    *cached = false;
                }
                *s = s.settle();
            }
        }
        v
    }

    fn all_referenced(&self, entry: Entry, nr: i32) -> bool {
        let n = u64::try_from(nr).unwrap_or(0);
        (1..=512).contains(&n) && self.range(entry, n).is_some_and(|r| r.iter().all(|s| s.refs() > 0))
    }

    fn put_refs(&mut self, entry: Entry, nr: u64) {
        for s in self.range_mut(entry, nr).expect("checked") {
            if let Slot::Used { refs, shmem, .. } = s {
                *refs -= 1;
                *shmem = false;
            }
            *s = s.settle();
        }
    }

    fn skip_or_lose(&mut self, call: String, observed: i64, why: &'static str) -> Verdict {
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        self.lose_unless_refused(call, observed, why)
    }
}

const CACHE_ONLY: Slot = Slot::Used { refs: 0, shmem: false, cached: true };
