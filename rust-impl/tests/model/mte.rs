//! arm64 MTE: the tag store, save/restore, invalidation, and the folio-wide wrappers.

use crate::common::*;

/// A folio of `order` at swap entry `swap`, every page tagged with tags = its index + 1.
fn tagged_folio(m: &mut Model, order: u32, swap: u64) -> u32 {
    let f = m.folio_new(order) as u32;
    m.folio_set_swap(f, swap);
    for i in 0..1u32 << order {
        assert_eq!(m.page_set(f, i, &tags(i as u8 + 1), PG_MTE_TAGGED), 0);
    }
    f
}

fn keys(m: &Model) -> Vec<u64> {
    m.tag_store().into_iter().map(|(k, _)| k).collect()
}

#[test]
fn save_stores_under_the_page_swap_entry_and_replaces() {
    let mut m = Model::new();
    let f = tagged_folio(&mut m, 1, entry(0, 10));
    // page_swap_entry(page 1) = folio->swap + 1.
    assert_eq!(m.mte_save_tags(f, 1), 0);
    assert_eq!(m.tag_store(), vec![(entry(0, 11), tags(2))]);
    assert_eq!((m.live_allocs(Site::TagStorage), m.live_allocs(Site::XaNode)), (1, 1));
    // Saving again under the same key replaces the buffer and frees the old one.
    m.page_set(f, 1, &tags(9), PG_MTE_TAGGED);
    assert_eq!(m.mte_save_tags(f, 1), 0);
    assert_eq!(m.tag_store(), vec![(entry(0, 11), tags(9))]);
    assert_eq!((m.live_allocs(Site::TagStorage), m.live_allocs(Site::XaNode)), (1, 1));
    // A page without PG_mte_tagged is skipped.
    m.page_set(f, 0, &tags(5), PG_MTE_LOCK);
    assert_eq!(m.mte_save_tags(f, 0), 0);
    assert_eq!(keys(&m), vec![entry(0, 11)]);
    assert_eq!(m.mte_save_tags(f, 2), -EINVAL as i64);
    assert_eq!(m.mte_save_tags(5, 0), -EINVAL as i64);
    // mte_save_tags itself does not look at system_supports_mte().
    m.set_mte(false);
    assert_eq!(m.mte_save_tags(f, 1), 0);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn save_failures_free_what_they_took() {
    let mut m = Model::new();
    let f = tagged_folio(&mut m, 0, entry(1, 3));
    // kmalloc fails: -ENOMEM, nothing else.
    m.fault_arm(Site::TagStorage, 1);
    assert_eq!(m.mte_save_tags(f, 0), -ENOMEM as i64);
    assert_eq!(m.take_events(), vec![]);
    // The xarray node fails: WARN(xa_is_err(ret)), the buffer is freed, -ENOMEM.
    m.fault_arm(Site::XaNode, 1);
    assert_eq!(m.mte_save_tags(f, 0), -ENOMEM as i64);
    assert_eq!(m.take_events(), vec![warn("mte_save_tags", "xa_is_err(ret)")]);
    assert_eq!(m.tag_store(), vec![]);
    for s in Site::ALL {
        assert_eq!(m.live_allocs(s), 0);
    }
    // Replacing needs no node: an armed XA_NODE fault is not consumed by it.
    assert_eq!(m.mte_save_tags(f, 0), 0);
    m.fault_arm(Site::XaNode, 1);
    assert_eq!(m.mte_save_tags(f, 0), 0);
    let g = tagged_folio(&mut m, 0, entry(1, 4));
    assert_eq!(m.mte_save_tags(g, 0), -ENOMEM as i64);
}

#[test]
fn restore_copies_in_once_and_hangs_on_a_locked_untagged_page() {
    let mut m = Model::new();
    let src = tagged_folio(&mut m, 0, entry(0, 7));
    m.mte_save_tags(src, 0);
    let dst = m.folio_new(1) as u32;
    // No tags under the entry: nothing happens.
    assert_eq!(m.mte_restore_tags(entry(0, 8), dst, 0), 0);
    assert_eq!(m.page_get(dst, 0), Some(([0; TAG_BYTES], 0)));
    // try_page_mte_tagging wins on a fresh page: tags copied, PG_mte_lock and tagged set.
    assert_eq!(m.mte_restore_tags(entry(0, 7), dst, 0), 0);
    assert_eq!(m.page_get(dst, 0), Some((tags(1), PG_MTE_LOCK | PG_MTE_TAGGED)));
    // Already locked and tagged: left alone.
    m.page_set(dst, 0, &tags(4), PG_MTE_LOCK | PG_MTE_TAGGED);
    assert_eq!(m.mte_restore_tags(entry(0, 7), dst, 0), 0);
    assert_eq!(m.page_get(dst, 0), Some((tags(4), PG_MTE_LOCK | PG_MTE_TAGGED)));
    // Tagged but not locked: the test_and_set of PG_mte_lock wins, tags overwritten.
    m.page_set(dst, 1, &tags(4), PG_MTE_TAGGED);
    assert_eq!(m.mte_restore_tags(entry(0, 7), dst, 1), 0);
    assert_eq!(m.page_get(dst, 1), Some((tags(1), PG_MTE_LOCK | PG_MTE_TAGGED)));
    // Locked, not tagged: the wait would never end.
    m.page_set(dst, 1, &tags(4), PG_MTE_LOCK);
    assert_eq!(m.mte_restore_tags(entry(0, 7), dst, 1), TRAPPED);
    assert_eq!(m.take_events(), vec![hang("try_page_mte_tagging", "PG_mte_lock set, PG_mte_tagged clear")]);
    assert_eq!(m.page_get(dst, 1), Some((tags(4), PG_MTE_LOCK)));
    assert_eq!(m.mte_restore_tags(entry(0, 7), dst, 2), -EINVAL as i64);
}

#[test]
fn invalidate_by_entry_and_by_type() {
    let mut m = Model::new();
    for (ty, off) in [(0, 1), (0, 2), (1, 1), (2, 0), (63, 5)] {
        let f = tagged_folio(&mut m, 0, entry(ty, off));
        m.mte_save_tags(f, 0);
        m.folio_free(f);
    }
    assert_eq!(m.mte_invalidate_tags(0, 2), 0);
    assert_eq!(m.mte_invalidate_tags(0, 3), 0); // absent: xa_erase returns NULL, kfree(NULL)
    assert_eq!(keys(&m), vec![entry(0, 1), entry(1, 1), entry(2, 0), entry(63, 5)]);
    // swp_entry(1, 0) ..= swp_entry(2, 0) - 1: only type 1.
    assert_eq!(m.mte_invalidate_tags_area(1), 0);
    assert_eq!(keys(&m), vec![entry(0, 1), entry(2, 0), entry(63, 5)]);
    // Type 63: swp_entry(64, 0) wraps to 0, so the range runs to the top of the keys.
    m.mte_invalidate_tags_area(63);
    assert_eq!(keys(&m), vec![entry(0, 1), entry(2, 0)]);
    // The API's u32 type becomes a C int: u32::MAX is -1, sign-extended: type 63 again.
    let f = tagged_folio(&mut m, 0, entry(63, 9));
    m.mte_save_tags(f, 0);
    m.mte_invalidate_tags_area(u32::MAX);
    assert_eq!(keys(&m), vec![entry(0, 1), entry(2, 0)]);
    assert_eq!((m.live_allocs(Site::TagStorage), m.live_allocs(Site::XaNode)), (2, 2));
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn arch_invalidate_follows_the_mte_switch() {
    let mut m = Model::new();
    let f = tagged_folio(&mut m, 0, entry(0, 1));
    m.mte_save_tags(f, 0);
    m.set_mte(false);
    assert_eq!(m.arch_swap_invalidate_page(0, 1), 0);
    assert_eq!(m.arch_swap_invalidate_area(0), 0);
    assert_eq!(keys(&m), vec![entry(0, 1)]);
    m.set_mte(true);
    assert_eq!(m.arch_swap_invalidate_page(0, 1), 0);
    assert_eq!(keys(&m), vec![]);
}

#[test]
fn releasing_a_slot_invalidates_its_tags() {
    let mut m = with_device(1, true);
    assert_eq!(m.alloc_swap(0, 1), Ok(entry(0, 2)));
    let f = tagged_folio(&mut m, 1, entry(0, 2));
    assert_eq!(m.arch_prepare_to_swap(f), 0);
    assert_eq!(keys(&m), vec![entry(0, 2), entry(0, 3)]);
    // swap_range_free -> arch_swap_invalidate_page for each released slot.
    assert_eq!(m.put_swap_folio(entry(0, 2), 1), 0);
    assert_eq!(keys(&m), vec![]);
    // With MTE off the release leaves tags behind.
    assert_eq!(m.alloc_swap(0, 1), Ok(entry(0, 2)));
    assert_eq!(m.arch_prepare_to_swap(f), 0);
    m.set_mte(false);
    assert_eq!(m.put_swap_folio(entry(0, 2), 1), 0);
    assert_eq!(keys(&m), vec![entry(0, 2), entry(0, 3)]);
}

#[test]
fn prepare_saves_every_page_and_rolls_back_on_error() {
    let mut m = Model::new();
    let f = tagged_folio(&mut m, 2, entry(0, 8));
    assert_eq!(m.arch_prepare_to_swap(f), 0);
    assert_eq!(keys(&m), vec![entry(0, 8), entry(0, 9), entry(0, 10), entry(0, 11)]);

    let mut m = Model::new();
    // A buffer saved earlier under page 0's entry, and page 1 untagged.
    let old = tagged_folio(&mut m, 0, entry(0, 8));
    m.page_set(old, 0, &tags(0xee), PG_MTE_TAGGED);
    m.mte_save_tags(old, 0);
    let old1 = tagged_folio(&mut m, 0, entry(0, 9));
    m.mte_save_tags(old1, 0);
    let f = tagged_folio(&mut m, 2, entry(0, 8));
    m.page_set(f, 1, &tags(2), 0);
    // Page 0 replaces (a kmalloc), page 1 is skipped, page 2's kmalloc fails.
    m.fault_arm(Site::TagStorage, 2);
    assert_eq!(m.arch_prepare_to_swap(f), -ENOMEM as i64);
    // Rollback invalidates pages 1 and 0 by entry: the replaced buffer and the
    // untouched key of the skipped page are both gone.
    assert_eq!(keys(&m), vec![]);
    assert_eq!((m.live_allocs(Site::TagStorage), m.live_allocs(Site::XaNode)), (0, 0));
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn prepare_and_restore_do_nothing_with_mte_off() {
    let mut m = Model::new();
    let f = tagged_folio(&mut m, 1, entry(0, 2));
    m.set_mte(false);
    assert_eq!(m.arch_prepare_to_swap(f), 0);
    assert_eq!(keys(&m), vec![]);
    m.set_mte(true);
    m.arch_prepare_to_swap(f);
    let g = m.folio_new(1) as u32;
    m.set_mte(false);
    assert_eq!(m.arch_swap_restore(entry(0, 2), g), 0);
    assert_eq!(m.page_get(g, 0), Some(([0; TAG_BYTES], 0)));
    assert_eq!(m.arch_prepare_to_swap(7), -EINVAL as i64);
    assert_eq!(m.arch_swap_restore(0, 7), -EINVAL as i64);
}

#[test]
fn restore_advances_the_entry_per_page_and_stops_at_a_hang() {
    let mut m = Model::new();
    let f = tagged_folio(&mut m, 2, entry(0, 4));
    m.arch_prepare_to_swap(f);
    let g = m.folio_new(2) as u32;
    m.page_set(g, 2, &[0; TAG_BYTES], PG_MTE_LOCK);
    assert_eq!(m.arch_swap_restore(entry(0, 4), g), TRAPPED);
    // Pages 0 and 1 got the tags of entries 4 and 5; page 2 hung; page 3 untouched.
    assert_eq!(m.page_get(g, 0), Some((tags(1), 3)));
    assert_eq!(m.page_get(g, 1), Some((tags(2), 3)));
    assert_eq!(m.page_get(g, 2), Some(([0; TAG_BYTES], PG_MTE_LOCK)));
    assert_eq!(m.page_get(g, 3), Some(([0; TAG_BYTES], 0)));
    assert_eq!(m.take_events(), vec![hang("try_page_mte_tagging", "PG_mte_lock set, PG_mte_tagged clear")]);
}
