//! One swap device: its map bytes, cluster counts, continuation lists and page counts.
//!
//! Everything here is local to the device; operations that also touch the event log,
//! the tag store or the global page counters are in `ops`. Checks that the kernel makes
//! while changing device state come back as `Err(Check)` for the caller to record.

use crate::clusters::{Cluster, Clusters};
use crate::continuation::{ContList, PagePool};
use crate::kernel::{
    list_nonfull, CLUSTER_FLAG_FREE, CLUSTER_FLAG_NONFULL, DEV_DISCARD, DEV_SSD, PAGE_SIZE, SWAPFILE_CLUSTER,
    SWAP_MAP_BAD,
};

#[derive(Debug, Default)]
pub struct Device {
    pub present: bool,
    /// Slots, header included (`si->max`).
    pub max: u32,
    /// Usable slots: max minus the header and bad slots (`si->pages`).
    pub pages: u32,
    /// `si->inuse_pages`: allocated and not yet released (C `unsigned int`).
    pub inuse: u32,
    map: Vec<u8>,
    has_clusters: bool,
    pub clusters: Clusters,
    /// `SWP_SOLIDSTATE` (a `DEV_SSD` device; it also has cluster_info).
    pub solidstate: bool,
    /// `SWP_PAGE_DISCARD` (a `DEV_DISCARD` device): `free_cluster` schedules a discard.
    pub page_discard: bool,
    /// `si->lowest_bit`, `highest_bit`, `cluster_next`, `cluster_nr` (C `unsigned int`).
    pub lowest_bit: u32,
    pub highest_bit: u32,
    pub cluster_next: u32,
    pub cluster_nr: u32,
    /// On the avail list (`swap_avail_heads[0]`), which `get_swap_pages` walks.
    pub on_avail: bool,
    /// One list per 4096-byte page of the map.
    cont: Vec<ContList>,
}

/// Where a slot's digits live: the map page's list and the in-page offset.
pub fn cont_position(offset: u64) -> (usize, usize) {
    let off = offset as usize;
    (off / PAGE_SIZE, off % PAGE_SIZE)
}

impl Device {
    /// `swapon`: a map of `nr_clusters * 512` zero bytes with the header slot BAD;
    /// an SSD gets cluster info (`Clusters::setup`). `lowest_bit` 1, `highest_bit`
    /// `max - 1`, `cluster_next` 1, `cluster_nr` 0, on the avail list
    /// (`read_swap_header`, `enable_swap_info`). Reuses this slot's earlier allocations.
    pub fn setup(&mut self, nr_clusters: u32, kind: u32) {
        let with_clusters = kind & DEV_SSD != 0;
        let max = nr_clusters as usize * SWAPFILE_CLUSTER as usize;
        self.present = true;
        self.max = max as u32;
        self.pages = self.max - 1;
        self.inuse = 0;
        self.map.clear();
        self.map.resize(max, 0);
        self.set(0, SWAP_MAP_BAD);
        self.has_clusters = with_clusters;
        self.solidstate = with_clusters;
        self.page_discard = kind & DEV_DISCARD != 0;
        self.clusters.clear();
        if with_clusters {
            self.clusters.setup(nr_clusters as usize);
        }
        self.lowest_bit = 1;
        self.highest_bit = self.max - 1;
        self.cluster_next = 1;
        self.cluster_nr = 0;
        self.on_avail = true;
        debug_assert!(self.cont.iter().all(|l| !l.is_linked()));
        self.cont.resize_with(max.div_ceil(PAGE_SIZE), ContList::default);
    }

    /// The map is released: continuation pages go back to the pool (their number is
    /// returned for the live-allocation count) and the type is free again.
    pub fn teardown(&mut self, pool: &mut PagePool) -> usize {
        let freed = self.cont.iter_mut().map(|l| l.release(pool)).sum();
        self.present = false;
        self.max = 0;
        self.pages = 0;
        self.inuse = 0;
        self.map.clear();
        self.clusters.clear();
        self.has_clusters = false;
        self.on_avail = false;
        freed
    }

    pub fn has_clusters(&self) -> bool {
        self.has_clusters
    }

    #[inline]
    pub fn in_range(&self, offset: u64) -> bool {
        offset < u64::from(self.max)
    }

    /// The map byte at an offset known to be in range.
    #[inline]
    pub fn byte(&self, offset: u64) -> u8 {
        self.map[offset as usize]
    }

    /// The byte the kernel would read at `offset`, 0 past the end of the map. Only
    /// `swap_is_has_cache` on a swap-cache folio that hangs over the end of the device can
    /// read there; the environment's map page is zero beyond `max`.
    #[inline]
    pub fn byte_or_zero(&self, offset: u64) -> u8 {
        self.map.get(offset as usize).copied().unwrap_or(0)
    }

    /// Every map byte, header included.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    #[inline]
    pub fn get(&self, offset: u64) -> Option<u8> {
        self.map.get(usize::try_from(offset).ok()?).copied()
    }

    /// Write a map byte.
    #[inline]
    pub fn set(&mut self, offset: u64, byte: u8) {
        self.map[offset as usize] = byte;
    }

    /// `memset(si->swap_map + start, byte, n)`.
    #[inline]
    pub fn fill(&mut self, start: u64, n: u64, byte: u8) {
        self.map[start as usize..(start + n) as usize].fill(byte);
    }

    /// The list and in-page offset of a slot's continuation digits.
    #[inline]
    pub fn cont_mut(&mut self, offset: u64) -> (&mut ContList, usize) {
        let (page, off) = cont_position(offset);
        (&mut self.cont[page], off)
    }

    #[inline]
    pub fn cont(&self, offset: u64) -> (&ContList, usize) {
        let (page, off) = cont_position(offset);
        (&self.cont[page], off)
    }

    /// Pages on all continuation lists.
    pub fn cont_pages(&self) -> usize {
        self.cont.iter().map(ContList::len).sum()
    }

    pub fn cluster(&self, idx: u32) -> Option<Cluster> {
        if !self.has_clusters {
            return None;
        }
        self.clusters.info.get(idx as usize).copied()
    }

    /// `mark_bad` on a device with cluster info: the slot's cluster counts it; a FREE
    /// cluster becomes NONFULL on `nonfull_clusters[0]` (ENVIRONMENT.md: as `swapon` would
    /// have listed a cluster holding a bad page).
    pub fn cluster_take(&mut self, offset: u64, n: u16) {
        if !self.has_clusters {
            return;
        }
        let idx = (offset / SWAPFILE_CLUSTER) as usize;
        let ci = &mut self.clusters.info[idx];
        ci.count = ci.count.wrapping_add(n);
        if ci.flags & CLUSTER_FLAG_FREE != 0 {
            ci.flags = CLUSTER_FLAG_NONFULL;
            self.clusters.move_tail(idx, list_nonfull(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{LIST_FREE, SWAP_HAS_CACHE};

    #[test]
    fn setup_marks_the_header_and_the_clusters() {
        let mut d = Device::default();
        d.setup(2, DEV_SSD);
        assert_eq!((d.max, d.pages, d.inuse), (1024, 1023, 0));
        assert_eq!(d.byte(0), SWAP_MAP_BAD);
        // setup_clusters(): cluster 0 holds the header page (inc_cluster_info_page(0)).
        let c0 = d.cluster(0).unwrap();
        assert_eq!((c0.count, c0.flags), (1, CLUSTER_FLAG_NONFULL));
        let c1 = d.cluster(1).unwrap();
        assert_eq!((c1.count, c1.flags), (0, CLUSTER_FLAG_FREE));
        assert_eq!(d.cluster(2), None);
        // read_swap_header(): lowest_bit 1, highest_bit maxpages - 1; cluster_next 1.
        assert_eq!((d.lowest_bit, d.highest_bit, d.cluster_next, d.cluster_nr), (1, 1023, 1, 0));
        assert!(d.on_avail && d.solidstate && !d.page_discard);
    }

    #[test]
    fn a_rotational_device_has_no_cluster_info() {
        let mut d = Device::default();
        d.setup(1, DEV_DISCARD);
        assert!(!d.has_clusters() && !d.solidstate && d.page_discard);
        assert_eq!(d.cluster(0), None);
        d.fill(5, 3, SWAP_HAS_CACHE);
        assert_eq!(&d.bytes()[4..9], &[0, SWAP_HAS_CACHE, SWAP_HAS_CACHE, SWAP_HAS_CACHE, 0]);
    }

    #[test]
    fn mark_bad_takes_a_free_cluster_onto_nonfull_0() {
        let mut d = Device::default();
        d.setup(3, DEV_SSD);
        d.cluster_take(1024 + 7, 1);
        let c = d.cluster(2).unwrap();
        assert_eq!((c.count, c.flags), (1, CLUSTER_FLAG_NONFULL));
        assert_eq!(d.clusters.list(list_nonfull(0)), vec![0, 2]);
        assert_eq!(d.clusters.list(LIST_FREE), vec![1]);
    }
}
