//! What every allocation and release does to a device's accounting: the cluster list moves of
//! `dec_cluster_info_page` / `free_cluster` (with the discard a `SWP_PAGE_DISCARD` device
//! schedules instead), `swap_range_alloc` / `swap_range_free` (`lowest_bit`, `highest_bit`,
//! `inuse_pages`, the avail list), and the discards themselves.

use crate::events::{self, Flow};
use crate::kernel::{
    list_nonfull, CLUSTER_FLAG_FRAG, CLUSTER_FLAG_FREE, CLUSTER_FLAG_NONFULL, LIST_DISCARD, LIST_FREE,
    SWAPFILE_CLUSTER, SWAP_MAP_BAD, WORK_DISCARD, WORK_RECLAIM,
};
use crate::Model;

impl Model {
    /// `dec_cluster_info_page(si, ci, nr)` on the cluster of `offset` (the kernel locks the
    /// cluster of a range's first slot and charges the whole range to it). At 0 the cluster
    /// is freed (`free_cluster`); otherwise a cluster not on a nonfull list goes to the tail
    /// of `nonfull_clusters[ci->order]` (leaving the frag count if it was FRAG).
    pub(crate) fn dec_cluster_info_page(&mut self, t: usize, offset: u64, nr: u32) -> Flow<()> {
        let d = &mut self.devices[t];
        if !d.has_clusters() {
            return Ok(());
        }
        let idx = (offset / SWAPFILE_CLUSTER) as usize;
        let ci = d.clusters.info[idx];
        if u32::from(ci.count) < nr {
            return Err(self.events.trap(events::CLUSTER_COUNT_SHORT));
        }
        if ci.flags & CLUSTER_FLAG_FREE != 0 {
            return Err(self.events.trap(events::CLUSTER_ALREADY_FREE));
        }
        let count = ci.count - nr as u16;
        d.clusters.info[idx].count = count;
        if count == 0 {
            return self.free_cluster(t, idx);
        }
        if ci.flags & CLUSTER_FLAG_NONFULL == 0 {
            let order = usize::from(ci.order);
            if ci.flags & CLUSTER_FLAG_FRAG != 0 {
                d.clusters.frag_nr[order] = d.clusters.frag_nr[order].wrapping_sub(1);
            }
            d.clusters.move_tail(idx, list_nonfull(u32::from(ci.order)));
            d.clusters.info[idx].flags = CLUSTER_FLAG_NONFULL;
        }
        Ok(())
    }

    /// `free_cluster()`: out of the frag count, then to the discard list on a discarding
    /// device (SWP_WRITEOK is set on every present device) or straight to the free list.
    fn free_cluster(&mut self, t: usize, idx: usize) -> Flow<()> {
        let d = &mut self.devices[t];
        let ci = d.clusters.info[idx];
        if ci.flags & CLUSTER_FLAG_FRAG != 0 {
            let order = usize::from(ci.order);
            d.clusters.frag_nr[order] = d.clusters.frag_nr[order].wrapping_sub(1);
        }
        if d.page_discard {
            return self.swap_cluster_schedule_discard(t, idx);
        }
        self.devices[t].free_cluster_now(idx);
        Ok(())
    }

    /// `swap_cluster_schedule_discard()`: the cluster's slots become SWAP_MAP_BAD (so no
    /// scan takes them) before the flag check, then it goes to the discard list with flags 0
    /// and the device's discard work is scheduled.
    fn swap_cluster_schedule_discard(&mut self, t: usize, idx: usize) -> Flow<()> {
        let d = &mut self.devices[t];
        d.fill(idx as u64 * SWAPFILE_CLUSTER, SWAPFILE_CLUSTER, SWAP_MAP_BAD);
        if d.clusters.info[idx].flags & CLUSTER_FLAG_FREE != 0 {
            return Err(self.events.trap(events::SCHEDULE_DISCARD_FREE));
        }
        d.clusters.move_tail(idx, LIST_DISCARD);
        d.clusters.info[idx].flags = 0;
        self.work.schedule(t as u32, WORK_DISCARD);
        Ok(())
    }

    /// `swap_do_scheduled_discard()`: each cluster on the discard list, head first, comes off
    /// it, is discarded (one DISCARD event from `discard_swap_cluster`: the one extent covers
    /// the whole device), goes to the free list and gets its slots back as 0.
    pub(crate) fn swap_do_scheduled_discard(&mut self, t: usize) {
        while let Some(idx) = self.devices[t].clusters.first(LIST_DISCARD) {
            self.devices[t].clusters.del(idx);
            let start = idx as u64 * SWAPFILE_CLUSTER;
            self.events.discard("discard_swap_cluster", t as u32, start, SWAPFILE_CLUSTER);
            let d = &mut self.devices[t];
            d.free_cluster_now(idx);
            d.fill(start, SWAPFILE_CLUSTER, 0);
        }
    }

    /// swapon's `discard_swap()`: every page but the header, one extent, one DISCARD.
    pub(crate) fn discard_swap(&mut self, t: usize) {
        let max = u64::from(self.devices[t].max);
        if max > 1 {
            self.events.discard("discard_swap", t as u32, 1, max - 1);
        }
    }

    /// `swap_range_alloc()`: `lowest_bit` / `highest_bit` move only when the range starts
    /// at / ends at them (C `unsigned int`); when every usable page is in use the device
    /// leaves the avail list and, with cluster info and swap more than half full, its reclaim
    /// work is scheduled.
    pub(crate) fn swap_range_alloc(&mut self, t: usize, offset: u64, nr: u32) {
        let full = self.vm_swap_full();
        let d = &mut self.devices[t];
        let end = (offset as u32).wrapping_add(nr).wrapping_sub(1);
        if offset == u64::from(d.lowest_bit) {
            d.lowest_bit = d.lowest_bit.wrapping_add(nr);
        }
        if end == d.highest_bit {
            d.highest_bit = d.highest_bit.wrapping_sub(nr);
        }
        d.inuse = d.inuse.wrapping_add(nr);
        if d.inuse == d.pages {
            d.lowest_bit = d.max;
            d.highest_bit = 0;
            d.on_avail = false;
            if d.has_clusters() && full {
                self.work.schedule(t as u32, WORK_RECLAIM);
            }
        }
    }

    /// `swap_range_free()`: `lowest_bit` / `highest_bit` widen to the range; a device that
    /// was full (`highest_bit` 0) comes back on the avail list; `arch_swap_invalidate_page`
    /// for each slot (drops saved MTE tags when MTE is on); the slots rejoin
    /// `nr_swap_pages` and leave `inuse_pages`.
    pub(crate) fn swap_range_free(&mut self, t: usize, offset: u64, nr: u32) {
        let end = offset + u64::from(nr) - 1;
        let d = &mut self.devices[t];
        if offset < u64::from(d.lowest_bit) {
            d.lowest_bit = offset as u32;
        }
        if end > u64::from(d.highest_bit) {
            let was_full = d.highest_bit == 0;
            d.highest_bit = end as u32;
            if was_full {
                self.add_to_avail_list(t);
            }
        }
        for off in offset..offset + u64::from(nr) {
            self.arch_swap_invalidate_page_inner(t as i32, off);
        }
        self.nr_swap_pages += i64::from(nr);
        let d = &mut self.devices[t];
        d.inuse = d.inuse.wrapping_sub(nr);
    }

    /// `add_to_avail_list()`: `plist_add` of a node already listed only WARNs.
    fn add_to_avail_list(&mut self, t: usize) {
        if self.devices[t].on_avail {
            self.events.fire(events::PLIST_ADD_LISTED);
        }
        self.devices[t].on_avail = true;
    }
}

impl crate::device::Device {
    /// `__free_cluster()`: to the tail of the free list, FREE, order 0.
    pub(crate) fn free_cluster_now(&mut self, idx: usize) {
        self.clusters.move_tail(idx, LIST_FREE);
        let ci = &mut self.clusters.info[idx];
        ci.flags = CLUSTER_FLAG_FREE;
        ci.order = 0;
    }
}
