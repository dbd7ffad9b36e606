//! Folios (pages with MTE tags and flags) and the swap cache that maps swap entries to
//! them. Handles are small integers, lowest free first, like the C environment's.

use crate::kernel::{EBUSY, EEXIST, EINVAL, ENOENT, ENOSPC, MAX_FOLIOS, MAX_FOLIO_ORDER, PG_MTE_LOCK, PG_MTE_TAGGED};
use crate::tags::Tags;
use crate::vocab::TAG_BYTES;

const MAX_PAGES: usize = 1 << MAX_FOLIO_ORDER;

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
    /// Linked into the swap cache (covering `swap .. swap + nr_pages`).
    pub in_cache: bool,
    /// `folio_mapped()`.
    pub mapped: bool,
    pages: [Page; MAX_PAGES],
}

impl Folio {
    const EMPTY: Folio =
        Folio { live: false, order: 0, swap: 0, in_cache: false, mapped: false, pages: [Page::BLANK; MAX_PAGES] };

    pub fn nr_pages(&self) -> u32 {
        1 << self.order
    }

    /// Does the cached range of this folio cover `entry`?
    fn covers(&self, entry: u64) -> bool {
        self.in_cache && entry.wrapping_sub(self.swap) < u64::from(self.nr_pages())
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

    /// `sd_folio_free`. A folio still in the swap cache is refused with -EBUSY: the cache
    /// would otherwise point at a freed folio.
    pub fn destroy(&mut self, handle: u32) -> Result<(), i32> {
        let f = self.get_mut(handle).ok_or(-EINVAL)?;
        if f.in_cache {
            return Err(-EBUSY);
        }
        f.live = false;
        Ok(())
    }

    /// `sd_folio_set_swap`. Refused with -EBUSY while in the swap cache (the kernel only
    /// changes `folio->swap` outside it; the cache is indexed by it).
    pub fn set_swap(&mut self, handle: u32, entry: u64) -> Result<(), i32> {
        let f = self.get_mut(handle).ok_or(-EINVAL)?;
        if f.in_cache {
            return Err(-EBUSY);
        }
        f.swap = entry;
        Ok(())
    }

    /// `sd_page_set`: tags and flags of one page; unknown flag bits are -EINVAL.
    pub fn set_page(&mut self, handle: u32, idx: u32, tags: &Tags, flags: u32) -> Result<(), i32> {
        if flags & !(PG_MTE_TAGGED | PG_MTE_LOCK) != 0 {
            return Err(-EINVAL);
        }
        let page = self.page_mut(handle, idx).ok_or(-EINVAL)?;
        page.tags = *tags;
        page.flags = flags;
        Ok(())
    }

    pub fn set_mapped(&mut self, handle: u32, mapped: bool) -> Result<(), i32> {
        self.get_mut(handle).ok_or(-EINVAL)?.mapped = mapped;
        Ok(())
    }

    /// `sd_swapcache_add`: cover `swap .. swap + nr_pages`; -EEXIST if any of those is
    /// covered already (by this folio or another).
    pub fn cache_add(&mut self, handle: u32) -> Result<(), i32> {
        let f = self.get(handle).ok_or(-EINVAL)?;
        if f.swap == 0 {
            return Err(-EINVAL);
        }
        let (start, n) = (f.swap, u64::from(f.nr_pages()));
        let overlaps = self.slots.iter().filter(|o| o.live && o.in_cache).any(|o| {
            let on = u64::from(o.nr_pages());
            start.wrapping_sub(o.swap) < on || o.swap.wrapping_sub(start) < n
        });
        if overlaps {
            return Err(-EEXIST);
        }
        self.slots[handle as usize].in_cache = true;
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

    /// `filemap_get_folio()` on the swap cache: the folio covering `entry`.
    pub fn cache_lookup(&self, entry: u64) -> Option<u32> {
        self.slots.iter().position(|f| f.live && f.covers(entry)).map(|h| h as u32)
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
        assert_eq!(f.set_swap(a, 40), Err(-EBUSY));
        assert_eq!(f.destroy(a), Err(-EBUSY));
        assert_eq!(f.cache_remove(a), 8);
        assert_eq!(f.get(a).unwrap().swap, 0);
        assert_eq!(f.cache_del(a), Err(-ENOENT));
    }
}
