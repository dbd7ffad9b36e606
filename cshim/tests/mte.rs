//! arm64 MTE tags on swap (arch/arm64/mm/mteswap.c): saving a folio's tags
//! into mte_pages keyed by swap entry, restoring them, failures, and
//! invalidation when slots are freed or a device goes away.

mod common;
use common::*;
use cshim::{entry, EventKind, Kernel, Site, TAG_BYTES, TRAPPED};
use swapdiff_contract::prelude::*;

/// Distinct tags per (device, page) so a mix-up shows.
fn tags(ty: u32, idx: u32) -> [u8; TAG_BYTES] {
    std::array::from_fn(|i| (ty as u8).wrapping_mul(64).wrapping_add(idx as u8 * 16).wrapping_add(i as u8))
}

/// A tagged order-2 folio swapped to a fresh 4-slot range of device `ty`.
fn tagged_folio(k: &mut Kernel, ty: u32) -> (u32, u64) {
    let e = k.alloc_swap(ty, 2).expect("four aligned free slots");
    let f = k.folio_new(2);
    assert!(f >= 0);
    let f = f as u32;
    assert_eq!(k.folio_set_swap(f, e), 0);
    for i in 0..4 {
        assert_eq!(k.page_set(f, i, &tags(ty, i), PG_MTE_TAGGED), 0);
    }
    (f, e)
}

#[test]
fn prepare_stores_each_page_and_restore_gives_it_back() {
    let mut k = kernel_with_device(1);
    let (f, e) = tagged_folio(&mut k, 0);
    assert_eq!(e, entry(0, 4), "order 2: the lowest free aligned run is 4..=7");
    assert_eq!(k.arch_prepare_to_swap(f), 0);
    // mte_save_tags per page: key page_swap_entry(page) = folio->swap + i.
    let expected: Vec<_> = (0..4).map(|i| (e + u64::from(i), tags(0, i))).collect();
    assert_eq!(k.tag_store(), expected);
    assert_eq!(k.live_allocs(Site::TagStorage), 4);
    assert_eq!(k.live_allocs(Site::XaNode), 4);

    // Restore into fresh pages: try_page_mte_tagging wins (sets
    // PG_mte_lock), the tags are copied, set_page_mte_tagged.
    let g = k.folio_new(2) as u32;
    assert_eq!(k.arch_swap_restore(e, g), 0);
    for i in 0..4 {
        assert_eq!(k.page_get(g, i), Some((tags(0, i), PG_MTE_TAGGED | PG_MTE_LOCK)));
    }
    assert_eq!(k.tag_store().len(), 4, "restoring does not consume the saved tags");
    assert!(k.take_events().is_empty());
}

#[test]
fn tag_storage_failure_rolls_back() {
    let mut k = kernel_with_device(1);
    let (f, _) = tagged_folio(&mut k, 0);
    // The 4th kmalloc (page index 3) fails: mte_save_tags -> -ENOMEM, and
    // arch_prepare_to_swap invalidates pages 0..=2 it had saved.
    k.fault_arm(Site::TagStorage, 4);
    assert_eq!(k.arch_prepare_to_swap(f), ENOMEM);
    assert!(k.tag_store().is_empty());
    assert_eq!(k.live_allocs(Site::TagStorage), 0, "no buffer leaked");
    assert_eq!(k.live_allocs(Site::XaNode), 0);
    assert!(k.take_events().is_empty(), "a kmalloc failure is not warned about");
}

#[test]
fn xarray_failure_warns_and_frees_the_buffer() {
    let mut k = kernel_with_device(1);
    let (f, e) = tagged_folio(&mut k, 0);
    k.fault_arm(Site::XaNode, 1);
    // xa_store returns an error entry: WARN(xa_is_err(ret), ...), the
    // buffer is freed and xa_err(ret) = -ENOMEM returned.
    assert_eq!(k.mte_save_tags(f, 0), ENOMEM);
    assert_eq!(k.take_events(), vec![event(EventKind::Warn, "mte_save_tags", "xa_is_err(ret)")]);
    assert_eq!(k.live_allocs(Site::TagStorage), 0);
    // Saving the same page twice replaces the buffer (the old one is freed).
    assert_eq!(k.mte_save_tags(f, 0), 0);
    assert_eq!(k.mte_save_tags(f, 0), 0);
    assert_eq!(k.tag_store(), vec![(e, tags(0, 0))]);
    assert_eq!(k.live_allocs(Site::TagStorage), 1);
}

#[test]
fn freeing_a_slot_drops_its_tags() {
    let mut k = kernel_with_device(1);
    let (f, e) = tagged_folio(&mut k, 0);
    assert_eq!(k.arch_prepare_to_swap(f), 0);
    let slot = e + 1;
    assert_eq!(k.swap_duplicate(slot), 0);
    // Last map reference: the byte goes back to SWAP_HAS_CACHE, tags stay.
    assert_eq!(k.swap_free_nr(slot, 1), 0);
    assert_eq!(k.tag_store().len(), 4);
    // Cache drop: the slot is freed; swap_range_free calls
    // arch_swap_invalidate_page -> mte_invalidate_tags for it.
    assert_eq!(k.put_swap_folio(slot, 0), 0);
    assert_eq!(k.map_byte(slot), Some(0));
    let keys: Vec<u64> = k.tag_store().iter().map(|(key, _)| *key).collect();
    assert_eq!(keys, vec![e, e + 2, e + 3]);
    assert_eq!(k.live_allocs(Site::TagStorage), 3);
}

#[test]
fn swapoff_drops_only_that_devices_tags() {
    let mut k = kernel_with_device(1);
    assert_eq!(k.swapon(1, true), 1);
    let (f0, e0) = tagged_folio(&mut k, 0);
    let (f1, _) = tagged_folio(&mut k, 1);
    assert_eq!(k.arch_prepare_to_swap(f0), 0);
    assert_eq!(k.arch_prepare_to_swap(f1), 0);
    assert_eq!(k.tag_store().len(), 8);
    // swapoff -> arch_swap_invalidate_area(1) -> mte_invalidate_tags_area:
    // keys swp_entry(1, 0) ..= swp_entry(2, 0) - 1 only.
    assert_eq!(k.swapoff(1), 0);
    let expected: Vec<_> = (0..4).map(|i| (e0 + u64::from(i), tags(0, i))).collect();
    assert_eq!(k.tag_store(), expected);
    assert_eq!(k.live_allocs(Site::TagStorage), 4);
}

#[test]
fn mte_off_stores_nothing() {
    let mut k = kernel_with_device(1);
    let (f, _) = tagged_folio(&mut k, 0);
    k.set_mte(false);
    // arch_prepare_to_swap returns 0 at once without system_supports_mte().
    assert_eq!(k.arch_prepare_to_swap(f), 0);
    assert!(k.tag_store().is_empty());
    assert_eq!(k.live_allocs(Site::TagStorage), 0);
}

#[test]
fn untagged_pages_are_skipped() {
    let mut k = kernel_with_device(1);
    let (f, e) = tagged_folio(&mut k, 0);
    assert_eq!(k.page_set(f, 2, &tags(0, 2), 0), 0);
    // mte_save_tags returns 0 for a page without PG_mte_tagged.
    assert_eq!(k.arch_prepare_to_swap(f), 0);
    let keys: Vec<u64> = k.tag_store().iter().map(|(key, _)| *key).collect();
    assert_eq!(keys, vec![e, e + 1, e + 3]);
}

#[test]
fn restore_onto_a_page_being_tagged_hangs() {
    let mut k = kernel_with_device(1);
    let (f, e) = tagged_folio(&mut k, 0);
    assert_eq!(k.arch_prepare_to_swap(f), 0);
    let g = k.folio_new(0) as u32;
    // PG_mte_lock set, PG_mte_tagged clear: try_page_mte_tagging would wait
    // for another CPU to finish tagging; single-threaded that is a hang.
    assert_eq!(k.page_set(g, 0, &[0; TAG_BYTES], PG_MTE_LOCK), 0);
    assert_eq!(k.mte_restore_tags(e, g, 0), TRAPPED);
    assert_eq!(
        k.take_events(),
        vec![event(EventKind::Hang, "try_page_mte_tagging", "PG_mte_lock set, PG_mte_tagged clear")]
    );
    // Both flags set: tagging already done, the tags are not overwritten.
    k.env_reset();
    assert_eq!(k.swapon(1, true), 0);
    let (f, e) = tagged_folio(&mut k, 0);
    assert_eq!(k.arch_prepare_to_swap(f), 0);
    let g = k.folio_new(0) as u32;
    assert_eq!(k.page_set(g, 0, &[9; TAG_BYTES], PG_MTE_LOCK | PG_MTE_TAGGED), 0);
    assert_eq!(k.mte_restore_tags(e, g, 0), 0);
    assert_eq!(k.page_get(g, 0), Some(([9; TAG_BYTES], PG_MTE_LOCK | PG_MTE_TAGGED)));
}
