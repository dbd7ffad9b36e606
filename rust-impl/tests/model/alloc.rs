//! The 6.12 allocator, the cluster lists and queued work through the public API, each
//! expected value derived from mm/swapfile.c (6.12) as the comments say.

use crate::common::*;
use rust_impl::entry_offset;
use swapdiff_contract::{list_frag, list_nonfull, EventKind, LIST_DISCARD, LIST_FREE, LIST_FULL};

fn lists(m: &Model, ty: u32) -> Vec<(u32, Vec<u32>)> {
    (0..swapdiff_contract::NR_LISTS).map(|l| (l, m.cluster_list(ty, l))).filter(|(_, v)| !v.is_empty()).collect()
}

#[test]
fn an_ssd_takes_a_free_cluster_before_the_header_cluster() {
    let mut m = with_device(2, DEV_SSD);
    // setup_clusters(): cluster 0 (header) on nonfull_clusters[0], cluster 1 free.
    assert_eq!(lists(&m, 0), vec![(LIST_FREE, vec![1]), (list_nonfull(0), vec![0])]);
    // cluster_alloc_swap_entry(): next[0] is SWAP_NEXT_INVALID, free_clusters is not empty:
    // its head, cluster 1, is scanned from its first slot; cluster_alloc_range moves a FREE
    // cluster to nonfull_clusters[order] and sets its order.
    assert_eq!(m.alloc_swap(0, 0).map(entry_offset), Ok(512));
    assert_eq!(lists(&m, 0), vec![(list_nonfull(0), vec![0, 1])]);
    // alloc_swap_scan_cluster returns offset + nr_pages as CPU 0's next[0].
    assert_eq!(m.percpu_next(0, 0), 513);
    assert_eq!(m.alloc_swap(0, 0).map(entry_offset), Ok(513));
    // An order-2 request: next[2] invalid, no free cluster, nonfull[2] and frag[2] empty,
    // no discard pending, order != 0: nothing, and nr_swap_pages is given back.
    assert_eq!(m.alloc_swap(0, 2), Err(-ENOSPC));
    assert_eq!(m.nr_swap_pages(), 1023 - 2);
    // swap_range_alloc(): neither slot was lowest_bit (1) nor highest_bit (1023).
    assert_eq!(m.device_bits(0), [1, 1023, 1, 0]);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn an_ssd_with_no_free_cluster_scans_nonfull_into_frag() {
    let mut m = with_device(1, DEV_SSD);
    // No free cluster: the head of nonfull_clusters[0] moves to frag_clusters[0] (FRAG,
    // frag_cluster_nr[0] 1) and is scanned from offset 0, whose byte (BAD header) fails.
    assert_eq!(m.alloc_swap(0, 0).map(entry_offset), Ok(1));
    assert_eq!(lists(&m, 0), vec![(list_frag(0), vec![0])]);
    assert_eq!((m.frag_cluster_nr(0, 0), m.cluster(0, 0)), (1, Some((2, u32::from(CLUSTER_FLAG_FRAG)))));
    // swap_range_alloc(): offset 1 was lowest_bit.
    assert_eq!(m.device_bits(0)[0], 2);
    // Filling the cluster: the 512th count moves it to the full list and out of the frag
    // count; next[0] becomes SWAP_NEXT_INVALID.
    for want in 2..512 {
        assert_eq!(m.alloc_swap(0, 0).map(entry_offset), Ok(want));
    }
    assert_eq!(lists(&m, 0), vec![(LIST_FULL, vec![0])]);
    assert_eq!((m.frag_cluster_nr(0, 0), m.percpu_next(0, 0)), (0, 0));
    // inuse_pages == pages: lowest_bit = max, highest_bit = 0, and with cluster info and
    // swap full (0 * 2 < 511) the reclaim work is scheduled.
    assert_eq!(m.device_bits(0)[..2], [512, 0]);
    assert_eq!(m.work_queued(0), WORK_RECLAIM);
    // A release moves a FULL cluster to nonfull_clusters[its order] (dec_cluster_info_page).
    assert_eq!(m.put_swap_folio(entry(0, 7), 0), 0);
    assert_eq!(lists(&m, 0), vec![(list_nonfull(0), vec![0])]);
    // swap_range_free(): lowest_bit and highest_bit widen to 7 (the device was full).
    assert_eq!(m.device_bits(0)[..2], [7, 7]);
}

#[test]
fn a_rotational_device_allocates_sequentially_and_never_large() {
    let mut m = with_device(1, 0);
    assert!(!m.device_has_clusters(0));
    // scan_swap_map_slots(): cluster_nr 0 and fewer than SWAPFILE_CLUSTER free pages left
    // (511): cluster_nr = 511, scan from cluster_next 1; done sets cluster_next 2.
    assert_eq!(m.alloc_swap(0, 0).map(entry_offset), Ok(1));
    assert_eq!(m.device_bits(0), [2, 511, 2, 511]);
    assert_eq!(m.alloc_swap(0, 0).map(entry_offset), Ok(2));
    assert_eq!(m.device_bits(0), [3, 511, 3, 510]);
    // Order > 0 needs cluster_info: 0 entries.
    assert_eq!(m.alloc_swap(0, 1), Err(-ENOSPC));
    assert_eq!(m.get_swap_pages(4, 1), (0, vec![]));
}

#[test]
fn get_swap_pages_walks_the_avail_list_in_priority_order() {
    let mut m = Model::new();
    assert_eq!(m.swapon(1, 0), 0);
    assert_eq!(m.swapon(1, 0), 1);
    // Type 0 first (prio -1 > -2); the HDD scan hands out 1, 2, 3 in one call.
    assert_eq!(m.get_swap_pages(3, 0), (3, vec![entry(0, 1), entry(0, 2), entry(0, 3)]));
    // n_goal is capped by SWAP_BATCH: 65 is refused by the guard.
    assert_eq!(m.get_swap_pages(65, 0).0, swapdiff_contract::REFUSED);
    // Device 0 full (508 more): it leaves the avail list, then type 1 serves.
    assert_eq!(m.get_swap_pages(64, 0).0, 64);
    for _ in 0..7 {
        m.get_swap_pages(64, 0);
    }
    assert_eq!(m.device_inuse_pages(0), 511);
    assert_eq!(m.get_swap_pages(1, 0), (1, vec![entry(1, 1)]));
}

#[test]
fn a_discarding_ssd_discards_a_freed_cluster_through_its_work() {
    let mut m = with_device(2, DEV_SSD | DEV_DISCARD);
    // swapon's discard_swap(): every page but the header, one extent.
    let ev = m.take_events();
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].kind, ev[0].func, ev[0].message()),
        (EventKind::Discard, "discard_swap", "discard 0:1+1023".into())
    );
    let e = m.alloc_swap(0, 0).unwrap();
    assert_eq!(entry_offset(e), 512);
    // The last slot of cluster 1 goes: free_cluster() on a SWP_PAGE_DISCARD device
    // schedules a discard: slots SWAP_MAP_BAD, discard list, flags 0, discard work queued.
    assert_eq!(m.put_swap_folio(e, 0), 0);
    assert_eq!(m.cluster(0, 1), Some((0, 0)));
    assert_eq!(m.cluster_list(0, LIST_DISCARD), vec![1]);
    assert!(m.swap_map(0)[512..].iter().all(|&b| b == SWAP_MAP_BAD));
    assert_eq!(m.work_queued(0), WORK_DISCARD);
    assert_eq!(m.take_events(), vec![]);
    // swap_discard_work → swap_do_scheduled_discard: one discard_swap_cluster of the
    // cluster, then __free_cluster and the slots back to 0.
    assert_eq!(m.flush_work(), 0);
    let ev = m.take_events();
    assert_eq!(
        ev.iter().map(|e| (e.func, e.message())).collect::<Vec<_>>(),
        vec![("discard_swap_cluster", "discard 0:512+512".into())]
    );
    assert_eq!(m.cluster(0, 1), Some((0, u32::from(CLUSTER_FLAG_FREE))));
    assert_eq!(m.cluster_list(0, LIST_FREE), vec![1]);
    assert!(m.swap_map(0)[512..].iter().all(|&b| b == 0));
    assert_eq!(m.work_queued(0), 0);
}

#[test]
fn an_allocation_runs_a_pending_discard_itself() {
    let mut m = with_device(2, DEV_SSD | DEV_DISCARD);
    m.take_events();
    let e = m.alloc_swap(0, 4).unwrap();
    assert_eq!(entry_offset(e), 512);
    assert_eq!(m.put_swap_folio(e, 4), 0);
    assert_eq!(m.cluster_list(0, LIST_DISCARD), vec![1]);
    // Order 4 again: next[4] (528) is in a cluster now BAD; no free cluster; nonfull[4]
    // and frag[4] empty; the discard list is not: swap_do_scheduled_discard(), then
    // new_cluster, which rereads next[4]: still 528 (only `done:` writes it), and cluster 1
    // is free again with zero slots, so the scan from 528 takes 528.
    assert_eq!(m.alloc_swap(0, 4).map(entry_offset), Ok(528));
    let ev = m.take_events();
    assert_eq!(ev.iter().map(|e| e.message()).collect::<Vec<_>>(), vec!["discard 0:512+512".to_string()]);
    // The work item stays queued: it finds an empty discard list when it runs.
    assert_eq!(m.work_queued(0), WORK_DISCARD);
    assert_eq!(m.flush_work(), 0);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn the_reclaim_work_frees_cache_only_slots_of_full_clusters() {
    let mut m = with_device(1, DEV_SSD);
    for _ in 1..512 {
        m.alloc_swap(0, 0).unwrap();
    }
    let f = m.folio_new(0) as u32;
    assert_eq!(m.folio_set_swap(f, entry(0, 9)), 0);
    assert_eq!(m.swapcache_add(f), 0);
    // swap_reclaim_work → swap_reclaim_full_clusters(si, true): the full cluster's
    // cache-only slots with a folio are reclaimed (TTRS_ANYWAY | TTRS_DIRECT): slot 9 only.
    assert_eq!(m.flush_work(), 0);
    assert_eq!(m.map_byte(entry(0, 9)), Some(0));
    assert_eq!(m.device_inuse_pages(0), 510);
    assert_eq!(m.cluster_list(0, list_nonfull(0)), vec![0]);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn swapoff_runs_the_device_work_first() {
    let mut m = with_device(2, DEV_SSD | DEV_DISCARD);
    let e = m.alloc_swap(0, 0).unwrap();
    m.put_swap_folio(e, 0);
    m.take_events();
    assert_eq!(m.swapoff(0), 0);
    let ev = m.take_events();
    assert_eq!(ev.iter().map(|e| e.func).collect::<Vec<_>>(), vec!["discard_swap_cluster"]);
    assert_eq!(m.work_queued(0), 0);
}
