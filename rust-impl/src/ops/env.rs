//! The environment around the kernel code: devices on and off, the allocator's entry for
//! one device, queued work, bad slots, fault injection, folios and the swap cache
//! (ENVIRONMENT.md).

use crate::kernel::{DEV_DISCARD, EBUSY, EINVAL, ENOSPC, MAX_CLUSTERS, MAX_DEVICES, MAX_FOLIO_ORDER, SWAP_MAP_BAD};
use crate::Model;
use swapdiff_contract::entry_offset;
use swapdiff_contract::Environment;
use swapdiff_contract::{Site, TAG_BYTES, TRAPPED};

fn status(r: Result<(), i32>) -> i32 {
    r.err().unwrap_or(0)
}

impl Environment for Model {
    /// Everything back to the initial state (devices gone, folios freed, tag store empty,
    /// events cleared, faults disarmed, counters zero, MTE on), keeping allocations.
    fn env_reset(&mut self) {
        for d in &mut self.devices {
            if d.present {
                d.teardown(&mut self.pool);
            }
        }
        self.nr_swapfiles = 0;
        self.nr_swap_pages = 0;
        self.total_swap_pages = 0;
        self.mte = true;
        self.tags.clear();
        self.folios.reset();
        self.allocs.reset();
        self.events.clear();
        self.work.clear();
    }

    /// `system_supports_mte()` from now on.
    fn set_mte(&mut self, on: bool) {
        self.mte = on;
    }

    /// Add a device of `nr_clusters * 512` slots in the lowest free type (see
    /// [`crate::device`] for its initial state); its good pages join both page counters.
    /// A `DEV_DISCARD` device gets swapon's `discard_swap()`: one DISCARD of every page but
    /// the header. -EINVAL for a size outside 1..=4 clusters, -EBUSY when all four types
    /// are used.
    fn swapon(&mut self, nr_clusters: u32, kind: u32) -> i32 {
        if !(1..=MAX_CLUSTERS).contains(&nr_clusters) {
            return -EINVAL;
        }
        let Some(ty) = self.devices.iter().position(|d| !d.present) else {
            return -EBUSY;
        };
        let d = &mut self.devices[ty];
        d.setup(nr_clusters, kind);
        if kind & DEV_DISCARD != 0 {
            self.discard_swap(ty);
        }
        let d = &self.devices[ty];
        self.nr_swap_pages += i64::from(d.pages);
        self.total_swap_pages += i64::from(d.pages);
        self.nr_swapfiles = self.nr_swapfiles.max(ty as u32 + 1);
        ty as i32
    }

    /// The queued work, oldest first (INTERFACES-17 section 3).
    fn flush_work(&mut self) -> i64 {
        self.flush_all_work()
    }

    /// swapoff: first the device's own queued work (discard, then reclaim; TRAPPED if it
    /// traps, and nothing more), then its tail: `free_swap_count_continuations()`, `arch_swap_invalidate_area()`,
    /// then the map goes. The free slots leave `nr_swap_pages` (slots still in use were
    /// never in it) and the good pages leave `total_swap_pages`; the type's folios leave
    /// the swap cache. `pages - inuse_pages` is C `unsigned int` arithmetic: should more
    /// slots be in use than the device has (a slot can be counted twice when a wrapped
    /// count makes its byte 0 and it is allocated again), it wraps before the subtraction.
    fn swapoff(&mut self, ty: u32) -> i32 {
        if ty as usize >= MAX_DEVICES || !self.devices[ty as usize].present {
            return -EINVAL;
        }
        if self.flush_device_work(ty as usize).is_err() {
            return TRAPPED as i32;
        }
        let d = &mut self.devices[ty as usize];
        let (pages, inuse) = (d.pages, d.inuse);
        let freed = d.teardown(&mut self.pool);
        self.drop_device_work(ty as usize);
        self.allocs.free_n(Site::ContPage, freed as u64);
        self.arch_swap_invalidate_area_inner(ty as i32);
        self.nr_swap_pages -= i64::from(pages.wrapping_sub(inuse));
        self.total_swap_pages -= i64::from(pages);
        self.folios.cache_drop_type(ty);
        0
    }

    /// Mark a free slot bad, as swapon does for the header's bad-page list. -EINVAL: no
    /// device or offset past the map; -EBUSY: the byte is not 0.
    fn mark_bad(&mut self, entry: u64) -> i32 {
        let Some(t) = self.swp_swap_info(entry) else {
            return -EINVAL;
        };
        let offset = entry_offset(entry);
        let d = &mut self.devices[t];
        if !d.in_range(offset) {
            return -EINVAL;
        }
        if d.byte(offset) != 0 {
            return -EBUSY;
        }
        d.set(offset, SWAP_MAP_BAD);
        d.cluster_take(offset, 1);
        d.pages -= 1;
        self.nr_swap_pages -= 1;
        self.total_swap_pages -= 1;
        0
    }

    /// `get_swap_pages(1, &e, order)`'s work on device `ty` (INTERFACES-17 section 2):
    /// the entry, -ENOSPC when nothing was found, TRAPPED if the allocator trapped, -EINVAL
    /// without a device or for an order above 4.
    fn alloc_swap(&mut self, ty: u32, order: u32) -> Result<u64, i32> {
        if ty as usize >= MAX_DEVICES || !self.devices[ty as usize].present || order > MAX_FOLIO_ORDER {
            return Err(-EINVAL);
        }
        match self.alloc_swap_on(ty as usize, order) {
            Ok(Some(e)) => Ok(e),
            Ok(None) => Err(-ENOSPC),
            Err(_) => Err(TRAPPED as i32),
        }
    }

    /// The `nth` allocation at `site` from now fails (1 = the next); 0 disarms.
    fn fault_arm(&mut self, site: Site, nth: u32) {
        self.allocs.arm(site, nth);
    }

    /// A folio of `1 << order` pages: handle 0..8, -ENOSPC when all are live, -EINVAL
    /// for an order above 4.
    fn folio_new(&mut self, order: u32) -> i32 {
        match self.folios.create(order) {
            Ok(h) => h as i32,
            Err(e) => e,
        }
    }

    /// Free a folio (it leaves the swap cache with it); -EINVAL for a bad handle.
    fn folio_free(&mut self, folio: u32) -> i32 {
        status(self.folios.destroy(folio))
    }

    /// Set `folio->swap` (also while in the swap cache, which keeps the range it was
    /// added at); -EINVAL for a bad handle.
    fn folio_set_swap(&mut self, folio: u32, entry: u64) -> i32 {
        status(self.folios.set_swap(folio, entry))
    }

    /// Set one page's tags and SD_PG_* flags (other bits dropped); -EINVAL for a bad
    /// handle or index.
    fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES], flags: u32) -> i32 {
        status(self.folios.set_page(folio, idx, tags, flags))
    }

    /// Link a folio into the swap cache at `folio->swap .. + nr_pages`.
    fn swapcache_add(&mut self, folio: u32) -> i32 {
        status(self.folios.cache_add(folio))
    }

    /// Unlink a folio from the swap cache (no count changes); -ENOENT if not linked.
    fn swapcache_del(&mut self, folio: u32) -> i32 {
        status(self.folios.cache_del(folio))
    }

    /// `folio_mapped()` from now on.
    fn folio_set_mapped(&mut self, folio: u32, mapped: bool) -> i32 {
        status(self.folios.set_mapped(folio, mapped))
    }
}
