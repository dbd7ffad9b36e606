//! Taking references below SWAP_MAP_MAX: __swap_duplicate's two passes and its debug
//! checks, swap_duplicate's error hiding, swapcache_prepare (the cache reference) and
//! swap_shmem_alloc (shmem's reference). Counts that need continuation pages are in
//! continuation.rs.

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, TRAPPED};
use swapdiff_contract::{
    EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC, SWAP_HAS_CACHE, SWAP_MAP_BAD, SWAP_MAP_MAX, SWAP_MAP_SHMEM,
};

use crate::{alloc_n, bug, bytes, counted, err, log, on_both, warn, with_device};

#[test]
fn swap_duplicate_and_swapcache_prepare_on_the_basic_states() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 1);
        let s = entry(0, 1);
        // The allocator left SWAP_HAS_CACHE: the cache reference exists already.
        assert_eq!(e.swapcache_prepare(s, 1), err(EEXIST));
        // One map reference: 0x40 + 1.
        assert_eq!(e.swap_duplicate(s), 0);
        assert_eq!(e.map_byte(s), Some(0x41));
        assert_eq!(e.swapcache_clear(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(0x01));
        assert_eq!(e.swapcache_prepare(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(0x41));
        // A free slot and the BAD header are -ENOENT.
        assert_eq!(e.swapcache_prepare(entry(0, 2), 1), err(ENOENT));
        assert_eq!(e.swapcache_prepare(entry(0, 0), 1), err(ENOENT));
        // swap_duplicate() hides every error but -ENOMEM: 0, nothing changed.
        assert_eq!(e.swap_duplicate(entry(0, 2)), 0);
        assert_eq!(e.map_byte(entry(0, 2)), Some(0));
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn swapcache_prepare_twice_is_eexist() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 1);
        let s = entry(0, 1);
        // Turn the allocator's cache reference into a map reference: +1, then drop the
        // cache bit (put_swap_folio -> __swap_entry_free_locked with SWAP_HAS_CACHE;
        // count 1 remains so nothing is freed).
        assert_eq!(e.swap_duplicate(s), 0);
        assert_eq!(e.put_swap_folio(s, 0), 0);
        assert_eq!(e.map_byte(s), Some(1));
        // __swap_duplicate(SWAP_HAS_CACHE): sets the bit when it is clear ...
        assert_eq!(e.swapcache_prepare(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | 1));
        // ... and reports -EEXIST when a cache reference exists already.
        assert_eq!(e.swapcache_prepare(s, 1), err(EEXIST));
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | 1));
    });
}

#[test]
fn swapcache_prepare_on_free_or_bad_slots_is_enoent() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // Byte 0: "!count && !has_cache" -> -ENOENT.
        assert_eq!(e.swapcache_prepare(entry(0, 5), 1), err(ENOENT));
        // SWAP_MAP_BAD (swapon's header slot 0, or a marked slot) is checked first,
        // "swapin_readahead() doesn't check": -ENOENT.
        assert_eq!(e.swapcache_prepare(entry(0, 0), 1), err(ENOENT));
        assert_eq!(e.mark_bad(entry(0, 7)), 0);
        assert_eq!(e.swapcache_prepare(entry(0, 7), 1), err(ENOENT));
        // Nothing changed and nothing was reported.
        assert_eq!(e.map_byte(entry(0, 5)), Some(0));
        assert_eq!(e.map_byte(entry(0, 7)), Some(SWAP_MAP_BAD));
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn the_check_pass_rejects_before_anything_is_written() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 2, 1);
        // Slots 1 and 2 pass, slot 3 is free: -ENOENT and neither 1 nor 2 got the flag.
        assert_eq!(e.swapcache_prepare(entry(0, 1), 3), err(ENOENT));
        assert_eq!(bytes(e, 1..=3), vec![1, 1, 0]);
    });
}

#[test]
fn a_batched_map_reference_warns_but_commits() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 2, 1);
        // VM_WARN_ON(usage == 1 && nr > 1): the two-pass code has no rollback, which is
        // only safe for one entry. The call still goes ahead: 1 -> 2 on both slots.
        assert_eq!(e.__swap_duplicate(entry(0, 1), 1, 2), 0);
        assert_eq!(e.take_events(), vec![warn("__swap_duplicate", "usage == 1 && nr > 1")]);
        assert_eq!(bytes(e, 1..=2), vec![2, 2]);
        // A one-cluster SSD has no free cluster, and order 1 does not steal: -ENOSPC.
        assert_eq!(e.alloc_swap(0, 1), Err(-ENOSPC));
        // The same on a cached pair fresh from the allocator: on two clusters, order 1 takes
        // the free list's cluster 1 at its start, 512..=513: 0x40 + 1 each.
        e.env_reset();
        with_device(e, 2, true);
        let pair = e.alloc_swap(0, 1).expect("a free cluster");
        assert_eq!(pair, entry(0, 512));
        assert_eq!(e.__swap_duplicate(pair, 1, 2), 0);
        assert_eq!(e.take_events(), vec![warn("__swap_duplicate", "usage == 1 && nr > 1")]);
        assert_eq!(bytes(e, 512..=513), vec![SWAP_HAS_CACHE | 1; 2]);
    });
}

#[test]
fn a_range_crossing_a_cluster_only_warns() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        // The whole device (cluster 1, then cluster 0): 511 and 512 both cache-only.
        alloc_n(e, 1023);
        // 2 > SWAPFILE_CLUSTER - 511 % 512 = 1: VM_WARN_ON, then the check pass runs and
        // finds the cache flag already set on 511.
        assert_eq!(e.swapcache_prepare(entry(0, 511), 2), err(EEXIST));
        assert_eq!(
            e.take_events(),
            vec![warn("__swap_duplicate", "nr > SWAPFILE_CLUSTER - offset % SWAPFILE_CLUSTER")]
        );
    });
}

#[test]
fn no_device_warns_and_logs_bad_file() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // Type 2 has no device; type 30 is beyond MAX_SWAPFILES. Both: swp_swap_info() is
        // NULL, WARN_ON_ONCE(!si), pr_err_ratelimited("%s%08lx\n", Bad_file, entry.val),
        // -EINVAL (the early-2025 fix in 6.12.117).
        assert_eq!(e.__swap_duplicate(entry(2, 1), 1, 1), err(EINVAL));
        assert_eq!(
            e.take_events(),
            vec![warn("__swap_duplicate", "!si"), log("__swap_duplicate", "Bad swap file entry 800000000000001")]
        );
        assert_eq!(e.swapcache_prepare(entry(30, 0), 1), err(EINVAL));
        assert_eq!(e.take_events()[1], log("__swap_duplicate", "Bad swap file entry 7800000000000000"));
        // The same through swapcache_prepare on a type below MAX_SWAPFILES.
        let s = entry(3, 5);
        assert_eq!(e.swapcache_prepare(s, 1), err(EINVAL));
        assert_eq!(
            e.take_events(),
            vec![warn("__swap_duplicate", "!si"), log("__swap_duplicate", &format!("Bad swap file entry {s:08x}"))]
        );
        // swap_duplicate() turns that -EINVAL into 0.
        assert_eq!(e.swap_duplicate(entry(2, 1)), 0);
        assert_eq!(e.take_events().len(), 2);
    });
}

#[test]
fn shmem_reference_lifecycle() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 1);
        let s = entry(0, 1);
        // usage SWAP_MAP_SHMEM on count 0: "count += usage" makes the count 0xbf
        // (BAD | COUNT_CONTINUED, shmem's single reference); the cache flag is kept: 0xff.
        assert_eq!(e.swap_shmem_alloc(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | SWAP_MAP_SHMEM));
        assert_eq!(e.__swap_count(s), 0xbf);
        // A map reference on top: low digit 0x3f > SWAP_MAP_MAX is -EINVAL (hidden by
        // swap_duplicate), nothing changes.
        assert_eq!(e.__swap_duplicate(s, 1, 1), err(EINVAL));
        assert_eq!(e.swap_duplicate(s), 0);
        assert_eq!(e.map_byte(s), Some(0xff));
        // The cache flag can be dropped and taken again: SHMEM is not "BAD" (the BAD test
        // compares the whole count 0xbf with 0x3f).
        assert_eq!(e.swapcache_clear(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(0xbf));
        assert_eq!(e.swapcache_prepare(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(0xff));
        // swap_free_nr: __swap_entry_free_locked treats SWAP_MAP_SHMEM as the last
        // reference (count = 0) and the cache flag stays.
        assert_eq!(e.swap_free_nr(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE));
        assert_eq!(e.device_inuse_pages(0), 1);
        assert_eq!(e.put_swap_folio(s, 0), 0);
        assert_eq!(e.map_byte(s), Some(0));
        assert_eq!(e.device_inuse_pages(0), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn shmem_on_a_counted_slot_adds_0xbf_to_the_count() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 1);
        // 1 + 0xbf = 0xc0 as the count, no cache flag: the byte now *reads* as
        // HAS_CACHE | COUNT_CONTINUED with low digit 0.
        assert_eq!(e.swap_shmem_alloc(entry(0, 1), 1), 0);
        assert_eq!(e.map_byte(entry(0, 1)), Some(0xc0));
    });
}

#[test]
fn enomem_in_the_commit_pass_does_not_roll_back() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 2, 1);
        for _ in 1..62 {
            e.swap_duplicate(entry(0, 2));
        }
        assert_eq!(bytes(e, 1..=2), vec![1, SWAP_MAP_MAX]);
        // Slot 1 is committed (1 -> 2), slot 2 needs a page: -ENOMEM, slot 1 keeps its 2.
        assert_eq!(e.__swap_duplicate(entry(0, 1), 1, 2), err(ENOMEM));
        assert_eq!(bytes(e, 1..=2), vec![2, SWAP_MAP_MAX]);
        assert_eq!(e.take_events(), vec![warn("__swap_duplicate", "usage == 1 && nr > 1")]);
    });
}

#[test]
fn any_usage_byte_is_added_with_wraparound() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 1);
        let s = entry(0, 1);
        // 1 + 0x7f = 0x80: COUNT_CONTINUED with no list.
        assert_eq!(e.__swap_duplicate(s, 0x7f, 1), 0);
        assert_eq!(e.map_byte(s), Some(0x80));
        // usage 0 is "add nothing".
        assert_eq!(e.__swap_duplicate(s, 0, 1), 0);
        assert_eq!(e.map_byte(s), Some(0x80));
        // The exact count follows COUNT_CONTINUED to a list that does not exist.
        assert_eq!(e.swp_swapcount(s), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("swp_swapcount", "page_private(page) != SWP_CONTINUED")]);
    });
}
