//! Dropping references: swap_free_nr, put_swap_folio, swapcache_clear,
//! swapcache_free_entries and free_swap_and_cache_nr, down to slot release, and
//! free_swap_and_cache_nr's reclaim of the swap cache folio through
//! __try_to_reclaim_swap(TTRS_UNMAPPED | TTRS_FULL) when the folio is unmapped or swap is
//! nearly full.

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, Entry, TRAPPED};
use swapdiff_contract::{CLUSTER_FLAG_FULL, CLUSTER_FLAG_NONFULL, EINVAL, ENOENT, SWAP_HAS_CACHE};

use crate::{alloc_n, bug, bytes, counted, log, on_both, warn, with_device};

/// A fresh `order` folio's slots on type 0, each with one map reference and the cache
/// flag, and the folio in the swap cache over them (as after swap-out): (first slot, folio).
fn cached_folio(e: &mut dyn Engine, order: u32, mapped: bool) -> (Entry, u32) {
    let at = e.alloc_swap(0, order).expect("a free aligned run");
    for i in 0..1u64 << order {
        assert_eq!(e.swap_duplicate(at + i), 0);
    }
    let f = e.folio_new(order) as u32;
    assert_eq!(e.folio_set_swap(f, at), 0);
    assert_eq!(e.folio_set_mapped(f, mapped), 0);
    assert_eq!(e.swapcache_add(f), 0);
    (at, f)
}

#[test]
fn last_map_reference_releases_the_slot() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 1);
        let s = entry(0, 1);
        assert_eq!((e.device_inuse_pages(0), e.nr_swap_pages()), (1, 510));
        assert_eq!(e.swap_free_nr(s, 1), 0);
        // Count 1 -> 0 without cache: pinned to HAS_CACHE, then free_swap_slot ->
        // swap_entry_range_free: byte 0, cluster back to the header only, page counters.
        assert_eq!(e.map_byte(s), Some(0));
        assert_eq!((e.device_inuse_pages(0), e.nr_swap_pages()), (0, 511));
        assert_eq!(e.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn a_cached_slot_keeps_its_cache_flag_when_the_count_drops() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 1);
        e.swap_duplicate(entry(0, 1));
        assert_eq!(e.swap_free_nr(entry(0, 1), 1), 0);
        // 0x41 -> usage 0x40: not released.
        assert_eq!(e.map_byte(entry(0, 1)), Some(SWAP_HAS_CACHE));
        assert_eq!(e.device_inuse_pages(0), 1);
    });
}

#[test]
fn swap_info_get_logs_what_it_rejects() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // A free first slot, an offset past the map, a missing device; entry 0 silently.
        e.swap_free_nr(entry(0, 5), 1);
        e.swap_free_nr(entry(0, 512), 1);
        e.swap_free_nr(entry(1, 3), 1);
        e.swap_free_nr(0, 1);
        assert_eq!(
            e.take_events(),
            vec![
                log("_swap_info_get", "_swap_info_get: Unused swap offset entry 00000005"),
                log("_swap_info_get", "_swap_info_get: Bad swap offset entry 00000200"),
                log("_swap_info_get", "_swap_info_get: Bad swap file entry 400000000000003"),
            ]
        );
    });
}

#[test]
fn a_free_slot_inside_a_range_underflows_to_0xff() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 1);
        // Only the first entry is validated. Slot 2 is free (byte 0): its count is
        // decremented anyway, 0 - 1 = 0xff, nothing left says "free", and it is not released.
        assert_eq!(e.swap_free_nr(entry(0, 1), 2), 0);
        assert_eq!(bytes(e, 1..=2), vec![0, 0xff]);
        assert_eq!(e.device_inuse_pages(0), 0);
        // The allocator now skips slot 2: the per-CPU next[0] is 2 (set after slot 1 was
        // handed out), cluster_scan_range finds 0xff in use and takes 3; then 4. Freed slot 1
        // lies behind next[0] and is not looked at.
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 3)));
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, 4)));
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn a_bug_in_the_second_batch_leaves_the_first_batch_released() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 70, 1);
        // Slot 66: 1 + 0x7f = 0x80, COUNT_CONTINUED with no list.
        assert_eq!(e.__swap_duplicate(entry(0, 66), 0x7f, 1), 0);
        // cluster_swap_free_nr works in batches of 64: slots 1..=64 are dropped and released
        // before batch 2 starts; there slot 65 drops to 0 (pinned to HAS_CACHE) and slot 66
        // BUGs in swap_count_continued before slot 65 is released.
        assert_eq!(e.swap_free_nr(entry(0, 1), 70), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("swap_count_continued", "count & COUNT_CONTINUED")]);
        assert_eq!(bytes(e, 1..=64), vec![0; 64]);
        assert_eq!(bytes(e, 65..=70), vec![SWAP_HAS_CACHE, 0x80, 1, 1, 1, 1]);
        assert_eq!(e.device_inuse_pages(0), 6);
        assert_eq!(e.cluster(0, 0), Some((7, CLUSTER_FLAG_NONFULL)));
    });
}

#[test]
fn swap_free_nr_splits_at_cluster_boundaries() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        // The whole device (cluster 1 first, then cluster 0): 510..=513 all in use.
        counted(e, 1023, 1);
        assert_eq!(e.swap_free_nr(entry(0, 510), 4), 0);
        assert_eq!(bytes(e, 509..=514), vec![1, 0, 0, 0, 0, 1]);
        // Each released slot is charged to its own cluster (free_swap_slot is per slot): two
        // each, and dec_cluster_info_page moves each FULL cluster to nonfull_clusters[0].
        assert_eq!(e.cluster(0, 0), Some((510, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.cluster(0, 1), Some((510, CLUSTER_FLAG_NONFULL)));
    });
}

#[test]
fn put_swap_folio_releases_a_cache_only_folio_in_one_range() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        assert_eq!(e.alloc_swap(0, 2), Ok(entry(0, 512)));
        assert_eq!(e.put_swap_folio(entry(0, 512), 2), 0);
        assert_eq!(bytes(e, 512..=515), vec![0; 4]);
        // Cluster 1's last slot gone: free_cluster -> __free_cluster, FREE again.
        assert_eq!(e.cluster(0, 1), Some((0, swapdiff_contract::CLUSTER_FLAG_FREE)));
        assert_eq!(e.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.device_inuse_pages(0), 0);
    });
}

#[test]
fn put_swap_folio_goes_slot_by_slot_when_a_slot_has_references() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        e.alloc_swap(0, 2).unwrap();
        e.swap_duplicate(entry(0, 514));
        // swap_is_has_cache stops at 514 (0x41: cached, not cache-only); then each slot
        // drops the flag: 512, 513, 515 are released, 514 keeps its map reference.
        assert_eq!(e.put_swap_folio(entry(0, 512), 2), 0);
        assert_eq!(bytes(e, 512..=515), vec![0, 0, 1, 0]);
        assert_eq!(e.device_inuse_pages(0), 1);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn put_swap_folio_bugs_on_a_slot_without_the_cache_flag() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 8, 1);
        assert_eq!(e.put_swap_folio(entry(0, 4), 2), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("swap_is_has_cache", "!(*map & SWAP_HAS_CACHE)")]);
        // A program ends at a BUG: the single-slot case after a reset.
        e.env_reset();
        e.swapon(1, swapdiff_contract::DEV_SSD);
        counted(e, 1, 1);
        assert_eq!(e.put_swap_folio(entry(0, 1), 0), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("__swap_entry_free_locked", "!has_cache")]);
    });
}

#[test]
fn put_swap_folio_across_a_cluster_boundary_charges_the_first_cluster() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        // The whole device, so 510..=513 are all cache-only: both clusters FULL.
        alloc_n(e, 1023);
        assert_eq!(e.cluster(0, 0), Some((512, CLUSTER_FLAG_FULL)));
        assert_eq!(e.cluster(0, 1), Some((512, CLUSTER_FLAG_FULL)));
        // An unaligned order-2 folio at 510 (guard passes: 514 <= 1024). All four are
        // cache-only, so swap_entry_range_free takes the whole range and
        // dec_cluster_info_page(ci of offset 510, 4): cluster 0 loses 4 (dec_cluster_info_page:
        // FULL -> NONFULL), cluster 1 none (still FULL with 512).
        assert_eq!(e.put_swap_folio(entry(0, 510), 2), 0);
        assert_eq!(bytes(e, 510..=513), vec![0; 4]);
        assert_eq!(e.cluster(0, 0), Some((508, CLUSTER_FLAG_NONFULL)));
        assert_eq!(e.cluster(0, 1), Some((512, CLUSTER_FLAG_FULL)));
        assert_eq!(e.device_inuse_pages(0), 1023 - 4);
    });
}

#[test]
fn swapcache_clear_drops_cache_flags_and_bugs_without_one() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 2);
        e.swap_duplicate(entry(0, 2));
        assert_eq!(e.swapcache_clear(entry(0, 1), 2), 0);
        assert_eq!(bytes(e, 1..=2), vec![0, 1]);
        assert_eq!(e.device_inuse_pages(0), 1);
        // No _swap_info_get here: a slot without the flag is the VM_BUG_ON.
        assert_eq!(e.swapcache_clear(entry(0, 1), 1), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("__swap_entry_free_locked", "!has_cache")]);
    });
}

#[test]
fn swapcache_free_entries_releases_cache_only_slots() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 3);
        assert_eq!(e.swapcache_free_entries(&[entry(0, 3), entry(0, 1)]), 0);
        assert_eq!(bytes(e, 1..=3), vec![0, SWAP_HAS_CACHE, 0]);
        assert_eq!(e.swapcache_free_entries(&[]), 0);
        e.swap_duplicate(entry(0, 2));
        assert_eq!(e.swapcache_free_entries(&[entry(0, 2)]), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("swap_entry_range_free", "*map != SWAP_HAS_CACHE")]);
    });
}

#[test]
fn swapcache_free_entries_sorts_by_type_only_with_several_swapfiles() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // nr_swapfiles == 1: entries are taken in the given order.
        e.swapcache_free_entries(&[entry(2, 1), entry(0, 5)]);
        assert_eq!(
            e.take_events(),
            vec![
                log("_swap_info_get", "_swap_info_get: Bad swap file entry 800000000000001"),
                log("_swap_info_get", "_swap_info_get: Unused swap offset entry 00000005"),
            ]
        );
        // A second device (even switched off again) makes nr_swapfiles 2: stable sort by type.
        assert_eq!(e.swapon(1, swapdiff_contract::DEV_SSD), 1);
        assert_eq!(e.swapoff(1), 0);
        e.swapcache_free_entries(&[entry(2, 1), entry(0, 6), entry(1, 1), entry(0, 5)]);
        let texts: Vec<String> = e.take_events().into_iter().map(|e| e.message().into_owned()).collect();
        assert_eq!(
            texts,
            vec![
                "_swap_info_get: Unused swap offset entry 00000006",
                "_swap_info_get: Unused swap offset entry 00000005",
                "_swap_info_get: Bad swap file entry 400000000000001",
                "_swap_info_get: Bad swap file entry 800000000000001",
            ]
        );
    });
}

#[test]
fn free_swap_and_cache_fast_path_releases_the_whole_range() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 4, 1);
        // All four bytes equal and count 1, inside one cluster: one swap_entry_range_free.
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 1), 4), 0);
        assert_eq!(bytes(e, 1..=4), vec![0; 4]);
        assert_eq!(e.device_inuse_pages(0), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn free_swap_and_cache_fast_path_with_cache_leaves_cache_only_bytes() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 4);
        for off in 1..=4 {
            e.swap_duplicate(entry(0, off));
        }
        // 0x41 x 4: all become SWAP_HAS_CACHE; no folio in the swap cache covers them.
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 1), 4), 0);
        assert_eq!(bytes(e, 1..=4), vec![SWAP_HAS_CACHE; 4]);
        assert_eq!(e.device_inuse_pages(0), 4);
    });
}

#[test]
fn free_swap_and_cache_fallback_warns_on_free_slots() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 2, 2);
        e.swap_free_nr(entry(0, 2), 1);
        // Bytes 2, 1, 0: not all equal -> slot by slot; slot 3 is free: WARN_ON_ONCE(1).
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 1), 3), 0);
        assert_eq!(bytes(e, 1..=3), vec![1, 0, 0]);
        assert_eq!(e.take_events(), vec![warn("__swap_entries_free", "1")]);
    });
}

#[test]
fn free_swap_and_cache_checks_its_entry() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 1);
        // non_swap_entry(): type >= MAX_SWAPFILES is silently ignored, as is entry 0.
        assert_eq!(e.free_swap_and_cache_nr(entry(27, 1), 1), 0);
        assert_eq!(e.free_swap_and_cache_nr(0, 1), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
        assert_eq!(e.free_swap_and_cache_nr(entry(3, 1), 1), 0);
        assert_eq!(
            e.take_events(),
            vec![log("get_swap_device", "get_swap_device: Bad swap file entry c00000000000001")]
        );
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 512), 1), 0);
        assert_eq!(e.take_events(), vec![log("get_swap_device", "get_swap_device: Bad swap offset entry 00000200")]);
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 510), 3), 0);
        assert_eq!(e.take_events(), vec![warn("free_swap_and_cache_nr", "end_offset > si->max")]);
        assert_eq!(e.map_byte(entry(0, 1)), Some(1));
    });
}

#[test]
fn free_swap_and_cache_reclaims_an_unmapped_folio() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        let (at, f) = cached_folio(e, 2, false);
        assert_eq!(
            at,
            entry(0, 512),
            "order 2 on a fresh device: the head of the free list, cluster 1 (the header's cluster 0 serves order 0)"
        );
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 512), 4), 0);
        // Fast path -> 0x40 x 4; reclaim at 512 finds the folio, unmapped, all cache-only:
        // delete_from_swap_cache -> put_swap_folio(order 2) releases the range.
        assert_eq!(bytes(e, 512..=515), vec![0; 4]);
        assert_eq!(e.device_inuse_pages(0), 0);
        assert_eq!(e.swapcache_del(f), -ENOENT);
        // folio->swap was cleared: adding it again is -EINVAL.
        assert_eq!(e.swapcache_add(f), -EINVAL);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn a_mapped_folio_is_kept_unless_swap_is_full() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        let (at, f) = cached_folio(e, 2, true);
        assert_eq!(
            at,
            entry(0, 512),
            "order 2 on a fresh device: the head of the free list, cluster 1 (the header's cluster 0 serves order 0)"
        );
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 512), 4), 0);
        // Mapped and vm_swap_full() false (1019 * 2 >= 1023): the folio stays.
        assert_eq!(bytes(e, 512..=515), vec![SWAP_HAS_CACHE; 4]);
        assert_eq!(e.swapcache_del(f), 0);
        assert_eq!(e.swapcache_add(f), 0);
        // Fill the device past half: cluster 0's 511 slots (order 0 has no free cluster left,
        // so nonfull_clusters[0]'s cluster 0, 1..=511 by next[0]). 1023 - 4 - 511 = 508 free,
        // 508 * 2 < 1023: vm_swap_full(), and the next free reclaims the folio. (More would
        // make order 0 steal cluster 1, whose cluster_scan_range reclaims the folio itself.)
        for off in 1..=511 {
            assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, off)));
        }
        e.swap_duplicate(entry(0, 513));
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 513), 1), 0);
        assert_eq!(bytes(e, 512..=515), vec![0; 4]);
    });
}

#[test]
fn reclaim_bugs_on_a_covered_slot_without_the_cache_flag() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 2, true);
        assert_eq!(cached_folio(e, 2, false).0, entry(0, 512));
        // Drop the cache flag of slot 512 behind the folio's back, then free slot 513 alone:
        // it becomes cache-only, the folio covering it is found, and swap_is_has_cache over
        // the folio (from its first slot, 512: count 1, no cache flag) BUGs.
        e.swapcache_clear(entry(0, 512), 1);
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 513), 1), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("swap_is_has_cache", "!(*map & SWAP_HAS_CACHE)")]);
    });
}

#[test]
fn the_fallback_underflows_a_cache_only_slot() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        alloc_n(e, 2);
        e.swap_duplicate(entry(0, 1));
        e.swap_duplicate(entry(0, 1));
        e.swapcache_clear(entry(0, 1), 1);
        // Bytes 2, 0x40: the first count is not 1 -> slot by slot. Slot 2 is not 0, so it is
        // "freed": count 0 - 1 wraps to 0xff, with the cache flag the byte is 0xff.
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 1), 2), 0);
        assert_eq!(bytes(e, 1..=2), vec![1, 0xff]);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn free_swap_and_cache_reclaims_an_unmapped_order_0_folio() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let (s, f) = cached_folio(e, 0, false);
        assert_eq!(e.free_swap_and_cache_nr(s, 1), 0);
        // The count drops to 0 leaving SWAP_HAS_CACHE; the folio is not mapped, so it is
        // deleted from the swap cache and put_swap_folio frees the slot.
        assert_eq!(e.map_byte(s), Some(0));
        assert_eq!(e.device_inuse_pages(0), 0);
        assert_eq!(e.swapcache_del(f), -ENOENT, "delete_from_swap_cache unlinked it");
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn a_mapped_order_0_folio_stays_while_swap_is_not_full() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let (s, f) = cached_folio(e, 0, true);
        // vm_swap_full(): nr_swap_pages * 2 < total_swap_pages, 510 * 2 >= 511.
        assert_eq!(e.free_swap_and_cache_nr(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE));
        assert_eq!(e.swapcache_del(f), 0, "still in the swap cache");
    });
}

#[test]
fn a_mapped_order_0_folio_is_reclaimed_when_swap_is_full() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // Use 300 of 511 slots: 211 * 2 < 511, vm_swap_full() holds.
        alloc_n(e, 299);
        let (s, _) = cached_folio(e, 0, true);
        assert_eq!(e.nr_swap_pages(), 211);
        assert_eq!(e.free_swap_and_cache_nr(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(0));
    });
}
