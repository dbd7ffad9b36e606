//! What the issue-17 slips (corpus/known-bugs/{free-cluster-discards-any-device,
//! reclaim-scan-steps-back,scan-cluster-leaves-last-slot}/bug.patch) change in
//! the C, one test per slip. In a stock build each test asserts 6.12's behaviour; in a build with
//! `SWAPDIFF_PATCHES=<abs path of the patch>` and `SWAPDIFF_SLIP=<slip name>`
//! the entry's test asserts the slip's behaviour instead (the patch files are all named
//! bug.patch, so the build alone cannot say which one it applied). Each entry's README points
//! here under "What goes wrong".
//!
//! Kernel only: the model follows stock 6.12.

mod common;

use cshim::{entry, EventKind, Kernel, TRAPPED};
use swapdiff_contract::prelude::*;
use swapdiff_contract::{
    CLUSTER_FLAG_FREE, DEV_SSD, ENOSPC, LIST_DISCARD, LIST_FREE, SWAP_HAS_CACHE, WORK_DISCARD, WORK_RECLAIM,
};

/// Some(false) in a stock build, Some(true) in a build of `entry`'s slip; None in a build of
/// any other patch (what stock does may be changed there: the test says so and expects nothing).
fn slip(entry: &str) -> Option<bool> {
    if cshim::patches_applied().is_empty() {
        return Some(false);
    }
    if std::env::var("SWAPDIFF_SLIP").is_ok_and(|name| name == entry) {
        return Some(true);
    }
    eprintln!("a patched build that is not {entry}'s slip (SWAPDIFF_SLIP): skipped");
    None
}

#[test]
fn reclaim_scan_steps_back() {
    let Some(slipped) = slip("reclaim-scan-steps-back") else { return };
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(1, DEV_SSD), 0);
    for _ in 1..512 {
        k.alloc_swap(0, 0).expect("room");
    }
    // Full while swap is full: reclaim work queued (allocator.rs).
    assert_eq!(k.work_queued(0), WORK_RECLAIM);
    // A 2-page folio in the swap cache over 4..5, slot 5 also mapped once: slot 4 reads
    // SWAP_HAS_CACHE, so swap_reclaim_full_clusters calls __try_to_reclaim_swap(si, 4, ..),
    // which finds the folio, but swap_is_has_cache(si, 4, 2) fails on slot 5: it returns -2.
    assert_eq!(k.swap_duplicate(entry(0, 5)), 0);
    let folio = k.folio_new(1) as u32;
    assert_eq!(k.folio_set_swap(folio, entry(0, 4)), 0);
    assert_eq!(k.swapcache_add(folio), 0);
    let ret = k.flush_work();
    let events = k.take_events();
    if slipped {
        // offset += -2 goes back to 2, the scan walks up to 4 again, and again: the worker
        // never ends, and the work budget traps it under its own name.
        assert_eq!(ret, TRAPPED);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!((events[0].kind, events[0].func), (EventKind::Hang, "swap_reclaim_work"));
        assert!(events[0].message().starts_with("work budget exceeded in "), "{events:?}");
    } else {
        // abs(-2): the scan steps over the folio and goes on; nothing is reclaimed.
        assert_eq!(ret, 0);
        assert!(events.is_empty(), "{events:?}");
        assert_eq!(k.map_byte(entry(0, 4)), Some(SWAP_HAS_CACHE));
        assert_eq!(k.work_queued(0), 0);
    }
}

#[test]
fn free_cluster_discards_any_device() {
    let Some(slipped) = slip("free-cluster-discards-any-device") else { return };
    let mut k = Kernel::acquire();
    // A solid-state device without discard.
    assert_eq!(k.swapon(2, DEV_SSD), 0);
    let e = k.alloc_swap(0, 0).expect("room");
    assert_eq!(e, entry(0, 512), "free list first (allocator.rs)");
    // Its cache reference dropped, cluster 1 is empty: free_cluster().
    assert_eq!(k.put_swap_folio(e, 0), 0);
    if slipped {
        // SWP_WRITEOK alone passes the `&&` test: the cluster is scheduled for a discard the
        // device never asked for, and the discard is issued.
        assert_eq!(k.cluster(0, 1), Some((0, 0)));
        assert_eq!(k.cluster_list(0, LIST_DISCARD), [1]);
        assert_eq!(k.work_queued(0), WORK_DISCARD);
        assert_eq!(k.flush_work(), 0);
        let events = k.take_events();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].to_string(), "DISCARD in discard_swap_cluster: discard 0:512+512");
    } else {
        // No SWP_PAGE_DISCARD: __free_cluster right away, back on the free list, nothing queued.
        assert_eq!(k.cluster(0, 1), Some((0, CLUSTER_FLAG_FREE)));
        assert_eq!(k.cluster_list(0, LIST_FREE), [1]);
        assert_eq!(k.work_queued(0), 0);
        assert!(k.take_events().is_empty());
    }
}

#[test]
fn scan_cluster_leaves_last_slot() {
    let Some(slipped) = slip("scan-cluster-leaves-last-slot") else { return };
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(1, DEV_SSD), 0);
    // Slots 1..=510 in order (allocator.rs); the cluster then counts 511 (the header too).
    for off in 1..511 {
        assert_eq!(k.alloc_swap(0, 0), Ok(entry(0, off)));
    }
    let last = k.alloc_swap(0, 0);
    if slipped {
        // 511 + 1 >= 512: alloc_swap_scan_cluster refuses the cluster with one slot free, and
        // no other cluster has one: -ENOSPC while the map has a free slot.
        assert_eq!(last, Err(-ENOSPC));
        assert_eq!(k.map_byte(entry(0, 511)), Some(0));
        assert_eq!(k.nr_swap_pages(), 1);
    } else {
        assert_eq!(last, Ok(entry(0, 511)));
        assert_eq!(k.nr_swap_pages(), 0);
    }
}
