//! Counts beyond SWAP_MAP_MAX: continuation pages, exact totals, raw bytes, how the pages
//! are accounted for when the count drops and at swapoff, add_swap_count_continuation and
//! its failures.
//!
//! Digit layout (mm/swapfile.c, swap_count_continued / swp_swapcount): the swap_map byte
//! holds the low digit 0..=SWAP_MAP_MAX (62), base 63; each continuation page holds one
//! digit 0..=SWAP_CONT_MAX (127), base 128, at the entry's offset within the map page.
//! total = low + d1*63 + d2*63*128. A page is added (add_swap_count_continuation, via
//! swap_duplicate's -ENOMEM retry) when every existing digit is full and one more
//! reference comes: at 63 references (62 + 1) the first, at 62 + 127*63 + 1 = 8064 the
//! second, at 8064 + 127*63*128 = 1032192 the third.

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, Entry, Site, TRAPPED};
use swapdiff_contract::{COUNT_CONTINUED, ENOMEM, PAGE_POISON, SWAP_CONT_MAX, SWAP_HAS_CACHE, SWAP_MAP_MAX};

use crate::{bug, counted, err, log, on_both, with_device};

/// Continuation pages a count of `n` needs, from the layout above.
fn pages_for(n: u64) -> u64 {
    match n {
        0..=62 => 0,
        63..=8063 => 1,
        8064..=1_032_191 => 2,
        _ => 3,
    }
}

/// Allocates a fresh order-0 slot and duplicates it `n` times, checking the exact count
/// and the live page count after every step.
fn duplicate(e: &mut dyn Engine, n: u64) -> Entry {
    let s = e.alloc_swap(0, 0).expect("a free slot");
    // The allocator hands slots out with the swap cache's reference.
    assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE));
    for i in 1..=n {
        // swap_duplicate returns 0 after retrying through add_swap_count_continuation
        // when a new page is needed.
        assert_eq!(e.swap_duplicate(s), 0, "reference {i}");
        assert_eq!(e.swp_swapcount(s), i as i64, "swp_swapcount is exact");
        assert_eq!(e.live_allocs(Site::ContPage), pages_for(i), "pages after {i} references");
    }
    s
}

/// Drops every reference with swap_free_nr, checking the count each step; the slot keeps
/// SWAP_HAS_CACHE (__swap_entry_free_locked leaves the cache bit when the count reaches 0).
fn free_all(e: &mut dyn Engine, s: Entry, n: u64) {
    for left in (0..n).rev() {
        assert_eq!(e.swap_free_nr(s, 1), 0);
        assert_eq!(e.swp_swapcount(s), left as i64);
    }
    assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE));
}

#[test]
fn first_page_comes_with_the_63rd_reference() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let s = duplicate(e, 62);
        // 62 fits the map byte: no list yet.
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | SWAP_MAP_MAX));
        assert!(e.cont_digits(s).is_empty());
        assert_eq!(e.swap_duplicate(s), 0);
        // 63 = 0 + 1*63: the low digit wraps to 0 with COUNT_CONTINUED and the first
        // page's digit is 1 (init_map: *map = 0; *map += 1).
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | COUNT_CONTINUED));
        assert_eq!(e.cont_digits(s), vec![1]);
        assert!(e.take_events().is_empty(), "no warnings on the normal path");
    });
}

#[test]
fn the_63rd_reference_links_a_continuation_page() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 62);
        let s = entry(0, 1);
        assert_eq!(e.map_byte(s), Some(SWAP_MAP_MAX));
        // __swap_duplicate alone: the carry finds no list (and no COUNT_CONTINUED, so no
        // BUG): -ENOMEM, nothing written.
        assert_eq!(e.__swap_duplicate(s, 1, 1), err(ENOMEM));
        assert_eq!(e.map_byte(s), Some(SWAP_MAP_MAX));
        assert_eq!(e.live_allocs(Site::ContPage), 0);
        // swap_duplicate links a page and retries: digit 1 in page 1, low digit 0.
        assert_eq!(e.swap_duplicate(s), 0);
        assert_eq!(e.map_byte(s), Some(COUNT_CONTINUED));
        assert_eq!(e.cont_digits(s), vec![1]);
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        assert_eq!(e.swp_swapcount(s), 63);
        // __swap_count/swap_swapcount only see the map byte.
        assert_eq!(e.__swap_count(s), 0x80);
        for _ in 0..62 {
            e.swap_duplicate(s);
        }
        // 125 = low 62 + 1 * 63.
        assert_eq!(e.map_byte(s), Some(SWAP_MAP_MAX | COUNT_CONTINUED));
        assert_eq!(e.swp_swapcount(s), 125);
        e.swap_duplicate(s);
        assert_eq!((e.map_byte(s), e.cont_digits(s)), (Some(COUNT_CONTINUED), vec![2]));
        assert_eq!(e.swp_swapcount(s), 126);
        // One reference back: borrow from page 1 (2 -> 1, still more) -> 0x3e | CONTINUED.
        assert_eq!(e.swap_free_nr(s, 1), 0);
        assert_eq!((e.map_byte(s), e.cont_digits(s)), (Some(SWAP_MAP_MAX | COUNT_CONTINUED), vec![1]));
        assert_eq!(e.swp_swapcount(s), 125);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn raw_duplicate_without_continuation_is_enomem_until_one_is_added() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let s = e.alloc_swap(0, 0).expect("a free slot");
        for _ in 0..62 {
            assert_eq!(e.__swap_duplicate(s, 1, 1), 0);
        }
        // At SWAP_MAP_MAX with no list, swap_count_continued says "need a page": -ENOMEM
        // and no change (the caller is expected to add one).
        assert_eq!(e.__swap_duplicate(s, 1, 1), err(ENOMEM));
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | SWAP_MAP_MAX));
        assert_eq!(e.add_swap_count_continuation(s), 0);
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        assert_eq!(e.__swap_duplicate(s, 1, 1), 0);
        assert_eq!(e.swp_swapcount(s), 63);
    });
}

#[test]
fn the_8064th_reference_links_a_second_page() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        // 8063 = 62 + 127 * 63 references fit in the map byte and one page.
        counted(e, 1, 8063);
        let s = entry(0, 1);
        assert_eq!(e.map_byte(s), Some(SWAP_MAP_MAX | COUNT_CONTINUED));
        assert_eq!(e.cont_digits(s), vec![SWAP_CONT_MAX]);
        assert_eq!(e.swp_swapcount(s), 8063);
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        assert_eq!(e.swap_duplicate(s), 0);
        // Page 1 becomes "0, continues", page 2 holds 1: 0 + 0 * 63 + 1 * 63 * 128.
        assert_eq!(e.map_byte(s), Some(COUNT_CONTINUED));
        assert_eq!(e.cont_digits(s), vec![COUNT_CONTINUED, 1]);
        assert_eq!(e.swp_swapcount(s), 8064);
        assert_eq!(e.live_allocs(Site::ContPage), 2);
        // Back to 8063: page 2 -> 0 and page 1 refilled to SWAP_CONT_MAX without CONTINUED.
        assert_eq!(e.swap_free_nr(s, 1), 0);
        assert_eq!(e.cont_digits(s), vec![SWAP_CONT_MAX, 0]);
        assert_eq!(e.map_byte(s), Some(SWAP_MAP_MAX | COUNT_CONTINUED));
        assert_eq!(e.swp_swapcount(s), 8063);
        // A neighbour slot sees poison in both pages.
        assert_eq!(e.cont_digits(entry(0, 2)), vec![PAGE_POISON, PAGE_POISON]);
    });
}

#[test]
fn one_thousand_references() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let s = duplicate(e, 1000);
        // 1000 = 55 + 15*63: low digit 55 with COUNT_CONTINUED, plus the cache bit.
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | COUNT_CONTINUED | 55));
        assert_eq!(e.cont_digits(s), vec![15]);
        // swap_swapcount and __swap_count return swap_count(byte): the byte without
        // SWAP_HAS_CACHE, COUNT_CONTINUED included (not the total).
        assert_eq!(e.swap_swapcount(s), i64::from(COUNT_CONTINUED | 55));
        assert_eq!(e.__swap_count(s), i64::from(COUNT_CONTINUED | 55));

        free_all(e, s, 1000);
        // swapcache_clear drops the cache reference: the count is 0, so free_swap_slot
        // -> swapcache_free_entries -> swap_entry_range_free zeroes the byte and
        // swap_range_free gives the slot back.
        assert_eq!(e.swapcache_clear(s, 1), 0);
        assert_eq!(e.map_byte(s), Some(0));
        assert_eq!(e.device_inuse_pages(0), 0);
        assert_eq!(e.nr_swap_pages(), 511);
        // The page stays on the list (only free_swap_count_continuations, at swapoff,
        // frees continuation pages).
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        assert_eq!(e.cont_digits(s).len(), 1);
        assert_eq!(e.swapoff(0), 0);
        assert_eq!(e.live_allocs(Site::ContPage), 0);
    });
}

#[test]
fn twenty_thousand_references() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let s = duplicate(e, 20_000);
        // 20000 = 29 + 61*63 + 2*8064: low digit 29; page 1 holds 61 and, as a lower
        // digit of a longer number, COUNT_CONTINUED; page 2 holds 2.
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | COUNT_CONTINUED | 29));
        assert_eq!(e.cont_digits(s), vec![COUNT_CONTINUED | 61, 2]);

        free_all(e, s, 20_000);
        // put_swap_folio of an order-0 folio drops the cache reference; the count is 0
        // so the slot is freed.
        assert_eq!(e.put_swap_folio(s, 0), 0);
        assert_eq!(e.map_byte(s), Some(0));
        assert_eq!(e.device_inuse_pages(0), 0);
        assert_eq!(e.live_allocs(Site::ContPage), 2, "pages stay listed until swapoff");
        assert_eq!(e.cont_digits(s).len(), 2);
        assert_eq!(e.swapoff(0), 0);
        assert_eq!(e.live_allocs(Site::ContPage), 0);
        assert!(e.take_events().is_empty());
    });
}

#[test]
fn neighbours_share_the_continuation_pages() {
    on_both(|e: &mut dyn Engine| {
        // One list per map page: a second entry on the same page reuses it
        // (add_swap_count_continuation finds the list exists and only appends when all
        // existing pages are full at that offset).
        with_device(e, 1, true);
        let a = duplicate(e, 63);
        let b = e.alloc_swap(0, 0).expect("a free slot");
        for _ in 0..63 {
            assert_eq!(e.swap_duplicate(b), 0);
        }
        assert_eq!(e.swp_swapcount(b), 63);
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        assert_eq!(e.cont_digits(a), vec![1]);
        assert_eq!(e.cont_digits(b), vec![1]);
    });
}

#[test]
fn a_failed_continuation_allocation_is_enomem_once() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        let s = e.alloc_swap(0, 0).expect("a free slot");
        for _ in 0..62 {
            assert_eq!(e.swap_duplicate(s), 0);
        }
        e.fault_arm(Site::ContPage, 1);
        // The 63rd reference needs a page; alloc_page fails, so
        // add_swap_count_continuation returns -ENOMEM and swap_duplicate with it.
        assert_eq!(e.swap_duplicate(s), err(ENOMEM));
        assert_eq!(e.swp_swapcount(s), 62, "count unchanged");
        assert_eq!(e.map_byte(s), Some(SWAP_HAS_CACHE | SWAP_MAP_MAX));
        assert!(e.cont_digits(s).is_empty());
        assert_eq!(e.live_allocs(Site::ContPage), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS, "an allocation failure is not warned about");
        // The fault fired once; the next attempt gets its page.
        assert_eq!(e.swap_duplicate(s), 0);
        assert_eq!(e.swp_swapcount(s), 63);
        assert_eq!(e.live_allocs(Site::ContPage), 1);
    });
}

#[test]
fn add_swap_count_continuation_allocates_first_and_frees_when_not_needed() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 5);
        let s = entry(0, 1);
        // The failing allocation is consumed even though the low digit (5) needs no page.
        e.fault_arm(Site::ContPage, 1);
        assert_eq!(e.add_swap_count_continuation(s), 0);
        assert_eq!(e.cont_digits(s), Vec::<u8>::new());
        for _ in 5..62 {
            e.swap_duplicate(s);
        }
        // At SWAP_MAP_MAX with no list: the page is linked; nothing is written into it.
        assert_eq!(e.add_swap_count_continuation(s), 0);
        assert_eq!(e.cont_digits(s), vec![PAGE_POISON]);
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        // Again: the map byte has no COUNT_CONTINUED, so the existing page is used and the
        // new one freed.
        assert_eq!(e.add_swap_count_continuation(s), 0);
        assert_eq!(e.cont_digits(s).len(), 1);
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
    });
}

#[test]
fn add_swap_count_continuation_checks_its_entry_with_get_swap_device() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        assert_eq!(e.add_swap_count_continuation(0), 0);
        assert_eq!(e.take_events(), crate::NO_EVENTS);
        assert_eq!(e.add_swap_count_continuation(entry(2, 1)), 0);
        assert_eq!(
            e.take_events(),
            vec![log("get_swap_device", "get_swap_device: Bad swap file entry 800000000000001")]
        );
        assert_eq!(e.add_swap_count_continuation(entry(0, 600)), 0);
        assert_eq!(e.take_events(), vec![log("get_swap_device", "get_swap_device: Bad swap offset entry 00000258")]);
        // Every one of those allocated a page and freed it again.
        assert_eq!(e.live_allocs(Site::ContPage), 0);
    });
}

#[test]
fn continued_count_without_a_list_bugs_and_leaks_the_new_page() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 1);
        let s = entry(0, 1);
        // 1 + 0xbd = 0xbe: SWAP_MAP_MAX | COUNT_CONTINUED with no continuation page.
        assert_eq!(e.__swap_duplicate(s, 0xbd, 1), 0);
        assert_eq!(e.map_byte(s), Some(0xbe));
        assert_eq!(e.add_swap_count_continuation(s), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("add_swap_count_continuation", "count & COUNT_CONTINUED")]);
        // The page was allocated before the BUG and never freed.
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        assert_eq!(e.cont_digits(s), Vec::<u8>::new());
    });
}

#[test]
fn a_carry_from_a_continued_count_without_a_list_bugs() {
    on_both(|e: &mut dyn Engine| {
        with_device(e, 1, true);
        counted(e, 1, 1);
        let s = entry(0, 1);
        assert_eq!(e.__swap_duplicate(s, 0xbd, 1), 0);
        // The carry BUGs in swap_count_continued before any page is allocated.
        assert_eq!(e.swap_duplicate(s), TRAPPED);
        assert_eq!(e.take_events(), vec![bug("swap_count_continued", "count & COUNT_CONTINUED")]);
        assert_eq!(e.live_allocs(Site::ContPage), 0);
    });
}
