//! The folio services and the MTE rules alone: each expected value is what the contract (or
//! the environment, for its services) says, checked by feeding the spec returns an engine
//! could give.

use swapdiff_contract::prelude::*;
use swapdiff_contract::{entry, Site, EBUSY, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC, PG_MTE_LOCK, PG_MTE_TAGGED};
use swapdiff_contract::{DEV_SSD, TAG_BYTES, TRAPPED};
use swapdiff_spec::{FolioState, SlotState, Spec, Verdict};

use crate::common::tags;

const TAGGED: u32 = PG_MTE_TAGGED | PG_MTE_LOCK;
const ENOMEM_: i64 = -(ENOMEM as i64);
const EINVAL_: i64 = -(EINVAL as i64);

/// An engine's view in which no slot was reclaimed (none reads free that the spec holds).
fn no_reclaim(_: u32, _: u64) -> SlotState {
    SlotState::Bad
}

fn agrees(v: Verdict) {
    assert_eq!(v, Verdict::Agrees);
}

fn disagrees(v: Verdict) -> swapdiff_spec::SpecMismatch {
    v.mismatch().cloned().expect("a mismatch")
}

/// Device 0 with slots 4..=7 allocated, and folio 0 (order 2) on them with every page
/// tagged (page i's tags from seed 1).
fn tagged_folio() -> Spec {
    let mut s = Spec::new();
    agrees(s.swapon(1, DEV_SSD, 0));
    agrees(s.alloc_swap(0, 2, Ok(entry(0, 4)), no_reclaim));
    agrees(s.folio_new(2, 0));
    agrees(s.folio_set_swap(0, entry(0, 4), 0));
    for i in 0..4 {
        agrees(s.page_set(0, i, &tags(1, i), TAGGED, 0));
    }
    s
}

#[test]
fn folio_services_follow_the_environment() {
    let mut s = Spec::new();
    // Handles are the lowest free; a fresh folio's pages are blank.
    agrees(s.folio_new(0, 0));
    assert_eq!(disagrees(s.folio_new(1, 0)).allowed, "1");
    agrees(s.folio_new(1, 1));
    assert_eq!(s.page(1, 1), Some(([0; TAG_BYTES], 0)));
    assert_eq!(s.page(1, 2), None, "an order-1 folio has two pages");
    assert_eq!(s.folio(1), Some(FolioState { order: 1, swap: 0, in_cache: false, mapped: false }));
    // Orders above 4 are -EINVAL; eight live folios are all there is.
    agrees(s.folio_new(5, -EINVAL));
    for h in 2..8 {
        agrees(s.folio_new(0, h));
    }
    agrees(s.folio_new(0, -ENOSPC));
    agrees(s.folio_free(3, 0));
    agrees(s.folio_new(4, 3));
    // page_set keeps only the two PG bits.
    agrees(s.page_set(3, 15, &tags(2, 15), 0xff, 0));
    assert_eq!(s.page(3, 15), Some((tags(2, 15), TAGGED)));
    agrees(s.page_set(3, 16, &tags(2, 0), 0, -EINVAL));
    agrees(s.page_set(9, 0, &tags(2, 0), 0, -EINVAL));
    agrees(s.folio_free(9, -EINVAL));
    agrees(s.folio_set_mapped(3, true, 0));
    assert!(s.folio(3).expect("live").mapped);
}

#[test]
fn the_swap_cache_holds_a_folio_at_its_entries_without_overlap() {
    let mut s = Spec::new();
    agrees(s.folio_new(2, 0));
    agrees(s.folio_new(0, 1));
    // No folio->swap yet: -EINVAL.
    agrees(s.swapcache_add(0, -EINVAL));
    agrees(s.folio_set_swap(0, entry(0, 8), 0));
    agrees(s.folio_set_swap(1, entry(0, 11), 0));
    agrees(s.swapcache_add(0, 0));
    // 8..=11 are covered: the folio itself and a folio at 11 get -EEXIST.
    agrees(s.swapcache_add(0, -EEXIST));
    assert_eq!(disagrees(s.swapcache_add(1, 0)).allowed, "-EEXIST");
    // A cached folio is not re-pointed.
    agrees(s.folio_set_swap(0, entry(0, 40), -EBUSY));
    agrees(s.swapcache_del(0, 0));
    agrees(s.swapcache_del(0, -ENOENT));
    agrees(s.swapcache_add(1, 0));
    // Cache indices alias modulo 2^14 within a type, not across types.
    agrees(s.folio_set_swap(0, entry(0, 8 + (1 << 14)), 0));
    agrees(s.swapcache_add(0, -EEXIST));
    agrees(s.folio_set_swap(0, entry(1, 8), 0));
    agrees(s.swapcache_add(0, 0));
    // Freeing a folio takes it out of the cache with it.
    agrees(s.folio_free(1, 0));
    assert_eq!(s.folio(1), None);
}

#[test]
fn prepare_saves_every_tagged_page_under_its_own_entry() {
    let mut s = tagged_folio();
    // Page 2 untagged: nothing to save for it.
    agrees(s.page_set(0, 2, &tags(9, 2), 0, 0));
    agrees(s.arch_prepare_to_swap(0, 0));
    for i in [0, 1, 3] {
        assert_eq!(s.saved_tags(entry(0, 4 + i)), Some(tags(1, i as u32)), "page {i} under 4 + {i}");
    }
    assert_eq!(s.saved_tags(entry(0, 6)), None);
    assert_eq!(s.tag_store().len(), 3);
    // Without an armed fault it cannot fail; a trap is never allowed.
    assert_eq!(disagrees(s.arch_prepare_to_swap(0, ENOMEM_)).allowed, "0");
    assert_eq!(disagrees(s.arch_prepare_to_swap(0, TRAPPED)).observed, "TRAPPED");
    agrees(s.arch_prepare_to_swap(7, EINVAL_));
}

#[test]
fn a_failed_prepare_leaves_none_of_its_saves() {
    let mut s = tagged_folio();
    // Entry 5 holds older tags; 4, 6, 7 nothing.
    agrees(s.folio_new(0, 1));
    agrees(s.folio_set_swap(1, entry(0, 5), 0));
    agrees(s.page_set(1, 0, &tags(7, 0), TAGGED, 0));
    agrees(s.mte_save_tags(1, 0, 0));
    s.fault_arm(Site::TagStorage, 2);
    agrees(s.arch_prepare_to_swap(0, ENOMEM_));
    // Nothing of this call's: entries that had nothing still have nothing.
    for off in [4, 6, 7] {
        assert!(s.tags_known(entry(0, off)));
        assert_eq!(s.saved_tags(entry(0, off)), None);
    }
    // Entry 5: the older tags or nothing; the engine's answer settles it. Page 1's new tags
    // there would be this call's save: a difference.
    assert!(!s.tags_known(entry(0, 5)));
    let mut t = s.clone();
    assert!(t.tag_store_difference(&[(entry(0, 5), tags(1, 1))]).expect("a save left behind").contains("0:5"));
    agrees(s.mte_save_tags(1, 0, 0)); // (re-saved by folio 1: known again)
    assert_eq!(s.tag_store_difference(&[(entry(0, 5), tags(7, 0))]), None);
    // The fault fired: the next prepare must succeed.
    disagrees(s.arch_prepare_to_swap(0, ENOMEM_));
}

#[test]
fn open_entries_settle_on_the_engine() {
    let mut s = tagged_folio();
    agrees(s.arch_prepare_to_swap(0, 0));
    s.fault_arm(Site::XaNode, 1);
    agrees(s.arch_prepare_to_swap(0, ENOMEM_));
    assert!((4..8).all(|o| !s.tags_known(entry(0, o))));
    // The engine kept 4 and 5, dropped 6 and 7: allowed, and known from now on.
    let kept = [(entry(0, 4), tags(1, 0)), (entry(0, 5), tags(1, 1))];
    assert_eq!(s.tag_store_difference(&kept), None);
    assert!((4..8).all(|o| s.tags_known(entry(0, o))));
    assert_eq!(s.tag_store(), kept.to_vec());
    // Now exact: dropping 5 later is a difference.
    assert!(s.tag_store_difference(&kept[..1]).is_some());
}

#[test]
fn restore_gives_page_i_the_tags_of_entry_plus_i() {
    let mut s = tagged_folio();
    agrees(s.arch_prepare_to_swap(0, 0));
    // A fresh order-2 folio (untagged, lock free) swapped in from 4.
    agrees(s.folio_new(2, 1));
    agrees(s.arch_swap_restore(entry(0, 4), 1, 0));
    for i in 0..4 {
        assert_eq!(s.page(1, i), Some((tags(1, i), TAGGED)), "page {i} from 4 + {i}");
    }
    // From 5: pages 0..=2 get 5..=7, page 3 (entry 8, nothing saved) is left alone.
    agrees(s.folio_new(2, 2));
    agrees(s.arch_swap_restore(entry(0, 5), 2, 0));
    assert_eq!(s.page(2, 0), Some((tags(1, 1), TAGGED)));
    assert_eq!(s.page(2, 3), Some(([0; TAG_BYTES], 0)));
    // A page already tagged keeps its tags (its lock is taken).
    agrees(s.page_set(2, 3, &tags(5, 3), TAGGED, 0));
    agrees(s.mte_restore_tags(entry(0, 4), 2, 3, 0));
    assert_eq!(s.page(2, 3), Some((tags(5, 3), TAGGED)));
    // Tagged without the lock: the lock is free, so the restore takes it.
    agrees(s.page_set(2, 3, &tags(5, 3), PG_MTE_TAGGED, 0));
    agrees(s.mte_restore_tags(entry(0, 4), 2, 3, 0));
    assert_eq!(s.page(2, 3), Some((tags(1, 0), TAGGED)));
    // A void function: 0 only.
    assert_eq!(disagrees(s.arch_swap_restore(entry(0, 4), 1, -1)).allowed, "0");
    agrees(s.mte_restore_tags(entry(0, 4), 1, 4, EINVAL_));
}

#[test]
fn restore_into_a_page_being_tagged_is_outside_the_contract() {
    let mut s = tagged_folio();
    agrees(s.mte_save_tags(0, 0, 0));
    agrees(s.folio_new(0, 1));
    agrees(s.page_set(1, 0, &tags(3, 0), PG_MTE_LOCK, 0));
    // Nothing saved for 9: nothing to wait for.
    agrees(s.mte_restore_tags(entry(0, 9), 1, 0, 0));
    assert!(matches!(s.mte_restore_tags(entry(0, 4), 1, 0, TRAPPED), Verdict::Unpromised(_)));
    assert!(s.lost().is_some());
}

#[test]
fn save_replaces_and_may_fail_only_while_armed() {
    let mut s = tagged_folio();
    agrees(s.mte_save_tags(0, 1, 0));
    agrees(s.page_set(0, 1, &tags(4, 1), TAGGED, 0));
    s.fault_arm(Site::TagStorage, 1);
    s.fault_arm(Site::XaNode, 1);
    // Two sites armed: two saves may fail, each leaving the entry as it was.
    agrees(s.mte_save_tags(0, 1, ENOMEM_));
    agrees(s.mte_save_tags(0, 1, ENOMEM_));
    assert_eq!(s.saved_tags(entry(0, 5)), Some(tags(1, 1)));
    disagrees(s.mte_save_tags(0, 1, ENOMEM_));
    agrees(s.mte_save_tags(0, 1, 0));
    assert_eq!(s.saved_tags(entry(0, 5)), Some(tags(4, 1)));
    // An untagged page needs no memory: it cannot fail, and saves nothing.
    s.fault_arm(Site::TagStorage, 1);
    agrees(s.page_set(0, 2, &tags(4, 2), 0, 0));
    disagrees(s.mte_save_tags(0, 2, ENOMEM_));
    agrees(s.mte_save_tags(0, 2, 0));
    assert_eq!(s.saved_tags(entry(0, 6)), None);
    // Disarmed: no failure any more; a continuation-page fault is no tag-storage fault.
    s.fault_arm(Site::TagStorage, 0);
    s.fault_arm(Site::ContPage, 1);
    disagrees(s.mte_save_tags(0, 0, ENOMEM_));
    disagrees(s.arch_prepare_to_swap(0, ENOMEM_));
}

#[test]
fn invalidation_drops_what_it_names() {
    let mut s = tagged_folio();
    agrees(s.arch_prepare_to_swap(0, 0));
    agrees(s.folio_new(0, 1));
    agrees(s.folio_set_swap(1, entry(1, 4), 0));
    agrees(s.page_set(1, 0, &tags(2, 0), TAGGED, 0));
    agrees(s.mte_save_tags(1, 0, 0));
    agrees(s.mte_invalidate_tags(0, 5, 0));
    assert_eq!(s.saved_tags(entry(0, 5)), None);
    agrees(s.arch_swap_invalidate_page(0, 6, 0));
    assert_eq!(s.saved_tags(entry(0, 6)), None);
    // The area of type 0 goes, type 1's stays.
    agrees(s.mte_invalidate_tags_area(0, 0));
    assert_eq!(s.tag_store(), vec![(entry(1, 4), tags(2, 0))]);
    agrees(s.arch_swap_invalidate_area(1, 0));
    assert!(s.tag_store().is_empty());
    assert_eq!(disagrees(s.mte_invalidate_tags(0, 4, -1)).allowed, "0");
}

#[test]
fn without_mte_the_arch_hooks_do_nothing_and_the_arm64_functions_still_work() {
    let mut s = tagged_folio();
    s.set_mte(false);
    agrees(s.arch_prepare_to_swap(0, 0));
    assert!(s.tag_store().is_empty(), "no system support: nothing saved");
    // The arm64 function itself does its job.
    agrees(s.mte_save_tags(0, 0, 0));
    agrees(s.arch_swap_invalidate_page(0, 4, 0));
    agrees(s.arch_swap_invalidate_area(0, 0));
    assert_eq!(s.saved_tags(entry(0, 4)), Some(tags(1, 0)));
    agrees(s.folio_new(0, 1));
    agrees(s.arch_swap_restore(entry(0, 4), 1, 0));
    assert_eq!(s.page(1, 0), Some(([0; TAG_BYTES], 0)));
    // Freeing the slot without MTE invalidates nothing either (the hook is a no-op).
    agrees(s.put_swap_folio(entry(0, 4), 2, 0));
    assert_eq!(s.saved_tags(entry(0, 4)), Some(tags(1, 0)));
    s.set_mte(true);
    agrees(s.mte_restore_tags(entry(0, 4), 1, 0, 0));
    assert_eq!(s.page(1, 0), Some((tags(1, 0), TAGGED)));
}

#[test]
fn a_freed_slot_has_no_saved_tags() {
    let mut s = tagged_folio();
    agrees(s.arch_prepare_to_swap(0, 0));
    // 4: mapped once, then the cache goes (still referenced: kept), then the mapping
    // (free: gone).
    agrees(s.swap_duplicate(entry(0, 4), 0));
    agrees(s.swapcache_clear(entry(0, 4), 1, 0));
    assert_eq!(s.saved_tags(entry(0, 4)), Some(tags(1, 0)));
    agrees(s.swap_free_nr(entry(0, 4), 1, 0));
    assert_eq!(s.saved_tags(entry(0, 4)), None);
    // 5: the slot cache hands it back.
    agrees(s.swapcache_free_entries(&[entry(0, 5)], 0));
    assert_eq!(s.saved_tags(entry(0, 5)), None);
    // 6 and 7 go with swapoff, and the swap cache lets go of the folio.
    agrees(s.swapcache_add(0, 0));
    agrees(s.swapoff(0, 0));
    assert!(s.tag_store().is_empty());
    assert!(!s.folio(0).expect("live").in_cache);
}

#[test]
fn reclaim_takes_the_folio_out_of_the_cache_and_its_tags_with_its_slots() {
    let mut s = tagged_folio();
    agrees(s.swapcache_add(0, 0));
    agrees(s.arch_prepare_to_swap(0, 0));
    for o in 4..8 {
        agrees(s.swap_duplicate(entry(0, o), 0));
    }
    // Zapping 4..=7: the engine reclaimed the folio (all its slots free afterwards).
    let free = |_: u32, _: u64| swapdiff_spec::SlotState::Free;
    agrees(s.free_swap_and_cache_nr(entry(0, 4), 4, 0, free));
    assert_eq!(s.folio(0), Some(FolioState { order: 2, swap: 0, in_cache: false, mapped: false }));
    assert!(s.tag_store().is_empty());
}

#[test]
fn the_page_view_sees_a_folio_the_spec_does_not_have_or_of_another_size() {
    // An engine with an order-1 folio at handle 0 that the spec never saw: page 0 of every
    // handle the spec has no folio at is asked for, and the engine has one.
    let mut m = rust_impl::Model::new();
    assert_eq!(m.folio_new(1), 0);
    let mut s = Spec::new();
    let d = s.tag_view_difference(&m).expect("differs");
    assert_eq!(d, "page f0[0]: spec no such page, engine has one");
    // The spec's folio is order 0: index 1, one past its last page, must be absent.
    agrees(s.folio_new(0, 0));
    assert_eq!(s.tag_view_difference(&m).as_deref(), Some("page f0[1]: spec no such page, engine has one"));
    // Same size: no difference.
    let mut s = Spec::new();
    agrees(s.folio_new(1, 0));
    assert_eq!(s.tag_view_difference(&m), None);
}
