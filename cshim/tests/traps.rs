//! BUG() and hangs in kernel code are caught: the call returns TRAPPED, the
//! event names the site, and the process goes on.

mod common;
use common::*;
use cshim::{EventKind, TRAPPED};
use swapdiff_contract::prelude::*;

#[test]
fn clearing_a_cache_reference_that_is_not_there() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.put_swap_folio(e, 0), 0);
    assert_eq!(k.map_byte(e), Some(1), "one map reference, no cache bit");
    // swapcache_clear -> cluster_swap_free_nr(SWAP_HAS_CACHE) ->
    // __swap_entry_free_locked: VM_BUG_ON(!has_cache).
    assert_eq!(k.swapcache_clear(e, 1), TRAPPED);
    assert_eq!(k.take_events(), vec![event(EventKind::Bug, "__swap_entry_free_locked", "!has_cache")]);

    // The BUG abandoned the call inside lock_cluster_or_swap_info's
    // critical section, so the cluster lock is still taken: the next
    // caller self-deadlocks, as it would in the kernel.
    assert_eq!(k.swap_duplicate(e), TRAPPED);
    assert_eq!(k.take_events(), vec![event(EventKind::Hang, "lock_cluster", "spin_lock(&ci->lock)")]);

    // A reset gives a working kernel again.
    k.env_reset();
    assert_eq!(k.swapon(1, true), 0);
    let e = alloc_one(&mut k, 0);
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.swp_swapcount(e), 1);
    assert!(k.take_events().is_empty());
}

#[test]
fn corrupt_continued_count() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    assert_eq!(k.swap_duplicate(e), 0);
    // usage 0x80 on count 1: the checks pass ((1 & ~COUNT_CONTINUED) <=
    // SWAP_MAP_MAX) and "count += usage" writes COUNT_CONTINUED without a
    // continuation list behind it.
    assert_eq!(k.__swap_duplicate(e, COUNT_CONTINUED, 1), 0);
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | COUNT_CONTINUED | 1));
    // swp_swapcount follows COUNT_CONTINUED to the map page, whose private
    // is not SWP_CONTINUED: VM_BUG_ON.
    assert_eq!(k.swp_swapcount(e), TRAPPED);
    assert_eq!(k.take_events(), vec![event(EventKind::Bug, "swp_swapcount", "page_private(page) != SWP_CONTINUED")]);
    k.env_reset();
    assert_eq!(k.swapon(2, false), 0);
    let e = alloc_one(&mut k, 0);
    assert_eq!(k.swp_swapcount(e), 0);
}
