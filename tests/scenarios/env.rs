//! The environment services of ENVIRONMENT.md: devices, the real 6.12 allocator (what it
//! promises: which cluster and offset each order gets, -ENOSPC where none), bad slots,
//! swapoff accounting, folios, the swap cache and reset.

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, Site};
use swapdiff_contract::{
    CLUSTER_FLAG_FRAG, CLUSTER_FLAG_FREE, CLUSTER_FLAG_FULL, CLUSTER_FLAG_NONFULL, EBUSY, EEXIST, EINVAL, ENOENT,
    ENOSPC, PAGE_POISON, PG_MTE_LOCK, PG_MTE_TAGGED, SWAP_HAS_CACHE, SWAP_MAP_BAD, TAG_BYTES,
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
fn a_one_cluster_ssd_serves_order_0_onwards_and_no_large_order() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // No free cluster (cluster 0 holds the header: setup_clusters filed it on
        // nonfull_clusters[0]); cluster_alloc_swap_entry moves it to frag_clusters[0] (FRAG)
        // and scans it from its start: slot 0 is the header, so 1. next[0] becomes 2.
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 1)));
        assert_eq!(e.cluster(0, 0), Some((2, CLUSTER_FLAG_FRAG)));
        // Order 2: no free cluster, nonfull_clusters[2] and frag_clusters[2] empty, and
        // `if (order) goto done` skips the stealing: nothing found, the reservation is
        // given back.
        assert_eq!(e.alloc_swap(0, 2), Err(-ENOSPC));
        assert_eq!(e.alloc_swap(0, 4), Err(-ENOSPC));
        // Freeing slot 1 leaves a hole the per-CPU next[0] (2) does not look back at.
        assert_eq!(e.put_swap_folio(entry(0, 1), 0), 0);
        // dec_cluster_info_page: a cluster that is not NONFULL goes back to
        // nonfull_clusters[0] as NONFULL.
        assert_eq!(e.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 2)));
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 3)));
        assert_eq!(bytes(e, 1..=3), vec![0, SWAP_HAS_CACHE, SWAP_HAS_CACHE]);
        // header + 2 slots; swap_range_alloc counted 3, swap_range_free gave 1 back. The
        // next[0] path does not move the cluster: still NONFULL.
        assert_eq!(e.cluster(0, 0), Some((3, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.device_inuse_pages(0), 2);
        assert_eq!(e.nr_swap_pages(), 511 - 2);
        // Orders above SWAP_NR_ORDERS - 1 (4) and a type with no device: -EINVAL.
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
        // cluster_alloc_range: count reached SWAPFILE_CLUSTER, so full_clusters and FULL.
        assert_eq!(e.cluster(0, 0), Some((512, CLUSTER_FLAG_FULL)));
        // Free one: swap_entry_range_free -> dec_cluster_info_page, which
        // files it on nonfull_clusters[0] (NONFULL), and swap_range_free puts the full device
        // back on the avail list.
        assert_eq!(e.put_swap_folio(entry(0, 9), 0), 0);
        assert_eq!(e.cluster(0, 0), Some((511, CLUSTER_FLAG_NONFULL)));
        // next[0] went SWAP_NEXT_INVALID when the cluster filled: the nonfull list's cluster 0
        // is scanned from its start, and 9 is its only free slot.
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 9)));
        assert!(e.take_events().is_empty());
    });
}

#[test]
fn freeing_the_last_slot_of_a_cluster_frees_the_cluster() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        // The free list first: cluster 1 (FREE -> NONFULL on nonfull_clusters[0] in
        // cluster_alloc_range), at its first slot.
        let e1 = e.alloc_swap(0, 0).unwrap();
        assert_eq!(e1, entry(0, 512));
        assert_eq!(e.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)));
        // dec_cluster_info_page: count 0 -> free_cluster -> __free_cluster.
        assert_eq!(e.put_swap_folio(e1, 0), 0);
        assert_eq!(e.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
        // Cluster 0 keeps the header's count: it never becomes free.
        assert_eq!(e.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
    });
}

#[test]
fn mark_bad_refuses_used_and_out_of_range_slots() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        // Cluster 1 comes off the free list first: the slot is 512 (cluster 1 NONFULL now).
        assert_eq!(alloc_n(e, 1), vec![512]);
        assert_eq!(e.mark_bad(entry(0, 512)), -EBUSY, "the byte is not 0");
        assert_eq!(e.mark_bad(entry(0, 1024)), -EINVAL);
        assert_eq!(e.mark_bad(entry(1, 3)), -EINVAL);
        assert_eq!(e.mark_bad(entry(0, 600)), 0);
        assert_eq!(e.map_byte(entry(0, 600)), Some(SWAP_MAP_BAD));
        // Cluster 1 counts the allocated slot and the bad one.
        assert_eq!(e.cluster(0, 1), Some((2, CLUSTER_FLAG_NONFULL)));
        // One slot allocated, one bad: the bad one leaves the good pages too.
        assert_eq!((e.nr_swap_pages(), e.total_swap_pages()), (1023 - 1 - 1, 1023 - 1));
        // A still free cluster becomes nonfull when a slot goes bad (as setup_clusters files one).
        e.env_reset();
        with_device(e, 2, true);
        assert_eq!(e.mark_bad(entry(0, 600)), 0);
        assert_eq!(e.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)), "a free cluster became nonfull");
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
fn large_orders_take_a_free_cluster_each_and_fill_it_aligned() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 3, true);
        // Order 1 on a fresh device: the free list's head, cluster 1, at its start; the
        // cluster becomes NONFULL of order 1 (cluster_alloc_range), next[1] = 514.
        assert_eq!(e.alloc_swap(0, 1), Ok(entry(0, 512)));
        // next[1] continues in the same cluster, aligned by order: 514.
        assert_eq!(e.alloc_swap(0, 1), Ok(entry(0, 514)));
        // Order 2 has no next yet: the next free cluster, 2.
        assert_eq!(e.alloc_swap(0, 2), Ok(entry(0, 1024)));
        assert_eq!(e.alloc_swap(0, 2), Ok(entry(0, 1028)));
        // Order 0 has no next and no free cluster left: nonfull_clusters[0] holds only
        // cluster 0 (the header's), scanned from its start.
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 1)));
        // Order 4: no free cluster, nonfull_clusters[4] and frag_clusters[4] empty.
        assert_eq!(e.alloc_swap(0, 4), Err(-ENOSPC));
        assert_eq!(bytes(e, 512..=515), vec![SWAP_HAS_CACHE; 4]);
        assert_eq!(bytes(e, 1024..=1031), vec![SWAP_HAS_CACHE; 8]);
        // 2 + 2 + 4 + 4 + 1 slots: inuse_pages, nr_swap_pages and each cluster's count follow.
        assert_eq!(e.device_inuse_pages(0), 13);
        assert_eq!(e.nr_swap_pages(), 1535 - 13);
        assert_eq!(e.cluster(0, 1), Some((4, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.cluster(0, 2), Some((8, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.cluster(0, 0), Some((2, CLUSTER_FLAG_FRAG)));
        assert_eq!(e.alloc_swap(0, 5), Err(-EINVAL));
        assert_eq!(e.alloc_swap(1, 0), Err(-EINVAL));
        assert_eq!(e.alloc_swap(99, 0), Err(-EINVAL));
    });
}

#[test]
fn a_rotational_device_gives_order_0_only_in_sequence() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, false);
        // scan_swap_map_slots: order > 0 without cluster_info returns 0 slots: -ENOSPC.
        assert_eq!(e.alloc_swap(0, 1), Err(-ENOSPC));
        // Order 0 from cluster_next (1 after swapon), which then moves past each slot.
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 1)));
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 2)));
        assert_eq!(e.device_inuse_pages(0), 2);
        assert_eq!(e.nr_swap_pages(), 511 - 2);
    });
}

#[test]
fn allocating_into_a_free_cluster_makes_it_nonfull_and_a_full_device_is_enospc() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        assert_eq!(e.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
        // The free list comes first: cluster 1 is taken at 512 and becomes NONFULL.
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 512)));
        assert_eq!(e.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
        // next[0] walks cluster 1 to its end (FULL), then cluster 0 from the nonfull list
        // (moved to frag, FRAG) from 1; alloc_n asserts that order.
        e.env_reset();
        with_device(e, 2, true);
        alloc_n(e, 1023);
        assert_eq!(e.cluster(0, 1), Some((512, CLUSTER_FLAG_FULL)));
        assert_eq!(e.cluster(0, 0), Some((512, CLUSTER_FLAG_FULL)));
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
        // A slot still counted by inuse_pages whose byte reads free: its count wraps to 0
        // through a usage byte (0x80 + 0x80). The real allocator cannot hand it out twice
        // (nr_swap_pages + inuse_pages stays 511, and a full device stops), but mark_bad takes
        // it out of the good pages as a free slot, so pages drops below inuse_pages.
        with_device(e, 1, false);
        alloc_n(e, 1);
        assert_eq!(e.__swap_duplicate(entry(0, 1), 0x80, 1), 0); // 0x40 + 0x80 -> 0xc0
        assert_eq!(e.swapcache_clear(entry(0, 1), 1), 0); // cache dropped: 0x80
        assert_eq!(e.__swap_duplicate(entry(0, 1), 0x80, 1), 0); // 0x80 + 0x80 wraps to 0
        assert_eq!(e.map_byte(entry(0, 1)), Some(0));
        // The rotational scan goes on from cluster_next (2): slots 2..=510.
        for off in 2..=510 {
            assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, off)));
        }
        assert_eq!(e.device_inuse_pages(0), 510);
        // Both byte-0 slots go bad: good pages 511 - 2 = 509, one less than inuse_pages;
        // nr_swap_pages 511 - 510 allocated - 2 bad.
        assert_eq!(e.mark_bad(entry(0, 1)), 0);
        assert_eq!(e.mark_bad(entry(0, 511)), 0);
        assert_eq!(e.nr_swap_pages(), -1);
        assert_eq!(e.swapoff(0), 0);
        // (unsigned)509 - 510 = 0xffffffff, zero-extended to long, then subtracted.
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
