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

    /// The events recorded since the last call, oldest first; the log is emptied.
    #[inline]
    fn take_events(&mut self) -> Vec<Event> {
        self.events.take()
    }

    // H16: placeholder, no work queue yet.
    fn work_queued(&self, _ty: u32) -> u32 {
        0
    }

    // H16: placeholder, the model has no cluster lists yet.
    fn cluster_list(&self, _ty: u32, _list: u32) -> Vec<u32> {
        Vec::new()
    }

    // H16: placeholder, no per-CPU cluster state yet.
    fn percpu_next(&self, _ty: u32, _order: u32) -> u32 {
        0
    }

    // H16: placeholder.
    fn frag_cluster_nr(&self, _ty: u32, _order: u32) -> u32 {
        0
    }

    // H16: placeholder.
    fn device_bits(&self, _ty: u32) -> [u32; 4] {
        [0; 4]
    }

    // H16: placeholder.
    fn cluster_order(&self, _ty: u32, _idx: u32) -> u32 {
        0
    }
}

// H16: placeholder until the model has the allocator: no entries.
impl swapdiff_contract::Allocate for Model {
    fn get_swap_pages(&mut self, _n_goal: i32, _order: u32) -> (i64, Vec<u64>) {
        (0, Vec::new())
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
