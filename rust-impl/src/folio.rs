//! Folios (pages with MTE tags and flags) and the swap cache that maps swap entries to
//! them. Handles are small integers, lowest free first, like the C environment's.
//!
//! The swap cache holds a folio at the indices it was inserted at: a folio added covers
//! `folio->swap .. + nr_pages` *as it was when added* (its `cache_base`), whatever
//! `folio->swap` is set to later. Lookups go through the kernel's index function,
//! `swap_cache_index(entry) = offset & (2^14 - 1)` within the entry type's address space.

use crate::kernel::{EBUSY, EEXIST, EINVAL, ENOENT, ENOSPC, MAX_FOLIOS, MAX_FOLIO_ORDER, PG_MTE_LOCK, PG_MTE_TAGGED};
use crate::tags::Tags;
use swapdiff_contract::TAG_BYTES;
use swapdiff_contract::{entry_offset, entry_type};

const MAX_PAGES: usize = 1 << MAX_FOLIO_ORDER;

/// SWAP_ADDRESS_SPACE_SHIFT: one swap address space covers 2^14 offsets.
const SWAP_ADDRESS_SPACE_MASK: u64 = (1 << 14) - 1;

/// `swap_cache_index(entry)`.
fn swap_cache_index(entry: u64) -> u64 {
    entry_offset(entry) & SWAP_ADDRESS_SPACE_MASK
}

/// One page: its 128 tag bytes and the SD_PG_* flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub tags: Tags,
    pub flags: u32,
}

impl Page {
    const BLANK: Page = Page { tags: [0; TAG_BYTES], flags: 0 };

    /// `page_mte_tagged()`.
    pub fn mte_tagged(&self) -> bool {
        self.flags & PG_MTE_TAGGED != 0
    }
}

#[derive(Debug, Clone)]
pub struct Folio {
    live: bool,
    pub order: u32,
    /// `folio->swap.val`; `page_swap_entry(page i)` is this plus i.
    pub swap: u64,
    /// Linked into the swap cache, covering `cache_base .. + nr_pages`.
    pub in_cache: bool,
    /// `folio->swap` when the folio was added to the swap cache.
    cache_base: u64,
    /// `folio_mapped()`.
    pub mapped: bool,
    pages: [Page; MAX_PAGES],
}

impl Folio {
    const EMPTY: Folio = Folio {
        live: false,
        order: 0,
        swap: 0,
        in_cache: false,
        cache_base: 0,
        mapped: false,
        pages: [Page::BLANK; MAX_PAGES],
    };

    pub fn nr_pages(&self) -> u32 {
        1 << self.order
    }

    /// Is this folio in the swap cache of type `ty` at cache index `index`?
    fn covers(&self, ty: u32, index: u64) -> bool {
        let first = swap_cache_index(self.cache_base);
        self.live
            && self.in_cache
            && entry_type(self.cache_base) == ty
            && index >= first
            && index - first < u64::from(self.nr_pages())
    }
}

#[derive(Debug, Clone)]
pub struct Folios {
    slots: Vec<Folio>,
}

impl Default for Folios {
    fn default() -> Self {
        Folios { slots: vec![Folio::EMPTY; MAX_FOLIOS] }
    }
}

impl Folios {
    pub fn reset(&mut self) {
        for f in &mut self.slots {
            f.live = false;
        }
    }

    /// A live folio by handle.
    pub fn get(&self, handle: u32) -> Option<&Folio> {
        self.slots.get(handle as usize).filter(|f| f.live)
    }

    fn get_mut(&mut self, handle: u32) -> Option<&mut Folio> {
        self.slots.get_mut(handle as usize).filter(|f| f.live)
    }

    /// A page of a live folio.
    pub fn page(&self, handle: u32, idx: u32) -> Option<&Page> {
        let f = self.get(handle)?;
        (idx < f.nr_pages()).then(|| &f.pages[idx as usize])
    }

    pub fn page_mut(&mut self, handle: u32, idx: u32) -> Option<&mut Page> {
        let f = self.get_mut(handle)?;
        (idx < f.nr_pages()).then(move || &mut f.pages[idx as usize])
    }

    /// `sd_folio_new`: lowest free handle; tags 0, flags 0, swap 0, uncached, unmapped.
    pub fn create(&mut self, order: u32) -> Result<u32, i32> {
        if order > MAX_FOLIO_ORDER {
            return Err(-EINVAL);
        }
        let handle = self.slots.iter().position(|f| !f.live).ok_or(-ENOSPC)?;
        let f = &mut self.slots[handle];
        f.live = true;
        f.order = order;
        f.swap = 0;
        f.in_cache = false;
        f.mapped = false;
        f.pages[..1 << order].fill(Page::BLANK);
        Ok(handle as u32)
    }

    /// `sd_folio_free`. A folio in the swap cache leaves it with the folio.
    pub fn destroy(&mut self, handle: u32) -> Result<(), i32> {
        let f = self.get_mut(handle).ok_or(-EINVAL)?;
        f.live = false;
        f.in_cache = false;
        Ok(())
    }

    /// `sd_folio_set_swap`. Allowed in the swap cache too: the cache keeps the range it
    /// was added at, while reclaim then works on the new `folio->swap`.
    /// `sd_folio_set_swap`: -EBUSY while the folio is in the swap cache (the
    /// kernel never re-points a cached folio).
    pub fn set_swap(&mut self, handle: u32, entry: u64) -> Result<(), i32> {
        let f = self.get_mut(handle).ok_or(-EINVAL)?;
        if f.in_cache {
            return Err(-EBUSY);
        }
        f.swap = entry;
        Ok(())
    }

    /// `sd_page_set`: tags and flags of one page; flag bits other than SD_PG_* are
    /// dropped.
    pub fn set_page(&mut self, handle: u32, idx: u32, tags: &Tags, flags: u32) -> Result<(), i32> {
        let page = self.page_mut(handle, idx).ok_or(-EINVAL)?;
        page.tags = *tags;
        page.flags = flags & (PG_MTE_TAGGED | PG_MTE_LOCK);
        Ok(())
    }

    pub fn set_mapped(&mut self, handle: u32, mapped: bool) -> Result<(), i32> {
        self.get_mut(handle).ok_or(-EINVAL)?.mapped = mapped;
        Ok(())
    }

    /// `sd_swapcache_add`: cover the cache indices from `swap_cache_index(swap)` on, one
    /// per page, in the entry type's address space; -EEXIST if a cached folio (this one
    /// included) covers any of them already.
    pub fn cache_add(&mut self, handle: u32) -> Result<(), i32> {
        let f = self.get(handle).ok_or(-EINVAL)?;
        if f.swap == 0 {
            return Err(-EINVAL);
        }
        let (ty, first, n) = (entry_type(f.swap), swap_cache_index(f.swap), u64::from(f.nr_pages()));
        if self.slots.iter().any(|o| (first..first + n).any(|index| o.covers(ty, index))) {
            return Err(-EEXIST);
        }
        let f = &mut self.slots[handle as usize];
        f.in_cache = true;
        f.cache_base = f.swap;
        Ok(())
    }

    /// `sd_swapcache_del`: unlink only (counts untouched, `folio->swap` kept); -ENOENT
    /// when the folio is not in the cache.
    pub fn cache_del(&mut self, handle: u32) -> Result<(), i32> {
        let f = self.get_mut(handle).ok_or(-EINVAL)?;
        if !f.in_cache {
            return Err(-ENOENT);
        }
        f.in_cache = false;
        Ok(())
    }

    /// `filemap_get_folio(swap_address_space(entry), swap_cache_index(entry))`: the
    /// lowest-handle cached folio covering the entry's index.
    pub fn cache_lookup(&self, entry: u64) -> Option<u32> {
        let (ty, index) = (entry_type(entry), swap_cache_index(entry));
        self.slots.iter().position(|f| f.covers(ty, index)).map(|h| h as u32)
    }

    /// swapoff tears down the type's swap address space: its folios leave the cache
    /// (`folio->swap` is left as it is).
    pub fn cache_drop_type(&mut self, ty: u32) {
        for f in &mut self.slots {
            if f.live && f.in_cache && entry_type(f.cache_base) == ty {
                f.in_cache = false;
            }
        }
    }

    /// `__delete_from_swap_cache`: unlink and clear `folio->swap`; returns the old entry.
    pub fn cache_remove(&mut self, handle: u32) -> u64 {
        let f = &mut self.slots[handle as usize];
        f.in_cache = false;
        std::mem::take(&mut f.swap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_lowest_free_and_bounded() {
        let mut f = Folios::default();
        for want in 0..MAX_FOLIOS as u32 {
            assert_eq!(f.create(0), Ok(want));
        }
        assert_eq!(f.create(0), Err(-ENOSPC));
        assert_eq!(f.destroy(3), Ok(()));
        assert_eq!(f.create(4), Ok(3));
        assert_eq!(f.create(5), Err(-EINVAL));
        assert_eq!(f.destroy(99), Err(-EINVAL));
        assert!(f.page(3, 15).is_some());
        assert!(f.page(3, 16).is_none());
    }

    #[test]
    fn swap_cache_ranges_do_not_overlap() {
        let mut f = Folios::default();
        let a = f.create(2).unwrap();
        let b = f.create(0).unwrap();
        assert_eq!(f.cache_add(a), Err(-EINVAL));
        f.set_swap(a, 8).unwrap();
        f.set_swap(b, 11).unwrap();
        assert_eq!(f.cache_add(a), Ok(()));
        assert_eq!(f.cache_add(a), Err(-EEXIST));
        assert_eq!(f.cache_add(b), Err(-EEXIST));
        assert_eq!(f.cache_lookup(11), Some(a));
        assert_eq!(f.cache_lookup(12), None);
        // A cached folio cannot be re-pointed (sd_folio_set_swap: -EBUSY):
        // the range it was added at stays its swap range.
        assert_eq!(f.set_swap(a, 40), Err(-EBUSY));
        assert_eq!(f.cache_lookup(9), Some(a));
        // Indices alias modulo 2^14 within a type (swap_cache_index).
        assert_eq!(f.cache_lookup(8 + (1 << 14)), Some(a));
        assert_eq!(f.cache_lookup(swapdiff_contract::entry(1, 8)), None);
        assert_eq!(f.cache_remove(a), 8);
        assert_eq!(f.get(a).unwrap().swap, 0);
        assert_eq!(f.cache_del(a), Err(-ENOENT));
        // Freeing a cached folio takes it out of the cache.
        f.set_swap(a, 8).unwrap();
        f.cache_add(a).unwrap();
        assert_eq!(f.destroy(a), Ok(()));
        assert_eq!(f.cache_lookup(8), None);
    }
}
