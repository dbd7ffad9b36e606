//! Argument guards (ENVIRONMENT.md): calls the kernel would turn into memory
//! corruption are refused, the rest reach the kernel's own checks, and no
//! input crashes the process.

mod common;
use common::*;
use cshim::{entry, EventKind, Kernel, Site, REFUSED};
use swapdiff_contract::prelude::*;

#[test]
fn guard_table() {
    let mut k = kernel_with_device(1); // max 512
    let last = entry(0, 511);
    for nr in [0, -1, 513, i32::MIN, i32::MAX] {
        assert_eq!(k.__swap_duplicate(last, 1, nr), REFUSED, "nr {nr}");
        assert_eq!(k.swapcache_prepare(last, nr), REFUSED);
        assert_eq!(k.swap_shmem_alloc(last, nr), REFUSED);
        assert_eq!(k.swapcache_clear(last, nr), REFUSED);
        assert_eq!(k.swap_free_nr(last, nr), REFUSED);
        assert_eq!(k.free_swap_and_cache_nr(last, nr), REFUSED);
    }
    // Past the map with a device: the range would be read unchecked.
    assert_eq!(k.__swap_duplicate(last, 1, 2), REFUSED);
    assert_eq!(k.swap_duplicate(entry(0, 512)), REFUSED);
    assert_eq!(k.swapcache_prepare(entry(0, 600), 1), REFUSED);
    assert_eq!(k.swapcache_clear(last, 2), REFUSED);
    assert_eq!(k.swap_free_nr(entry(0, 510), 3), REFUSED);
    assert_eq!(k.put_swap_folio(entry(0, 510), 2), REFUSED);
    assert_eq!(k.put_swap_folio(last, 5), REFUSED);
    assert_eq!(k.put_swap_folio(last, u32::MAX), REFUSED);
    assert_eq!(k.__swap_count(entry(0, 512)), REFUSED);
    assert_eq!(k.swap_swapcount(entry(0, 512)), REFUSED);
    // swapcache_clear, __swap_count, swap_swapcount dereference si.
    assert_eq!(k.swapcache_clear(entry(2, 1), 1), REFUSED);
    assert_eq!(k.__swap_count(entry(2, 1)), REFUSED);
    assert_eq!(k.swap_swapcount(entry(9, 1)), REFUSED);
    assert_eq!(k.swapcache_free_entries(&[1; 65]), REFUSED);
    assert!(k.take_events().is_empty(), "refused calls never reach the kernel");
}

#[test]
fn checks_the_kernel_makes_itself_are_passed_through() {
    let mut k = kernel_with_device(1);
    // An offset past the map: _swap_info_get's "Bad swap offset entry".
    let far = entry(0, 600);
    assert_eq!(k.swap_free_nr(far, 4), 0);
    assert_eq!(k.put_swap_folio(far, 4), 0);
    assert_eq!(k.swp_swapcount(far), 0);
    let bad_offset = format!("_swap_info_get: Bad swap offset entry {far:08x}");
    assert_eq!(k.take_events(), vec![event(EventKind::Log, "_swap_info_get", &bad_offset); 3]);
    // A free slot: "Unused swap offset entry".
    assert_eq!(k.swap_free_nr(entry(0, 3), 1), 0);
    assert_eq!(
        k.take_events(),
        vec![event(EventKind::Log, "_swap_info_get", "_swap_info_get: Unused swap offset entry 00000003")]
    );
    // No device: "Bad swap file entry"; entry 0 is silently ignored.
    assert_eq!(k.swp_swapcount(entry(1, 3)), 0);
    assert_eq!(k.swp_swapcount(0), 0);
    let bad_file = format!("_swap_info_get: Bad swap file entry {:08x}", entry(1, 3));
    assert_eq!(k.take_events(), vec![event(EventKind::Log, "_swap_info_get", &bad_file)]);
    // get_swap_device in add_swap_count_continuation and
    // free_swap_and_cache_nr reports the same way; non_swap_entry (type >=
    // MAX_SWAPFILES) returns before that.
    assert_eq!(k.add_swap_count_continuation(far), 0);
    assert_eq!(k.free_swap_and_cache_nr(entry(40, 1), 1), 0);
    assert_eq!(
        k.take_events(),
        vec![event(EventKind::Log, "get_swap_device", &format!("get_swap_device: Bad swap offset entry {far:08x}"))]
    );
    assert_eq!(k.live_allocs(Site::ContPage), 0, "the unused page was freed");
}

/// Every entry point and service with hostile arguments: no crash, and a
/// reset afterwards leaves nothing live.
#[test]
fn hostile_arguments_never_crash() {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(1, true), 0);
    assert_eq!(k.swapon(4, false), 1);
    let f = k.folio_new(4) as u32;
    let types = [0u32, 1, 2, 3, 4, 26, 27, 31, 63];
    let offsets = [0u64, 1, 511, 512, 2047, 2048, 1 << 20, (1 << 58) - 1];
    let nrs = [-5, 0, 1, 2, 16, 512, 513];
    for &ty in &types {
        for &off in &offsets {
            let e = entry(ty, off);
            for &nr in &nrs {
                for usage in [0u8, 1, 0x3e, 0x3f, 0x40, 0x80, 0xbf, 0xff] {
                    k.__swap_duplicate(e, usage, nr);
                }
                k.swapcache_prepare(e, nr);
                k.swap_shmem_alloc(e, nr);
                k.swapcache_clear(e, nr);
                k.swap_free_nr(e, nr);
                k.free_swap_and_cache_nr(e, nr);
            }
            k.swap_duplicate(e);
            k.add_swap_count_continuation(e);
            k.put_swap_folio(e, 0);
            k.put_swap_folio(e, 4);
            k.swapcache_free_entries(&[e, e.wrapping_add(1), entry(0, 1)]);
            k.__swap_count(e);
            k.swap_swapcount(e);
            k.swp_swapcount(e);
            k.mark_bad(e);
            k.map_byte(e);
            k.cont_digits(e);
            k.folio_set_swap(f, e);
            k.arch_prepare_to_swap(f);
            k.arch_swap_restore(e, f);
            k.mte_save_tags(f, 3);
            k.mte_restore_tags(e, f, 15);
            k.mte_invalidate_tags(ty, off);
            k.arch_swap_invalidate_page(ty, off);
            // Traps leave locks taken; start each round from a clean state
            // so later calls exercise more than the self-deadlock path.
            k.take_events();
            k.env_reset();
            assert_eq!(k.swapon(1, true), 0);
            assert_eq!(k.swapon(4, false), 1);
            assert_eq!(k.folio_new(4), 0);
        }
        k.mte_invalidate_tags_area(ty);
        k.arch_swap_invalidate_area(ty);
        k.swapoff(ty);
    }
    for bad in [u32::MAX, i32::MAX as u32, 8, 100] {
        k.mte_invalidate_tags_area(bad);
        k.swapoff(bad);
        k.folio_free(bad);
        k.arch_prepare_to_swap(bad);
        k.mte_save_tags(0, bad);
        k.page_get(bad, 0);
        k.cluster(bad, bad);
        k.alloc_swap(bad, bad).ok();
        k.fault_arm(Site::XaNode, bad);
    }
    k.env_reset();
    for site in Site::ALL {
        assert_eq!(k.live_allocs(site), 0);
    }
}
