//! free_swap_and_cache_nr: dropping the last map reference, then reclaiming
//! the swap cache folio through __try_to_reclaim_swap(TTRS_UNMAPPED |
//! TTRS_FULL) when the folio is unmapped or swap is nearly full.

mod common;
use common::*;
use cshim::Kernel;
use swapdiff_contract::prelude::*;

/// A slot with one map reference whose folio sits in the swap cache.
fn cached_slot(k: &mut Kernel, mapped: bool) -> (u64, u32) {
    let e = alloc_one(k, 0);
    assert_eq!(k.swap_duplicate(e), 0);
    let f = k.folio_new(0) as u32;
    assert_eq!(k.folio_set_swap(f, e), 0);
    assert_eq!(k.swapcache_add(f), 0);
    assert_eq!(k.folio_set_mapped(f, mapped), 0);
    (e, f)
}

#[test]
fn unmapped_folio_is_reclaimed() {
    let mut k = kernel_with_device(1);
    let (e, f) = cached_slot(&mut k, false);
    assert_eq!(k.free_swap_and_cache_nr(e, 1), 0);
    // The count drops to 0 leaving SWAP_HAS_CACHE; the folio is not mapped,
    // so it is deleted from the swap cache and put_swap_folio frees the slot.
    assert_eq!(k.map_byte(e), Some(0));
    assert_eq!(k.device_inuse_pages(0), 0);
    assert_eq!(k.swapcache_del(f), ENOENT as i32, "delete_from_swap_cache unlinked it");
    assert!(k.take_events().is_empty());
}

#[test]
fn mapped_folio_stays_while_swap_is_not_full() {
    let mut k = kernel_with_device(1);
    let (e, f) = cached_slot(&mut k, true);
    // vm_swap_full(): nr_swap_pages * 2 < total_swap_pages, 510 * 2 >= 511.
    assert_eq!(k.free_swap_and_cache_nr(e, 1), 0);
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE));
    assert_eq!(k.swapcache_del(f), 0, "still in the swap cache");
}

#[test]
fn mapped_folio_is_reclaimed_when_swap_is_full() {
    let mut k = kernel_with_device(1);
    // Use 300 of 511 slots: 211 * 2 < 511, vm_swap_full() holds.
    for _ in 0..299 {
        alloc_one(&mut k, 0);
    }
    let (e, _) = cached_slot(&mut k, true);
    assert_eq!(k.nr_swap_pages(), 211);
    assert_eq!(k.free_swap_and_cache_nr(e, 1), 0);
    assert_eq!(k.map_byte(e), Some(0));
}

#[test]
fn range_past_the_device_warns() {
    let mut k = kernel_with_device(1);
    let e = cshim::entry(0, 510);
    // end_offset 513 > si->max 512: WARN_ON and nothing freed.
    assert_eq!(k.free_swap_and_cache_nr(e, 3), 0);
    assert_eq!(k.take_events(), vec![event(cshim::EventKind::Warn, "free_swap_and_cache_nr", "end_offset > si->max")]);
}
