//! The spec alone: each expected value is what the contract says (the comment says why),
//! checked by feeding the spec returns an engine could give.

use swapdiff_contract::{
    entry, Site, DEV_DISCARD, DEV_SSD, EBUSY, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC, REFUSED, TRAPPED,
};
use swapdiff_spec::{SlotState, Spec, Verdict};

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

/// A spec with device 0 (one cluster) and slot 1 allocated (cache only).
fn one_slot() -> Spec {
    let mut s = Spec::new();
    agrees(s.swapon(1, DEV_SSD, 0));
    agrees(s.alloc_swap(0, 0, Ok(entry(0, 1)), no_reclaim));
    s
}

#[test]
fn devices_go_to_the_lowest_free_type_and_their_header_is_bad() {
    let mut s = Spec::new();
    // The environment gives the lowest free type; 1..=4 clusters of 512.
    agrees(s.swapon(2, 0, 0));
    assert_eq!(s.device_max(0), 1024);
    assert_eq!(s.slot(0, 0), SlotState::Bad);
    assert_eq!(s.slot(0, 1), SlotState::Free);
    assert_eq!(s.slot(0, 1024), SlotState::Absent);
    assert_eq!(disagrees(s.swapon(1, 0, 0)).allowed, "1");
    agrees(s.swapon(0, 0, -EINVAL));
    agrees(s.swapon(5, 0, -EINVAL));
    for ty in 1..4 {
        agrees(s.swapon(1, 0, ty));
    }
    agrees(s.swapon(1, 0, -EBUSY));
    agrees(s.swapoff(2, 0));
    assert_eq!(s.slot(2, 1), SlotState::Absent);
    agrees(s.swapoff(2, -EINVAL));
}

#[test]
fn the_allocator_may_choose_any_aligned_free_run_past_the_header() {
    let mut s = Spec::new();
    agrees(s.swapon(1, DEV_SSD, 0));
    // Not the lowest, but aligned and free: allowed.
    agrees(s.alloc_swap(0, 2, Ok(entry(0, 8)), no_reclaim));
    assert_eq!(s.slot(0, 9), SlotState::Used { refs: 0, cached: true });
    // Unaligned for order 2, the header, a slot in use, another type: not allowed.
    for bad in [entry(0, 2), entry(0, 0), entry(0, 8), entry(1, 4)] {
        assert_eq!(
            disagrees(s.alloc_swap(0, if bad == entry(0, 0) { 0 } else { 2 }, Ok(bad), no_reclaim)).what,
            "entry"
        );
    }
    // Free runs remain: -ENOSPC is a lie.
    disagrees(s.alloc_swap(0, 0, Err(-ENOSPC), no_reclaim));
    agrees(s.alloc_swap(1, 0, Err(-EINVAL), no_reclaim));
    agrees(s.alloc_swap(0, 5, Err(-EINVAL), no_reclaim));
}

#[test]
fn large_entries_may_fail_where_6_12_keeps_no_cluster_for_them() {
    // A rotational device never gives order > 0 (scan_swap_map_slots needs cluster_info).
    let mut s = Spec::new();
    agrees(s.swapon(2, 0, 0));
    agrees(s.alloc_swap(0, 1, Err(-ENOSPC), no_reclaim));
    // An SSD: order > 0 comes only from a free cluster or a nonfull/frag cluster of that
    // order. One cluster (the header's, serving order 0): -ENOSPC is allowed...
    agrees(s.swapon(1, DEV_SSD, 1));
    agrees(s.alloc_swap(1, 2, Err(-ENOSPC), no_reclaim));
    // ... but with a whole cluster free it is a lie.
    agrees(s.swapon(2, DEV_SSD, 2));
    disagrees(s.alloc_swap(2, 4, Err(-ENOSPC), no_reclaim));
    // Order 0 finds any free slot on any kind of device.
    disagrees(s.alloc_swap(0, 0, Err(-ENOSPC), no_reclaim));
}

#[test]
fn a_released_cluster_of_a_discarding_ssd_may_read_bad_until_discarded() {
    let mut s = Spec::new();
    agrees(s.swapon(2, DEV_SSD | DEV_DISCARD, 0));
    // Cluster 1 wholly free: its slots may read bad (swap_cluster_schedule_discard) ...
    assert!(s.pending_discard(0, 600));
    // ... never cluster 0 (it holds the header), nor a device without discard.
    assert!(!s.pending_discard(0, 5));
    agrees(s.alloc_swap(0, 0, Ok(entry(0, 512)), no_reclaim));
    assert!(!s.pending_discard(0, 600));
    // mark_bad of such a slot may be -EBUSY.
    let mut t = Spec::new();
    agrees(t.swapon(2, DEV_SSD | DEV_DISCARD, 0));
    agrees(t.mark_bad(entry(0, 700), -EBUSY));
}

#[test]
fn a_full_device_answers_enospc() {
    let mut s = Spec::new();
    agrees(s.swapon(1, DEV_SSD, 0));
    for off in 1..512 {
        agrees(s.alloc_swap(0, 0, Ok(entry(0, off)), no_reclaim));
    }
    // Every slot past the header is taken: nothing else is possible.
    agrees(s.alloc_swap(0, 0, Err(-ENOSPC), no_reclaim));
}

#[test]
fn swapcache_prepare_is_all_or_nothing() {
    let mut s = one_slot();
    let e = entry(0, 1);
    // Cached: someone else is reading it in.
    agrees(s.swapcache_prepare(e, 1, -i64::from(EEXIST)));
    assert_eq!(disagrees(s.swapcache_prepare(e, 1, 0)).allowed, "-EEXIST");
    // Slots 1 (cached) and 2 (free): either error, nothing changes.
    agrees(s.swapcache_prepare(e, 2, -i64::from(ENOENT)));
    agrees(s.swapcache_prepare(e, 2, -i64::from(EEXIST)));
    assert_eq!(s.slot(0, 2), SlotState::Free);
    // A mapped, uncached slot may be claimed.
    agrees(s.swap_duplicate(e, 0));
    agrees(s.swapcache_clear(e, 1, 0));
    agrees(s.swapcache_prepare(e, 1, 0));
    assert_eq!(s.slot(0, 1), SlotState::Used { refs: 1, cached: true });
}

#[test]
fn duplicating_only_fails_for_memory() {
    let mut s = one_slot();
    let e = entry(0, 1);
    // swap_duplicate finds its own memory: without an armed fault it succeeds.
    assert_eq!(disagrees(s.swap_duplicate(e, -i64::from(ENOMEM))).allowed, "0");
    s.fault_arm(Site::ContPage, 3);
    agrees(s.swap_duplicate(e, 0));
    agrees(s.swap_duplicate(e, -i64::from(ENOMEM)));
    // The fault fired: it is not armed any more.
    disagrees(s.swap_duplicate(e, -i64::from(ENOMEM)));
    // __swap_duplicate may always ask its caller for storage; -ENOMEM takes nothing.
    agrees(s.__swap_duplicate(e, 1, 1, -i64::from(ENOMEM)));
    assert_eq!(s.slot(0, 1), SlotState::Used { refs: 1, cached: true });
    // Free or bad: no reference to duplicate.
    agrees(s.__swap_duplicate(entry(0, 2), 1, 1, -i64::from(ENOENT)));
    agrees(s.__swap_duplicate(entry(0, 0), 1, 1, -i64::from(ENOENT)));
    // A trap is never an allowed answer.
    assert_eq!(disagrees(s.swap_duplicate(e, TRAPPED)).observed, "TRAPPED");
}

#[test]
fn counts_promise_zero_one_or_more() {
    let mut s = one_slot();
    let e = entry(0, 1);
    // Cache only: nobody references it.
    agrees(s.__swap_count(e, 0));
    disagrees(s.swp_swapcount(e, 1));
    for _ in 0..70 {
        agrees(s.swap_duplicate(e, 0));
    }
    // 70 references: the cheap count only promises "more than one"; swp_swapcount is exact.
    agrees(s.__swap_count(e, 0x80 | 7));
    agrees(s.swap_swapcount(e, 70));
    disagrees(s.swap_swapcount(e, 1));
    agrees(s.swp_swapcount(e, 70));
    disagrees(s.swp_swapcount(e, 69));
    // Past the device: the guard refuses the cheap reads; swp_swapcount says 0.
    agrees(s.__swap_count(entry(0, 512), REFUSED));
    agrees(s.swp_swapcount(entry(0, 512), 0));
    // A bad slot has no count.
    assert!(matches!(s.__swap_count(entry(0, 0), 0x3f), Verdict::Unpromised(_)));
}

#[test]
fn releases_free_a_slot_once_nothing_holds_it() {
    let mut s = one_slot();
    let e = entry(0, 1);
    agrees(s.swap_duplicate(e, 0));
    agrees(s.put_swap_folio(e, 0, 0));
    assert_eq!(s.slot(0, 1), SlotState::Used { refs: 1, cached: false });
    agrees(s.swap_free_nr(e, 1, 0));
    assert_eq!(s.slot(0, 1), SlotState::Free);
    // Cache-only slots handed back by the slot cache are free.
    agrees(s.alloc_swap(0, 0, Ok(e), no_reclaim));
    agrees(s.swapcache_free_entries(&[e], 0));
    assert_eq!(s.slot(0, 1), SlotState::Free);
    // A release call returns 0.
    agrees(s.alloc_swap(0, 0, Ok(e), no_reclaim));
    assert_eq!(disagrees(s.swapcache_clear(e, 1, -1)).allowed, "0");
}

#[test]
fn free_swap_and_cache_may_reclaim_only_what_nobody_references() {
    let mut s = one_slot();
    let (e1, e2) = (entry(0, 1), entry(0, 2));
    agrees(s.alloc_swap(0, 0, Ok(e2), no_reclaim));
    agrees(s.swap_duplicate(e1, 0));
    agrees(s.swap_duplicate(e2, 0));
    agrees(s.swap_duplicate(e2, 0));
    // The engine reclaimed both caches; only slot 1 is unreferenced afterwards.
    let engine = |_: u32, _: u64| SlotState::Free;
    agrees(s.free_swap_and_cache_nr(e1, 2, 0, engine));
    assert_eq!(s.slot(0, 1), SlotState::Free);
    // Slot 2 still holds a mapping: the spec keeps it cached (a view comparison then
    // shows an engine that dropped it).
    assert_eq!(s.slot(0, 2), SlotState::Used { refs: 1, cached: true });
}

#[test]
fn mark_bad_takes_only_free_slots() {
    let mut s = one_slot();
    agrees(s.mark_bad(entry(0, 2), 0));
    assert_eq!(s.slot(0, 2), SlotState::Bad);
    agrees(s.mark_bad(entry(0, 1), -EBUSY));
    agrees(s.mark_bad(entry(0, 512), -EINVAL));
    agrees(s.mark_bad(entry(3, 1), -EINVAL));
}
