//! The 6.12 allocator through the C API alone: swapon's cluster setup, `alloc_swap` (what
//! `get_swap_pages(1, ..)` runs on one device) and `get_swap_pages` over the avail list, on
//! solid-state and rotational devices. Every expected value is derived from mm/swapfile.c
//! of 6.12 (the comment at each says which code decides it); none from our own shim.

mod common;

use cshim::{entry, Kernel};
use swapdiff_contract::prelude::*;
use swapdiff_contract::{
    list_frag, list_nonfull, CLUSTER_FLAG_FRAG, CLUSTER_FLAG_FREE, CLUSTER_FLAG_FULL, CLUSTER_FLAG_NONFULL, DEV_SSD,
    EINVAL, ENOSPC, LIST_DISCARD, LIST_FREE, LIST_FULL, NR_LISTS, NR_ORDERS, REFUSED, SWAP_HAS_CACHE, WORK_RECLAIM,
};

fn ssd(clusters: u32) -> Kernel {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(clusters, DEV_SSD), 0);
    k
}

fn rotational(clusters: u32) -> Kernel {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(clusters, 0), 0);
    k
}

#[test]
fn swapon_files_the_clusters_as_setup_clusters_does() {
    let k = ssd(3);
    // setup_clusters: inc_cluster_info_page(.., 0) counts the header in cluster 0; the column
    // walk (32 columns, col 0 from cluster_next 1) visits 0, 1, 2: a counted cluster goes to
    // nonfull_clusters[0] (NONFULL), the others to free_clusters (FREE), each at the tail.
    assert_eq!(k.cluster_list(0, list_nonfull(0)), [0]);
    assert_eq!(k.cluster_list(0, LIST_FREE), [1, 2]);
    assert_eq!(k.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
    assert_eq!(k.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
    for list in [LIST_FULL, LIST_DISCARD, list_frag(0), list_nonfull(4)] {
        assert!(k.cluster_list(0, list).is_empty(), "list {list}");
    }
    // Every order's per-CPU next starts SWAP_NEXT_INVALID (0); read_swap_header: lowest_bit 1,
    // highest_bit max - 1, cluster_next 1, cluster_nr 0.
    for o in 0..NR_ORDERS {
        assert_eq!(k.percpu_next(0, o), 0);
        assert_eq!(k.frag_cluster_nr(0, o), 0);
    }
    assert_eq!(k.device_bits(0), [1, 1535, 1, 0]);
    // A bad list id is -EINVAL in C: no list.
    assert!(k.cluster_list(0, NR_LISTS).is_empty());
}

#[test]
fn a_rotational_device_has_no_cluster_lists() {
    let k = rotational(2);
    // Without bdev_nonrot() swapon skips setup_clusters: no cluster_info, no per-CPU data.
    assert!(!k.device_has_clusters(0));
    assert!(k.cluster_list(0, LIST_FREE).is_empty());
    assert_eq!(k.cluster(0, 0), None);
    assert_eq!(k.device_bits(0), [1, 1023, 1, 0]);
}

#[test]
fn the_first_order_0_allocation_takes_a_free_cluster() {
    let mut k = ssd(2);
    // cluster_alloc_swap_entry: next[0] is 0, so the free list comes first: cluster 1, whose
    // first slot is 512. cluster_alloc_range moves it to nonfull_clusters[0]'s tail (order 0).
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 512)));
    assert_eq!(k.map_byte(entry(0, 512)), Some(SWAP_HAS_CACHE));
    assert_eq!(k.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL)));
    assert_eq!(k.cluster_list(0, list_nonfull(0)), [0, 1]);
    assert!(k.cluster_list(0, LIST_FREE).is_empty());
    // alloc_swap_scan_cluster returns the offset after the one found: next[0] = 513, and the
    // next allocation continues there.
    assert_eq!(k.percpu_next(0, 0), 513);
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 513)));
    // swap_range_alloc moves lowest_bit only when the offset is lowest_bit (1), highest_bit
    // only at highest_bit (1023): both stay. get_swap_pages took one page each time.
    assert_eq!(k.device_bits(0), [1, 1023, 1, 0]);
    assert_eq!(k.nr_swap_pages(), 1023 - 2);
    assert_eq!(k.device_inuse_pages(0), 2);
}

#[test]
fn order_1_on_a_one_cluster_ssd_finds_nothing() {
    let mut k = ssd(1);
    // No free cluster; cluster 0 is on nonfull_clusters[0], not [1]; frag_clusters[1] and the
    // discard list are empty, and order > 0 stops before stealing: found 0, -ENOSPC, and
    // get_swap_pages gives the two pages it reserved back.
    assert_eq!(k.alloc_swap(0, 1), Err(-ENOSPC));
    assert_eq!(k.nr_swap_pages(), 511);
    assert_eq!(k.device_inuse_pages(0), 0);
    assert_eq!(k.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
}

#[test]
fn a_one_cluster_ssd_allocates_from_its_fragment_list_in_order() {
    let mut k = ssd(1);
    // The nonfull loop moves cluster 0 to frag_clusters[0] (FRAG, frag_cluster_nr[0] 1) before
    // scanning it from offset 0: slot 0 is the header, slot 1 is taken.
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 1)));
    assert_eq!(k.cluster(0, 0), Some((2, CLUSTER_FLAG_FRAG)));
    assert_eq!(k.cluster_list(0, list_frag(0)), [0]);
    assert_eq!(k.frag_cluster_nr(0, 0), 1);
    // swap_range_alloc: offset 1 was lowest_bit, which moves to 2.
    assert_eq!(k.device_bits(0)[0], 2);
    // Then next[0] walks the cluster: 2, 3, ... 511.
    for off in 2..512 {
        assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, off)));
    }
    // The 512th count makes the cluster full: off the frag list (frag_cluster_nr back to 0),
    // onto full_clusters. swap_range_alloc saw inuse == pages: lowest_bit max, highest_bit 0.
    assert_eq!(k.cluster(0, 0), Some((512, CLUSTER_FLAG_FULL)));
    assert_eq!(k.cluster_list(0, LIST_FULL), [0]);
    assert_eq!(k.frag_cluster_nr(0, 0), 0);
    assert_eq!(k.device_bits(0)[..2], [512, 0]);
    // nr_swap_pages is 0: get_swap_pages fails before it touches the device.
    assert_eq!(k.alloc_swap(0, 0), Err(-ENOSPC));
}

#[test]
fn filling_an_ssd_while_swap_is_full_queues_reclaim_work() {
    let mut k = ssd(1);
    for _ in 1..511 {
        k.alloc_swap(0, 0).expect("room");
    }
    assert_eq!(k.work_queued(0), 0, "not full yet");
    // The last slot: swap_range_alloc sees inuse_pages == pages, the device has cluster_info
    // and vm_swap_full() holds (0 * 2 < 511): schedule_work(&si->reclaim_work).
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 511)));
    assert_eq!(k.work_queued(0), WORK_RECLAIM);
}

#[test]
fn order_0_on_a_rotational_device_takes_offset_1() {
    let mut k = rotational(2);
    // scan_swap_map_slots, HDD path: cluster_nr was 0, and 1023 free pages >= 512, so it looks
    // for the first free run of 512 from lowest_bit 1: 1..=512, so cluster_next 1 and
    // cluster_nr 511; slot 1 is taken; set_cluster_next(2) (no SWP_SOLIDSTATE: cluster_next).
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 1)));
    assert_eq!(k.device_bits(0), [2, 1023, 2, 511]);
    // Still in the run: offset 2, and cluster_nr counts down.
    assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, 2)));
    assert_eq!(k.device_bits(0), [3, 1023, 3, 510]);
    // Order > 0 needs cluster_info: scan_swap_map_slots returns 0.
    assert_eq!(k.alloc_swap(0, 1), Err(-ENOSPC));
}

#[test]
fn alloc_swap_needs_a_device_and_an_order_up_to_4() {
    let mut k = ssd(1);
    assert_eq!(k.alloc_swap(1, 0), Err(-EINVAL));
    assert_eq!(k.alloc_swap(0, 5), Err(-EINVAL));
    // swapon: a kind with bits beyond DEV_SSD | DEV_DISCARD is not a kind.
    assert_eq!(k.swapon(1, 4), -EINVAL);
}

#[test]
fn get_swap_pages_takes_the_highest_priority_device_first() {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(1, DEV_SSD), 0);
    assert_eq!(k.swapon(1, DEV_SSD), 1);
    // Priorities -1 and -2: the avail list holds type 0 first. cluster_alloc_swap asks
    // cluster_alloc_swap_entry three times on it: 1, 2, 3 (see the one-cluster test).
    assert_eq!(k.get_swap_pages(3, 0), (3, vec![entry(0, 1), entry(0, 2), entry(0, 3)]));
    assert_eq!(k.nr_swap_pages(), 1022 - 3);
    // Fill type 0: swap_range_alloc takes it off the avail list, so type 1 serves next.
    for _ in 4..512 {
        k.alloc_swap(0, 0).expect("room");
    }
    assert_eq!(k.get_swap_pages(2, 0), (2, vec![entry(1, 1), entry(1, 2)]));
    // The guards: n_goal 1..=64, order <= 4.
    for (n, o) in [(0, 0), (65, 0), (1, 5)] {
        assert_eq!(k.get_swap_pages(n, o), (REFUSED, vec![]), "n {n} order {o}");
    }
}

#[test]
fn a_free_cluster_taken_for_order_1_is_filed_under_that_order() {
    let mut k = ssd(2);
    // cluster_alloc_range on a FREE cluster: nonfull_clusters[order], ci->order = order; the
    // run is 2 slots, so next[1] moves past it to 514.
    assert_eq!(k.alloc_swap(0, 1), Ok(entry(0, 512)));
    assert_eq!(k.cluster_list(0, list_nonfull(1)), [1]);
    assert_eq!(k.cluster_order(0, 1), 1);
    assert_eq!(k.cluster(0, 1), Some((2, CLUSTER_FLAG_NONFULL)));
    assert_eq!(k.percpu_next(0, 1), 514);
    assert_eq!(k.percpu_next(0, 0), 0, "order 0's per-CPU cluster untouched");
    // Cluster 0 keeps order 0 (setup_clusters' kvcalloc zeroes it).
    assert_eq!(k.cluster_order(0, 0), 0);
}
