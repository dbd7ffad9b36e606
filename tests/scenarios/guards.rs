//! The argument guards of ENVIRONMENT.md: calls the kernel would turn into memory
//! corruption are refused before any kernel code runs; the rest go through so the
//! kernel's own checks are exercised; and no input crashes either engine.

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, Site, REFUSED};
use swapdiff_contract::{EINVAL, SWAP_HAS_CACHE};

use crate::{alloc_n, log, on_both, warn, with_device};

#[test]
fn refused_calls_change_nothing_and_record_nothing() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true); // max 512
        alloc_n(e, 1);
        let last = entry(0, 511);
        // A batch size outside 1..=SWAPFILE_CLUSTER, at the first and at the last slot.
        for at in [entry(0, 1), last] {
            for nr in [0, -1, 513, i32::MIN, i32::MAX] {
                assert_eq!(e.__swap_duplicate(at, 1, nr), REFUSED, "nr {nr}");
                assert_eq!(e.swapcache_prepare(at, nr), REFUSED, "nr {nr}");
                assert_eq!(e.swap_shmem_alloc(at, nr), REFUSED, "nr {nr}");
                assert_eq!(e.swapcache_clear(at, nr), REFUSED, "nr {nr}");
                assert_eq!(e.swap_free_nr(at, nr), REFUSED, "nr {nr}");
                assert_eq!(e.free_swap_and_cache_nr(at, nr), REFUSED, "nr {nr}");
            }
        }
        let refused: Vec<(&str, i64)> = vec![
            // Past the map with a device: the range would be read unchecked.
            ("__swap_duplicate past max", e.__swap_duplicate(last, 1, 2)),
            ("swap_duplicate past max", e.swap_duplicate(entry(0, 512))),
            ("swapcache_prepare past max", e.swapcache_prepare(entry(0, 512), 1)),
            ("swapcache_prepare far past max", e.swapcache_prepare(entry(0, 600), 1)),
            ("swapcache_clear past max", e.swapcache_clear(last, 2)),
            ("swap_free_nr leaves the map", e.swap_free_nr(last, 2)),
            ("swap_free_nr leaves the map by 1", e.swap_free_nr(entry(0, 510), 3)),
            ("put_swap_folio leaves the map", e.put_swap_folio(entry(0, 510), 2)),
            ("put_swap_folio order 5 at 1", e.put_swap_folio(entry(0, 1), 5)),
            ("put_swap_folio order 5 at the end", e.put_swap_folio(last, 5)),
            ("put_swap_folio order u32::MAX", e.put_swap_folio(last, u32::MAX)),
            ("__swap_count past max", e.__swap_count(entry(0, 512))),
            ("swap_swapcount past max", e.swap_swapcount(entry(0, 512))),
            // swapcache_clear, __swap_count and swap_swapcount dereference si unchecked.
            ("swapcache_clear no device", e.swapcache_clear(entry(1, 1), 1)),
            ("swapcache_clear no device, type 2", e.swapcache_clear(entry(2, 1), 1)),
            ("__swap_count no device", e.__swap_count(entry(1, 1))),
            ("__swap_count no device, type 2", e.__swap_count(entry(2, 1))),
            ("swap_swapcount no device", e.swap_swapcount(entry(9, 1))),
            // More than the slot cache's 64 entries.
            ("swapcache_free_entries 65", e.swapcache_free_entries(&[entry(0, 1); 65])),
        ];
        for (what, r) in refused {
            assert_eq!(r, REFUSED, "{what}");
        }
        // Refused calls never reach the kernel code: no event, no change.
        assert_eq!(e.take_events(), crate::NO_EVENTS);
        assert_eq!(e.map_byte(entry(0, 1)), Some(SWAP_HAS_CACHE));
        assert_eq!(e.device_inuse_pages(0), 1);
    });
}

#[test]
fn what_the_kernel_checks_itself_goes_through() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // An offset past the map: _swap_info_get's "Bad swap offset entry".
        let far = entry(0, 600);
        assert_eq!(e.swap_free_nr(far, 4), 0);
        assert_eq!(e.put_swap_folio(far, 4), 0);
        assert_eq!(e.swp_swapcount(far), 0);
        let bad_offset = format!("_swap_info_get: Bad swap offset entry {far:08x}");
        assert_eq!(e.take_events(), vec![log("_swap_info_get", &bad_offset); 3]);
        assert_eq!(e.swap_free_nr(entry(0, 600), 2), 0);
        assert_eq!(e.put_swap_folio(entry(0, 512), 2), 0);
        let texts: Vec<String> = e.take_events().into_iter().map(|e| e.message().into_owned()).collect();
        assert_eq!(
            texts,
            vec!["_swap_info_get: Bad swap offset entry 00000258", "_swap_info_get: Bad swap offset entry 00000200"]
        );
        // A free slot: "Unused swap offset entry".
        assert_eq!(e.swap_free_nr(entry(0, 3), 1), 0);
        assert_eq!(e.take_events(), vec![log("_swap_info_get", "_swap_info_get: Unused swap offset entry 00000003")]);
        // No device: "Bad swap file entry"; entry 0 is silently ignored.
        assert_eq!(e.swp_swapcount(entry(1, 3)), 0);
        assert_eq!(e.swp_swapcount(0), 0);
        let bad_file = format!("_swap_info_get: Bad swap file entry {:08x}", entry(1, 3));
        assert_eq!(e.take_events(), vec![log("_swap_info_get", &bad_file)]);
        // No device: __swap_duplicate's own WARN_ON_ONCE(!si), even for a range that
        // would leave a map.
        assert_eq!(e.__swap_duplicate(entry(1, 600), 1, 2), -i64::from(EINVAL));
        assert_eq!(e.take_events()[0], warn("__swap_duplicate", "!si"));
        // get_swap_device in add_swap_count_continuation and free_swap_and_cache_nr
        // reports the same way; non_swap_entry (type >= MAX_SWAPFILES) returns before that.
        assert_eq!(e.add_swap_count_continuation(far), 0);
        assert_eq!(e.free_swap_and_cache_nr(entry(40, 1), 1), 0);
        assert_eq!(
            e.take_events(),
            vec![log("get_swap_device", &format!("get_swap_device: Bad swap offset entry {far:08x}"))]
        );
        assert_eq!(e.live_allocs(Site::ContPage), 0, "the unused page was freed");
        // free_swap_and_cache_nr keeps its own WARN for a range past the map.
        assert_eq!(e.free_swap_and_cache_nr(entry(0, 510), 3), 0);
        assert_eq!(e.take_events(), vec![warn("free_swap_and_cache_nr", "end_offset > si->max")]);
        // 64 entries is the largest batch.
        assert_eq!(e.swapcache_free_entries(&[0; 64]), 0);
        // Never refused.
        assert_eq!(e.add_swap_count_continuation(entry(9, 1)), 0);
        assert_eq!(e.swp_swapcount(entry(9, 1)), 0);
        assert_eq!(e.mte_invalidate_tags(77, 1 << 60), 0);
    });
}

/// Every entry point and service with hostile arguments: no crash, no panic, and a reset
/// afterwards leaves nothing live. The return values are not compared call by call: a
/// trap leaves the kernel's locks held (the next call self-deadlocks, traps.rs in cshim),
/// which the model does not follow, so the values differ by design after the first trap
/// of a round; the fuzz targets compare such programs up to their trap.
#[test]
fn hostile_arguments_never_crash() {
    on_both(|e: &mut dyn Engine| {
        assert_eq!(e.swapon(1, swapdiff_contract::DEV_SSD), 0);
        assert_eq!(e.swapon(4, 0), 1);
        let f = e.folio_new(4) as u32;
        let types = [0u32, 1, 2, 3, 4, 26, 27, 31, 63];
        let offsets = [0u64, 1, 511, 512, 2047, 2048, 1 << 20, (1 << 58) - 1];
        let nrs = [-5, 0, 1, 2, 16, 512, 513];
        for &ty in &types {
            for &off in &offsets {
                let s = entry(ty, off);
                for &nr in &nrs {
                    for usage in [0u8, 1, 0x3e, 0x3f, 0x40, 0x80, 0xbf, 0xff] {
                        e.__swap_duplicate(s, usage, nr);
                    }
                    e.swapcache_prepare(s, nr);
                    e.swap_shmem_alloc(s, nr);
                    e.swapcache_clear(s, nr);
                    e.swap_free_nr(s, nr);
                    e.free_swap_and_cache_nr(s, nr);
                }
                e.swap_duplicate(s);
                e.add_swap_count_continuation(s);
                e.put_swap_folio(s, 0);
                e.put_swap_folio(s, 4);
                e.swapcache_free_entries(&[s, s.wrapping_add(1), entry(0, 1)]);
                e.__swap_count(s);
                e.swap_swapcount(s);
                e.swp_swapcount(s);
                e.mark_bad(s);
                e.map_byte(s);
                e.cont_digits(s);
                e.folio_set_swap(f, s);
                e.arch_prepare_to_swap(f);
                e.arch_swap_restore(s, f);
                e.mte_save_tags(f, 3);
                e.mte_restore_tags(s, f, 15);
                e.mte_invalidate_tags(ty, off);
                e.arch_swap_invalidate_page(ty, off);
                // Traps leave locks taken; start each round from a clean state so later
                // calls exercise more than the self-deadlock path.
                e.take_events();
                e.env_reset();
                assert_eq!(e.swapon(1, swapdiff_contract::DEV_SSD), 0);
                assert_eq!(e.swapon(4, 0), 1);
                assert_eq!(e.folio_new(4), 0);
            }
            e.mte_invalidate_tags_area(ty);
            e.arch_swap_invalidate_area(ty);
            e.swapoff(ty);
        }
        for bad in [u32::MAX, i32::MAX as u32, 8, 100] {
            e.mte_invalidate_tags_area(bad);
            e.swapoff(bad);
            e.folio_free(bad);
            e.arch_prepare_to_swap(bad);
            e.mte_save_tags(0, bad);
            e.page_get(bad, 0);
            e.cluster(bad, bad);
            e.alloc_swap(bad, bad).ok();
            e.fault_arm(Site::XaNode, bad);
        }
        e.env_reset();
        for site in Site::ALL {
            assert_eq!(e.live_allocs(site), 0);
        }
    });
}
