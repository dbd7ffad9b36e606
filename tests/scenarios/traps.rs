//! BUG() in kernel code is caught: the call returns TRAPPED, the event names the site, and
//! a reset gives a working engine again. (What a held lock does to the next call is the
//! kernel's alone: cshim/tests/traps.rs.)

use swapdiff::engine::prelude::*;
use swapdiff::engine::TRAPPED;
use swapdiff_contract::{COUNT_CONTINUED, SWAP_HAS_CACHE};

use crate::{bug, on_both, with_device};

#[test]
fn clearing_a_cache_reference_that_is_not_there_bugs() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let s = e.alloc_swap(0, 0).expect("a free slot");
        assert_eq!(e.swap_duplicate(s), 0);
        assert_eq!(e.put_swap_folio(s, 0), 0);
        assert_eq!(e.map_byte(s), Some(1), "one map reference, no cache bit");
        // swapcache_clear -> cluster_swap_free_nr(SWAP_HAS_CACHE) ->
        // __swap_entry_free_locked: VM_BUG_ON(!has_cache).
        assert_eq!(e.swapcache_clear(s, 1), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("__swap_entry_free_locked", "!has_cache")]);
        // The BUG came before anything was written.
        assert_eq!(e.map_byte(s), Some(1));

        // A reset gives a working engine again.
        e.env_reset();
        with_device(e, 1, true);
        let s = e.alloc_swap(0, 0).expect("a free slot");
        assert_eq!(e.swap_duplicate(s), 0);
        assert_eq!(e.swp_swapcount(s), 1);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn corrupt_continued_count() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let s = e.alloc_swap(0, 0).expect("a free slot");
        assert_eq!(e.swap_duplicate(s), 0);
        // usage 0x80 on count 1: the checks pass ((1 & ~COUNT_CONTINUED) <= SWAP_MAP_MAX)
        // and "count += usage" writes COUNT_CONTINUED without a continuation list behind it.
        assert_eq!(e.__swap_duplicate(s, COUNT_CONTINUED, 1), 0);
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | COUNT_CONTINUED | 1));
        // swp_swapcount follows COUNT_CONTINUED to the map page, whose private is not
        // SWP_CONTINUED: VM_BUG_ON.
        assert_eq!(e.swp_swapcount(s), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("swp_swapcount", "page_private(page) != SWP_CONTINUED")]);
        e.env_reset();
        assert_eq!(e.swapon(2, 0), 0);
        let s = e.alloc_swap(0, 0).expect("a free slot");
        assert_eq!(e.swp_swapcount(s), 0);
    });
}
