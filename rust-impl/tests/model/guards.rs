//! The argument guards of ENVIRONMENT.md: calls the kernel would turn into memory
//! corruption are refused before any kernel code runs; the rest go through so the
//! kernel's own checks are exercised.

use crate::common::*;

#[test]
fn refused_calls_change_nothing_and_record_nothing() {
    let mut m = with_device(1, true); // max 512
    alloc_n(&mut m, 1);
    let refused: Vec<(&str, i64)> = vec![
        ("__swap_duplicate nr 0", m.__swap_duplicate(entry(0, 1), 1, 0)),
        ("__swap_duplicate nr 513", m.__swap_duplicate(entry(0, 1), 1, 513)),
        ("__swap_duplicate past max", m.__swap_duplicate(entry(0, 511), 1, 2)),
        ("swapcache_prepare past max", m.swapcache_prepare(entry(0, 512), 1)),
        ("swap_shmem_alloc nr -1", m.swap_shmem_alloc(entry(0, 1), -1)),
        ("swap_duplicate past max", m.swap_duplicate(entry(0, 512))),
        ("swapcache_clear no device", m.swapcache_clear(entry(1, 1), 1)),
        ("swapcache_clear nr 0", m.swapcache_clear(entry(0, 1), 0)),
        ("swapcache_clear past max", m.swapcache_clear(entry(0, 511), 2)),
        ("swap_free_nr nr 0", m.swap_free_nr(entry(0, 1), 0)),
        ("swap_free_nr leaves the map", m.swap_free_nr(entry(0, 511), 2)),
        ("put_swap_folio order 5", m.put_swap_folio(entry(0, 1), 5)),
        ("put_swap_folio leaves the map", m.put_swap_folio(entry(0, 510), 2)),
        ("swapcache_free_entries 65", m.swapcache_free_entries(&[entry(0, 1); 65])),
        ("free_swap_and_cache_nr nr 0", m.free_swap_and_cache_nr(entry(0, 1), 0)),
        ("free_swap_and_cache_nr nr 513", m.free_swap_and_cache_nr(entry(0, 1), 513)),
        ("__swap_count no device", m.__swap_count(entry(1, 1))),
        ("__swap_count past max", m.__swap_count(entry(0, 512))),
        ("swap_swapcount past max", m.swap_swapcount(entry(0, 512))),
    ];
    for (what, r) in refused {
        assert_eq!(r, REFUSED, "{what}");
    }
    assert_eq!(m.take_events(), vec![]);
    assert_eq!(m.map_byte(entry(0, 1)), Some(SWAP_HAS_CACHE));
    assert_eq!(m.device_inuse_pages(0), 1);
}

#[test]
fn what_the_kernel_checks_itself_goes_through() {
    let mut m = with_device(1, true);
    // No device: __swap_duplicate's own WARN_ON_ONCE(!si), even for a range that would
    // leave a map.
    assert_eq!(m.__swap_duplicate(entry(1, 600), 1, 2), -EINVAL as i64);
    assert_eq!(m.take_events()[0], warn("__swap_duplicate", "!si"));
    // A start past the map reaches _swap_info_get's bad-offset message.
    assert_eq!(m.swap_free_nr(entry(0, 600), 2), 0);
    assert_eq!(m.put_swap_folio(entry(0, 512), 2), 0);
    let texts: Vec<String> = m.take_events().into_iter().map(|e| e.text).collect();
    assert_eq!(
        texts,
        vec!["_swap_info_get: Bad swap offset entry 00000258", "_swap_info_get: Bad swap offset entry 00000200"]
    );
    // free_swap_and_cache_nr keeps its own WARN for a range past the map.
    assert_eq!(m.free_swap_and_cache_nr(entry(0, 510), 3), 0);
    assert_eq!(m.take_events(), vec![warn("free_swap_and_cache_nr", "end_offset > si->max")]);
    // 64 entries is the largest batch.
    assert_eq!(m.swapcache_free_entries(&[0; 64]), 0);
    // Never refused.
    assert_eq!(m.add_swap_count_continuation(entry(9, 1)), 0);
    assert_eq!(m.swp_swapcount(entry(9, 1)), 0);
    assert_eq!(m.mte_invalidate_tags(77, 1 << 60), 0);
}
