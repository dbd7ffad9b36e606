//! Counts beyond SWAP_MAP_MAX: continuation pages, exact totals, raw bytes,
//! and how the pages are accounted for when the count drops and at swapoff.
//!
//! Digit layout (mm/swapfile.c, swap_count_continued / swp_swapcount): the
//! swap_map byte holds the low digit 0..=SWAP_MAP_MAX (62), base 63; each
//! continuation page holds one digit 0..=SWAP_CONT_MAX (127), base 128, at
//! the entry's offset within the map page. total = low + d1*63 + d2*63*128.
//! A page is added (add_swap_count_continuation, via swap_duplicate's
//! -ENOMEM retry) when every existing digit is full and one more reference
//! comes: at 63 references (62 + 1) the first, at 62 + 127*63 + 1 = 8064
//! the second, at 8064 + 127*63*128 = 1032192 the third.

mod common;
use common::*;
use cshim::{Kernel, Site};
use swapdiff_contract::prelude::*;

/// Continuation pages a count of `n` needs, from the layout above.
fn pages_for(n: u64) -> u64 {
    match n {
        0..=62 => 0,
        63..=8063 => 1,
        8064..=1_032_191 => 2,
        _ => 3,
    }
}

/// Duplicates a fresh slot `n` times, checking the exact count and the live
/// page count after every step.
fn duplicate(k: &mut Kernel, n: u64) -> u64 {
    let e = alloc_one(k, 0);
    for i in 1..=n {
        // swap_duplicate returns 0 after retrying through
        // add_swap_count_continuation when a new page is needed.
        assert_eq!(k.swap_duplicate(e), 0, "reference {i}");
        assert_eq!(k.swp_swapcount(e), i as i64, "swp_swapcount is exact");
        assert_eq!(k.live_allocs(Site::ContPage), pages_for(i), "pages after {i} references");
    }
    e
}

/// Drops every reference with swap_free_nr, checking the count each step;
/// the slot keeps SWAP_HAS_CACHE (__swap_entry_free_locked leaves the cache
/// bit when the count reaches 0).
fn free_all(k: &mut Kernel, e: u64, n: u64) {
    for left in (0..n).rev() {
        assert_eq!(k.swap_free_nr(e, 1), 0);
        assert_eq!(k.swp_swapcount(e), left as i64);
    }
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE));
}

#[test]
fn first_page_comes_with_the_63rd_reference() {
    let mut k = kernel_with_device(1);
    let e = duplicate(&mut k, 62);
    // 62 fits the map byte: no list yet.
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | SWAP_MAP_MAX));
    assert!(k.cont_digits(e).is_empty());
    assert_eq!(k.swap_duplicate(e), 0);
    // 63 = 0 + 1*63: the low digit wraps to 0 with COUNT_CONTINUED and the
    // first page's digit is 1 (init_map: *map = 0; *map += 1).
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | COUNT_CONTINUED));
    assert_eq!(k.cont_digits(e), vec![1]);
    assert!(k.take_events().is_empty(), "no warnings on the normal path");
}

#[test]
fn one_thousand_references() {
    let mut k = kernel_with_device(1);
    let e = duplicate(&mut k, 1000);
    // 1000 = 55 + 15*63: low digit 55 with COUNT_CONTINUED, plus the cache bit.
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | COUNT_CONTINUED | 55));
    assert_eq!(k.cont_digits(e), vec![15]);
    // swap_swapcount and __swap_count return swap_count(byte): the byte
    // without SWAP_HAS_CACHE, COUNT_CONTINUED included (not the total).
    assert_eq!(k.swap_swapcount(e), i64::from(COUNT_CONTINUED | 55));
    assert_eq!(k.__swap_count(e), i64::from(COUNT_CONTINUED | 55));

    free_all(&mut k, e, 1000);
    // swapcache_clear drops the cache reference: the count is 0, so
    // free_swap_slot -> swapcache_free_entries -> swap_entry_range_free
    // zeroes the byte and swap_range_free gives the slot back.
    assert_eq!(k.swapcache_clear(e, 1), 0);
    assert_eq!(k.map_byte(e), Some(0));
    assert_eq!(k.device_inuse_pages(0), 0);
    assert_eq!(k.nr_swap_pages(), 511);
    // The page stays on the list (only free_swap_count_continuations, at
    // swapoff, frees continuation pages).
    assert_eq!(k.live_allocs(Site::ContPage), 1);
    assert_eq!(k.cont_digits(e).len(), 1);
    assert_eq!(k.swapoff(0), 0);
    assert_eq!(k.live_allocs(Site::ContPage), 0);
}

#[test]
fn twenty_thousand_references() {
    let mut k = kernel_with_device(1);
    let e = duplicate(&mut k, 20_000);
    // 20000 = 29 + 61*63 + 2*8064: low digit 29; page 1 holds 61 and, as a
    // lower digit of a longer number, COUNT_CONTINUED; page 2 holds 2.
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE | COUNT_CONTINUED | 29));
    assert_eq!(k.cont_digits(e), vec![COUNT_CONTINUED | 61, 2]);

    free_all(&mut k, e, 20_000);
    // put_swap_folio of an order-0 folio drops the cache reference; the
    // count is 0 so the slot is freed.
    assert_eq!(k.put_swap_folio(e, 0), 0);
    assert_eq!(k.map_byte(e), Some(0));
    assert_eq!(k.device_inuse_pages(0), 0);
    assert_eq!(k.live_allocs(Site::ContPage), 2, "pages stay listed until swapoff");
    assert_eq!(k.cont_digits(e).len(), 2);
    assert_eq!(k.swapoff(0), 0);
    assert_eq!(k.live_allocs(Site::ContPage), 0);
    assert!(k.take_events().is_empty());
}

#[test]
fn neighbours_share_the_continuation_pages() {
    // One list per map page: a second entry on the same page reuses it
    // (add_swap_count_continuation finds the list exists and only appends
    // when all existing pages are full at that offset).
    let mut k = kernel_with_device(1);
    let a = duplicate(&mut k, 63);
    let b = alloc_one(&mut k, 0);
    for _ in 0..63 {
        assert_eq!(k.swap_duplicate(b), 0);
    }
    assert_eq!(k.swp_swapcount(b), 63);
    assert_eq!(k.live_allocs(Site::ContPage), 1);
    assert_eq!(k.cont_digits(a), vec![1]);
    assert_eq!(k.cont_digits(b), vec![1]);
}
