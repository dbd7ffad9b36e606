//! Dropping references, down to slot release and tag invalidation.
//!
//! The chain: a reference drop ([`crate::slot::put_ref`]) that leaves nothing pins the
//! byte to `SWAP_HAS_CACHE` and reports 0; the caller then runs `free_swap_slot`, which
//! with the slot cache disabled is `swapcache_free_entries(&entry, 1)` →
//! `swap_entry_range_free` (byte → 0, cluster count down) → `swap_range_free` (tags
//! invalidated slot by slot, `nr_swap_pages` up, `inuse_pages` down).

use super::reclaim::{TTRS_FULL, TTRS_UNMAPPED};
use super::{bad_nr, ret};
use crate::events::{self, Flow};
use crate::kernel::{
    BITS_PER_LONG, COUNT_CONTINUED, MAX_FOLIO_ORDER, MAX_FREE_ENTRIES, MAX_SWAPFILES, SWAPFILE_CLUSTER, SWAP_HAS_CACHE,
    SWAP_MAP_MAX,
};
use crate::slot::{put_ref, settle, PutStep, Release, SlotByte};
use crate::Model;
use swapdiff_contract::Free;
use swapdiff_contract::REFUSED;
use swapdiff_contract::{entry, entry_offset, entry_type};

impl Free for Model {
    /// `swapcache_clear(si, entry, nr)`: drop the cache flag of `nr` slots in batches of
    /// 64 (`cluster_swap_free_nr`); no per-cluster split and no validation of the slots,
    /// so a slot without the flag is `VM_BUG_ON(!has_cache)`.
    ///
    /// Refused: no device, `nr` outside 1..=512, or a range leaving the map.
    fn swapcache_clear(&mut self, entry: u64, nr: i32) -> i64 {
        let Some(max) = self.max_of(entry) else {
            return REFUSED;
        };
        if bad_nr(nr) || entry_offset(entry) + nr as u64 > max {
            return REFUSED;
        }
        let t = entry_type(entry) as usize;
        ret(self.cluster_free_nr(t, entry_offset(entry), nr as u64, Release::Cache).map(|_| 0))
    }

    /// `swap_free_nr(entry, nr)`: drop one map reference from each of `nr` slots, one
    /// cluster-sized chunk at a time. Only the first entry is validated
    /// (`_swap_info_get`, with its `pr_err`s); a free slot further in the range has its
    /// zero count decremented anyway and becomes 0xff (mirrored underflow).
    ///
    /// Refused: `nr` outside 1..=512, or a range that starts inside a map and leaves it.
    fn swap_free_nr(&mut self, entry: u64, nr: i32) -> i64 {
        if bad_nr(nr) || self.refuse_range_from_inside(entry, nr as u64) {
            return REFUSED;
        }
        ret(self.free_nr(entry, nr as u64).map(|_| 0))
    }

    /// `put_swap_folio(folio, entry)` for a folio of `1 << order` pages: drop the cache
    /// flag of each slot. A multi-page folio whose slots are all cache-only is released
    /// in one piece (`swap_entry_range_free` over the whole range, charged to the first
    /// slot's cluster); otherwise slot by slot. `swap_is_has_cache` BUGs on a slot without
    /// the cache flag before it finds one that is not cache-only.
    ///
    /// Refused: order above 4, or a range that starts inside a map and leaves it.
    fn put_swap_folio(&mut self, entry: u64, order: u32) -> i64 {
        if order > MAX_FOLIO_ORDER || self.refuse_range_from_inside(entry, 1 << order) {
            return REFUSED;
        }
        ret(self.put_folio(entry, 1 << order).map(|_| 0))
    }

    /// `swapcache_free_entries(entries, n)`: release cache-only slots, sorted by type
    /// (a stable sort, and only when more than one type was ever switched on, as the
    /// kernel's `nr_swapfiles > 1` test). Each entry passes `_swap_info_get`.
    ///
    /// Refused: more than 64 entries.
    fn swapcache_free_entries(&mut self, entries: &[u64]) -> i64 {
        if entries.len() > MAX_FREE_ENTRIES {
            return REFUSED;
        }
        let mut sorted = std::mem::take(&mut self.scratch);
        sorted.clear();
        sorted.extend_from_slice(entries);
        if self.nr_swapfiles > 1 {
            stable_sort_by_type(&mut sorted);
        }
        let r = self.free_entries(&sorted);
        self.scratch = sorted;
        ret(r.map(|_| 0))
    }

    /// `free_swap_and_cache_nr(entry, nr)`: drop one map reference from each slot, then
    /// try to reclaim swap-cache folios of slots left cache-only.
    ///
    /// Entries of types at or beyond MAX_SWAPFILES are ignored; `get_swap_device` logs a
    /// missing device or bad offset; a range past the map is `WARN_ON(end_offset >
    /// si->max)` and nothing else. The drop (`__swap_entries_free`) has a fast path: a
    /// range inside one cluster whose bytes are all the same count-1 byte goes to
    /// `SWAP_HAS_CACHE` at once and, if the cache flag was not set, is released as one
    /// range; otherwise slot by slot, a free slot in the range warning `WARN_ON_ONCE(1)`.
    /// The reclaim pass visits cache-only slots and reclaims the cached folio covering
    /// one when it is unmapped or swap is more than half full (`vm_swap_full()`), then
    /// skips to the next boundary of the folio's size.
    ///
    /// Refused: `nr` outside 1..=512.
    fn free_swap_and_cache_nr(&mut self, entry: u64, nr: i32) -> i64 {
        if bad_nr(nr) {
            return REFUSED;
        }
        ret(self.free_and_reclaim(entry, nr as u64).map(|_| 0))
    }
}

impl Model {
    fn free_nr(&mut self, entry: u64, nr: u64) -> Flow<()> {
        let Some(t) = self.swap_info_get(entry) else {
            return Ok(());
        };
        let mut offset = entry_offset(entry);
        let mut left = nr;
        while left > 0 {
            let chunk = left.min(SWAPFILE_CLUSTER - offset % SWAPFILE_CLUSTER);
            self.cluster_free_nr(t, offset, chunk, Release::Ref)?;
            offset += chunk;
            left -= chunk;
        }
        Ok(())
    }

    /// `cluster_swap_free_nr()`: drop a reference of the given kind from `nr` slots in
    /// batches of BITS_PER_LONG, releasing the slots of a batch that reached 0 before
    /// starting the next batch.
    fn cluster_free_nr(&mut self, t: usize, mut offset: u64, mut left: u64, kind: Release) -> Flow<()> {
        while left > 0 {
            let batch = left.min(BITS_PER_LONG as u64);
            let mut to_free = 0u64;
            for i in 0..batch {
                if self.entry_free_locked(t, offset + i, kind)? == 0 {
                    to_free |= 1 << i;
                }
            }
            if to_free != 0 {
                for i in Bits(to_free) {
                    self.free_swap_slot(entry(t as u32, offset + i))?;
                }
                if batch == left {
                    return Ok(());
                }
            }
            offset += batch;
            left -= batch;
        }
        Ok(())
    }

    /// `__swap_entry_free_locked()`: apply [`put_ref`], borrowing from the continuation
    /// pages when the count is exactly COUNT_CONTINUED; returns the usage left (0 means
    /// the caller must release the slot, which stays `SWAP_HAS_CACHE` until then).
    fn entry_free_locked(&mut self, t: usize, offset: u64, kind: Release) -> Flow<u8> {
        let (count, cached) = match put_ref(SlotByte(self.devices[t].byte(offset)), kind) {
            PutStep::NotCached => return Err(self.events.trap(events::FREE_LOCKED_NOT_CACHED)),
            PutStep::Settled { count, cached } => (count, cached),
            PutStep::Borrow { cached } => {
                let more = self.count_continued(t, offset, COUNT_CONTINUED)?;
                (if more { SWAP_MAP_MAX | COUNT_CONTINUED } else { SWAP_MAP_MAX }, cached)
            }
        };
        let (written, usage) = settle(count, cached);
        self.devices[t].set(offset, written.0);
        Ok(usage)
    }

    /// `free_swap_slot()` with the slot cache off: `swapcache_free_entries(&entry, 1)`.
    fn free_swap_slot(&mut self, entry: u64) -> Flow<()> {
        self.free_entries(&[entry])
    }

    /// The loop of `swapcache_free_entries` over an already sorted batch.
    fn free_entries(&mut self, entries: &[u64]) -> Flow<()> {
        for &e in entries {
            if let Some(t) = self.swap_info_get(e) {
                self.range_free(t, e, 1)?;
            }
        }
        Ok(())
    }

    /// `swap_entry_range_free()`: every byte of the range must be exactly
    /// `SWAP_HAS_CACHE` (checked and zeroed one by one, so a BUG leaves the earlier ones
    /// zeroed); the first slot's cluster gives back `nr`; then `swap_range_free`.
    pub(crate) fn range_free(&mut self, t: usize, entry: u64, nr: u32) -> Flow<()> {
        let offset = entry_offset(entry);
        for off in offset..offset + u64::from(nr) {
            if self.devices[t].byte_or_zero(off) != SWAP_HAS_CACHE {
                return Err(self.events.trap(events::RANGE_FREE_NOT_CACHE_ONLY));
            }
            self.devices[t].set(off, 0);
        }
        self.dec_cluster_info_page(t, offset, nr)?;
        self.swap_range_free(t, offset, nr);
        Ok(())
    }

    /// `swap_is_has_cache()`: are all `nr` slots cache-only? BUGs on a slot without the
    /// cache flag met before the first one that is not cache-only.
    pub(crate) fn is_has_cache(&mut self, t: usize, offset: u64, nr: u32) -> Flow<bool> {
        for off in offset..offset + u64::from(nr) {
            let byte = self.devices[t].byte_or_zero(off);
            if byte & SWAP_HAS_CACHE == 0 {
                return Err(self.events.trap(events::HAS_CACHE_MISSING));
            }
            if byte != SWAP_HAS_CACHE {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `put_swap_folio()` after the guard, also reached from `delete_from_swap_cache`.
    pub(crate) fn put_folio(&mut self, entry: u64, size: u32) -> Flow<()> {
        let Some(t) = self.swap_info_get(entry) else {
            return Ok(());
        };
        let offset = entry_offset(entry);
        if size > 1 && self.is_has_cache(t, offset, size)? {
            return self.range_free(t, entry, size);
        }
        for i in 0..u64::from(size) {
            if self.entry_free_locked(t, offset + i, Release::Cache)? == 0 {
                self.free_swap_slot(entry.wrapping_add(i))?;
            }
        }
        Ok(())
    }

    fn free_and_reclaim(&mut self, entry: u64, nr: u64) -> Flow<()> {
        if entry_type(entry) >= MAX_SWAPFILES {
            return Ok(()); // non_swap_entry()
        }
        let Some(t) = self.get_swap_device(entry) else {
            return Ok(());
        };
        let start = entry_offset(entry);
        let end = start + nr;
        if end > u64::from(self.devices[t].max) {
            self.events.fire(events::RANGE_PAST_MAX);
            return Ok(());
        }
        if !self.entries_free(t, entry, nr)? {
            return Ok(());
        }
        let mut offset = start;
        while offset < end {
            let mut step = 1;
            if self.devices[t].byte(offset) == SWAP_HAS_CACHE {
                let folio_pages = match self.try_to_reclaim_swap(t, offset, TTRS_UNMAPPED | TTRS_FULL)? {
                    0 => 1,
                    n => u64::from(n.unsigned_abs()),
                };
                step = (offset + 1).next_multiple_of(folio_pages) - offset;
            }
            offset += step;
        }
        Ok(())
    }

    /// `__swap_entries_free()`: returns whether some slot was left cache-only.
    fn entries_free(&mut self, t: usize, entry: u64, nr: u64) -> Flow<bool> {
        let offset = entry_offset(entry);
        let first = self.devices[t].byte(offset);
        let fast = nr > 1
            && SlotByte(first).count() == 1
            && nr <= SWAPFILE_CLUSTER - offset % SWAPFILE_CLUSTER
            // swap_is_last_map(): every byte equal to the first, cache flag included.
            && (offset + 1..offset + nr).all(|off| self.devices[t].byte(off) == first);
        if fast {
            for off in offset..offset + nr {
                self.devices[t].set(off, SWAP_HAS_CACHE);
            }
            let has_cache = SlotByte(first).has_cache();
            if !has_cache {
                self.range_free(t, entry, nr as u32)?;
            }
            return Ok(has_cache);
        }
        let mut has_cache = false;
        for off in offset..offset + nr {
            if self.devices[t].byte(off) != 0 {
                // __swap_entry_free(): drop, and release the slot if nothing is left.
                let e = swapdiff_contract::entry(t as u32, off);
                let usage = self.entry_free_locked(t, off, Release::Ref)?;
                if usage == 0 {
                    self.free_swap_slot(e)?;
                }
                has_cache |= usage == SWAP_HAS_CACHE;
            } else {
                self.events.fire(events::ENTRIES_FREE_ZERO);
            }
        }
        Ok(has_cache)
    }
}

/// The kernel's `sort()` with `swp_entry_cmp` (type order), stable as ENVIRONMENT.md
/// fixes it. An insertion sort: at most 64 entries, no allocation.
fn stable_sort_by_type(entries: &mut [u64]) {
    for i in 1..entries.len() {
        let mut j = i;
        while j > 0 && entry_type(entries[j - 1]) > entry_type(entries[j]) {
            entries.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// The set bits of a word, lowest first (`for_each_set_bit`).
struct Bits(u64);

impl Iterator for Bits {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        if self.0 == 0 {
            return None;
        }
        let i = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        Some(u64::from(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_is_stable_by_type_only() {
        let mut v = [entry(2, 5), entry(0, 9), entry(2, 1), entry(0, 3)];
        stable_sort_by_type(&mut v);
        assert_eq!(v, [entry(0, 9), entry(0, 3), entry(2, 5), entry(2, 1)]);
    }

    #[test]
    fn bits_iterate_low_to_high() {
        assert_eq!(Bits(0b1010_0001).collect::<Vec<_>>(), vec![0, 5, 7]);
    }
}
