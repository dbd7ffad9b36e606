//! The environment services of ENVIRONMENT.md: devices, the stand-in
//! allocator, mark_bad, swapoff accounting, folios and the swap cache.

mod common;
use common::*;
use cshim::{entry, Kernel};

#[test]
fn swapon_sets_up_like_setup_swap_map_and_setup_clusters() {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(2, true), 0);
    assert_eq!(k.device_max(0), 1024);
    assert_eq!(k.map_byte(entry(0, 0)), Some(SWAP_MAP_BAD), "the header slot");
    assert_eq!(k.map_byte(entry(0, 1023)), Some(0));
    assert_eq!(k.map_byte(entry(0, 1024)), None, "past the map");
    // Cluster 0 counts the header and is nonfull; cluster 1 is free.
    assert_eq!(k.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
    assert_eq!(k.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
    assert_eq!(k.cluster(0, 2), None);
    assert_eq!((k.nr_swap_pages(), k.total_swap_pages()), (1023, 1023));
    assert_eq!(k.swapon(1, false), 1);
    assert!(!k.device_has_clusters(1));
    assert_eq!(k.cluster(1, 0), None);
    assert_eq!((k.nr_swap_pages(), k.total_swap_pages()), (1023 + 511, 1023 + 511));
}

#[test]
fn swapon_limits() {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(0, true), EINVAL as i32);
    assert_eq!(k.swapon(5, true), EINVAL as i32);
    assert_eq!(k.swapon(u32::MAX, true), EINVAL as i32);
    for ty in 0..4 {
        assert_eq!(k.swapon(1, ty % 2 == 0), ty);
    }
    assert_eq!(k.swapon(1, true), EBUSY as i32, "types 0..=3 only");
    // The lowest free type is reused.
    assert_eq!(k.swapoff(1), 0);
    assert_eq!(k.swapon(4, true), 1);
}

#[test]
fn allocator_takes_the_lowest_aligned_free_run() {
    let mut k = kernel_with_device(1);
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 1)));
    assert_eq!(k.alloc_swap(0, 2), Ok(entry(0, 4)));
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 2)));
    assert_eq!(k.alloc_swap(0, 4), Ok(entry(0, 16)));
    for off in [4, 5, 6, 7] {
        assert_eq!(k.map_byte(entry(0, off)), Some(SWAP_HAS_CACHE));
    }
    // header + 1 + 4 + 1 + 16 slots in cluster 0; swap_range_alloc counted
    // the 22 allocated ones.
    assert_eq!(k.cluster(0, 0), Some((23, CLUSTER_FLAG_NONFULL)));
    assert_eq!(k.device_inuse_pages(0), 22);
    assert_eq!(k.nr_swap_pages(), 511 - 22);
    assert_eq!(k.alloc_swap(0, 5), Err(EINVAL as i32));
    assert_eq!(k.alloc_swap(2, 0), Err(EINVAL as i32));
}

#[test]
fn allocator_fills_the_device_then_reports_enospc() {
    let mut k = kernel_with_device(1);
    for _ in 0..511 {
        k.alloc_swap(0, 0).expect("slots 1..=511");
    }
    assert_eq!(k.alloc_swap(0, 0), Err(ENOSPC as i32));
    assert_eq!(k.device_inuse_pages(0), 511);
    assert_eq!(k.nr_swap_pages(), 0);
    assert_eq!(k.cluster(0, 0), Some((512, CLUSTER_FLAG_NONFULL)));
    // Free one: swap_entry_range_free -> dec_cluster_info_page, and
    // swap_range_free puts the full device back on the avail list.
    assert_eq!(k.put_swap_folio(entry(0, 9), 0), 0);
    assert_eq!(k.cluster(0, 0), Some((511, CLUSTER_FLAG_NONFULL)));
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 9)));
    assert!(k.take_events().is_empty());
}

#[test]
fn freeing_the_last_slot_of_a_cluster_frees_the_cluster() {
    let mut k = kernel_with_device(2);
    let e = k.alloc_swap(0, 0).unwrap();
    // Fill cluster 0 so the next allocation lands in cluster 1.
    for _ in 0..510 {
        k.alloc_swap(0, 0).unwrap();
    }
    let e1 = k.alloc_swap(0, 0).unwrap();
    assert_eq!(e1, entry(0, 512));
    assert_eq!(k.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)));
    // dec_cluster_info_page: count 0 -> free_cluster -> __free_cluster.
    assert_eq!(k.put_swap_folio(e1, 0), 0);
    assert_eq!(k.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
    assert_eq!(k.put_swap_folio(e, 0), 0);
    assert_eq!(k.cluster(0, 0), Some((511, CLUSTER_FLAG_NONFULL)));
}

#[test]
fn mark_bad() {
    let mut k = kernel_with_device(2);
    let e = alloc_one(&mut k, 0);
    assert_eq!(k.mark_bad(e), EBUSY as i32, "the byte is not 0");
    assert_eq!(k.mark_bad(entry(0, 1024)), EINVAL as i32);
    assert_eq!(k.mark_bad(entry(1, 3)), EINVAL as i32);
    assert_eq!(k.mark_bad(entry(0, 600)), 0);
    assert_eq!(k.map_byte(entry(0, 600)), Some(SWAP_MAP_BAD));
    assert_eq!(k.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)), "a free cluster became nonfull");
    assert_eq!((k.nr_swap_pages(), k.total_swap_pages()), (1023 - 1 - 1, 1023 - 1));
}

#[test]
fn swapoff_accounting() {
    let mut k = kernel_with_device(1);
    assert_eq!(k.swapon(1, true), 1);
    for _ in 0..3 {
        alloc_one(&mut k, 1);
    }
    assert_eq!(k.nr_swap_pages(), 511 + 508);
    // nr_swap_pages loses the device's free slots (508), total its pages.
    assert_eq!(k.swapoff(1), 0);
    assert_eq!((k.nr_swap_pages(), k.total_swap_pages()), (511, 511));
    assert_eq!(k.device_max(1), 0);
    assert_eq!(k.swapoff(1), EINVAL as i32);
    assert_eq!(k.swapoff(7), EINVAL as i32);
    // Calls on the vanished device see "no device".
    assert_eq!(k.swapcache_prepare(entry(1, 1), 1), EINVAL);
}

#[test]
fn folio_handles() {
    let mut k = Kernel::acquire();
    assert_eq!(k.folio_new(5), EINVAL as i32);
    for h in 0..8 {
        assert_eq!(k.folio_new(h % 5), h as i32);
    }
    assert_eq!(k.folio_new(0), ENOSPC as i32);
    assert_eq!(k.folio_free(3), 0);
    assert_eq!(k.folio_free(3), EINVAL as i32);
    assert_eq!(k.folio_new(1), 3, "lowest free handle");
    assert_eq!(k.page_get(3, 1), Some(([0; 128], 0)), "tags and flags start 0");
    assert_eq!(k.page_get(3, 2), None, "an order-1 folio has pages 0 and 1");
    assert_eq!(k.page_set(9, 0, &[1; 128], 0), EINVAL as i32);
    assert_eq!(k.folio_set_swap(8, 1), EINVAL as i32);
    assert_eq!(k.folio_set_mapped(u32::MAX, true), EINVAL as i32);
}

#[test]
fn swap_cache_membership() {
    let mut k = kernel_with_device(1);
    let f = k.folio_new(2) as u32;
    let g = k.folio_new(0) as u32;
    assert_eq!(k.swapcache_add(f), EINVAL as i32, "folio->swap is 0");
    assert_eq!(k.folio_set_swap(f, entry(0, 8)), 0);
    assert_eq!(k.swapcache_add(f), 0);
    assert_eq!(k.swapcache_add(f), EEXIST as i32);
    assert_eq!(k.folio_set_swap(g, entry(0, 11)), 0);
    assert_eq!(k.swapcache_add(g), EEXIST as i32, "entry 11 is covered by 8..=11");
    assert_eq!(k.folio_set_swap(g, entry(0, 12)), 0);
    assert_eq!(k.swapcache_add(g), 0);
    assert_eq!(k.swapcache_del(f), 0);
    assert_eq!(k.swapcache_del(f), ENOENT as i32);
}
