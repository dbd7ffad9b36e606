//! One swap device: its map bytes, cluster counts, continuation lists and page counts.
//!
//! Everything here is local to the device; operations that also touch the event log,
//! the tag store or the global page counters are in `ops`. Checks that the kernel makes
//! while changing device state come back as `Err(Check)` for the caller to record.

use crate::continuation::{ContList, PagePool};
use crate::events::{self, Check};
use crate::kernel::{CLUSTER_FLAG_FREE, CLUSTER_FLAG_NONFULL, PAGE_SIZE, SWAPFILE_CLUSTER, SWAP_MAP_BAD};

/// `struct swap_cluster_info`'s observable part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cluster {
    pub count: u16,
    pub flags: u8,
}

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
    /// Bit `i` set exactly when `map[i] == 0`, so the stand-in allocator finds a free
    /// aligned run with a few word operations instead of scanning bytes.
    zero_bits: Vec<u64>,
    has_clusters: bool,
    clusters: Vec<Cluster>,
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
    /// with cluster info, cluster 0 counts the header and is NONFULL, the rest FREE.
    /// Reuses this slot's earlier allocations.
    pub fn setup(&mut self, nr_clusters: u32, with_clusters: bool) {
        let max = nr_clusters as usize * SWAPFILE_CLUSTER as usize;
        self.present = true;
        self.max = max as u32;
        self.pages = self.max - 1;
        self.inuse = 0;
        self.map.clear();
        self.map.resize(max, 0);
        self.zero_bits.clear();
        self.zero_bits.resize(max.div_ceil(64), u64::MAX);
        self.set(0, SWAP_MAP_BAD);
        self.has_clusters = with_clusters;
        self.clusters.clear();
        if with_clusters {
            self.clusters.resize(nr_clusters as usize, Cluster { count: 0, flags: CLUSTER_FLAG_FREE });
            self.clusters[0] = Cluster { count: 1, flags: CLUSTER_FLAG_NONFULL };
        }
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
        self.zero_bits.clear();
        self.clusters.clear();
        self.has_clusters = false;
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

    /// Write a map byte (all writes come through here to keep the zero bitmap exact).
    #[inline]
    pub fn set(&mut self, offset: u64, byte: u8) {
        let i = offset as usize;
        self.map[i] = byte;
        let bit = 1u64 << (i % 64);
        if byte == 0 {
            self.zero_bits[i / 64] |= bit;
        } else {
            self.zero_bits[i / 64] &= !bit;
        }
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
        self.clusters.get(idx as usize).copied()
    }

    fn cluster_index(offset: u64) -> usize {
        (offset / SWAPFILE_CLUSTER) as usize
    }

    /// A slot was taken outside the kernel's allocator (stand-in allocator, `mark_bad`):
    /// the cluster counts it and stops being free.
    pub fn cluster_take(&mut self, offset: u64, n: u16) {
        if !self.has_clusters {
            return;
        }
        let ci = &mut self.clusters[Self::cluster_index(offset)];
        ci.count = ci.count.wrapping_add(n);
        if ci.flags & CLUSTER_FLAG_FREE != 0 {
            ci.flags = CLUSTER_FLAG_NONFULL;
        }
    }

    /// `dec_cluster_info_page` on the cluster of `offset` (the kernel locks the cluster of
    /// the range's first slot and charges the whole range to it, even when a range crosses
    /// into the next cluster). At 0 the cluster is FREE again (`free_cluster` →
    /// `__free_cluster`, no discard configured); otherwise a cluster that was not on the
    /// nonfull list moves there.
    pub fn cluster_release(&mut self, offset: u64, nr: u32) -> Result<(), Check> {
        if !self.has_clusters {
            return Ok(());
        }
        let ci = &mut self.clusters[Self::cluster_index(offset)];
        if u32::from(ci.count) < nr {
            return Err(events::CLUSTER_COUNT_SHORT);
        }
        if ci.flags & CLUSTER_FLAG_FREE != 0 {
            return Err(events::CLUSTER_ALREADY_FREE);
        }
        ci.count -= nr as u16;
        if ci.count == 0 {
            ci.flags = CLUSTER_FLAG_FREE;
        } else if ci.flags & CLUSTER_FLAG_NONFULL == 0 {
            ci.flags = CLUSTER_FLAG_NONFULL;
        }
        Ok(())
    }

    /// The stand-in allocator's search: the lowest offset >= 1, a multiple of `n`
    /// (a power of two up to 16), whose `n` bytes are all 0.
    pub fn find_free_run(&self, n: u32) -> Option<u64> {
        debug_assert!(n.is_power_of_two() && n <= 16);
        let aligned: u64 = match n {
            1 => u64::MAX,
            2 => 0x5555_5555_5555_5555,
            4 => 0x1111_1111_1111_1111,
            8 => 0x0101_0101_0101_0101,
            _ => 0x0001_0001_0001_0001,
        };
        for (w, &bits) in self.zero_bits.iter().enumerate() {
            let mut run = if w == 0 { bits & !1 } else { bits };
            let mut span = 1;
            while span < n {
                run &= run >> span;
                span *= 2;
            }
            let starts = run & aligned;
            if starts != 0 {
                return Some(w as u64 * 64 + u64::from(starts.trailing_zeros()));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::SWAP_HAS_CACHE;

    #[test]
    fn setup_marks_the_header_and_the_clusters() {
        let mut d = Device::default();
        d.setup(2, true);
        assert_eq!((d.max, d.pages, d.inuse), (1024, 1023, 0));
        assert_eq!(d.byte(0), SWAP_MAP_BAD);
        assert_eq!(d.cluster(0), Some(Cluster { count: 1, flags: CLUSTER_FLAG_NONFULL }));
        assert_eq!(d.cluster(1), Some(Cluster { count: 0, flags: CLUSTER_FLAG_FREE }));
        assert_eq!(d.cluster(2), None);
    }

    #[test]
    fn free_run_search_is_lowest_aligned_and_skips_the_header() {
        let mut d = Device::default();
        d.setup(1, false);
        assert_eq!(d.find_free_run(1), Some(1));
        // Offset 0 is BAD, so the first aligned run of 2 starts at 2.
        assert_eq!(d.find_free_run(2), Some(2));
        assert_eq!(d.find_free_run(16), Some(16));
        d.set(17, SWAP_HAS_CACHE);
        assert_eq!(d.find_free_run(16), Some(32));
        assert_eq!(d.find_free_run(1), Some(1));
        // A run that would straddle words is never aligned, so words are independent.
        for off in 1..512 {
            d.set(off, SWAP_HAS_CACHE);
        }
        assert_eq!(d.find_free_run(1), None);
        d.set(511, 0);
        assert_eq!(d.find_free_run(1), Some(511));
        assert_eq!(d.find_free_run(2), None);
    }

    #[test]
    fn cluster_release_follows_dec_cluster_info_page() {
        let mut d = Device::default();
        d.setup(1, true);
        d.cluster_take(5, 3);
        assert_eq!(d.cluster(0), Some(Cluster { count: 4, flags: CLUSTER_FLAG_NONFULL }));
        assert_eq!(d.cluster_release(5, 5), Err(events::CLUSTER_COUNT_SHORT));
        assert_eq!(d.cluster_release(5, 4), Ok(()));
        assert_eq!(d.cluster(0), Some(Cluster { count: 0, flags: CLUSTER_FLAG_FREE }));
        // A FREE cluster with a count again (e.g. leaked bytes) BUGs on the next release.
        d.clusters[0].count = 1;
        assert_eq!(d.cluster_release(5, 1), Err(events::CLUSTER_ALREADY_FREE));
    }
}
