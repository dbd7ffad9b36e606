//! The three count queries.

use super::ret;
use crate::events::{self, Flow};
use crate::kernel::COUNT_CONTINUED;
use crate::slot::SlotByte;
use crate::Model;
use swapdiff_contract::entry_offset;
use swapdiff_contract::Count;
use swapdiff_contract::REFUSED;

impl Count for Model {
    /// `__swap_count(entry)`: the map byte without the cache flag (COUNT_CONTINUED
    /// included). Refused without a device or past the map (the kernel dereferences both).
    fn __swap_count(&mut self, entry: u64) -> i64 {
        self.map_count(entry)
    }

    /// `swap_swapcount(si, entry)`: the same value, read under the cluster lock.
    fn swap_swapcount(&mut self, entry: u64) -> i64 {
        self.map_count(entry)
    }

    /// `swp_swapcount(entry)`: the exact count, continuation digits included; 0 when
    /// `_swap_info_get` rejects the entry (with its `pr_err`, e.g. for a free slot).
    ///
    /// Mirrored: the walk is driven by the COUNT_CONTINUED bit alone, so a
    /// `SWAP_MAP_SHMEM` byte (0xbf = BAD | CONTINUED) is read as low digit 63 plus
    /// continuation digits. Without a continuation page in its map page that is
    /// `VM_BUG_ON(page_private(page) != SWP_CONTINUED)`; with one (another slot of the
    /// page needed it) the result adds whatever digit — poison, stale — sits at this
    /// slot's offset.
    fn swp_swapcount(&mut self, entry: u64) -> i64 {
        ret(self.exact_count(entry))
    }
}

impl Model {
    fn map_count(&self, entry: u64) -> i64 {
        let Some(t) = self.swp_swap_info(entry) else {
            return REFUSED;
        };
        match self.devices[t].get(entry_offset(entry)) {
            Some(byte) => i64::from(SlotByte(byte).count()),
            None => REFUSED,
        }
    }

    fn exact_count(&mut self, entry: u64) -> Flow<i32> {
        let Some(t) = self.swap_info_get(entry) else {
            return Ok(0);
        };
        let offset = entry_offset(entry);
        let byte = SlotByte(self.devices[t].byte(offset));
        if !byte.continued() {
            return Ok(i32::from(byte.count()));
        }
        let (list, off) = self.devices[t].cont(offset);
        if !list.is_linked() {
            return Err(self.events.trap(events::SWAPCOUNT_NOT_CONTINUED));
        }
        let low = byte.count() & !COUNT_CONTINUED;
        list.total(off, low).map_err(|()| self.events.trap(events::SWAPCOUNT_ENDLESS_WALK))
    }
}
