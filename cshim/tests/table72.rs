//! The 7.2 extract (the swap table) through its C API alone: swapon, swap-out, the count in
//! the table and the extend table, fork and zap, swap-in, freeing, swapoff. Every expected
//! value is derived from 7.2's mm/swapfile.c, mm/swap_state.c and mm/swap_table.h (the comment
//! at each says which code decides it); the table entries are read back with the contract's
//! independent decoder (swapdiff_contract::table72).

use cshim::kernel72::{Kernel72, Site72};
use swapdiff_contract::table72::{Slot72, TB_COUNT_MAX};
use swapdiff_contract::{entry, Entry, DEV_SSD, ENOMEM, REFUSED};

const SWP_TB_BAD: u64 = swapdiff_contract::table72::TB_BAD;
// enum swap_cluster_flags (mm/swap.h, 7.2): NONE 0, FREE 1, NONFULL 2, FRAG 3, FULL 4.
const CLUSTER_FLAG_FREE: u32 = 1;
const CLUSTER_FLAG_NONFULL: u32 = 2;

fn slot(k: &Kernel72, e: Entry) -> Slot72 {
    Slot72::decode(k.table_get(e).expect("the slot exists"))
}

/// A device of `clusters` clusters and one order-0 folio swapped out to it, unmapped: the
/// folio handle and its entry.
fn swapped_out(k: &mut Kernel72, clusters: u32) -> (u32, Entry) {
    assert_eq!(k.swapon(clusters, DEV_SSD), 0);
    let f = k.folio_new(0) as u32;
    assert_eq!(k.folio_alloc_swap(f), 0);
    let e = k.folio_info(f).unwrap().swap;
    (f, e)
}

#[test]
fn swapon_marks_the_header_bad_in_a_table_of_its_own() {
    let mut k = Kernel72::acquire();
    assert_eq!(k.swapon(2, DEV_SSD), 0);
    // read_swap_header: pages = max - 1 (the header); enable_swap_info adds them to
    // nr_swap_pages and total_swap_pages.
    assert_eq!(k.device_max(0), 1024);
    assert_eq!(k.nr_swap_pages(), 1023);
    assert_eq!(k.total_swap_pages(), 1023);
    // setup_swap_clusters_info -> swap_cluster_setup_bad_slot(.., 0, false): the header slot
    // gets a table (swap_cluster_alloc_table) and SWP_TB_BAD, ci->count 1; a cluster with a
    // count is filed NONFULL, the other FREE and without a table.
    assert_eq!(k.table_get(entry(0, 0)), Some(SWP_TB_BAD));
    let c0 = k.cluster(0, 0).unwrap();
    assert_eq!((c0.count, c0.flags, c0.has_table), (1, CLUSTER_FLAG_NONFULL, true));
    let c1 = k.cluster(0, 1).unwrap();
    assert_eq!((c1.count, c1.flags, c1.has_table), (0, CLUSTER_FLAG_FREE, false));
    assert_eq!(k.live_allocs(Site72::SwapTable), 1);
    // add_to_avail_list(si, true) cleared the off-list bit alloc_swap_info set; nothing is used.
    assert_eq!(k.device_inuse_pages(0), (0, false));
    assert!(k.take_events().is_empty());
}

#[test]
fn swap_out_caches_the_folio_with_count_zero_and_unmap_counts_one() {
    let mut k = Kernel72::acquire();
    let (f, e) = swapped_out(&mut k, 1);
    // folio_alloc_swap: the slots start at count 0, pinned by the swap cache
    // (__swap_cache_do_add_folio stores the PFN entry and takes nr_pages references).
    let info = k.folio_info(f).unwrap();
    assert!(info.swapcache);
    assert_eq!(info.refcount, 2, "the harness's reference and the cache's one");
    assert!(matches!(slot(&k, e), Slot72::Folio { count: 0, .. }), "{:?}", slot(&k, e));
    // swap_range_alloc: one slot in use, one fewer free.
    assert_eq!(k.device_inuse_pages(0).0, 1);
    assert_eq!(k.nr_swap_pages(), 510);
    // folio_dup_swap (unmap installs one swap PTE): count 1.
    assert_eq!(k.folio_dup_swap(f, None), 0);
    assert!(matches!(slot(&k, e), Slot72::Folio { count: 1, .. }));
    assert_eq!(k.__swap_count(e), 1);
    assert_eq!(k.swp_swapcount(e), 1);
    assert_eq!(k.swap_entry_swapped(e), 1);
    // The lookup finds the folio and gives its reference back.
    assert_eq!(k.swap_cache_get_folio(e), i64::from(f));
    assert_eq!(k.folio_info(f).unwrap().refcount, 2);
    let events = k.take_events();
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn counts_past_the_table_maximum_live_in_the_extend_table_and_it_goes_when_they_fall() {
    let mut k = Kernel72::acquire();
    let (f, e) = swapped_out(&mut k, 1);
    assert_eq!(k.folio_dup_swap(f, None), 0);
    // Fork after fork (swap_dup_entry_direct): __swap_cluster_dup_entry raises the table count
    // to SWP_TB_COUNT_MAX - 1 = 14 in place; no extend table yet.
    for _ in 1..TB_COUNT_MAX - 1 {
        assert_eq!(k.swap_dup_entry_direct(e), 0);
    }
    assert_eq!(k.swp_swapcount(e), 14);
    assert_eq!(k.live_allocs(Site72::ExtendTable), 0);
    // At 14 the next dup needs the extend table: -ENOMEM inside, swap_dup_entries_cluster
    // allocates it (swap_extend_table_alloc) and restarts; the table says MAX and the extend
    // table holds the count, 15.
    assert_eq!(k.swap_dup_entry_direct(e), 0);
    assert_eq!(slot(&k, e).table_count(), TB_COUNT_MAX);
    assert_eq!(k.extend_get(e), 15);
    assert_eq!(k.live_allocs(Site72::ExtendTable), 1);
    for _ in 0..5 {
        assert_eq!(k.swap_dup_entry_direct(e), 0);
    }
    // swp_swapcount reads the extend table when the table says MAX; __swap_count the table.
    assert_eq!(k.swp_swapcount(e), 20);
    assert_eq!(k.__swap_count(e), i64::from(TB_COUNT_MAX));
    // Zap one at a time: __swap_cluster_put_entry takes the extend count down; at 14
    // (MAX - 1) the count moves back into the table and swap_extend_table_try_free frees the
    // now empty extend table.
    for want in (14..20).rev() {
        k.swap_put_entries_direct(e, 1);
        assert_eq!(k.swp_swapcount(e), want);
    }
    assert_eq!(slot(&k, e).table_count(), 14);
    assert_eq!(k.extend_get(e), 0);
    assert_eq!(k.live_allocs(Site72::ExtendTable), 0);
    let events = k.take_events();
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn a_failed_extend_table_allocation_leaves_the_count_where_it_was() {
    let mut k = Kernel72::acquire();
    let (f, e) = swapped_out(&mut k, 1);
    assert_eq!(k.folio_dup_swap(f, None), 0);
    for _ in 1..TB_COUNT_MAX - 1 {
        assert_eq!(k.swap_dup_entry_direct(e), 0);
    }
    // swap_extend_table_alloc: kzalloc fails, -ENOMEM; swap_dup_entries_cluster's failed path
    // puts back what it took (nothing: one slot) and returns the error to fork.
    k.fault_arm(Site72::ExtendTable, 1);
    assert_eq!(k.swap_dup_entry_direct(e), -i64::from(ENOMEM));
    assert_eq!(k.swp_swapcount(e), 14);
    assert_eq!(k.live_allocs(Site72::ExtendTable), 0);
}

#[test]
fn the_last_zap_of_an_unmapped_cached_folio_reclaims_it_and_frees_the_slot() {
    let mut k = Kernel72::acquire();
    let (f, e) = swapped_out(&mut k, 1);
    assert_eq!(k.folio_dup_swap(f, None), 0);
    // swap_put_entries_direct: count 1 on a cached slot, so the put leaves 0 and reclaims
    // (__try_to_reclaim_swap with TTRS_UNMAPPED: the folio is not mapped). The cache drops it
    // (swap_cache_del_folio -> __swap_cluster_free_entries): the slot is NULL again.
    assert_eq!(k.swap_put_entries_direct(e, 1), 0);
    assert_eq!(slot(&k, e), Slot72::Free);
    let info = k.folio_info(f).unwrap();
    assert!(!info.swapcache);
    assert_eq!(info.refcount, 1);
    assert_eq!(k.device_inuse_pages(0).0, 0);
    assert_eq!(k.nr_swap_pages(), 511);
}

#[test]
fn swap_in_after_the_cache_let_go_finds_a_shadow_and_brings_a_new_folio() {
    let mut k = Kernel72::acquire();
    let (f, e) = swapped_out(&mut k, 1);
    assert_eq!(k.folio_dup_swap(f, None), 0);
    // Writeback done, reclaim drops the clean folio from the cache: __swap_cache_do_del_folio
    // leaves a shadow with the count (1), so the slot stays in use.
    assert_eq!(k.swap_cache_del_folio(f), 0);
    assert!(matches!(slot(&k, e), Slot72::Shadow { count: 1, .. }));
    assert_eq!(k.folio_free(f), 0);
    assert_eq!(k.swap_cache_get_folio(e), -2, "-ENOENT: nothing cached");
    // do_swap_page's miss: swap_cache_alloc_folio adds a new folio over the slot (the count
    // must be >= 1: __swap_cache_add_check).
    let g = k.swap_cache_alloc_folio(e, 0);
    assert!(g >= 0, "{g}");
    let g = g as u32;
    assert!(matches!(slot(&k, e), Slot72::Folio { count: 1, .. }));
    assert_eq!(k.folio_info(g).unwrap().refcount, 2);
    // Mapped back: folio_put_swap drops the PTE's count (the cache still pins the slot),
    // then folio_free_swap releases it: the slot is free.
    assert_eq!(k.folio_put_swap(g, None), 0);
    assert!(matches!(slot(&k, e), Slot72::Folio { count: 0, .. }));
    assert_eq!(k.folio_free_swap(g), 1);
    assert_eq!(slot(&k, e), Slot72::Free);
    let events = k.take_events();
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn swapoff_waits_for_the_last_slot_and_then_frees_every_table() {
    let mut k = Kernel72::acquire();
    let (f, e) = swapped_out(&mut k, 2);
    assert_eq!(k.folio_dup_swap(f, None), 0);
    assert_eq!(k.swapoff(0), -16, "-EBUSY: a slot is in use");
    assert_eq!(k.swap_put_entries_direct(e, 1), 0);
    assert_eq!(k.swapoff(0), 0);
    // free_swap_cluster_info frees each cluster's table (the header's too, after
    // swap_cluster_assert_empty counted its one bad slot) through call_rcu.
    assert_eq!(k.live_allocs(Site72::SwapTable), 0);
    assert_eq!(k.nr_swap_pages(), 0);
    assert_eq!(k.total_swap_pages(), 0);
    let events = k.take_events();
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn entries_the_caller_cannot_hold_are_refused_not_followed() {
    let mut k = Kernel72::acquire();
    assert_eq!(k.swapon(2, DEV_SSD), 0);
    // Cluster 1 has no table yet: __swap_count would index a NULL table.
    assert_eq!(k.__swap_count(entry(0, 600)), REFUSED);
    assert_eq!(k.swap_dup_entry_direct(entry(0, 600)), REFUSED);
    // Past si->max.
    assert_eq!(k.swap_entry_swapped(entry(0, 5000)), REFUSED);
    // A device that does not exist is swap_dup_entry_direct's own WARN and -EINVAL.
    assert_eq!(k.swap_dup_entry_direct(entry(3, 1)), -22);
    assert_eq!(k.take_events().len(), 2, "the WARN and the pr_err of swap_dup_entry_direct");
}
