//! The environment: devices, the stand-in allocator, bad slots, swapoff, folios, reset.

use crate::common::*;

#[test]
fn swapon_sets_up_the_map_clusters_and_page_counters() {
    let mut m = Model::new();
    assert_eq!(m.swapon(2, true), 0);
    assert_eq!(m.device_max(0), 1024);
    assert!(m.device_has_clusters(0));
    // setup_swap_map(): the header slot is SWAP_MAP_BAD, the rest 0.
    assert_eq!(m.map_byte(entry(0, 0)), Some(SWAP_MAP_BAD));
    assert_eq!(m.map_byte(entry(0, 1023)), Some(0));
    assert_eq!(m.map_byte(entry(0, 1024)), None);
    // Cluster 0 counts the header and is NONFULL; cluster 1 is FREE.
    assert_eq!(m.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE as u32)));
    assert_eq!(m.cluster(0, 2), None);
    // Good pages = max - 1 join both counters.
    assert_eq!((m.nr_swap_pages(), m.total_swap_pages()), (1023, 1023));
    assert_eq!(m.swapon(1, false), 1);
    assert!(!m.device_has_clusters(1));
    assert_eq!(m.cluster(1, 0), None);
    assert_eq!((m.nr_swap_pages(), m.total_swap_pages()), (1023 + 511, 1023 + 511));
}

#[test]
fn swapon_rejects_bad_sizes_and_a_fifth_device() {
    let mut m = Model::new();
    assert_eq!(m.swapon(0, true), -EINVAL);
    assert_eq!(m.swapon(5, true), -EINVAL);
    for ty in 0..4 {
        assert_eq!(m.swapon(1, true), ty);
    }
    assert_eq!(m.swapon(1, true), -EBUSY);
    // The lowest free type is reused.
    assert_eq!(m.swapoff(2), 0);
    assert_eq!(m.swapon(1, true), 2);
}

#[test]
fn allocator_takes_the_lowest_aligned_free_run() {
    let mut m = with_device(2, true);
    assert_eq!(m.alloc_swap(0, 0), Ok(entry(0, 1)));
    // Order 1 needs an even offset with two zero bytes: 2.
    assert_eq!(m.alloc_swap(0, 1), Ok(entry(0, 2)));
    // Order 2: 4 (4..7 are free).
    assert_eq!(m.alloc_swap(0, 2), Ok(entry(0, 4)));
    assert_eq!(m.alloc_swap(0, 4), Ok(entry(0, 16)));
    // Order 3: 8 (8..15 still free below the 16-run).
    assert_eq!(m.alloc_swap(0, 3), Ok(entry(0, 8)));
    assert_eq!(bytes(&m, 1..=7), vec![SWAP_HAS_CACHE; 7]);
    // 1 + 2 + 4 + 16 + 8 slots: inuse_pages, nr_swap_pages and cluster 0's count follow.
    assert_eq!(m.device_inuse_pages(0), 31);
    assert_eq!(m.nr_swap_pages(), 1023 - 31);
    assert_eq!(m.cluster(0, 0), Some((32, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.alloc_swap(0, 5), Err(-EINVAL));
    assert_eq!(m.alloc_swap(1, 0), Err(-EINVAL));
    assert_eq!(m.alloc_swap(99, 0), Err(-EINVAL));
}

#[test]
fn allocating_into_a_free_cluster_makes_it_nonfull_and_a_full_device_is_enospc() {
    let mut m = with_device(2, true);
    alloc_n(&mut m, 511);
    assert_eq!(m.cluster(0, 0), Some((512, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE as u32)));
    assert_eq!(m.alloc_swap(0, 0), Ok(entry(0, 512)));
    assert_eq!(m.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL as u32)));
    for off in 513..1024 {
        assert_eq!(m.alloc_swap(0, 0), Ok(entry(0, off)));
    }
    assert_eq!(m.alloc_swap(0, 0), Err(-ENOSPC));
    assert_eq!(m.nr_swap_pages(), 0);
}

#[test]
fn mark_bad_takes_a_free_slot_out_of_the_good_pages() {
    let mut m = with_device(1, true);
    assert_eq!(m.mark_bad(entry(0, 1)), 0);
    assert_eq!(m.map_byte(entry(0, 1)), Some(SWAP_MAP_BAD));
    assert_eq!((m.nr_swap_pages(), m.total_swap_pages()), (510, 510));
    assert_eq!(m.cluster(0, 0), Some((2, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.mark_bad(entry(0, 1)), -EBUSY);
    assert_eq!(m.mark_bad(entry(0, 512)), -EINVAL);
    assert_eq!(m.mark_bad(entry(1, 1)), -EINVAL);
    // The allocator skips the bad slot.
    assert_eq!(m.alloc_swap(0, 0), Ok(entry(0, 2)));
    // Bad slots are not "in use": swapoff takes pages - inuse = 509 - 1 free pages.
    assert_eq!(m.swapoff(0), 0);
    assert_eq!((m.nr_swap_pages(), m.total_swap_pages()), (0, 0));
}

#[test]
fn swapoff_frees_continuations_tags_and_cache_links_and_forgets_the_device() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 63); // 63 references need one continuation page
    assert_eq!(m.live_allocs(Site::ContPage), 1);
    let f = m.folio_new(0) as u32;
    m.folio_set_swap(f, entry(0, 1));
    m.page_set(f, 0, &tags(7), PG_MTE_TAGGED);
    assert_eq!(m.mte_save_tags(f, 0), 0);
    assert_eq!(m.swapcache_add(f), 0);
    // In use: slot 1. nr_swap_pages = 511 - 1 = 510 before swapoff.
    assert_eq!(m.nr_swap_pages(), 510);
    assert_eq!(m.swapoff(0), 0);
    // nr_swap_pages -= pages - inuse_pages (510); total -= pages (511).
    assert_eq!((m.nr_swap_pages(), m.total_swap_pages()), (0, 0));
    // free_swap_count_continuations() and arch_swap_invalidate_area() ran.
    assert_eq!(m.live_allocs(Site::ContPage), 0);
    assert_eq!(m.tag_store(), vec![]);
    assert_eq!((m.live_allocs(Site::TagStorage), m.live_allocs(Site::XaNode)), (0, 0));
    assert_eq!(m.device_max(0), 0);
    assert_eq!(m.map_byte(entry(0, 1)), None);
    assert_eq!(m.cont_digits(entry(0, 1)), Vec::<u8>::new());
    // The folio left the swap cache: it can be added again after a new swapon.
    assert_eq!(m.swapcache_del(f), -ENOENT);
    assert_eq!(m.swapoff(0), -EINVAL);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn swapoff_with_mte_off_keeps_the_tags() {
    let mut m = with_device(1, true);
    let f = m.folio_new(0) as u32;
    m.folio_set_swap(f, entry(0, 3));
    m.page_set(f, 0, &tags(1), PG_MTE_TAGGED);
    assert_eq!(m.mte_save_tags(f, 0), 0);
    m.set_mte(false);
    assert_eq!(m.swapoff(0), 0);
    // arch_swap_invalidate_area() is a no-op without MTE.
    assert_eq!(m.tag_store().len(), 1);
}

#[test]
fn swapoff_subtracts_pages_minus_inuse_as_unsigned_int() {
    // A slot counted twice by inuse_pages: its count wraps to 0 through a usage byte
    // (0x80 + 0x80), the byte reads free, and the allocator hands it out again.
    let mut m = with_device(1, false);
    alloc_n(&mut m, 1);
    assert_eq!(m.__swap_duplicate(entry(0, 1), 0x80, 1), 0); // 0x40 + 0x80 -> 0xc0
    assert_eq!(m.swapcache_clear(entry(0, 1), 1), 0); // cache dropped: 0x80
    assert_eq!(m.__swap_duplicate(entry(0, 1), 0x80, 1), 0); // 0x80 + 0x80 wraps to 0
    assert_eq!(m.map_byte(entry(0, 1)), Some(0));
    for _ in 0..511 {
        assert!(m.alloc_swap(0, 0).is_ok());
    }
    assert_eq!(m.device_inuse_pages(0), 512); // one more than the 511 good pages
    assert_eq!(m.nr_swap_pages(), -1);
    assert_eq!(m.swapoff(0), 0);
    // (unsigned)511 - 512 = 0xffffffff, zero-extended to long, then subtracted.
    assert_eq!(m.nr_swap_pages(), -1 - 0xffff_ffff);
}

#[test]
fn folio_handles_pages_and_flags() {
    let mut m = Model::new();
    assert_eq!(m.folio_new(5), -EINVAL);
    assert_eq!(m.folio_new(2), 0);
    assert_eq!(m.page_get(0, 3), Some(([0; TAG_BYTES], 0)));
    assert_eq!(m.page_get(0, 4), None);
    // Flag bits other than SD_PG_* are dropped.
    assert_eq!(m.page_set(0, 1, &tags(0xab), 0xff), 0);
    assert_eq!(m.page_get(0, 1), Some((tags(0xab), PG_MTE_TAGGED | PG_MTE_LOCK)));
    assert_eq!(m.page_set(0, 4, &tags(1), 0), -EINVAL);
    assert_eq!(m.page_set(1, 0, &tags(1), 0), -EINVAL);
    assert_eq!(m.folio_set_swap(1, 5), -EINVAL);
    assert_eq!(m.folio_set_mapped(7, true), -EINVAL);
    assert_eq!(m.folio_free(0), 0);
    assert_eq!(m.folio_free(0), -EINVAL);
    for h in 0..8 {
        assert_eq!(m.folio_new(0), h);
    }
    assert_eq!(m.folio_new(0), -ENOSPC);
}

#[test]
fn swapcache_add_needs_a_swap_entry_and_refuses_overlaps() {
    let mut m = Model::new();
    let a = m.folio_new(2) as u32;
    let b = m.folio_new(1) as u32;
    assert_eq!(m.swapcache_add(a), -EINVAL); // folio->swap == 0
    m.folio_set_swap(a, entry(0, 4));
    m.folio_set_swap(b, entry(0, 6));
    assert_eq!(m.swapcache_add(a), 0);
    assert_eq!(m.swapcache_add(a), -EEXIST);
    assert_eq!(m.swapcache_add(b), -EEXIST); // 6 is inside 4..8
    m.folio_set_swap(b, entry(1, 6)); // another type's address space
    assert_eq!(m.swapcache_add(b), 0);
    assert_eq!(m.swapcache_del(a), 0);
    assert_eq!(m.swapcache_del(a), -ENOENT);
    assert_eq!(m.swapcache_del(9), -EINVAL);
}

#[test]
fn env_reset_restores_the_initial_state_but_keeps_working() {
    let mut m = with_device(1, true);
    counted(&mut m, 2, 70);
    let f = m.folio_new(0) as u32;
    m.page_set(f, 0, &tags(3), PG_MTE_TAGGED);
    m.mte_save_tags(f, 0);
    m.set_mte(false);
    m.fault_arm(Site::ContPage, 1);
    m.__swap_duplicate(entry(3, 1), 1, 1); // an event
    m.env_reset();
    assert_eq!(m.device_max(0), 0);
    assert_eq!((m.nr_swap_pages(), m.total_swap_pages()), (0, 0));
    assert_eq!(m.tag_store(), vec![]);
    assert_eq!(m.page_get(0, 0), None);
    assert_eq!(m.take_events(), vec![]);
    for s in Site::ALL {
        assert_eq!(m.live_allocs(s), 0);
    }
    // The fault is disarmed: a continuation page can be allocated.
    assert_eq!(m.swapon(1, true), 0);
    counted(&mut m, 1, 63);
    assert_eq!(m.cont_digits(entry(0, 1)), vec![1]);
    // The reused page is poisoned again everywhere else.
    assert_eq!(m.cont_digits(entry(0, 2)), vec![PAGE_POISON]);
    assert_eq!(m.swapon(1, true), 1);
}
