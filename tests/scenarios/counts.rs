//! The three count queries: __swap_count and swap_swapcount (the map byte) and
//! swp_swapcount (the exact total through the continuation pages).

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, TRAPPED};
use swapdiff_contract::{COUNT_CONTINUED, SWAP_MAP_BAD};

use crate::{alloc_n, bug, counted, log, on_both, with_device};

#[test]
fn map_counts_strip_only_the_cache_flag() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 2);
        e.swap_duplicate(entry(0, 1));
        // swap_count(0x41) = 1; swap_count(0x40) = 0.
        assert_eq!(e.__swap_count(entry(0, 1)), 1);
        assert_eq!(e.swap_swapcount(entry(0, 1)), 1);
        assert_eq!(e.__swap_count(entry(0, 2)), 0);
        // The header: SWAP_MAP_BAD is returned as a count.
        assert_eq!(e.__swap_count(entry(0, 0)), i64::from(SWAP_MAP_BAD));
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn swp_swapcount_validates_with_swap_info_get() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        assert_eq!(e.swp_swapcount(0), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
        assert_eq!(e.swp_swapcount(entry(0, 9)), 0);
        assert_eq!(e.take_events(), vec![log("_swap_info_get", "_swap_info_get: Unused swap offset entry 00000009")]);
        assert_eq!(e.swp_swapcount(entry(1, 9)), 0);
        assert_eq!(e.take_events(), vec![log("_swap_info_get", "_swap_info_get: Bad swap file entry 400000000000009")]);
        assert_eq!(e.swp_swapcount(entry(0, 4096)), 0);
        assert_eq!(e.take_events(), vec![log("_swap_info_get", "_swap_info_get: Bad swap offset entry 00001000")]);
        // The header of type 0 is entry value 0, which _swap_info_get rejects silently
        // before looking at the map.
        assert_eq!(e.swp_swapcount(entry(0, 0)), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
        // The header of type 1 is a real entry: its count is SWAP_MAP_BAD, no COUNT_CONTINUED.
        assert_eq!(e.swapon(1, swapdiff_contract::DEV_SSD), 1);
        assert_eq!(e.swp_swapcount(entry(1, 0)), i64::from(SWAP_MAP_BAD));
    });
}

#[test]
fn swp_swapcount_on_shmem_without_a_list_bugs() {
    on_both(|e: &mut dyn Engine| {
        // Without any continuation page in the map page: the COUNT_CONTINUED bit of 0xbf
        // sends swp_swapcount to a list that does not exist.
        with_device(e, 1, true);
        alloc_n(e, 1);
        e.swap_shmem_alloc(entry(0, 1), 1);
        assert_eq!(e.swp_swapcount(entry(0, 1)), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("swp_swapcount", "page_private(page) != SWP_CONTINUED")]);
    });
}

#[test]
fn swp_swapcount_on_shmem_reads_continuation_digits() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 63); // slot 1 links a page for the whole map page
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 2)));
        e.swap_shmem_alloc(entry(0, 2), 1);
        assert_eq!(e.map_byte(entry(0, 2)), Some(0xff));
        // Low digit 0xbf & ~COUNT_CONTINUED = 63, plus the poison digit 0x6b at offset 2
        // of page 1 (no COUNT_CONTINUED, so the walk stops): 63 + 107 * 63.
        assert_eq!(e.swp_swapcount(entry(0, 2)), 63 + 107 * 63);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn swp_swapcount_sums_every_page() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 8064 + 63 * 128 + 5);
        // 16133 = 5 + 0 * 63 + 2 * (63 * 128): low digit 5, page 1 digit 0 marked
        // COUNT_CONTINUED because page 2 holds 2.
        assert_eq!(e.swp_swapcount(entry(0, 1)), 16133);
        assert_eq!(e.map_byte(entry(0, 1)), Some(COUNT_CONTINUED | 5));
        assert_eq!(e.cont_digits(entry(0, 1)), vec![COUNT_CONTINUED, 2]);
    });
}
