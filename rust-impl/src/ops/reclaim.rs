//! `__try_to_reclaim_swap()`: drop the swap cache's folio at a slot when nothing but the
//! cache holds its range. One function with the kernel's flags, for its three callers:
//! the free paths (`TTRS_UNMAPPED | TTRS_FULL`), the allocator's scan and the reclaim
//! worker (`TTRS_ANYWAY | TTRS_DIRECT`).

use crate::events::Flow;
use crate::Model;
use swapdiff_contract::{entry, entry_offset};

/// Reclaim whatever the folio's state (`TTRS_ANYWAY`).
pub(crate) const TTRS_ANYWAY: u32 = 0x1;
/// Reclaim when the folio is not mapped (`TTRS_UNMAPPED`).
pub(crate) const TTRS_UNMAPPED: u32 = 0x2;
/// Reclaim when swap is (over) half full (`TTRS_FULL`; without memcg
/// `mem_cgroup_swap_full()` is `vm_swap_full()`).
pub(crate) const TTRS_FULL: u32 = 0x4;
/// Free the slots here (`swap_entry_range_free`) rather than through
/// `delete_from_swap_cache` → `put_swap_folio` (`TTRS_DIRECT`).
pub(crate) const TTRS_DIRECT: u32 = 0x8;

impl Model {
    /// `__try_to_reclaim_swap(si, offset, flags)`: 0 when no cached folio covers the
    /// slot; `-nr_pages` when one does but is kept (not asked for by `flags`, or its
    /// range, taken from `folio->swap` since `offset` may be inside a large folio, is not
    /// all cache-only); `nr_pages` once it left the cache and its slots were freed. The
    /// trylock always succeeds and the folio is always freeable (in the cache, no
    /// writeback): one CPU, no I/O.
    pub(crate) fn try_to_reclaim_swap(&mut self, t: usize, offset: u64, flags: u32) -> Flow<i32> {
        let Some(h) = self.folios.cache_lookup(entry(t as u32, offset)) else {
            return Ok(0);
        };
        let Some(folio) = self.folios.get(h) else {
            return Ok(0);
        };
        let nr_pages = folio.nr_pages();
        let folio_entry = folio.swap;
        let need_reclaim = flags & TTRS_ANYWAY != 0
            || (flags & TTRS_UNMAPPED != 0 && !folio.mapped)
            || (flags & TTRS_FULL != 0 && self.vm_swap_full());
        if !need_reclaim || !self.is_has_cache(t, entry_offset(folio_entry), nr_pages)? {
            return Ok(-(nr_pages as i32));
        }
        let old = self.folios.cache_remove(h);
        if flags & TTRS_DIRECT == 0 {
            self.put_folio(old, nr_pages)?;
        } else {
            self.range_free(t, folio_entry, nr_pages)?;
        }
        Ok(nr_pages as i32)
    }

    /// `vm_swap_full()`: less than half of the swap space is free.
    pub(crate) fn vm_swap_full(&self) -> bool {
        self.nr_swap_pages * 2 < self.total_swap_pages
    }
}
