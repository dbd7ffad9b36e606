//! The environment services of ENVIRONMENT.md: devices, the stand-in allocator, bad
//! slots, swapoff accounting, folios, the swap cache and reset.

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, Site};
use swapdiff_contract::{
    CLUSTER_FLAG_FREE, CLUSTER_FLAG_NONFULL, EBUSY, EEXIST, EINVAL, ENOENT, ENOSPC, PAGE_POISON, PG_MTE_LOCK,
    PG_MTE_TAGGED, SWAP_HAS_CACHE, SWAP_MAP_BAD, TAG_BYTES,
};

use crate::{alloc_n, bytes, counted, on_both, tags, with_device};

#[test]
fn swapon_rejects_bad_sizes_and_a_fifth_device() {
    on_both(|e: &mut dyn Engine| {
        assert_eq!(e.swapon(0, swapdiff_contract::DEV_SSD), -EINVAL);
        assert_eq!(e.swapon(5, swapdiff_contract::DEV_SSD), -EINVAL);
        // u32::MAX reaches the C side as int -1: a bad size too.
        assert_eq!(e.swapon(u32::MAX, swapdiff_contract::DEV_SSD), -EINVAL);
        for ty in 0..4 {
            assert_eq!(e.swapon(1, if ty % 2 == 0 { swapdiff_contract::DEV_SSD } else { 0 }), ty);
        }
        assert_eq!(e.swapon(1, swapdiff_contract::DEV_SSD), -EBUSY, "types 0..=3 only");
        // The lowest free type is reused.
        assert_eq!(e.swapoff(1), 0);
        assert_eq!(e.swapon(4, swapdiff_contract::DEV_SSD), 1);
    });
}

#[test]
fn allocator_fills_a_hole_below_a_larger_run() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // Slot 1, then the order-2 run at 4 (2..3 is too short and misaligned), then
        // order 0 goes back to the lowest free slot, 2.
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 1)));
        assert_eq!(e.alloc_swap(0, 2), Ok(entry(0, 4)));
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 2)));
        assert_eq!(e.alloc_swap(0, 4), Ok(entry(0, 16)));
        for off in [4, 5, 6, 7] {
            assert_eq!(e.map_byte(entry(0, off)), Some(SWAP_HAS_CACHE));
        }
        // header + 1 + 4 + 1 + 16 slots in cluster 0; swap_range_alloc counted
        // the 22 allocated ones.
        assert_eq!(e.cluster(0, 0), Some((23, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.device_inuse_pages(0), 22);
        assert_eq!(e.nr_swap_pages(), 511 - 22);
        assert_eq!(e.alloc_swap(0, 5), Err(-EINVAL));
        assert_eq!(e.alloc_swap(2, 0), Err(-EINVAL));
    });
}

#[test]
fn allocator_fills_the_device_then_reports_enospc() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        for _ in 0..511 {
            e.alloc_swap(0, 0).expect("slots 1..=511");
        }
        assert_eq!(e.alloc_swap(0, 0), Err(-ENOSPC));
        assert_eq!(e.device_inuse_pages(0), 511);
        assert_eq!(e.nr_swap_pages(), 0);
        assert_eq!(e.cluster(0, 0), Some((512, CLUSTER_FLAG_NONFULL)));
        // Free one: swap_entry_range_free -> dec_cluster_info_page, and
        // swap_range_free puts the full device back on the avail list.
        assert_eq!(e.put_swap_folio(entry(0, 9), 0), 0);
        assert_eq!(e.cluster(0, 0), Some((511, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 9)));
        assert!(e.take_events().is_empty());
    });
}

#[test]
fn freeing_the_last_slot_of_a_cluster_frees_the_cluster() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        let first = e.alloc_swap(0, 0).unwrap();
        // Fill cluster 0 so the next allocation lands in cluster 1.
        for _ in 0..510 {
            e.alloc_swap(0, 0).unwrap();
        }
        let e1 = e.alloc_swap(0, 0).unwrap();
        assert_eq!(e1, entry(0, 512));
        assert_eq!(e.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)));
        // dec_cluster_info_page: count 0 -> free_cluster -> __free_cluster.
        assert_eq!(e.put_swap_folio(e1, 0), 0);
        assert_eq!(e.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
        assert_eq!(e.put_swap_folio(first, 0), 0);
        assert_eq!(e.cluster(0, 0), Some((511, CLUSTER_FLAG_NONFULL)));
    });
}

#[test]
fn mark_bad_refuses_used_and_out_of_range_slots() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        alloc_n(e, 1);
        assert_eq!(e.mark_bad(entry(0, 1)), -EBUSY, "the byte is not 0");
        assert_eq!(e.mark_bad(entry(0, 1024)), -EINVAL);
        assert_eq!(e.mark_bad(entry(1, 3)), -EINVAL);
        assert_eq!(e.mark_bad(entry(0, 600)), 0);
        assert_eq!(e.map_byte(entry(0, 600)), Some(SWAP_MAP_BAD));
        assert_eq!(e.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)), "a free cluster became nonfull");
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (1023 - 1 - 1, 1023 - 1));
    });
}

#[test]
fn swapoff_accounting() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        assert_eq!(e.swapon(1, swapdiff_contract::DEV_SSD), 1);
        for _ in 0..3 {
            e.alloc_swap(1, 0).expect("a free slot");
        }
        assert_eq!(e.nr_swap_pages(), 511 + 508);
        // nr_swap_pages loses the device's free slots (508), total its pages.
        assert_eq!(e.swapoff(1), 0);
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (511, 511));
        assert_eq!(e.device_max(1), 0);
        assert_eq!(e.swapoff(1), -EINVAL);
        assert_eq!(e.swapoff(7), -EINVAL);
        // Calls on the vanished device see "no device".
        assert_eq!(e.swapcache_prepare(entry(1, 1), 1), -i64::from(EINVAL));
    });
}

#[test]
fn swapon_sets_up_the_map_clusters_and_page_counters() {
    on_both(|e: &mut dyn Engine| {
        assert_eq!(e.swapon(2, swapdiff_contract::DEV_SSD), 0);
        assert_eq!(e.device_max(0), 1024);
        assert!(e.device_has_clusters(0));
        // setup_swap_map(): the header slot is SWAP_MAP_BAD, the rest 0.
        assert_eq!(e.map_byte(entry(0, 0)), Some(SWAP_MAP_BAD));
        assert_eq!(e.map_byte(entry(0, 1023)), Some(0));
        assert_eq!(e.map_byte(entry(0, 1024)), None);
        // Cluster 0 counts the header and is NONFULL; cluster 1 is FREE.
        assert_eq!(e.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
        assert_eq!(e.cluster(0, 2), None);
        // Good pages = max - 1 join both counters.
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (1023, 1023));
        assert_eq!(e.swapon(1, 0), 1);
        assert!(!e.device_has_clusters(1));
        assert_eq!(e.cluster(1, 0), None);
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (1023 + 511, 1023 + 511));
    });
}

#[test]
fn allocator_takes_the_lowest_aligned_free_run() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 1)));
        // Order 1 needs an even offset with two zero bytes: 2.
        assert_eq!(e.alloc_swap(0, 1), Ok(entry(0, 2)));
        // Order 2: 4 (4..7 are free).
        assert_eq!(e.alloc_swap(0, 2), Ok(entry(0, 4)));
        assert_eq!(e.alloc_swap(0, 4), Ok(entry(0, 16)));
        // Order 3: 8 (8..15 still free below the 16-run).
        assert_eq!(e.alloc_swap(0, 3), Ok(entry(0, 8)));
        assert_eq!(bytes(e, 1..=7), vec![SWAP_HAS_CACHE; 7]);
        // 1 + 2 + 4 + 16 + 8 slots: inuse_pages, nr_swap_pages and cluster 0's count follow.
        assert_eq!(e.device_inuse_pages(0), 31);
        assert_eq!(e.nr_swap_pages(), 1023 - 31);
        assert_eq!(e.cluster(0, 0), Some((32, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.alloc_swap(0, 5), Err(-EINVAL));
        assert_eq!(e.alloc_swap(1, 0), Err(-EINVAL));
        assert_eq!(e.alloc_swap(99, 0), Err(-EINVAL));
    });
}

#[test]
fn allocating_into_a_free_cluster_makes_it_nonfull_and_a_full_device_is_enospc() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        alloc_n(e, 511);
        assert_eq!(e.cluster(0, 0), Some((512, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 512)));
        assert_eq!(e.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)));
        for off in 513..1024 {
            assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, off)));
        }
        assert_eq!(e.alloc_swap(0, 0), Err(-ENOSPC));
        assert_eq!(e.nr_swap_pages(), 0);
    });
}

#[test]
fn mark_bad_takes_a_free_slot_out_of_the_good_pages() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        assert_eq!(e.mark_bad(entry(0, 1)), 0);
        assert_eq!(e.map_byte(entry(0, 1)), Some(SWAP_MAP_BAD));
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (510, 510));
        assert_eq!(e.cluster(0, 0), Some((2, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.mark_bad(entry(0, 1)), -EBUSY);
        assert_eq!(e.mark_bad(entry(0, 512)), -EINVAL);
        assert_eq!(e.mark_bad(entry(1, 1)), -EINVAL);
        // The allocator skips the bad slot.
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 2)));
        // Bad slots are not "in use": swapoff takes pages - inuse = 509 - 1 free pages.
        assert_eq!(e.swapoff(0), 0);
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (0, 0));
    });
}

#[test]
fn swapoff_frees_continuations_tags_and_cache_links_and_forgets_the_device() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 63); // 63 references need one continuation page
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        let f = e.folio_new(0) as u32;
        e.folio_set_swap(f, entry(0, 1));
        e.page_set(f, 0, &tags(7), PG_MTE_TAGGED);
        assert_eq!(e.mte_save_tags(f, 0), 0);
        assert_eq!(e.swapcache_add(f), 0);
        // In use: slot 1. nr_swap_pages = 511 - 1 = 510 before swapoff.
        assert_eq!(e.nr_swap_pages(), 510);
        assert_eq!(e.swapoff(0), 0);
        // nr_swap_pages -= pages - inuse_pages (510); total -= pages (511).
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (0, 0));
        // free_swap_count_continuations() and arch_swap_invalidate_area() ran.
        assert_eq!(e.live_allocs(Site::ContPage), 0);
        assert_eq!(e.tag_store(), vec![]);
        assert_eq!((e.live_allocs(Site::TagStorage), e.live_allocs(Site::XaNode)), (0, 0));
        assert_eq!(e.device_max(0), 0);
        assert_eq!(e.map_byte(entry(0, 1)), None);
        assert_eq!(e.cont_digits(entry(0, 1)), Vec::<u8>::new());
        // The folio left the swap cache: it can be added again after a new swapon.
        assert_eq!(e.swapcache_del(f), -ENOENT);
        assert_eq!(e.swapoff(0), -EINVAL);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn swapoff_with_mte_off_keeps_the_tags() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let f = e.folio_new(0) as u32;
        e.folio_set_swap(f, entry(0, 3));
        e.page_set(f, 0, &tags(1), PG_MTE_TAGGED);
        assert_eq!(e.mte_save_tags(f, 0), 0);
        e.set_mte(false);
        assert_eq!(e.swapoff(0), 0);
        // arch_swap_invalidate_area() is a no-op without MTE.
        assert_eq!(e.tag_store().len(), 1);
    });
}

#[test]
fn swapoff_subtracts_pages_minus_inuse_as_unsigned_int() {
    on_both(|e: &mut dyn Engine| {
        // A slot counted twice by inuse_pages: its count wraps to 0 through a usage byte
        // (0x80 + 0x80), the byte reads free, and the allocator hands it out again.
        with_device(e, 1, false);
        alloc_n(e, 1);
        assert_eq!(e.__swap_duplicate(entry(0, 1), 0x80, 1), 0); // 0x40 + 0x80 -> 0xc0
        assert_eq!(e.swapcache_clear(entry(0, 1), 1), 0); // cache dropped: 0x80
        assert_eq!(e.__swap_duplicate(entry(0, 1), 0x80, 1), 0); // 0x80 + 0x80 wraps to 0
        assert_eq!(e.map_byte(entry(0, 1)), Some(0));
        for _ in 0..511 {
            assert!(e.alloc_swap(0, 0).is_ok());
        }
        assert_eq!(e.device_inuse_pages(0), 512); // one more than the 511 good pages
        assert_eq!(e.nr_swap_pages(), -1);
        assert_eq!(e.swapoff(0), 0);
        // (unsigned)511 - 512 = 0xffffffff, zero-extended to long, then subtracted.
        assert_eq!(e.nr_swap_pages(), -1 - 0xffff_ffff);
    });
}

#[test]
fn folio_handles_pages_and_flags() {
    on_both(|e: &mut dyn Engine| {
        assert_eq!(e.folio_new(5), -EINVAL, "orders 0..=4");
        assert_eq!(e.folio_new(2), 0);
        assert_eq!(e.page_get(0, 3), Some(([0; TAG_BYTES], 0)), "tags and flags start 0");
        assert_eq!(e.page_get(0, 4), None, "an order-2 folio has pages 0..=3");
        // Flag bits other than SD_PG_* are dropped.
        assert_eq!(e.page_set(0, 1, &tags(0xab), 0xff), 0);
        assert_eq!(e.page_get(0, 1), Some((tags(0xab), PG_MTE_TAGGED | PG_MTE_LOCK)));
        assert_eq!(e.page_set(0, 4, &tags(1), 0), -EINVAL);
        // Handles that are not live.
        assert_eq!(e.page_set(1, 0, &tags(1), 0), -EINVAL);
        assert_eq!(e.page_set(9, 0, &tags(1), 0), -EINVAL);
        assert_eq!(e.folio_set_swap(1, 5), -EINVAL);
        assert_eq!(e.folio_set_swap(8, 1), -EINVAL);
        assert_eq!(e.folio_set_mapped(7, true), -EINVAL);
        assert_eq!(e.folio_set_mapped(u32::MAX, true), -EINVAL);
        assert_eq!(e.folio_free(0), 0);
        assert_eq!(e.folio_free(0), -EINVAL);
        // Handles are the lowest free ones, MAX_FOLIOS (8) at once.
        for h in 0..8 {
            assert_eq!(e.folio_new(h % 5), h as i32);
        }
        assert_eq!(e.folio_new(0), -ENOSPC);
        assert_eq!(e.folio_free(3), 0);
        assert_eq!(e.folio_free(3), -EINVAL);
        assert_eq!(e.folio_new(1), 3, "lowest free handle");
        assert_eq!(e.page_get(3, 1), Some(([0; TAG_BYTES], 0)), "a reused handle starts clean");
        assert_eq!(e.page_get(3, 2), None, "an order-1 folio has pages 0 and 1");
    });
}

#[test]
fn swapcache_add_needs_a_swap_entry_and_refuses_overlaps() {
    on_both(|e: &mut dyn Engine| {
        // No device: the swap cache (one xarray per type) does not look at one.
        let a = e.folio_new(2) as u32;
        let b = e.folio_new(1) as u32;
        let c = e.folio_new(0) as u32;
        assert_eq!(e.swapcache_add(a), -EINVAL, "folio->swap is 0");
        e.folio_set_swap(a, entry(0, 4));
        assert_eq!(e.swapcache_add(a), 0);
        assert_eq!(e.swapcache_add(a), -EEXIST);
        // a covers 4..=7: a folio starting inside it, or on its last page, collides.
        e.folio_set_swap(b, entry(0, 6));
        assert_eq!(e.swapcache_add(b), -EEXIST);
        e.folio_set_swap(c, entry(0, 7));
        assert_eq!(e.swapcache_add(c), -EEXIST);
        // Right after the range, and another type's address space, are free.
        e.folio_set_swap(b, entry(0, 8));
        assert_eq!(e.swapcache_add(b), 0);
        e.folio_set_swap(c, entry(1, 6));
        assert_eq!(e.swapcache_add(c), 0);
        assert_eq!(e.swapcache_del(a), 0);
        assert_eq!(e.swapcache_del(a), -ENOENT);
        assert_eq!(e.swapcache_del(9), -EINVAL);
    });
}

#[test]
fn env_reset_restores_the_initial_state_but_keeps_working() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 2, 70);
        let f = e.folio_new(0) as u32;
        e.page_set(f, 0, &tags(3), PG_MTE_TAGGED);
        e.mte_save_tags(f, 0);
        e.set_mte(false);
        e.fault_arm(Site::ContPage, 1);
        e.__swap_duplicate(entry(3, 1), 1, 1); // an event
        e.env_reset();
        assert_eq!(e.device_max(0), 0);
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (0, 0));
        assert_eq!(e.tag_store(), vec![]);
        assert_eq!(e.page_get(0, 0), None);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
        for s in Site::ALL {
            assert_eq!(e.live_allocs(s), 0);
        }
        // The fault is disarmed: a continuation page can be allocated.
        assert_eq!(e.swapon(1, swapdiff_contract::DEV_SSD), 0);
        counted(e, 1, 63);
        assert_eq!(e.cont_digits(entry(0, 1)), vec![1]);
        // The reused page is poisoned again everywhere else.
        assert_eq!(e.cont_digits(entry(0, 2)), vec![PAGE_POISON]);
        assert_eq!(e.swapon(1, swapdiff_contract::DEV_SSD), 1);
    });
}
