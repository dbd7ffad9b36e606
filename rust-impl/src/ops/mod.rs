//! The kernel entry points, grouped by what they do. This file holds what they share:
//! finding a device for an entry the ways the kernel does, and turning internal results
//! into the API's return values.

mod alloc;
mod cluster;
mod count;
mod dup;
mod env;
mod free;
mod mte;
mod reclaim;
mod work;

use crate::events::{Flow, BAD_FILE, BAD_OFFSET, UNUSED_OFFSET};
use crate::kernel::{MAX_DEVICES, MAX_SWAPFILES, SWAPFILE_CLUSTER};
use crate::Model;
use swapdiff_contract::TRAPPED;
use swapdiff_contract::{entry_offset, entry_type};

/// An entry point's return value: the kernel's, or TRAPPED after a BUG or hang.
fn ret(r: Flow<i32>) -> i64 {
    match r {
        Ok(v) => i64::from(v),
        Err(_) => TRAPPED,
    }
}

/// `get_swap_pages`' return: n_ret and the entries, or TRAPPED and none.
fn ret_entries(r: Flow<()>, out: Vec<u64>) -> (i64, Vec<u64>) {
    match r {
        Ok(()) => (out.len() as i64, out),
        Err(_) => (TRAPPED, Vec::new()),
    }
}

/// `nr` outside 1..=SWAPFILE_CLUSTER: refused by every range guard.
fn bad_nr(nr: i32) -> bool {
    nr < 1 || i64::from(nr) > SWAPFILE_CLUSTER as i64
}

impl Model {
    /// `swp_swap_info()`: the device of the entry's type, if any (types at or beyond
    /// MAX_SWAPFILES have none, nor do types 4..27 in this environment).
    pub(crate) fn swp_swap_info(&self, entry: u64) -> Option<usize> {
        let ty = entry_type(entry);
        if ty >= MAX_SWAPFILES || ty as usize >= MAX_DEVICES {
            return None;
        }
        self.devices[ty as usize].present.then_some(ty as usize)
    }

    /// The device's `max` when the entry's type has a device (for argument guards).
    fn max_of(&self, entry: u64) -> Option<u64> {
        self.swp_swap_info(entry).map(|t| u64::from(self.devices[t].max))
    }

    /// `_swap_info_get()`: the device, or `None` with the kernel's `pr_err` for a missing
    /// device, an offset past the map, or a free slot. Entry 0 fails silently.
    pub(crate) fn swap_info_get(&mut self, entry: u64) -> Option<usize> {
        const FUNC: &str = "_swap_info_get";
        if entry == 0 {
            return None;
        }
        let Some(t) = self.swp_swap_info(entry) else {
            self.events.log_entry(FUNC, BAD_FILE, entry);
            return None;
        };
        // SWP_USED is always set on a present device.
        let offset = entry_offset(entry);
        if !self.devices[t].in_range(offset) {
            self.events.log_entry(FUNC, BAD_OFFSET, entry);
            return None;
        }
        if self.devices[t].byte(offset) == 0 {
            self.events.log_entry(FUNC, UNUSED_OFFSET, entry);
            return None;
        }
        Some(t)
    }

    /// `get_swap_device()`: like `_swap_info_get` without the free-slot check (the
    /// device's users reference always succeeds single-threaded).
    pub(crate) fn get_swap_device(&mut self, entry: u64) -> Option<usize> {
        const FUNC: &str = "get_swap_device";
        if entry == 0 {
            return None;
        }
        let Some(t) = self.swp_swap_info(entry) else {
            self.events.log_entry(FUNC, BAD_FILE, entry);
            return None;
        };
        if !self.devices[t].in_range(entry_offset(entry)) {
            self.events.log_entry(FUNC, BAD_OFFSET, entry);
            return None;
        }
        Some(t)
    }

    /// Guard of `__swap_duplicate`, `swapcache_prepare`, `swap_shmem_alloc` (and, with
    /// nr 1, `swap_duplicate`): a bad `nr`, or a device whose map the range leaves. With
    /// no device the call goes through so the kernel's own WARN is exercised.
    fn refuse_dup(&self, entry: u64, nr: i32) -> bool {
        bad_nr(nr) || self.max_of(entry).is_some_and(|max| entry_offset(entry) + nr as u64 > max)
    }

    /// Guard of `swap_free_nr` / `put_swap_folio`: only a range that starts inside the map
    /// and leaves it is refused (a start past the map reaches the kernel's own check).
    fn refuse_range_from_inside(&self, entry: u64, nr: u64) -> bool {
        let offset = entry_offset(entry);
        self.max_of(entry).is_some_and(|max| offset < max && offset + nr > max)
    }
}
