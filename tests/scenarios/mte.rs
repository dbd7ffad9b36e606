//! arm64 MTE tags on swap (arch/arm64/mm/mteswap.c): the tag store (mte_pages, keyed by
//! swap entry), save and restore, failures, invalidation when slots are freed or a device
//! goes away, and the folio-wide wrappers.

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, Entry, Site, TAG_BYTES, TRAPPED};
use swapdiff_contract::{EINVAL, ENOMEM, PG_MTE_LOCK, PG_MTE_TAGGED};

use crate::{err, hang, on_both, tags, warn, with_device};

/// Tags distinct per (swap type, page index), so a page saved or restored under the wrong
/// entry, or a device's tags dropped for another's, shows.
fn page_tags(ty: u32, idx: u32) -> [u8; TAG_BYTES] {
    std::array::from_fn(|i| (ty as u8).wrapping_mul(64).wrapping_add(idx as u8 * 16).wrapping_add(i as u8))
}

/// A folio of `order` at swap entry `swap`, page i tagged `page_tags(type of swap, i)`.
fn tagged_folio(e: &mut dyn Engine, order: u32, swap: Entry) -> u32 {
    let f = e.folio_new(order);
    assert!(f >= 0, "a free folio handle");
    let f = f as u32;
    assert_eq!(e.folio_set_swap(f, swap), 0);
    for i in 0..1u32 << order {
        assert_eq!(e.page_set(f, i, &page_tags(swapdiff::engine::entry_type(swap), i), PG_MTE_TAGGED), 0);
    }
    f
}

/// A tagged folio of `order` swapped to a freshly allocated range of device `ty`.
fn swapped_folio(e: &mut dyn Engine, ty: u32, order: u32) -> (u32, Entry) {
    let at = e.alloc_swap(ty, order).expect("an aligned free run");
    (tagged_folio(e, order, at), at)
}

fn keys(e: &dyn Engine) -> Vec<Entry> {
    e.tag_store().into_iter().map(|(k, _)| k).collect()
}

#[test]
fn prepare_stores_each_page_and_restore_gives_it_back() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        let (f, at) = swapped_folio(e, 0, 2);
        // cluster_alloc_swap_entry: no per-CPU cluster yet, the free list first: cluster 1.
        assert_eq!(at, entry(0, 512), "order 2: the head of the free list, cluster 1, from its start");
        assert_eq!(e.arch_prepare_to_swap(f), 0);
        // mte_save_tags per page: key page_swap_entry(page) = folio->swap + i.
        let expected: Vec<_> = (0..4).map(|i| (at + u64::from(i), page_tags(0, i))).collect();
        assert_eq!(e.tag_store(), expected);
        assert_eq!(e.live_allocs(Site::TagStorage), 4);
        assert_eq!(e.live_allocs(Site::XaNode), 4);

        // Restore into fresh pages: try_page_mte_tagging wins (sets PG_mte_lock), the
        // tags are copied, set_page_mte_tagged.
        let g = e.folio_new(2) as u32;
        assert_eq!(e.arch_swap_restore(at, g), 0);
        for i in 0..4 {
            assert_eq!(e.page_get(g, i), Some((page_tags(0, i), PG_MTE_TAGGED | PG_MTE_LOCK)));
        }
        assert_eq!(e.tag_store().len(), 4, "restoring does not consume the saved tags");
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn tag_storage_failure_rolls_back() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        let (f, _) = swapped_folio(e, 0, 2);
        // The 4th kmalloc (page index 3) fails: mte_save_tags -> -ENOMEM, and
        // arch_prepare_to_swap invalidates pages 0..=2 it had saved.
        e.fault_arm(Site::TagStorage, 4);
        assert_eq!(e.arch_prepare_to_swap(f), err(ENOMEM));
        assert_eq!(e.tag_store(), vec![]);
        assert_eq!(e.live_allocs(Site::TagStorage), 0, "no buffer leaked");
        assert_eq!(e.live_allocs(Site::XaNode), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS, "a kmalloc failure is not warned about");
    });
}

#[test]
fn xarray_failure_warns_and_frees_the_buffer() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        let (f, at) = swapped_folio(e, 0, 2);
        e.fault_arm(Site::XaNode, 1);
        // xa_store returns an error entry: WARN(xa_is_err(ret), ...), the buffer is freed
        // and xa_err(ret) = -ENOMEM returned.
        assert_eq!(e.mte_save_tags(f, 0), err(ENOMEM));
        assert_eq!(e.take_events(), vec![warn("mte_save_tags", "xa_is_err(ret)")]);
        assert_eq!(e.live_allocs(Site::TagStorage), 0);
        // Saving the same page twice replaces the buffer (the old one is freed).
        assert_eq!(e.mte_save_tags(f, 0), 0);
        assert_eq!(e.mte_save_tags(f, 0), 0);
        assert_eq!(e.tag_store(), vec![(at, page_tags(0, 0))]);
        assert_eq!(e.live_allocs(Site::TagStorage), 1);
    });
}

#[test]
fn freeing_a_slot_drops_its_tags() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        let (f, at) = swapped_folio(e, 0, 2);
        assert_eq!(e.arch_prepare_to_swap(f), 0);
        let slot = at + 1;
        assert_eq!(e.swap_duplicate(slot), 0);
        // Last map reference: the byte goes back to SWAP_HAS_CACHE, tags stay.
        assert_eq!(e.swap_free_nr(slot, 1), 0);
        assert_eq!(e.tag_store().len(), 4);
        // Cache drop: the slot is freed; swap_range_free calls arch_swap_invalidate_page
        // -> mte_invalidate_tags for it.
        assert_eq!(e.put_swap_folio(slot, 0), 0);
        assert_eq!(e.map_byte(slot), Some(0));
        assert_eq!(keys(e), vec![at, at + 2, at + 3]);
        assert_eq!(e.live_allocs(Site::TagStorage), 3);
    });
}

#[test]
fn swapoff_drops_only_that_devices_tags() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        assert_eq!(e.swapon(2, swapdiff_contract::DEV_SSD), 1);
        let (f0, at0) = swapped_folio(e, 0, 2);
        let (f1, _) = swapped_folio(e, 1, 2);
        assert_eq!(e.arch_prepare_to_swap(f0), 0);
        assert_eq!(e.arch_prepare_to_swap(f1), 0);
        assert_eq!(e.tag_store().len(), 8);
        // swapoff -> arch_swap_invalidate_area(1) -> mte_invalidate_tags_area: keys
        // swp_entry(1, 0) ..= swp_entry(2, 0) - 1 only.
        assert_eq!(e.swapoff(1), 0);
        let expected: Vec<_> = (0..4).map(|i| (at0 + u64::from(i), page_tags(0, i))).collect();
        assert_eq!(e.tag_store(), expected);
        assert_eq!(e.live_allocs(Site::TagStorage), 4);
    });
}

#[test]
fn prepare_skips_untagged_pages() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        let (f, at) = swapped_folio(e, 0, 2);
        assert_eq!(e.page_set(f, 2, &page_tags(0, 2), 0), 0);
        // mte_save_tags returns 0 for a page without PG_mte_tagged.
        assert_eq!(e.arch_prepare_to_swap(f), 0);
        assert_eq!(keys(e), vec![at, at + 1, at + 3]);
    });
}

#[test]
fn save_stores_under_the_page_swap_entry_and_replaces() {
    on_both(|e: &mut dyn Engine| {
        // A reset engine: no device (the tag store does not look at one).
        let f = tagged_folio(e, 1, entry(0, 10));
        // page_swap_entry(page 1) = folio->swap + 1.
        assert_eq!(e.mte_save_tags(f, 1), 0);
        assert_eq!(e.tag_store(), vec![(entry(0, 11), page_tags(0, 1))]);
        assert_eq!((e.live_allocs(Site::TagStorage), e.live_allocs(Site::XaNode)), (1, 1));
        // Saving again under the same key replaces the buffer and frees the old one.
        e.page_set(f, 1, &tags(9), PG_MTE_TAGGED);
        assert_eq!(e.mte_save_tags(f, 1), 0);
        assert_eq!(e.tag_store(), vec![(entry(0, 11), tags(9))]);
        assert_eq!((e.live_allocs(Site::TagStorage), e.live_allocs(Site::XaNode)), (1, 1));
        // A page without PG_mte_tagged is skipped.
        e.page_set(f, 0, &tags(5), PG_MTE_LOCK);
        assert_eq!(e.mte_save_tags(f, 0), 0);
        assert_eq!(keys(e), vec![entry(0, 11)]);
        assert_eq!(e.mte_save_tags(f, 2), err(EINVAL));
        assert_eq!(e.mte_save_tags(5, 0), err(EINVAL));
        // mte_save_tags itself does not look at system_supports_mte().
        e.set_mte(false);
        assert_eq!(e.mte_save_tags(f, 1), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn save_failures_free_what_they_took() {
    on_both(|e: &mut dyn Engine| {
        // A reset engine: no device (the tag store does not look at one).
        let f = tagged_folio(e, 0, entry(1, 3));
        // kmalloc fails: -ENOMEM, nothing else.
        e.fault_arm(Site::TagStorage, 1);
        assert_eq!(e.mte_save_tags(f, 0), err(ENOMEM));
        assert_eq!(e.take_events(), crate::NO_EVENTS);
        // The xarray node fails: WARN(xa_is_err(ret)), the buffer is freed, -ENOMEM.
        e.fault_arm(Site::XaNode, 1);
        assert_eq!(e.mte_save_tags(f, 0), err(ENOMEM));
        assert_eq!(e.take_events(), vec![warn("mte_save_tags", "xa_is_err(ret)")]);
        assert_eq!(e.tag_store(), vec![]);
        for s in Site::ALL {
            assert_eq!(e.live_allocs(s), 0);
        }
        // Replacing needs no node: an armed XA_NODE fault is not consumed by it.
        assert_eq!(e.mte_save_tags(f, 0), 0);
        e.fault_arm(Site::XaNode, 1);
        assert_eq!(e.mte_save_tags(f, 0), 0);
        let g = tagged_folio(e, 0, entry(1, 4));
        assert_eq!(e.mte_save_tags(g, 0), err(ENOMEM));
    });
}

#[test]
fn restore_copies_in_once_and_hangs_on_a_locked_untagged_page() {
    on_both(|e: &mut dyn Engine| {
        // A reset engine: no device (the tag store does not look at one).
        let src = tagged_folio(e, 0, entry(0, 7));
        e.mte_save_tags(src, 0);
        let dst = e.folio_new(1) as u32;
        // No tags under the entry: nothing happens.
        assert_eq!(e.mte_restore_tags(entry(0, 8), dst, 0), 0);
        assert_eq!(e.page_get(dst, 0), Some(([0; TAG_BYTES], 0)));
        // try_page_mte_tagging wins on a fresh page: tags copied, PG_mte_lock and tagged set.
        assert_eq!(e.mte_restore_tags(entry(0, 7), dst, 0), 0);
        assert_eq!(e.page_get(dst, 0), Some((page_tags(0, 0), PG_MTE_LOCK | PG_MTE_TAGGED)));
        // Already locked and tagged: left alone.
        e.page_set(dst, 0, &tags(4), PG_MTE_LOCK | PG_MTE_TAGGED);
        assert_eq!(e.mte_restore_tags(entry(0, 7), dst, 0), 0);
        assert_eq!(e.page_get(dst, 0), Some((tags(4), PG_MTE_LOCK | PG_MTE_TAGGED)));
        // Tagged but not locked: the test_and_set of PG_mte_lock wins, tags overwritten.
        e.page_set(dst, 1, &tags(4), PG_MTE_TAGGED);
        assert_eq!(e.mte_restore_tags(entry(0, 7), dst, 1), 0);
        assert_eq!(e.page_get(dst, 1), Some((page_tags(0, 0), PG_MTE_LOCK | PG_MTE_TAGGED)));
        // Locked, not tagged: the wait would never end.
        e.page_set(dst, 1, &tags(4), PG_MTE_LOCK);
        assert_eq!(e.mte_restore_tags(entry(0, 7), dst, 1), TRAPPED);
        assert_eq!(e.take_events(), vec![hang("try_page_mte_tagging", "PG_mte_lock set, PG_mte_tagged clear")]);
        assert_eq!(e.page_get(dst, 1), Some((tags(4), PG_MTE_LOCK)));
        assert_eq!(e.mte_restore_tags(entry(0, 7), dst, 2), err(EINVAL));
    });
}

#[test]
fn invalidate_by_entry_and_by_type() {
    on_both(|e: &mut dyn Engine| {
        // A reset engine: no device (the tag store does not look at one).
        for (ty, off) in [(0, 1), (0, 2), (1, 1), (2, 0), (63, 5)] {
            let f = tagged_folio(e, 0, entry(ty, off));
            e.mte_save_tags(f, 0);
            e.folio_free(f);
        }
        assert_eq!(e.mte_invalidate_tags(0, 2), 0);
        assert_eq!(e.mte_invalidate_tags(0, 3), 0); // absent: xa_erase returns NULL, kfree(NULL)
        assert_eq!(keys(e), vec![entry(0, 1), entry(1, 1), entry(2, 0), entry(63, 5)]);
        // swp_entry(1, 0) ..= swp_entry(2, 0) - 1: only type 1.
        assert_eq!(e.mte_invalidate_tags_area(1), 0);
        assert_eq!(keys(e), vec![entry(0, 1), entry(2, 0), entry(63, 5)]);
        // Type 63: swp_entry(64, 0) wraps to 0, so the range runs to the top of the keys.
        e.mte_invalidate_tags_area(63);
        assert_eq!(keys(e), vec![entry(0, 1), entry(2, 0)]);
        // The API's u32 type becomes a C int: u32::MAX is -1, sign-extended: type 63 again.
        let f = tagged_folio(e, 0, entry(63, 9));
        e.mte_save_tags(f, 0);
        e.mte_invalidate_tags_area(u32::MAX);
        assert_eq!(keys(e), vec![entry(0, 1), entry(2, 0)]);
        assert_eq!((e.live_allocs(Site::TagStorage), e.live_allocs(Site::XaNode)), (2, 2));
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn arch_invalidate_follows_the_mte_switch() {
    on_both(|e: &mut dyn Engine| {
        // A reset engine: no device (the tag store does not look at one).
        let f = tagged_folio(e, 0, entry(0, 1));
        e.mte_save_tags(f, 0);
        e.set_mte(false);
        assert_eq!(e.arch_swap_invalidate_page(0, 1), 0);
        assert_eq!(e.arch_swap_invalidate_area(0), 0);
        assert_eq!(keys(e), vec![entry(0, 1)]);
        e.set_mte(true);
        assert_eq!(e.arch_swap_invalidate_page(0, 1), 0);
        assert_eq!(keys(e), Vec::<Entry>::new());
    });
}

#[test]
fn releasing_a_slot_invalidates_its_tags() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        // Order 1 from the free list's head, cluster 1.
        assert_eq!(e.alloc_swap(0, 1), Ok(entry(0, 512)));
        let f = tagged_folio(e, 1, entry(0, 512));
        assert_eq!(e.arch_prepare_to_swap(f), 0);
        assert_eq!(keys(e), vec![entry(0, 512), entry(0, 513)]);
        // swap_range_free -> arch_swap_invalidate_page for each released slot.
        assert_eq!(e.put_swap_folio(entry(0, 512), 1), 0);
        assert_eq!(keys(e), Vec::<Entry>::new());
        // With MTE off the release leaves tags behind. CPU 0's next[1] is still 514 (set
        // after the first allocation), and cluster 1, free again, serves it there.
        assert_eq!(e.alloc_swap(0, 1), Ok(entry(0, 514)));
        assert_eq!(e.folio_set_swap(f, entry(0, 514)), 0);
        assert_eq!(e.arch_prepare_to_swap(f), 0);
        e.set_mte(false);
        assert_eq!(e.put_swap_folio(entry(0, 514), 1), 0);
        assert_eq!(keys(e), vec![entry(0, 514), entry(0, 515)]);
    });
}

#[test]
fn prepare_saves_every_page_and_rolls_back_on_error() {
    on_both(|e: &mut dyn Engine| {
        // A reset engine: no device (the tag store does not look at one).
        let f = tagged_folio(e, 2, entry(0, 8));
        assert_eq!(e.arch_prepare_to_swap(f), 0);
        assert_eq!(keys(e), vec![entry(0, 8), entry(0, 9), entry(0, 10), entry(0, 11)]);

        e.env_reset();
        // A buffer saved earlier under page 0's entry, and page 1 untagged.
        let old = tagged_folio(e, 0, entry(0, 8));
        e.page_set(old, 0, &tags(0xee), PG_MTE_TAGGED);
        e.mte_save_tags(old, 0);
        let old1 = tagged_folio(e, 0, entry(0, 9));
        e.mte_save_tags(old1, 0);
        let f = tagged_folio(e, 2, entry(0, 8));
        e.page_set(f, 1, &tags(2), 0);
        // Page 0 replaces (a kmalloc), page 1 is skipped, page 2's kmalloc fails.
        e.fault_arm(Site::TagStorage, 2);
        assert_eq!(e.arch_prepare_to_swap(f), err(ENOMEM));
        // Rollback invalidates pages 1 and 0 by entry: the replaced buffer and the
        // untouched key of the skipped page are both gone.
        assert_eq!(keys(e), Vec::<Entry>::new());
        assert_eq!((e.live_allocs(Site::TagStorage), e.live_allocs(Site::XaNode)), (0, 0));
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn prepare_and_restore_do_nothing_with_mte_off() {
    on_both(|e: &mut dyn Engine| {
        // A reset engine: no device (the tag store does not look at one).
        let f = tagged_folio(e, 1, entry(0, 2));
        e.set_mte(false);
        // arch_prepare_to_swap returns 0 at once without system_supports_mte().
        assert_eq!(e.arch_prepare_to_swap(f), 0);
        assert_eq!(keys(e), Vec::<Entry>::new());
        assert_eq!(e.live_allocs(Site::TagStorage), 0);
        e.set_mte(true);
        e.arch_prepare_to_swap(f);
        let g = e.folio_new(1) as u32;
        e.set_mte(false);
        assert_eq!(e.arch_swap_restore(entry(0, 2), g), 0);
        assert_eq!(e.page_get(g, 0), Some(([0; TAG_BYTES], 0)));
        assert_eq!(e.arch_prepare_to_swap(7), err(EINVAL));
        assert_eq!(e.arch_swap_restore(0, 7), err(EINVAL));
    });
}

#[test]
fn restore_advances_the_entry_per_page_and_stops_at_a_hang() {
    on_both(|e: &mut dyn Engine| {
        // A reset engine: no device (the tag store does not look at one).
        let f = tagged_folio(e, 2, entry(0, 4));
        e.arch_prepare_to_swap(f);
        let g = e.folio_new(2) as u32;
        e.page_set(g, 2, &[0; TAG_BYTES], PG_MTE_LOCK);
        assert_eq!(e.arch_swap_restore(entry(0, 4), g), TRAPPED);
        // Pages 0 and 1 got the tags of entries 4 and 5; page 2 hung; page 3 untouched.
        assert_eq!(e.page_get(g, 0), Some((page_tags(0, 0), 3)));
        assert_eq!(e.page_get(g, 1), Some((page_tags(0, 1), 3)));
        assert_eq!(e.page_get(g, 2), Some(([0; TAG_BYTES], PG_MTE_LOCK)));
        assert_eq!(e.page_get(g, 3), Some(([0; TAG_BYTES], 0)));
        assert_eq!(e.take_events(), vec![hang("try_page_mte_tagging", "PG_mte_lock set, PG_mte_tagged clear")]);
    });
}
