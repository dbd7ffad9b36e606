//! arm64 MTE tags on swap: saving a page's tags under its swap entry, restoring them on
//! swap-in, and dropping them when slots are released or a device goes.

use super::ret;
use crate::entry::entry_from_int_type;
use crate::events::{self, Flow};
use crate::kernel::{EINVAL, ENOMEM, PG_MTE_LOCK, PG_MTE_TAGGED};
use crate::Model;
use swapdiff_contract::Mte;
use swapdiff_contract::Site;

impl Mte for Model {
    /// `arch_prepare_to_swap(folio)`: save the tags of every page (nothing when MTE is
    /// off). On the first error, the tags of the pages before it are invalidated again,
    /// last first, and the error returned. The rollback erases by key, so it also drops a
    /// buffer that existed before the call (replaced by this save, or belonging to an
    /// untagged page that was skipped).
    fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        let Some(f) = self.folios.get(folio) else {
            return i64::from(-EINVAL);
        };
        if !self.mte {
            return 0;
        }
        let (nr, swap) = (f.nr_pages(), f.swap);
        for i in 0..nr {
            let err = self.save_tags(folio, i);
            if err != 0 {
                for j in (0..i).rev() {
                    // __mte_invalidate_tags(): the page's own swap entry.
                    self.erase_tags(swap.wrapping_add(u64::from(j)));
                }
                return i64::from(err);
            }
        }
        0
    }

    /// `arch_swap_restore(entry, folio)`: page i gets the tags saved under `entry + i`
    /// (nothing when MTE is off). A hang on page i leaves pages before it restored.
    fn arch_swap_restore(&mut self, entry: u64, folio: u32) -> i64 {
        let Some(f) = self.folios.get(folio) else {
            return i64::from(-EINVAL);
        };
        if !self.mte {
            return 0;
        }
        let nr = f.nr_pages();
        ret(self.restore_folio(entry, folio, nr).map(|_| 0))
    }

    /// `mte_save_tags(page)`: nothing for a page without PG_mte_tagged; otherwise a
    /// buffer (-ENOMEM if that allocation fails) stored under `page_swap_entry(page)`
    /// (`folio->swap` + page index), replacing and freeing an older buffer. A store that
    /// needs a new xarray node and cannot get one is `WARN(xa_is_err(ret))`, frees the
    /// buffer and returns -ENOMEM. Works whether or not MTE is switched on.
    fn mte_save_tags(&mut self, folio: u32, idx: u32) -> i64 {
        if self.folios.page(folio, idx).is_none() {
            return i64::from(-EINVAL);
        }
        i64::from(self.save_tags(folio, idx))
    }

    /// `mte_restore_tags(entry, page)`: if tags are saved under `entry` and
    /// `try_page_mte_tagging` wins (sets PG_mte_lock on a page that did not have it),
    /// copy them in and set PG_mte_tagged. A page already tagged is left alone; a page
    /// locked but not tagged would spin for ever: a hang, the call returns TRAPPED.
    fn mte_restore_tags(&mut self, entry: u64, folio: u32, idx: u32) -> i64 {
        if self.folios.page(folio, idx).is_none() {
            return i64::from(-EINVAL);
        }
        ret(self.restore_tags(entry, folio, idx).map(|_| 0))
    }

    /// `mte_invalidate_tags(type, offset)`: erase the tags of `swp_entry(type, offset)`.
    /// `type` is a C `int`: the API's value is converted, then sign-extended.
    fn mte_invalidate_tags(&mut self, ty: u32, offset: u64) -> i64 {
        self.erase_tags(entry_from_int_type(ty as i32, offset));
        0
    }

    /// `mte_invalidate_tags_area(type)`: erase every key from `swp_entry(type, 0)` to
    /// `swp_entry(type + 1, 0) - 1` (for type 63 the upper end wraps to the top of the
    /// key space).
    fn mte_invalidate_tags_area(&mut self, ty: u32) -> i64 {
        self.invalidate_area(ty as i32);
        0
    }

    /// The arm64 inline: `mte_invalidate_tags` when MTE is on.
    fn arch_swap_invalidate_page(&mut self, ty: u32, offset: u64) -> i64 {
        self.arch_swap_invalidate_page_inner(ty as i32, offset);
        0
    }

    /// The arm64 inline: `mte_invalidate_tags_area` when MTE is on.
    fn arch_swap_invalidate_area(&mut self, ty: u32) -> i64 {
        self.arch_swap_invalidate_area_inner(ty as i32);
        0
    }
}

impl Model {
    pub(crate) fn arch_swap_invalidate_page_inner(&mut self, ty: i32, offset: u64) {
        if self.mte {
            self.erase_tags(entry_from_int_type(ty, offset));
        }
    }

    pub(crate) fn arch_swap_invalidate_area_inner(&mut self, ty: i32) {
        if self.mte {
            self.invalidate_area(ty);
        }
    }

    fn invalidate_area(&mut self, ty: i32) {
        let first = entry_from_int_type(ty, 0);
        let last = entry_from_int_type(ty.wrapping_add(1), 0).wrapping_sub(1);
        let n = self.tags.erase_range(first, last) as u64;
        self.allocs.free_n(Site::XaNode, n);
        self.allocs.free_n(Site::TagStorage, n);
    }

    /// `xa_erase` + `mte_free_tag_storage`.
    fn erase_tags(&mut self, key: u64) {
        if self.tags.erase(key) {
            self.allocs.free(Site::XaNode);
            self.allocs.free(Site::TagStorage);
        }
    }

    /// `mte_save_tags` on a page known to exist.
    fn save_tags(&mut self, folio: u32, idx: u32) -> i32 {
        let (Some(f), Some(page)) = (self.folios.get(folio), self.folios.page(folio, idx)) else {
            return -EINVAL;
        };
        if !page.mte_tagged() {
            return 0;
        }
        let (key, tags) = (f.swap.wrapping_add(u64::from(idx)), page.tags);
        if !self.allocs.try_alloc(Site::TagStorage) {
            return -ENOMEM;
        }
        if self.tags.contains(key) {
            self.tags.store(key, &tags);
            self.allocs.free(Site::TagStorage); // the replaced buffer
            return 0;
        }
        if !self.allocs.try_alloc(Site::XaNode) {
            self.events.fire(events::XA_STORE_FAILED);
            self.allocs.free(Site::TagStorage);
            return -ENOMEM;
        }
        self.tags.store(key, &tags);
        0
    }

    fn restore_folio(&mut self, entry: u64, folio: u32, nr: u32) -> Flow<()> {
        for i in 0..nr {
            self.restore_tags(entry.wrapping_add(u64::from(i)), folio, i)?;
        }
        Ok(())
    }

    fn restore_tags(&mut self, entry: u64, folio: u32, idx: u32) -> Flow<()> {
        let Some(&tags) = self.tags.get(entry) else {
            return Ok(());
        };
        let Some(page) = self.folios.page_mut(folio, idx) else {
            return Ok(());
        };
        // try_page_mte_tagging(): test_and_set_bit(PG_mte_lock).
        if page.flags & PG_MTE_LOCK == 0 {
            page.flags |= PG_MTE_LOCK;
            page.tags = tags;
            page.flags |= PG_MTE_TAGGED;
            return Ok(());
        }
        if page.flags & PG_MTE_TAGGED != 0 {
            return Ok(());
        }
        Err(self.events.trap(events::MTE_TAGGING_SPIN))
    }
}
