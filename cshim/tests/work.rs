//! Queued work and discards through the C API alone: what `free_cluster()` on a discard
//! device queues, what `flush_work()` runs (swap_discard_work, swap_reclaim_work) and the
//! DISCARD events of swapon and the workers. Expected values come from 6.12 mm/swapfile.c
//! (the comment at each says which code decides it).

mod common;

use common::*;
use cshim::{entry, Event, EventKind, Kernel};
use swapdiff_contract::prelude::*;
use swapdiff_contract::{
    list_nonfull, CLUSTER_FLAG_FREE, CLUSTER_FLAG_NONFULL, DEV_DISCARD, DEV_SSD, LIST_DISCARD, LIST_FREE, LIST_FULL,
    SWAP_MAP_BAD, WORK_DISCARD, WORK_RECLAIM,
};

fn discard(func: &str, text: &str) -> Seen {
    event(EventKind::Discard, func, text)
}

/// A 2-cluster discard SSD whose cluster 1 has just been freed whole (its one slot's cache
/// reference dropped): the state free_cluster() leaves with a discard pending.
fn cluster_1_freed() -> Kernel {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(2, DEV_SSD | DEV_DISCARD), 0);
    k.take_events();
    let e = k.alloc_swap(0, 0).expect("room");
    assert_eq!(e, entry(0, 512), "the free list's first cluster (allocator.rs)");
    assert_eq!(k.put_swap_folio(e, 0), 0);
    k
}

#[test]
fn swapon_with_discard_discards_all_but_the_header() {
    let mut k = Kernel::acquire();
    // discard_swap: the first extent from start_block + 1 for nr_pages - 1 pages (sectors
    // shifted by PAGE_SHIFT - 9), no second extent.
    assert_eq!(k.swapon(2, DEV_SSD | DEV_DISCARD), 0);
    assert_eq!(seen(k.take_events()), [discard("discard_swap", "discard 0:1+1023")]);
    // Rotational with discard: the same area discard, no clusters.
    assert_eq!(k.swapon(1, DEV_DISCARD), 1);
    assert_eq!(seen(k.take_events()), [discard("discard_swap", "discard 1:1+511")]);
    // Without the discard bit nothing is discarded.
    assert_eq!(k.swapon(1, DEV_SSD), 2);
    assert!(k.take_events().is_empty());
}

#[test]
fn freeing_a_whole_cluster_of_a_discard_device_schedules_its_discard() {
    let k = cluster_1_freed();
    // dec_cluster_info_page: count 0, free_cluster; SWP_WRITEOK | SWP_PAGE_DISCARD both set:
    // swap_cluster_schedule_discard marks the cluster's 512 bytes SWAP_MAP_BAD, moves it to
    // discard_clusters with flags 0 and queues discard_work.
    assert_eq!(k.cluster(0, 1), Some((0, 0)));
    assert_eq!(k.cluster_list(0, LIST_DISCARD), [1]);
    assert!(k.cluster_list(0, LIST_FREE).is_empty());
    assert!(k.swap_map(0)[512..1024].iter().all(|&b| b == SWAP_MAP_BAD));
    assert_eq!(k.work_queued(0), WORK_DISCARD);
    // The slot itself was freed (swap_range_free gives the page back).
    assert_eq!(k.nr_swap_pages(), 1023);
}

#[test]
fn flush_work_runs_the_discard_and_frees_the_cluster() {
    let mut k = cluster_1_freed();
    assert_eq!(k.flush_work(), 0);
    // swap_do_scheduled_discard: discard_swap_cluster(si, 512, 512), one extent from block 0,
    // then __free_cluster (list_add_tail on free_clusters: flags were 0) and the map zeroed.
    let events = k.take_events();
    assert_eq!(seen(events.clone()), [discard("discard_swap_cluster", "discard 0:512+512")]);
    assert_eq!(events[0].to_string(), "DISCARD in discard_swap_cluster: discard 0:512+512");
    assert_eq!(k.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
    assert_eq!(k.cluster_list(0, LIST_FREE), [1]);
    assert!(k.cluster_list(0, LIST_DISCARD).is_empty());
    assert!(k.swap_map(0)[512..1024].iter().all(|&b| b == 0));
    assert_eq!(k.work_queued(0), 0, "taken off the queue before it ran");
    // An empty queue: nothing runs.
    assert_eq!(k.flush_work(), 0);
    assert!(k.take_events().is_empty());
}

#[test]
fn an_allocation_with_a_discard_pending_runs_the_discard_itself() {
    let mut k = cluster_1_freed();
    // Order 1 (kworker off): no free cluster, nothing on nonfull/frag lists of order 1, but the
    // discard list is not empty: cluster_alloc_swap_entry calls swap_do_scheduled_discard and
    // starts over, and the freed cluster 1 serves the allocation at 512.
    assert_eq!(k.alloc_swap(0, 1), Ok(entry(0, 512)));
    assert_eq!(seen(k.take_events()), [discard("discard_swap_cluster", "discard 0:512+512")]);
    assert_eq!(k.cluster(0, 1), Some((2, CLUSTER_FLAG_NONFULL)));
    assert_eq!(k.cluster_list(0, list_nonfull(1)), [1]);
    // The work item stays queued; run now, it finds the discard list empty.
    assert_eq!(k.work_queued(0), WORK_DISCARD);
    assert_eq!(k.flush_work(), 0);
    assert!(k.take_events().is_empty());
}

#[test]
fn one_pending_item_discards_every_cluster_on_the_list() {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(3, DEV_SSD | DEV_DISCARD), 0);
    k.take_events();
    // Order 0 takes free cluster 1 (512), order 1 free cluster 2 (1024): allocator.rs.
    let (a, b) = (k.alloc_swap(0, 0).expect("room"), k.alloc_swap(0, 1).expect("room"));
    assert_eq!((a, b), (entry(0, 512), entry(0, 1024)));
    assert_eq!(k.put_swap_folio(a, 0), 0);
    // The second schedule_work finds discard_work pending: queue_work returns false, the
    // queue keeps one item.
    assert_eq!(k.put_swap_folio(b, 1), 0);
    assert_eq!(k.cluster_list(0, LIST_DISCARD), [1, 2]);
    assert_eq!(k.flush_work(), 0);
    // One run of swap_discard_work empties the list head first.
    assert_eq!(
        seen(k.take_events()),
        [discard("discard_swap_cluster", "discard 0:512+512"), discard("discard_swap_cluster", "discard 0:1024+512")]
    );
    assert_eq!(k.cluster_list(0, LIST_FREE), [1, 2]);
}

#[test]
fn reclaim_work_frees_full_clusters_slots_that_only_the_swap_cache_holds() {
    let mut k = kernel_with_device(1);
    for _ in 1..512 {
        k.alloc_swap(0, 0).expect("room");
    }
    assert_eq!(k.work_queued(0), WORK_RECLAIM, "allocator.rs: the last slot queued it");
    // Slot 5 is in the swap cache (a folio there); the others have no folio.
    let folio = k.folio_new(0) as u32;
    assert_eq!(k.folio_set_swap(folio, entry(0, 5)), 0);
    assert_eq!(k.swapcache_add(folio), 0);
    assert_eq!(k.flush_work(), 0);
    // swap_reclaim_full_clusters(force): the full cluster 0 is scanned; __try_to_reclaim_swap
    // finds no folio for the other SWAP_HAS_CACHE slots (0 reclaimed) and frees slot 5
    // (TTRS_ANYWAY | TTRS_DIRECT: removed from the cache, swap_entry_range_free). The cluster
    // is no longer full: dec_cluster_info_page moves it to nonfull_clusters[0].
    assert_eq!(k.map_byte(entry(0, 5)), Some(0));
    assert_eq!(k.map_byte(entry(0, 6)), Some(SWAP_HAS_CACHE));
    assert_eq!(k.cluster(0, 0), Some((511, CLUSTER_FLAG_NONFULL)));
    assert!(k.cluster_list(0, LIST_FULL).is_empty());
    // swap_range_free: lowest_bit and highest_bit become 5 (the device was full), one page back.
    assert_eq!(k.device_bits(0)[..2], [5, 5]);
    assert_eq!(k.nr_swap_pages(), 1);
    assert_eq!(k.work_queued(0), 0);
    assert!(k.take_events().is_empty(), "reclaim records nothing");
}

#[test]
fn swapoff_runs_the_devices_pending_work_first() {
    let mut k = cluster_1_freed();
    assert_eq!(k.swapoff(0), 0);
    // flush_work(&p->discard_work) in swapoff: the pending discard is issued before the
    // device goes.
    assert_eq!(seen(k.take_events()), [discard("discard_swap_cluster", "discard 0:512+512")]);
    assert_eq!(k.work_queued(0), 0);
}

#[test]
fn env_reset_drops_the_queue() {
    let mut k = cluster_1_freed();
    k.env_reset();
    assert_eq!(k.swapon(2, DEV_SSD), 0);
    // Nothing of the old device's discard survives to run.
    assert_eq!(k.work_queued(0), 0);
    assert_eq!(k.flush_work(), 0);
    assert!(k.take_events().iter().all(|e: &Event| e.kind != EventKind::Discard));
}

#[test]
fn a_worker_that_requeues_itself_is_a_hang_after_64_runs() {
    // INTERFACES-17 section 3: an item leaves the queue before it runs, so it may queue itself
    // again and run in the same flush; the 65th item of one flush is a HANG instead.
    let mut k = Kernel::acquire();
    assert_eq!(k.test_hook_queue_work(true), 0);
    assert_eq!(k.flush_work(), cshim::TRAPPED);
    assert_eq!(k.test_hook_work_runs(), 64);
    assert_eq!(seen(k.take_events()), [event(EventKind::Hang, "flush_work", "work queued itself again 64 times")]);
    // The item it queued the 64th time is still queued; reset drops it.
    k.env_reset();
    assert_eq!(k.flush_work(), 0);
    assert_eq!(k.test_hook_work_runs(), 0);
}

#[test]
fn a_worker_that_traps_stops_the_flush_and_the_rest_stay_queued() {
    let mut k = Kernel::acquire();
    // A BUG in the first item: its call is trapped under its own name, the flush returns TRAPPED
    // and the counting item behind it has not run.
    assert_eq!(k.test_hook_queue_work(false), 0);
    assert_eq!(k.flush_work(), cshim::TRAPPED);
    assert_eq!(k.test_hook_work_runs(), 1);
    assert_eq!(seen(k.take_events()), [event(EventKind::Bug, "sd_test_work_bug", "")]);
    // The next flush runs what stayed.
    assert_eq!(k.flush_work(), 0);
    assert_eq!(k.test_hook_work_runs(), 2);
}
