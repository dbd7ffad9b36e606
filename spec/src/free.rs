//! Dropping references and the cache. Every path that frees a slot (its last reference and
//! the cache gone) invalidates what was saved for it on an MTE system (in 6.12:
//! `free_swap_slot` -> `swapcache_free_entries` -> `swap_entry_range_free` -> `swap_range_free`
//! -> `arch_swap_invalidate_page`, and `put_swap_folio`'s whole-folio path and
//! `__swap_entries_free` reach `swap_entry_range_free` directly).

use swapdiff_contract::{entry as swp_entry, entry_offset, entry_type, Entry, MAX_FOLIOS, MAX_FOLIO_ORDER};

use crate::state::{at, Slot};
use crate::tags::cache_index;
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
                self.slot_freed(*e);
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
    /// engine's view of a slot after the call. A folio reclaimed leaves the swap cache with
    /// `folio->swap` 0, and all its cache-only slots go. A folio in the swap cache over a
    /// slot whose count has no cache is a state no kernel has: outside the contract.
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
        let block = 1u64 << MAX_FOLIO_ORDER;
        let (lo, hi) = (entry_offset(entry) / block * block, (entry_offset(entry) + nr as u64).div_ceil(block) * block);
        if self.cache_disagrees_with_counts(entry_type(entry), lo, hi) {
            return self.lose_unless_refused(call(), observed, "a cached folio over slots without the cache");
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
        let mut freed = Vec::new();
        for o in lo..hi {
            if self.get(ty, o) == Some(CACHE_ONLY) && view(ty, o) == SlotState::Free {
                freed.push(o);
            }
        }
        // A folio reclaimed leaves the swap cache with `folio->swap` 0 (delete_from_swap_cache)
        // and gives up the cache of all its slots, also those past the blocks looked at.
        for h in 0..MAX_FOLIOS as u32 {
            let Some((base, n)) = self.folio_ref(h).and_then(|f| f.cache_base.map(|b| (b, f.nr()))) else {
                continue;
            };
            if entry_type(base) != ty
                || !freed.iter().any(|&o| self.cache_holder(ty, cache_index(swp_entry(ty, o))) == Some(h))
            {
                continue;
            }
            for o in entry_offset(base)..entry_offset(base) + u64::from(n) {
                if !freed.contains(&o) && self.get(ty, o) == Some(CACHE_ONLY) && view(ty, o) == SlotState::Free {
                    freed.push(o);
                }
            }
            let f = self.folio_mut(h).expect("live");
            f.cache_base = None;
            f.swap = 0;
        }
        for o in freed {
            self.range_mut(swp_entry(ty, o), 1).expect("in range")[0] = Slot::Free;
            self.slot_freed(swp_entry(ty, o));
        }
        v
    }

    /// Whether the swap cache holds a folio over a slot of `ty`'s `lo..hi` whose count says
    /// the cache does not hold it: no kernel state has that (a folio in the swap cache keeps
    /// its slots' SWAP_HAS_CACHE), and reclaiming such a folio is outside every contract.
    fn cache_disagrees_with_counts(&self, ty: u32, lo: u64, hi: u64) -> bool {
        self.folios.iter().flatten().filter_map(|f| f.cache_base.map(|b| (b, f.nr()))).any(|(b, n)| {
            let (first, last) = (entry_offset(b), entry_offset(b) + u64::from(n));
            entry_type(b) == ty
                && first < hi
                && lo < last
                && (first..last).any(|o| self.get(ty, o).is_some_and(|s| !s.cached()))
        })
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
            self.freed_in(entry, nr as u64);
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
        self.freed_in(entry, nr);
    }

    /// Every slot of the range just released that is free now had its tags invalidated
    /// (the rules call this only on ranges of slots in use before).
    fn freed_in(&mut self, entry: Entry, nr: u64) {
        for i in 0..nr {
            let e = entry.wrapping_add(i);
            if self.get(entry_type(e), entry_offset(e)) == Some(Slot::Free) {
                self.slot_freed(e);
            }
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
