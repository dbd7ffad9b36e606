//! The 6.12 allocator for one CPU: `get_swap_pages` over the avail list, and below it
//! `scan_swap_map_slots` with the SSD path (`cluster_alloc_swap` →
//! `cluster_alloc_swap_entry` over CPU 0's `next[order]`, the free, nonfull and frag lists,
//! full-cluster reclaim, scheduled discards and order-0 stealing) and the HDD path (the
//! sequential scan from `cluster_next` with its `cluster_nr` countdown).

use super::reclaim::{TTRS_ANYWAY, TTRS_DIRECT};
use super::ret_entries;
use crate::events::{self, Check, Flow};
use crate::kernel::{
    list_frag, list_nonfull, CLUSTER_FLAG_FRAG, CLUSTER_FLAG_FREE, CLUSTER_FLAG_FULL, CLUSTER_FLAG_NONFULL,
    LATENCY_LIMIT, LIST_DISCARD, LIST_FREE, LIST_FULL, MAX_FOLIO_ORDER, NR_ORDERS, PMD_ORDER, SWAPFILE_CLUSTER,
    SWAP_HAS_CACHE,
};
use crate::Model;
use swapdiff_contract::{entry, Allocate, EventKind, REFUSED};

/// `SWAP_BATCH`: the most entries one `get_swap_pages` call hands out.
pub const SWAP_BATCH: i32 = 64;

/// The order-0 stealing loops of `cluster_alloc_swap_entry` retry the list head until it
/// gives a slot. A head that cannot (its count says there is room, its map has none: a
/// count that drifted) spins there forever; the C side's work budget traps it. The model
/// gives up after this many tries with the same HANG.
const STEAL_SPINS: u32 = 4096;
const STEAL_HANG: Check =
    Check { kind: EventKind::Hang, func: "get_swap_pages", text: "work budget exceeded in lock_cluster" };

impl Allocate for Model {
    /// `get_swap_pages(n_goal, entries, order)`: n_ret and the entries it filled.
    /// Refused: `n_goal` outside 1..=64 or an order above 4.
    fn get_swap_pages(&mut self, n_goal: i32, order: u32) -> (i64, Vec<u64>) {
        if !(1..=SWAP_BATCH).contains(&n_goal) || order > MAX_FOLIO_ORDER {
            return (REFUSED, Vec::new());
        }
        let mut out = Vec::new();
        let r = self.get_swap_pages_inner(n_goal, order, &mut out);
        ret_entries(r, out)
    }
}

impl Model {
    fn get_swap_pages_inner(&mut self, n_goal: i32, order: u32, out: &mut Vec<u64>) -> Flow<()> {
        let size = 1i64 << order;
        let avail_pgs = self.nr_swap_pages / size;
        if avail_pgs <= 0 {
            return Ok(());
        }
        let n_goal = i64::from(n_goal).min(i64::from(SWAP_BATCH)).min(avail_pgs);
        self.nr_swap_pages -= n_goal * size;
        // plist_for_each_entry_safe over the avail list: type order (prio -1 - type), `next`
        // taken before the body; same-priority requeueing moves nothing (priorities differ).
        let mut cur = self.avail_after(None);
        while let Some(t) = cur {
            let next = self.avail_after(Some(t));
            let d = &self.devices[t];
            if d.highest_bit == 0 || !d.present {
                if d.highest_bit == 0 {
                    self.events.warn_type("get_swap_pages", events::LISTED_NO_HIGHEST_BIT, t as u32);
                }
                self.devices[t].on_avail = false;
            } else {
                self.scan_swap_map_slots(t, n_goal as i32, order, out)?;
                if !out.is_empty() || size > 1 {
                    break;
                }
            }
            // nextsi: `next` is still listed (it cannot have left: only `si` itself does);
            // past the last device the head's emptiness decides a start-over that finds nothing.
            cur = next;
        }
        let n_ret = out.len() as i64;
        if n_ret < n_goal {
            self.nr_swap_pages += (n_goal - n_ret) * size;
        }
        Ok(())
    }

    /// The listed device after `t` (the first with `None`).
    fn avail_after(&self, t: Option<usize>) -> Option<usize> {
        let from = t.map_or(0, |t| t + 1);
        (from..self.devices.len()).find(|&i| self.devices[i].present && self.devices[i].on_avail)
    }

    /// The environment's `alloc_swap(ty, order)`: `get_swap_pages(1, &e, order)`'s work on
    /// device `ty`, not through the avail list.
    pub(crate) fn alloc_swap_on(&mut self, t: usize, order: u32) -> Flow<Option<u64>> {
        let size = 1i64 << order;
        if self.nr_swap_pages / size <= 0 {
            return Ok(None);
        }
        self.nr_swap_pages -= size;
        let mut out = Vec::with_capacity(1);
        let d = &self.devices[t];
        if d.highest_bit != 0 {
            self.scan_swap_map_slots(t, 1, order, &mut out)?;
        }
        if out.is_empty() {
            self.nr_swap_pages += size;
        }
        Ok(out.first().copied())
    }

    /// `scan_swap_map_slots(si, SWAP_HAS_CACHE, nr, slots, order)`: entries appended to `out`.
    fn scan_swap_map_slots(&mut self, t: usize, nr: i32, order: u32, out: &mut Vec<u64>) -> Flow<()> {
        let has_clusters = self.devices[t].has_clusters();
        // Large entries need a block device (every device is one) with cluster info.
        if order > 0 && !has_clusters {
            return Ok(());
        }
        if has_clusters {
            // cluster_alloc_swap(); SWP_SCANNING is not observable.
            while (out.len() as i32) < nr {
                let offset = self.cluster_alloc_swap_entry(t, order)?;
                if offset == 0 {
                    break;
                }
                out.push(entry(t as u32, u64::from(offset)));
            }
            return Ok(());
        }
        self.scan_hdd(t, nr, out)
    }

    /// `cluster_alloc_swap_entry(si, order, SWAP_HAS_CACHE)`: the offset found, 0 for none.
    fn cluster_alloc_swap_entry(&mut self, t: usize, order: u32) -> Flow<u32> {
        let o = order as usize;
        let mut found = 0u32;
        let mut offset;
        'new_cluster: loop {
            offset = self.devices[t].clusters.next[o];
            if offset != 0 {
                offset = self.alloc_swap_scan_cluster(t, offset, &mut found, order)?;
                if found != 0 {
                    break;
                }
            }
            if let Some(ci) = self.devices[t].clusters.first(LIST_FREE) {
                offset = self.alloc_swap_scan_cluster(t, cluster_offset(ci), &mut found, order)?;
                // VM_BUG_ON((si->flags & SWP_WRITEOK) && !found): SWP_WRITEOK is always set.
                if found == 0 {
                    return Err(self.events.trap(events::ALLOC_FREE_CLUSTER_FAILED));
                }
                break;
            }
            if self.vm_swap_full() {
                self.swap_reclaim_full_clusters(t, false)?;
            }
            if order < PMD_ORDER {
                let mut frags = 0u32;
                while let Some(ci) = self.devices[t].clusters.first(list_nonfull(order)) {
                    let c = &mut self.devices[t].clusters;
                    c.move_tail(ci, list_frag(order));
                    c.info[ci].flags = CLUSTER_FLAG_FRAG;
                    c.frag_nr[o] = c.frag_nr[o].wrapping_add(1);
                    offset = self.alloc_swap_scan_cluster(t, cluster_offset(ci), &mut found, order)?;
                    frags += 1;
                    if found != 0 {
                        break;
                    }
                }
                if found == 0 {
                    // Rotate the frag list, at most frag_cluster_nr[order] clusters in all.
                    while frags < self.devices[t].clusters.frag_nr[o] {
                        // An empty list with a count left is list_first_entry on the head: no
                        // cluster to model; stop (the counts already disagree with the lists).
                        let Some(ci) = self.devices[t].clusters.first(list_frag(order)) else {
                            break;
                        };
                        self.devices[t].clusters.move_tail(ci, list_frag(order));
                        offset = self.alloc_swap_scan_cluster(t, cluster_offset(ci), &mut found, order)?;
                        frags += 1;
                        if found != 0 {
                            break;
                        }
                    }
                }
            }
            if found != 0 {
                break;
            }
            if !self.devices[t].clusters.is_empty(LIST_DISCARD) {
                self.swap_do_scheduled_discard(t);
                continue 'new_cluster;
            }
            if order != 0 {
                break;
            }
            // Order-0 stealing from the higher orders' frag, then nonfull, lists.
            'steal: for so in 1..NR_ORDERS as u32 {
                for list in [list_frag(so), list_nonfull(so)] {
                    let mut spins = 0;
                    while let Some(ci) = self.devices[t].clusters.first(list) {
                        offset = self.alloc_swap_scan_cluster(t, cluster_offset(ci), &mut found, 0)?;
                        if found != 0 {
                            break 'steal;
                        }
                        spins += 1;
                        if spins == STEAL_SPINS {
                            return Err(self.events.trap(STEAL_HANG));
                        }
                    }
                }
            }
            break;
        }
        self.devices[t].clusters.next[o] = offset;
        Ok(found)
    }

    /// `alloc_swap_scan_cluster()`: scan the cluster of `offset` from `offset` on in steps of
    /// `1 << order`, allocate the first usable range; returns the next offset to try there
    /// (0 when the cluster is full or exhausted), `found` the range allocated.
    fn alloc_swap_scan_cluster(&mut self, t: usize, offset: u32, found: &mut u32, order: u32) -> Flow<u32> {
        let nr = 1u32 << order;
        let start = offset & !(SWAPFILE_CLUSTER as u32 - 1);
        let end = (start + SWAPFILE_CLUSTER as u32).min(self.devices[t].max);
        if end < nr {
            return Ok(0);
        }
        let end = end - nr;
        let idx = (offset / SWAPFILE_CLUSTER as u32) as usize;
        if u32::from(self.devices[t].clusters.info[idx].count) + nr > SWAPFILE_CLUSTER as u32 {
            return Ok(0);
        }
        let mut offset = offset;
        while offset <= end {
            if self.cluster_scan_range(t, offset, nr)? {
                self.cluster_alloc_range(t, idx, offset, order)?;
                *found = offset;
                if u32::from(self.devices[t].clusters.info[idx].count) == SWAPFILE_CLUSTER as u32 {
                    return Ok(0);
                }
                offset += nr;
                break;
            }
            offset += nr;
        }
        Ok(if offset > end { 0 } else { offset })
    }

    /// `cluster_scan_range()`: every slot free, or cache-only while swap is more than half
    /// full (then reclaimed first).
    fn cluster_scan_range(&mut self, t: usize, start: u32, nr: u32) -> Flow<bool> {
        let mut need_reclaim = false;
        for off in start..start + nr {
            match self.devices[t].byte(u64::from(off)) {
                0 => {}
                SWAP_HAS_CACHE => {
                    if !self.vm_swap_full() {
                        return Ok(false);
                    }
                    need_reclaim = true;
                }
                _ => return Ok(false),
            }
        }
        if need_reclaim {
            return self.cluster_reclaim_range(t, start, start + nr);
        }
        Ok(true)
    }

    /// `cluster_reclaim_range()`: reclaim cache-only slots up to the first that is neither
    /// free nor reclaimed, then recheck that the whole range is free.
    fn cluster_reclaim_range(&mut self, t: usize, start: u32, end: u32) -> Flow<bool> {
        for off in start..end {
            match self.devices[t].byte(u64::from(off)) {
                0 => continue,
                SWAP_HAS_CACHE => {
                    if self.try_to_reclaim_swap(t, u64::from(off), TTRS_ANYWAY | TTRS_DIRECT)? > 0 {
                        continue;
                    }
                    break;
                }
                _ => break,
            }
        }
        Ok((start..end).all(|off| self.devices[t].byte(u64::from(off)) == 0))
    }

    /// `cluster_alloc_range()`: a FREE cluster takes this order (to `nonfull_clusters[order]`
    /// unless the range is the whole cluster); the slots become SWAP_HAS_CACHE,
    /// `swap_range_alloc`, the count grows, and a cluster that is now full goes to the full
    /// list. SWP_WRITEOK is always set, so it always allocates.
    fn cluster_alloc_range(&mut self, t: usize, idx: usize, start: u32, order: u32) -> Flow<()> {
        let nr = 1u32 << order;
        let c = &mut self.devices[t].clusters;
        if c.info[idx].flags & CLUSTER_FLAG_FREE != 0 {
            if nr < SWAPFILE_CLUSTER as u32 {
                c.move_tail(idx, list_nonfull(order));
                c.info[idx].flags = CLUSTER_FLAG_NONFULL;
            }
            c.info[idx].order = order as u8;
        }
        self.devices[t].fill(u64::from(start), u64::from(nr), SWAP_HAS_CACHE);
        self.swap_range_alloc(t, u64::from(start), nr);
        let c = &mut self.devices[t].clusters;
        let ci = &mut c.info[idx];
        ci.count += nr as u16;
        if u32::from(ci.count) == SWAPFILE_CLUSTER as u32 {
            let (flags, o) = (ci.flags, usize::from(ci.order));
            if flags & (CLUSTER_FLAG_FREE | CLUSTER_FLAG_NONFULL | CLUSTER_FLAG_FRAG) == 0 {
                return Err(self.events.trap(events::ALLOC_RANGE_FULL_UNLISTED));
            }
            if flags & CLUSTER_FLAG_FRAG != 0 {
                c.frag_nr[o] = c.frag_nr[o].wrapping_sub(1);
            }
            c.move_tail(idx, LIST_FULL);
            c.info[idx].flags = CLUSTER_FLAG_FULL;
        }
        Ok(())
    }

    /// The HDD path of `scan_swap_map_slots()` (no cluster info; order 0 only): its labels
    /// `checks`, `scan`, `done` and `no_page` are the states of a loop.
    fn scan_hdd(&mut self, t: usize, nr: i32, out: &mut Vec<u64>) -> Flow<()> {
        enum At {
            Checks,
            Scan,
            Done,
            NoPage,
        }
        let mut latency = LATENCY_LIMIT;
        let mut scanned_many = false;
        let mut scan_base = self.devices[t].cluster_next;
        let mut offset = scan_base;
        let mut at = At::Checks;
        let d = &mut self.devices[t];
        let nr_before = d.cluster_nr;
        d.cluster_nr = nr_before.wrapping_sub(1);
        if nr_before == 0 {
            if d.pages.wrapping_sub(d.inuse) < SWAPFILE_CLUSTER as u32 {
                d.cluster_nr = SWAPFILE_CLUSTER as u32 - 1;
            } else {
                // Look for the first empty (unaligned) cluster from lowest_bit.
                scan_base = d.lowest_bit;
                offset = scan_base;
                let mut last_in_cluster = offset + SWAPFILE_CLUSTER as u32 - 1;
                let mut located = false;
                while last_in_cluster <= d.highest_bit {
                    if d.byte_or_zero(u64::from(offset)) != 0 {
                        last_in_cluster = offset + SWAPFILE_CLUSTER as u32;
                    } else if offset == last_in_cluster {
                        offset -= SWAPFILE_CLUSTER as u32 - 1;
                        d.cluster_next = offset;
                        d.cluster_nr = SWAPFILE_CLUSTER as u32 - 1;
                        located = true;
                        break;
                    }
                    latency -= 1;
                    if latency < 0 {
                        latency = LATENCY_LIMIT;
                    }
                    offset += 1;
                }
                if !located {
                    offset = scan_base;
                    d.cluster_nr = SWAPFILE_CLUSTER as u32 - 1;
                }
            }
        }
        loop {
            match at {
                At::Checks => {
                    let d = &self.devices[t];
                    if d.highest_bit == 0 {
                        at = At::NoPage;
                        continue;
                    }
                    if offset > d.highest_bit {
                        scan_base = d.lowest_bit;
                        offset = scan_base;
                    }
                    let byte = d.byte_or_zero(u64::from(offset));
                    if self.vm_swap_full() && byte == SWAP_HAS_CACHE {
                        // Reuse the slot of a cache-only folio if it can be reclaimed.
                        if self.try_to_reclaim_swap(t, u64::from(offset), TTRS_ANYWAY | TTRS_DIRECT)? > 0 {
                            continue;
                        }
                        at = At::Scan;
                        continue;
                    }
                    if byte != 0 {
                        at = if out.is_empty() { At::Scan } else { At::Done };
                        continue;
                    }
                    self.devices[t].set(u64::from(offset), SWAP_HAS_CACHE);
                    self.swap_range_alloc(t, u64::from(offset), 1);
                    out.push(entry(t as u32, u64::from(offset)));
                    let d = &mut self.devices[t];
                    if out.len() as i32 == nr || offset >= d.highest_bit {
                        at = At::Done;
                        continue;
                    }
                    latency -= 1;
                    if latency < 0 {
                        // n_ret is at least 1 here: time for a break.
                        at = At::Done;
                        continue;
                    }
                    if d.cluster_nr != 0 {
                        offset += 1;
                        if d.byte_or_zero(u64::from(offset)) == 0 {
                            d.cluster_nr -= 1;
                            continue;
                        }
                    }
                    if !scanned_many {
                        let scan_limit = if offset < scan_base { scan_base } else { d.highest_bit };
                        let mut again = false;
                        while offset <= scan_limit {
                            latency -= 1;
                            if latency <= 0 {
                                break;
                            }
                            if d.byte_or_zero(u64::from(offset)) == 0 {
                                again = true;
                                break;
                            }
                            offset += 1;
                        }
                        if again {
                            continue;
                        }
                    }
                    at = At::Done;
                }
                At::Scan => {
                    let mut again = false;
                    loop {
                        offset += 1;
                        if offset > self.devices[t].highest_bit {
                            break;
                        }
                        latency -= 1;
                        if latency < 0 {
                            latency = LATENCY_LIMIT;
                            scanned_many = true;
                        }
                        if self.offset_available(t, offset) {
                            again = true;
                            break;
                        }
                    }
                    if !again {
                        offset = self.devices[t].lowest_bit;
                        while offset < scan_base {
                            latency -= 1;
                            if latency < 0 {
                                latency = LATENCY_LIMIT;
                                scanned_many = true;
                            }
                            if self.offset_available(t, offset) {
                                again = true;
                                break;
                            }
                            offset += 1;
                        }
                    }
                    at = if again { At::Checks } else { At::NoPage };
                }
                At::Done => {
                    // set_cluster_next() of a rotational device.
                    self.devices[t].cluster_next = offset.wrapping_add(1);
                    return Ok(());
                }
                At::NoPage => return Ok(()),
            }
        }
    }

    /// `swap_offset_available_and_locked()`.
    fn offset_available(&self, t: usize, offset: u32) -> bool {
        let byte = self.devices[t].byte_or_zero(u64::from(offset));
        byte == 0 || (self.vm_swap_full() && byte == SWAP_HAS_CACHE)
    }
}

fn cluster_offset(idx: usize) -> u32 {
    idx as u32 * SWAPFILE_CLUSTER as u32
}
