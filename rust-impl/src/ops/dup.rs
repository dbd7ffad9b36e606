//! Taking references: `__swap_duplicate` and its callers, and the continuation pages
//! that counts beyond SWAP_MAP_MAX need.

use super::ret;
use crate::continuation::Provision;
use crate::events::{self, Flow, BAD_FILE};
use crate::kernel::{COUNT_CONTINUED, EINVAL, ENOMEM, SWAPFILE_CLUSTER, SWAP_HAS_CACHE, SWAP_MAP_MAX, SWAP_MAP_SHMEM};
use crate::slot::{dup_check, dup_commit, DupStep, SlotByte, Usage};
use crate::Model;
use swapdiff_contract::entry_offset;
use swapdiff_contract::Duplicate;
use swapdiff_contract::{Site, REFUSED};

impl Duplicate for Model {
    /// `__swap_duplicate(entry, usage, nr)`: take one `usage` reference on `nr` slots.
    ///
    /// Two passes: every slot is checked first ([`dup_check`]: -ENOENT, -EEXIST, -EINVAL
    /// stop before anything changes), then each is committed ([`dup_commit`]). A commit
    /// that needs a continuation page it does not have returns -ENOMEM *without rolling
    /// back* the slots already committed — the kernel relies on `usage == 1` coming only
    /// with `nr == 1` and warns `usage == 1 && nr > 1` otherwise, but carries on.
    ///
    /// Mirrored: no check that the range stays inside the map (refused by the guard
    /// instead), a range crossing a cluster boundary only warns, and any `usage` byte
    /// other than `SWAP_HAS_CACHE` is added to the count as a number.
    ///
    /// Refused: `nr` outside 1..=512, or a device whose map `offset + nr` leaves.
    fn __swap_duplicate(&mut self, entry: u64, usage: u8, nr: i32) -> i64 {
        if self.refuse_dup(entry, nr) {
            return REFUSED;
        }
        ret(self.duplicate(entry, usage, nr as u32))
    }

    /// `swap_duplicate(entry)`: one map reference; on -ENOMEM link a continuation page
    /// (`add_swap_count_continuation(GFP_ATOMIC)`) and try again. Returns 0 when the
    /// reference could not be taken for any reason other than memory, as the kernel
    /// does. Guarded like `__swap_duplicate` with nr 1.
    fn swap_duplicate(&mut self, entry: u64) -> i64 {
        if self.refuse_dup(entry, 1) {
            return REFUSED;
        }
        ret(self.duplicate_retrying(entry))
    }

    /// `swapcache_prepare(entry, nr)`: take the cache flag on `nr` slots.
    fn swapcache_prepare(&mut self, entry: u64, nr: i32) -> i64 {
        if self.refuse_dup(entry, nr) {
            return REFUSED;
        }
        ret(self.duplicate(entry, SWAP_HAS_CACHE, nr as u32))
    }

    /// `swap_shmem_alloc(entry, nr)`: `__swap_duplicate` with `SWAP_MAP_SHMEM` as the
    /// usage, result ignored (void). On a cached slot with count 0 that gives 0xff; on a
    /// slot that already has references the 0xbf is *added* to the count.
    fn swap_shmem_alloc(&mut self, entry: u64, nr: i32) -> i64 {
        if self.refuse_dup(entry, nr) {
            return REFUSED;
        }
        ret(self.duplicate(entry, SWAP_MAP_SHMEM, nr as u32).map(|_| 0))
    }

    /// `add_swap_count_continuation(entry, gfp)`: make sure a carry out of the slot's
    /// digits will find a page. The page is allocated first, before anything is checked,
    /// and freed again on every path that does not link it (a device or offset that
    /// `get_swap_device` rejects, a low digit that is not SWAP_MAP_MAX, an existing page
    /// with room). A failed allocation is -ENOMEM only once the page is known to be
    /// needed. Never refused: it checks its entry itself.
    fn add_swap_count_continuation(&mut self, entry: u64) -> i64 {
        ret(self.add_continuation(entry))
    }
}

impl Model {
    pub(crate) fn duplicate(&mut self, entry: u64, usage: u8, nr: u32) -> Flow<i32> {
        let Some(t) = self.swp_swap_info(entry) else {
            self.events.fire(events::DUP_NO_DEVICE);
            self.events.log_bare("__swap_duplicate", BAD_FILE, entry);
            return Ok(-EINVAL);
        };
        let offset = entry_offset(entry);
        if u64::from(nr) > SWAPFILE_CLUSTER - offset % SWAPFILE_CLUSTER {
            self.events.fire(events::DUP_CROSSES_CLUSTER);
        }
        if usage == 1 && nr > 1 {
            self.events.fire(events::DUP_BATCHED_REF);
        }
        let usage = Usage::from_byte(usage);
        let range = offset..offset + u64::from(nr);
        for off in range.clone() {
            if let Err(e) = dup_check(SlotByte(self.devices[t].byte(off)), usage) {
                return Ok(-e.errno());
            }
        }
        for off in range {
            let byte = match dup_commit(SlotByte(self.devices[t].byte(off)), usage) {
                DupStep::Write(b) => b.0,
                DupStep::Carry { count, cached } => {
                    if !self.count_continued(t, off, count)? {
                        return Ok(-ENOMEM);
                    }
                    COUNT_CONTINUED | if cached { SWAP_HAS_CACHE } else { 0 }
                }
            };
            self.devices[t].set(off, byte);
        }
        Ok(0)
    }

    fn duplicate_retrying(&mut self, entry: u64) -> Flow<i32> {
        // Terminates: each -ENOMEM is answered by a page linked where the failed carry
        // needs it, or by an allocation failure, which ends the loop.
        let mut err = 0;
        while err == 0 && self.duplicate(entry, 1, 1)? == -ENOMEM {
            err = self.add_continuation(entry)?;
        }
        Ok(err)
    }

    /// `swap_count_continued()` on the slot at `offset` of device `t`.
    pub(crate) fn count_continued(&mut self, t: usize, offset: u64, count: u8) -> Flow<bool> {
        let (list, off) = self.devices[t].cont_mut(offset);
        list.continued(off, count).map_err(|bug| self.events.trap(bug.into()))
    }

    fn add_continuation(&mut self, entry: u64) -> Flow<i32> {
        let page = self.allocs.try_alloc(Site::ContPage).then(|| self.pool.take());
        let Some(t) = self.get_swap_device(entry) else {
            self.drop_page(page);
            return Ok(0);
        };
        let offset = entry_offset(entry);
        let count = SlotByte(self.devices[t].byte(offset)).count();
        if count & !COUNT_CONTINUED != SWAP_MAP_MAX {
            self.drop_page(page);
            return Ok(0);
        }
        let Some(page) = page else {
            return Ok(-ENOMEM);
        };
        let (list, off) = self.devices[t].cont_mut(offset);
        if !list.is_linked() && count & COUNT_CONTINUED != 0 {
            // The BUG abandons the call with the page allocated: it stays live (leaked).
            self.pool.give(page);
            return Err(self.events.trap(events::ADD_CONT_ALREADY_CONTINUED));
        }
        match list.provision(off, count) {
            Provision::Append => list.push(page),
            Provision::Enough => self.drop_page(Some(page)),
        }
        Ok(0)
    }

    fn drop_page(&mut self, page: Option<crate::continuation::DigitPage>) {
        if let Some(page) = page {
            self.pool.give(page);
            self.allocs.free(Site::ContPage);
        }
    }
}
