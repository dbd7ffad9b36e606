//! Dropping references: swap_free_nr, put_swap_folio, swapcache_clear,
//! swapcache_free_entries and free_swap_and_cache_nr, down to slot release.

use crate::common::*;

#[test]
fn last_map_reference_releases_the_slot() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 1);
    let e = entry(0, 1);
    assert_eq!((m.device_inuse_pages(0), m.nr_swap_pages()), (1, 510));
    assert_eq!(m.swap_free_nr(e, 1), 0);
    // Count 1 -> 0 without cache: pinned to HAS_CACHE, then free_swap_slot ->
    // swap_entry_range_free: byte 0, cluster back to the header only, page counters.
    assert_eq!(m.map_byte(e), Some(0));
    assert_eq!((m.device_inuse_pages(0), m.nr_swap_pages()), (0, 511));
    assert_eq!(m.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn a_cached_slot_keeps_its_cache_flag_when_the_count_drops() {
    let mut m = with_device(1, true);
    alloc_n(&mut m, 1);
    m.swap_duplicate(entry(0, 1));
    assert_eq!(m.swap_free_nr(entry(0, 1), 1), 0);
    // 0x41 -> usage 0x40: not released.
    assert_eq!(m.map_byte(entry(0, 1)), Some(SWAP_HAS_CACHE));
    assert_eq!(m.device_inuse_pages(0), 1);
}

#[test]
fn swap_info_get_logs_what_it_rejects() {
    let mut m = with_device(1, true);
    // A free first slot, an offset past the map, a missing device; entry 0 silently.
    m.swap_free_nr(entry(0, 5), 1);
    m.swap_free_nr(entry(0, 512), 1);
    m.swap_free_nr(entry(1, 3), 1);
    m.swap_free_nr(0, 1);
    assert_eq!(
        m.take_events(),
        vec![
            log("_swap_info_get", "_swap_info_get: Unused swap offset entry 00000005"),
            log("_swap_info_get", "_swap_info_get: Bad swap offset entry 00000200"),
            log("_swap_info_get", "_swap_info_get: Bad swap file entry 400000000000003"),
        ]
    );
}

#[test]
fn a_free_slot_inside_a_range_underflows_to_0xff() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 1);
    // Only the first entry is validated. Slot 2 is free (byte 0): its count is
    // decremented anyway, 0 - 1 = 0xff, nothing left says "free", and it is not released.
    assert_eq!(m.swap_free_nr(entry(0, 1), 2), 0);
    assert_eq!(bytes(&m, 1..=2), vec![0, 0xff]);
    assert_eq!(m.device_inuse_pages(0), 0);
    // The allocator now skips slot 2.
    assert_eq!(m.alloc_swap(0, 0), Ok(entry(0, 1)));
    assert_eq!(m.alloc_swap(0, 0), Ok(entry(0, 3)));
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn a_bug_in_the_second_batch_leaves_the_first_batch_released() {
    let mut m = with_device(1, true);
    counted(&mut m, 70, 1);
    // Slot 66: 1 + 0x7f = 0x80, COUNT_CONTINUED with no list.
    assert_eq!(m.__swap_duplicate(entry(0, 66), 0x7f, 1), 0);
    // cluster_swap_free_nr works in batches of 64: slots 1..=64 are dropped and released
    // before batch 2 starts; there slot 65 drops to 0 (pinned to HAS_CACHE) and slot 66
    // BUGs in swap_count_continued before slot 65 is released.
    assert_eq!(m.swap_free_nr(entry(0, 1), 70), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("swap_count_continued", "count & COUNT_CONTINUED")]);
    assert_eq!(bytes(&m, 1..=64), vec![0; 64]);
    assert_eq!(bytes(&m, 65..=70), vec![SWAP_HAS_CACHE, 0x80, 1, 1, 1, 1]);
    assert_eq!(m.device_inuse_pages(0), 6);
    assert_eq!(m.cluster(0, 0), Some((7, CLUSTER_FLAG_NONFULL as u32)));
}

#[test]
fn swap_free_nr_splits_at_cluster_boundaries() {
    let mut m = with_device(2, true);
    counted(&mut m, 514, 1);
    assert_eq!(m.swap_free_nr(entry(0, 510), 4), 0);
    assert_eq!(bytes(&m, 509..=514), vec![1, 0, 0, 0, 0, 1]);
    // Each released slot is charged to its own cluster (free_swap_slot is per slot).
    assert_eq!(m.cluster(0, 0), Some((510, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.cluster(0, 1), Some((1, CLUSTER_FLAG_NONFULL as u32)));
}

#[test]
fn put_swap_folio_releases_a_cache_only_folio_in_one_range() {
    let mut m = with_device(1, true);
    assert_eq!(m.alloc_swap(0, 2), Ok(entry(0, 4)));
    assert_eq!(m.put_swap_folio(entry(0, 4), 2), 0);
    assert_eq!(bytes(&m, 4..=7), vec![0; 4]);
    // Cluster back to the header; the last slot gone makes nothing FREE (the header stays).
    assert_eq!(m.cluster(0, 0), Some((1, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.device_inuse_pages(0), 0);
}

#[test]
fn put_swap_folio_goes_slot_by_slot_when_a_slot_has_references() {
    let mut m = with_device(1, true);
    m.alloc_swap(0, 2).unwrap();
    m.swap_duplicate(entry(0, 6));
    // swap_is_has_cache stops at 6 (0x41: cached, not cache-only); then each slot
    // drops the flag: 4, 5, 7 are released, 6 keeps its map reference.
    assert_eq!(m.put_swap_folio(entry(0, 4), 2), 0);
    assert_eq!(bytes(&m, 4..=7), vec![0, 0, 1, 0]);
    assert_eq!(m.device_inuse_pages(0), 1);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn put_swap_folio_bugs_on_a_slot_without_the_cache_flag() {
    let mut m = with_device(1, true);
    counted(&mut m, 8, 1);
    assert_eq!(m.put_swap_folio(entry(0, 4), 2), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("swap_is_has_cache", "!(*map & SWAP_HAS_CACHE)")]);
    // A program ends at a BUG: the single-slot case on a fresh model.
    m.env_reset();
    m.swapon(1, true);
    counted(&mut m, 1, 1);
    assert_eq!(m.put_swap_folio(entry(0, 1), 0), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("__swap_entry_free_locked", "!has_cache")]);
}

#[test]
fn put_swap_folio_across_a_cluster_boundary_charges_the_first_cluster() {
    let mut m = with_device(2, true);
    alloc_n(&mut m, 513);
    assert_eq!(m.cluster(0, 0), Some((512, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.cluster(0, 1), Some((2, CLUSTER_FLAG_NONFULL as u32)));
    // An unaligned order-2 folio at 510 (guard passes: 514 <= 1024). All four are
    // cache-only, so swap_entry_range_free takes the whole range and
    // dec_cluster_info_page(ci of offset 510, 4): cluster 0 loses 4, cluster 1 none.
    assert_eq!(m.put_swap_folio(entry(0, 510), 2), 0);
    assert_eq!(bytes(&m, 510..=513), vec![0; 4]);
    assert_eq!(m.cluster(0, 0), Some((508, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.cluster(0, 1), Some((2, CLUSTER_FLAG_NONFULL as u32)));
    assert_eq!(m.device_inuse_pages(0), 509);
}

#[test]
fn swapcache_clear_drops_cache_flags_and_bugs_without_one() {
    let mut m = with_device(1, true);
    alloc_n(&mut m, 2);
    m.swap_duplicate(entry(0, 2));
    assert_eq!(m.swapcache_clear(entry(0, 1), 2), 0);
    assert_eq!(bytes(&m, 1..=2), vec![0, 1]);
    assert_eq!(m.device_inuse_pages(0), 1);
    // No _swap_info_get here: a slot without the flag is the VM_BUG_ON.
    assert_eq!(m.swapcache_clear(entry(0, 1), 1), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("__swap_entry_free_locked", "!has_cache")]);
}

#[test]
fn swapcache_free_entries_releases_cache_only_slots() {
    let mut m = with_device(1, true);
    alloc_n(&mut m, 3);
    assert_eq!(m.swapcache_free_entries(&[entry(0, 3), entry(0, 1)]), 0);
    assert_eq!(bytes(&m, 1..=3), vec![0, SWAP_HAS_CACHE, 0]);
    assert_eq!(m.swapcache_free_entries(&[]), 0);
    m.swap_duplicate(entry(0, 2));
    assert_eq!(m.swapcache_free_entries(&[entry(0, 2)]), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("swap_entry_range_free", "*map != SWAP_HAS_CACHE")]);
}

#[test]
fn swapcache_free_entries_sorts_by_type_only_with_several_swapfiles() {
    let mut m = with_device(1, true);
    // nr_swapfiles == 1: entries are taken in the given order.
    m.swapcache_free_entries(&[entry(2, 1), entry(0, 5)]);
    assert_eq!(
        m.take_events(),
        vec![
            log("_swap_info_get", "_swap_info_get: Bad swap file entry 800000000000001"),
            log("_swap_info_get", "_swap_info_get: Unused swap offset entry 00000005"),
        ]
    );
    // A second device (even switched off again) makes nr_swapfiles 2: stable sort by type.
    assert_eq!(m.swapon(1, true), 1);
    assert_eq!(m.swapoff(1), 0);
    m.swapcache_free_entries(&[entry(2, 1), entry(0, 6), entry(1, 1), entry(0, 5)]);
    let texts: Vec<String> = m.take_events().into_iter().map(|e| e.text).collect();
    assert_eq!(
        texts,
        vec![
            "_swap_info_get: Unused swap offset entry 00000006",
            "_swap_info_get: Unused swap offset entry 00000005",
            "_swap_info_get: Bad swap file entry 400000000000001",
            "_swap_info_get: Bad swap file entry 800000000000001",
        ]
    );
}

#[test]
fn free_swap_and_cache_fast_path_releases_the_whole_range() {
    let mut m = with_device(1, true);
    counted(&mut m, 4, 1);
    // All four bytes equal and count 1, inside one cluster: one swap_entry_range_free.
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 1), 4), 0);
    assert_eq!(bytes(&m, 1..=4), vec![0; 4]);
    assert_eq!(m.device_inuse_pages(0), 0);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn free_swap_and_cache_fast_path_with_cache_leaves_cache_only_bytes() {
    let mut m = with_device(1, true);
    alloc_n(&mut m, 4);
    for off in 1..=4 {
        m.swap_duplicate(entry(0, off));
    }
    // 0x41 x 4: all become SWAP_HAS_CACHE; no folio in the swap cache covers them.
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 1), 4), 0);
    assert_eq!(bytes(&m, 1..=4), vec![SWAP_HAS_CACHE; 4]);
    assert_eq!(m.device_inuse_pages(0), 4);
}

#[test]
fn free_swap_and_cache_fallback_warns_on_free_slots() {
    let mut m = with_device(1, true);
    counted(&mut m, 2, 2);
    m.swap_free_nr(entry(0, 2), 1);
    // Bytes 2, 1, 0: not all equal -> slot by slot; slot 3 is free: WARN_ON_ONCE(1).
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 1), 3), 0);
    assert_eq!(bytes(&m, 1..=3), vec![1, 0, 0]);
    assert_eq!(m.take_events(), vec![warn("__swap_entries_free", "1")]);
}

#[test]
fn free_swap_and_cache_checks_its_entry() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 1);
    // non_swap_entry(): type >= MAX_SWAPFILES is silently ignored, as is entry 0.
    assert_eq!(m.free_swap_and_cache_nr(entry(27, 1), 1), 0);
    assert_eq!(m.free_swap_and_cache_nr(0, 1), 0);
    assert_eq!(m.take_events(), vec![]);
    assert_eq!(m.free_swap_and_cache_nr(entry(3, 1), 1), 0);
    assert_eq!(m.take_events(), vec![log("get_swap_device", "get_swap_device: Bad swap file entry c00000000000001")]);
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 512), 1), 0);
    assert_eq!(m.take_events(), vec![log("get_swap_device", "get_swap_device: Bad swap offset entry 00000200")]);
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 510), 3), 0);
    assert_eq!(m.take_events(), vec![warn("free_swap_and_cache_nr", "end_offset > si->max")]);
    assert_eq!(m.map_byte(entry(0, 1)), Some(1));
}

/// Four slots 4..=7 with one map reference each and the cache flag, and an order-2 folio
/// in the swap cache over them (as after swap-out of a large folio).
fn cached_folio(m: &mut Model, mapped: bool) -> u32 {
    assert_eq!(m.alloc_swap(0, 2), Ok(entry(0, 4)));
    for off in 4..=7 {
        m.swap_duplicate(entry(0, off));
    }
    let f = m.folio_new(2) as u32;
    m.folio_set_swap(f, entry(0, 4));
    m.folio_set_mapped(f, mapped);
    assert_eq!(m.swapcache_add(f), 0);
    f
}

#[test]
fn free_swap_and_cache_reclaims_an_unmapped_folio() {
    let mut m = with_device(1, true);
    let f = cached_folio(&mut m, false);
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 4), 4), 0);
    // Fast path -> 0x40 x 4; reclaim at 4 finds the folio, unmapped, all cache-only:
    // delete_from_swap_cache -> put_swap_folio(order 2) releases the range.
    assert_eq!(bytes(&m, 4..=7), vec![0; 4]);
    assert_eq!(m.device_inuse_pages(0), 0);
    assert_eq!(m.swapcache_del(f), -ENOENT);
    // folio->swap was cleared: adding it again is -EINVAL.
    assert_eq!(m.swapcache_add(f), -EINVAL);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn a_mapped_folio_is_kept_unless_swap_is_full() {
    let mut m = with_device(1, true);
    let f = cached_folio(&mut m, true);
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 4), 4), 0);
    // Mapped and vm_swap_full() false (507 * 2 >= 511): the folio stays.
    assert_eq!(bytes(&m, 4..=7), vec![SWAP_HAS_CACHE; 4]);
    assert_eq!(m.swapcache_del(f), 0);
    assert_eq!(m.swapcache_add(f), 0);
    // Fill the device past half: now vm_swap_full() and the next free reclaims it.
    for _ in 0..300 {
        m.alloc_swap(0, 0).unwrap();
    }
    m.swap_duplicate(entry(0, 5));
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 5), 1), 0);
    assert_eq!(bytes(&m, 4..=7), vec![0; 4]);
}

#[test]
fn reclaim_bugs_on_a_covered_slot_without_the_cache_flag() {
    let mut m = with_device(1, true);
    let _f = cached_folio(&mut m, false);
    // Drop the cache flag of slot 4 behind the folio's back, then free slot 5 alone:
    // it becomes cache-only, the folio covering it is found, and swap_is_has_cache over
    // the folio (from its first slot, 4: count 1, no cache flag) BUGs.
    m.swapcache_clear(entry(0, 4), 1);
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 5), 1), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("swap_is_has_cache", "!(*map & SWAP_HAS_CACHE)")]);
}

#[test]
fn the_fallback_underflows_a_cache_only_slot() {
    let mut m = with_device(1, true);
    alloc_n(&mut m, 2);
    m.swap_duplicate(entry(0, 1));
    m.swap_duplicate(entry(0, 1));
    m.swapcache_clear(entry(0, 1), 1);
    // Bytes 2, 0x40: the first count is not 1 -> slot by slot. Slot 2 is not 0, so it is
    // "freed": count 0 - 1 wraps to 0xff, with the cache flag the byte is 0xff.
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 1), 2), 0);
    assert_eq!(bytes(&m, 1..=2), vec![1, 0xff]);
    assert_eq!(m.take_events(), vec![]);
}
