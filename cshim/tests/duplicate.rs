//! __swap_duplicate and its wrappers: the cache reference
//! (swapcache_prepare), shmem's reference, the debug checks, and a failing
//! continuation-page allocation.

mod common;
use common::*;
use cshim::{entry, EventKind, Site};
use swapdiff_contract::prelude::*;

#[test]
fn swapcache_prepare_twice_is_eexist() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    // Turn the allocator's cache reference into a map reference: +1, then
    // drop the cache bit (put_swap_folio -> __swap_entry_free_locked with
    // SWAP_HAS_CACHE; count 1 remains so nothing is freed).
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.put_swap_folio(e, 0), 0);
    assert_eq!(k.map_byte(e), Some(1));
    // __swap_duplicate(SWAP_HAS_CACHE): sets the bit when it is clear ...
    assert_eq!(k.swapcache_prepare(e, 1), 0);
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | 1));
    // ... and reports -EEXIST when a cache reference exists already.
    assert_eq!(k.swapcache_prepare(e, 1), EEXIST);
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | 1));
}

#[test]
fn swapcache_prepare_on_free_or_bad_slots_is_enoent() {
    let mut k = kernel_with_device(1);
    // Byte 0: "!count && !has_cache" -> -ENOENT.
    assert_eq!(k.swapcache_prepare(entry(0, 5), 1), ENOENT);
    // SWAP_MAP_BAD (swapon's header slot 0, or a marked slot) is checked
    // first, "swapin_readahead() doesn't check": -ENOENT.
    assert_eq!(k.swapcache_prepare(entry(0, 0), 1), ENOENT);
    assert_eq!(k.mark_bad(entry(0, 7)), 0);
    assert_eq!(k.swapcache_prepare(entry(0, 7), 1), ENOENT);
    // Nothing changed and nothing was reported.
    assert_eq!(k.map_byte(entry(0, 5)), Some(0));
    assert_eq!(k.map_byte(entry(0, 7)), Some(SWAP_MAP_BAD));
    assert!(k.take_events().is_empty());
}

#[test]
fn swapcache_prepare_without_a_device_is_einval_and_warns() {
    let mut k = kernel_with_device(1);
    let e = entry(3, 5);
    // swp_swap_info(entry) is NULL: WARN_ON_ONCE(!si), a ratelimited
    // pr_err of Bad_file and -EINVAL (the early-2025 fix in 6.12.117).
    assert_eq!(k.swapcache_prepare(e, 1), EINVAL);
    assert_eq!(
        k.take_events(),
        vec![
            event(EventKind::Warn, "__swap_duplicate", "!si"),
            event(EventKind::Log, "__swap_duplicate", &format!("Bad swap file entry {e:08x}")),
        ]
    );
}

#[test]
fn shmem_reference_then_free() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    // usage SWAP_MAP_SHMEM on count 0: "count += usage" makes the count
    // 0xbf (BAD | COUNT_CONTINUED, shmem's single reference); cache kept.
    assert_eq!(k.swap_shmem_alloc(e, 1), 0);
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | SWAP_MAP_SHMEM));
    // swap_free_nr: __swap_entry_free_locked treats SWAP_MAP_SHMEM as the
    // last reference (count = 0) and the cache bit stays.
    assert_eq!(k.swap_free_nr(e, 1), 0);
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE));
    assert!(k.take_events().is_empty());
}

#[test]
fn map_reference_with_nr_above_one_warns() {
    let mut k = kernel_with_device(1);
    let e = k.alloc_swap(0, 1).expect("two aligned free slots");
    assert_eq!(e, entry(0, 2), "order 1: the lowest free aligned pair is 2..=3");
    // VM_WARN_ON(usage == 1 && nr > 1): the two-pass code has no rollback,
    // which is only safe for one entry. The call still goes ahead.
    assert_eq!(k.__swap_duplicate(e, 1, 2), 0);
    assert_eq!(k.take_events(), vec![event(EventKind::Warn, "__swap_duplicate", "usage == 1 && nr > 1")]);
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | 1));
    assert_eq!(k.map_byte(e + 1), Some(SWAP_HAS_CACHE | 1));
}

#[test]
fn failing_continuation_page_allocation() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    for _ in 0..62 {
        assert_eq!(k.swap_duplicate(e), 0);
    }
    k.fault_arm(Site::ContPage, 1);
    // The 63rd reference needs a page; alloc_page fails, so
    // add_swap_count_continuation returns -ENOMEM and swap_duplicate with it.
    assert_eq!(k.swap_duplicate(e), ENOMEM);
    assert_eq!(k.swp_swapcount(e), 62, "count unchanged");
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | SWAP_MAP_MAX));
    assert!(k.cont_digits(e).is_empty());
    assert_eq!(k.live_allocs(Site::ContPage), 0);
    // The fault fired once; the next attempt gets its page.
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.swp_swapcount(e), 63);
    assert_eq!(k.live_allocs(Site::ContPage), 1);
}

#[test]
fn raw_duplicate_without_continuation_is_enomem() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    for _ in 0..62 {
        assert_eq!(k.__swap_duplicate(e, 1, 1), 0);
    }
    // At SWAP_MAP_MAX with no list, swap_count_continued says "need a
    // page": -ENOMEM and no change (the caller is expected to add one).
    assert_eq!(k.__swap_duplicate(e, 1, 1), ENOMEM);
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | SWAP_MAP_MAX));
    assert_eq!(k.add_swap_count_continuation(e), 0);
    assert_eq!(k.live_allocs(Site::ContPage), 1);
    assert_eq!(k.__swap_duplicate(e, 1, 1), 0);
    assert_eq!(k.swp_swapcount(e), 63);
}
