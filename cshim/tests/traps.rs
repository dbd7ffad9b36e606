//! What a BUG leaves behind on the kernel side alone: the trampoline abandons the call
//! inside its critical section, so the lock it held stays taken and the next caller
//! self-deadlocks (reported as a HANG), as it would in the kernel. The model keeps no
//! locks, so this cannot run on both engines; the traps themselves (the BUG, its event,
//! the state left, a reset) are in the shared suite, tests/scenarios/traps.rs.

mod common;
use common::*;
use cshim::{EventKind, TRAPPED};
use swapdiff_contract::prelude::*;

#[test]
fn a_trapped_call_leaves_its_lock_held_until_a_reset() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.put_swap_folio(e, 0), 0);
    // swapcache_clear on a slot without the cache bit: VM_BUG_ON(!has_cache) in
    // __swap_entry_free_locked, inside lock_cluster_or_swap_info's critical section.
    assert_eq!(k.swapcache_clear(e, 1), TRAPPED);
    assert_eq!(seen(k.take_events()), vec![event(EventKind::Bug, "__swap_entry_free_locked", "!has_cache")]);

    // The cluster lock is still taken: the next caller self-deadlocks.
    assert_eq!(k.swap_duplicate(e), TRAPPED);
    assert_eq!(seen(k.take_events()), vec![event(EventKind::Hang, "lock_cluster", "spin_lock(&ci->lock)")]);

    // A reset releases it.
    k.env_reset();
    assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
    let e = alloc_one(&mut k, 0);
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.swp_swapcount(e), 1);
    assert!(k.take_events().is_empty());
}
