//! Inspection: read-only views of everything the harness compares. None of these change
//! state or record events (except `take_events`, which empties the log).

use crate::kernel::{MAX_CONT_PAGES, MAX_DEVICES};
use crate::Model;
use swapdiff_contract::Inspect;
use swapdiff_contract::{entry_offset, entry_type};
use swapdiff_contract::{Event, Site, TAG_BYTES};

impl Inspect for Model {
    /// `si->max` of device `ty`, 0 when there is none.
    #[inline]
    fn device_max(&self, ty: u32) -> u32 {
        self.device(ty).map_or(0, |d| d.max)
    }

    #[inline]
    fn device_has_clusters(&self, ty: u32) -> bool {
        self.device(ty).is_some_and(|d| d.has_clusters())
    }

    /// `si->inuse_pages`, 0 without a device.
    #[inline]
    fn device_inuse_pages(&self, ty: u32) -> u32 {
        self.device(ty).map_or(0, |d| d.inuse)
    }

    /// The raw map byte; `None` without a device or past the map.
    #[inline]
    fn map_byte(&self, entry: u64) -> Option<u8> {
        self.device(entry_type(entry))?.get(entry_offset(entry))
    }

    #[inline]
    fn swap_map(&self, ty: u32) -> &[u8] {
        self.device(ty).map_or(&[], |d| d.bytes())
    }

    /// The continuation list of the map page holding `entry`: the raw byte at the
    /// entry's in-page offset in each list page, head first (at most 8). Empty without a
    /// device, past the map, or when the map page has no list.
    #[inline]
    fn cont_digits(&self, entry: u64) -> Vec<u8> {
        let offset = entry_offset(entry);
        match self.device(entry_type(entry)) {
            Some(d) if d.in_range(offset) => {
                let (list, off) = d.cont(offset);
                list.digits(off).take(MAX_CONT_PAGES).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Cluster `idx` of device `ty`: (count, flags); `None` without cluster info or past
    /// the device.
    #[inline]
    fn cluster(&self, ty: u32, idx: u32) -> Option<(u32, u32)> {
        let c = self.device(ty)?.cluster(idx)?;
        Some((u32::from(c.count), u32::from(c.flags)))
    }

    /// The global `nr_swap_pages`.
    #[inline]
    fn nr_swap_pages(&self) -> i64 {
        self.nr_swap_pages
    }

    /// The global `total_swap_pages`.
    #[inline]
    fn total_swap_pages(&self) -> i64 {
        self.total_swap_pages
    }

    /// Allocations made at `site` and not yet freed.
    #[inline]
    fn live_allocs(&self, site: Site) -> u64 {
        self.allocs.live(site)
    }

    /// The tag store (`mte_pages`), ascending by key.
    #[inline]
    fn tag_store(&self) -> Vec<(u64, [u8; TAG_BYTES])> {
        self.tags.iter().copied().collect()
    }

    /// A page's tags and SD_PG_* flags; `None` for a bad handle or index.
    #[inline]
    fn page_get(&self, folio: u32, idx: u32) -> Option<([u8; TAG_BYTES], u32)> {
        self.folios.page(folio, idx).map(|p| (p.tags, p.flags))
    }

    /// Bit 0 (`WORK_DISCARD`): the device's discard_work is queued; bit 1 (`WORK_RECLAIM`)
    /// its reclaim_work. 0 without a device.
    #[inline]
    fn work_queued(&self, ty: u32) -> u32 {
        self.device(ty).map_or(0, |_| self.work.queued(ty))
    }

    /// The clusters on list `list` (`LIST_*`), head first; empty without cluster info or
    /// for a bad list.
    fn cluster_list(&self, ty: u32, list: u32) -> Vec<u32> {
        match self.device(ty) {
            Some(d) if d.has_clusters() && list < swapdiff_contract::NR_LISTS => d.clusters.list(list as u8),
            _ => Vec::new(),
        }
    }

    /// CPU 0's `percpu_cluster->next[order]`; 0 without cluster info or past the orders.
    #[inline]
    fn percpu_next(&self, ty: u32, order: u32) -> u32 {
        match self.device(ty) {
            Some(d) if d.has_clusters() => d.clusters.next.get(order as usize).copied().unwrap_or(0),
            _ => 0,
        }
    }

    /// `si->frag_cluster_nr[order]`; 0 without cluster info or past the orders.
    #[inline]
    fn frag_cluster_nr(&self, ty: u32, order: u32) -> u32 {
        match self.device(ty) {
            Some(d) if d.has_clusters() => d.clusters.frag_nr.get(order as usize).copied().unwrap_or(0),
            _ => 0,
        }
    }

    /// `lowest_bit, highest_bit, cluster_next, cluster_nr`; zeros without a device.
    #[inline]
    fn device_bits(&self, ty: u32) -> [u32; 4] {
        self.device(ty).map_or([0; 4], |d| [d.lowest_bit, d.highest_bit, d.cluster_next, d.cluster_nr])
    }

    /// A cluster's `order` field; 0 without cluster info or past the device.
    #[inline]
    fn cluster_order(&self, ty: u32, idx: u32) -> u32 {
        self.device(ty).and_then(|d| d.cluster(idx)).map_or(0, |c| u32::from(c.order))
    }

    /// The events recorded since the last call, oldest first; the log is emptied.
    #[inline]
    fn take_events(&mut self) -> Vec<Event> {
        self.events.take()
    }
}

impl Model {
    #[inline]
    fn device(&self, ty: u32) -> Option<&crate::device::Device> {
        self.devices.get(ty as usize).filter(|d| d.present)
    }

    /// Pages on the continuation lists of all devices (pages linked, not leaked ones).
    #[inline]
    pub fn cont_pages_linked(&self) -> usize {
        self.devices.iter().take(MAX_DEVICES).filter(|d| d.present).map(|d| d.cont_pages()).sum()
    }
}
