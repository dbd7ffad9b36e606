//! Taking references: __swap_duplicate's two passes, swap_duplicate's retry,
//! swapcache_prepare, swap_shmem_alloc and add_swap_count_continuation.

use crate::common::*;

#[test]
fn swap_duplicate_and_swapcache_prepare_on_the_basic_states() {
    let mut m = with_device(1, true);
    alloc_n(&mut m, 1);
    let e = entry(0, 1);
    // The allocator left SWAP_HAS_CACHE: the cache reference exists already.
    assert_eq!(m.swapcache_prepare(e, 1), -EEXIST as i64);
    // One map reference: 0x40 + 1.
    assert_eq!(m.swap_duplicate(e), 0);
    assert_eq!(m.map_byte(e), Some(0x41));
    assert_eq!(m.swapcache_clear(e, 1), 0);
    assert_eq!(m.map_byte(e), Some(0x01));
    assert_eq!(m.swapcache_prepare(e, 1), 0);
    assert_eq!(m.map_byte(e), Some(0x41));
    // A free slot and the BAD header are -ENOENT.
    assert_eq!(m.swapcache_prepare(entry(0, 2), 1), -ENOENT as i64);
    assert_eq!(m.swapcache_prepare(entry(0, 0), 1), -ENOENT as i64);
    // swap_duplicate() hides every error but -ENOMEM: 0, nothing changed.
    assert_eq!(m.swap_duplicate(entry(0, 2)), 0);
    assert_eq!(m.map_byte(entry(0, 2)), Some(0));
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn the_check_pass_rejects_before_anything_is_written() {
    let mut m = with_device(1, true);
    counted(&mut m, 2, 1);
    // Slots 1 and 2 pass, slot 3 is free: -ENOENT and neither 1 nor 2 got the flag.
    assert_eq!(m.swapcache_prepare(entry(0, 1), 3), -ENOENT as i64);
    assert_eq!(bytes(&m, 1..=3), vec![1, 1, 0]);
}

#[test]
fn a_batched_map_reference_warns_but_commits() {
    let mut m = with_device(1, true);
    counted(&mut m, 2, 1);
    assert_eq!(m.__swap_duplicate(entry(0, 1), 1, 2), 0);
    assert_eq!(m.take_events(), vec![warn("__swap_duplicate", "usage == 1 && nr > 1")]);
    assert_eq!(bytes(&m, 1..=2), vec![2, 2]);
}

#[test]
fn a_range_crossing_a_cluster_only_warns() {
    let mut m = with_device(2, true);
    alloc_n(&mut m, 512);
    // 2 > SWAPFILE_CLUSTER - 511 % 512 = 1: VM_WARN_ON, then the check pass runs and
    // finds the cache flag already set on 511.
    assert_eq!(m.swapcache_prepare(entry(0, 511), 2), -EEXIST as i64);
    assert_eq!(m.take_events(), vec![warn("__swap_duplicate", "nr > SWAPFILE_CLUSTER - offset % SWAPFILE_CLUSTER")]);
}

#[test]
fn no_device_warns_and_logs_bad_file() {
    let mut m = with_device(1, true);
    // Type 2 has no device; type 30 is beyond MAX_SWAPFILES. Both: WARN_ON_ONCE(!si),
    // pr_err_ratelimited("%s%08lx\n", Bad_file, entry.val), -EINVAL.
    assert_eq!(m.__swap_duplicate(entry(2, 1), 1, 1), -EINVAL as i64);
    assert_eq!(
        m.take_events(),
        vec![warn("__swap_duplicate", "!si"), log("__swap_duplicate", "Bad swap file entry 800000000000001")]
    );
    assert_eq!(m.swapcache_prepare(entry(30, 0), 1), -EINVAL as i64);
    assert_eq!(m.take_events()[1], log("__swap_duplicate", "Bad swap file entry 7800000000000000"));
    // swap_duplicate() turns that -EINVAL into 0.
    assert_eq!(m.swap_duplicate(entry(2, 1)), 0);
    assert_eq!(m.take_events().len(), 2);
}

#[test]
fn shmem_reference_lifecycle() {
    let mut m = with_device(1, true);
    alloc_n(&mut m, 1);
    let e = entry(0, 1);
    // swap_shmem_alloc adds SWAP_MAP_SHMEM to count 0 and keeps the cache flag: 0xff.
    assert_eq!(m.swap_shmem_alloc(e, 1), 0);
    assert_eq!(m.map_byte(e), Some(0xff));
    assert_eq!(m.__swap_count(e), 0xbf);
    // A map reference on top: low digit 0x3f > SWAP_MAP_MAX is -EINVAL (hidden by
    // swap_duplicate), nothing changes.
    assert_eq!(m.__swap_duplicate(e, 1, 1), -EINVAL as i64);
    assert_eq!(m.swap_duplicate(e), 0);
    assert_eq!(m.map_byte(e), Some(0xff));
    // The cache flag can be dropped and taken again: SHMEM is not "BAD" (the BAD test
    // compares the whole count 0xbf with 0x3f).
    assert_eq!(m.swapcache_clear(e, 1), 0);
    assert_eq!(m.map_byte(e), Some(0xbf));
    assert_eq!(m.swapcache_prepare(e, 1), 0);
    assert_eq!(m.map_byte(e), Some(0xff));
    // Dropping the map reference takes SHMEM straight to 0, the cache flag stays.
    assert_eq!(m.swap_free_nr(e, 1), 0);
    assert_eq!(m.map_byte(e), Some(SWAP_HAS_CACHE));
    assert_eq!(m.device_inuse_pages(0), 1);
    assert_eq!(m.put_swap_folio(e, 0), 0);
    assert_eq!(m.map_byte(e), Some(0));
    assert_eq!(m.device_inuse_pages(0), 0);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn shmem_on_a_counted_slot_adds_0xbf_to_the_count() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 1);
    // 1 + 0xbf = 0xc0 as the count, no cache flag: the byte now *reads* as
    // HAS_CACHE | COUNT_CONTINUED with low digit 0.
    assert_eq!(m.swap_shmem_alloc(entry(0, 1), 1), 0);
    assert_eq!(m.map_byte(entry(0, 1)), Some(0xc0));
}

#[test]
fn the_63rd_reference_links_a_continuation_page() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 62);
    let e = entry(0, 1);
    assert_eq!(m.map_byte(e), Some(SWAP_MAP_MAX));
    // __swap_duplicate alone: the carry finds no list (and no COUNT_CONTINUED, so no
    // BUG): -ENOMEM, nothing written.
    assert_eq!(m.__swap_duplicate(e, 1, 1), -ENOMEM as i64);
    assert_eq!(m.map_byte(e), Some(SWAP_MAP_MAX));
    assert_eq!(m.live_allocs(Site::ContPage), 0);
    // swap_duplicate links a page and retries: digit 1 in page 1, low digit 0.
    assert_eq!(m.swap_duplicate(e), 0);
    assert_eq!(m.map_byte(e), Some(COUNT_CONTINUED));
    assert_eq!(m.cont_digits(e), vec![1]);
    assert_eq!(m.live_allocs(Site::ContPage), 1);
    assert_eq!(m.swp_swapcount(e), 63);
    // __swap_count/swap_swapcount only see the map byte.
    assert_eq!(m.__swap_count(e), 0x80);
    for _ in 0..62 {
        m.swap_duplicate(e);
    }
    // 125 = low 62 + 1 * 63.
    assert_eq!(m.map_byte(e), Some(SWAP_MAP_MAX | COUNT_CONTINUED));
    assert_eq!(m.swp_swapcount(e), 125);
    m.swap_duplicate(e);
    assert_eq!((m.map_byte(e), m.cont_digits(e)), (Some(COUNT_CONTINUED), vec![2]));
    assert_eq!(m.swp_swapcount(e), 126);
    // One reference back: borrow from page 1 (2 -> 1, still more) -> 0x3e | CONTINUED.
    assert_eq!(m.swap_free_nr(e, 1), 0);
    assert_eq!((m.map_byte(e), m.cont_digits(e)), (Some(SWAP_MAP_MAX | COUNT_CONTINUED), vec![1]));
    assert_eq!(m.swp_swapcount(e), 125);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn the_8064th_reference_links_a_second_page() {
    let mut m = with_device(1, true);
    // 8063 = 62 + 127 * 63 references fit in the map byte and one page.
    counted(&mut m, 1, 8063);
    let e = entry(0, 1);
    assert_eq!(m.map_byte(e), Some(SWAP_MAP_MAX | COUNT_CONTINUED));
    assert_eq!(m.cont_digits(e), vec![SWAP_CONT_MAX]);
    assert_eq!(m.swp_swapcount(e), 8063);
    assert_eq!(m.live_allocs(Site::ContPage), 1);
    assert_eq!(m.swap_duplicate(e), 0);
    // Page 1 becomes "0, continues", page 2 holds 1: 0 + 0 * 63 + 1 * 63 * 128.
    assert_eq!(m.map_byte(e), Some(COUNT_CONTINUED));
    assert_eq!(m.cont_digits(e), vec![COUNT_CONTINUED, 1]);
    assert_eq!(m.swp_swapcount(e), 8064);
    assert_eq!(m.live_allocs(Site::ContPage), 2);
    // Back to 8063: page 2 -> 0 and page 1 refilled to SWAP_CONT_MAX without CONTINUED.
    assert_eq!(m.swap_free_nr(e, 1), 0);
    assert_eq!(m.cont_digits(e), vec![SWAP_CONT_MAX, 0]);
    assert_eq!(m.map_byte(e), Some(SWAP_MAP_MAX | COUNT_CONTINUED));
    assert_eq!(m.swp_swapcount(e), 8063);
    // A neighbour slot sees poison in both pages.
    assert_eq!(m.cont_digits(entry(0, 2)), vec![PAGE_POISON, PAGE_POISON]);
}

#[test]
fn a_failed_continuation_allocation_is_enomem() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 62);
    m.fault_arm(Site::ContPage, 1);
    assert_eq!(m.swap_duplicate(entry(0, 1)), -ENOMEM as i64);
    assert_eq!(m.map_byte(entry(0, 1)), Some(SWAP_MAP_MAX));
    assert_eq!(m.live_allocs(Site::ContPage), 0);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn add_swap_count_continuation_allocates_first_and_frees_when_not_needed() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 5);
    let e = entry(0, 1);
    // The failing allocation is consumed even though the low digit (5) needs no page.
    m.fault_arm(Site::ContPage, 1);
    assert_eq!(m.add_swap_count_continuation(e), 0);
    assert_eq!(m.cont_digits(e), Vec::<u8>::new());
    for _ in 5..62 {
        m.swap_duplicate(e);
    }
    // At SWAP_MAP_MAX with no list: the page is linked; nothing is written into it.
    assert_eq!(m.add_swap_count_continuation(e), 0);
    assert_eq!(m.cont_digits(e), vec![PAGE_POISON]);
    assert_eq!(m.live_allocs(Site::ContPage), 1);
    // Again: the map byte has no COUNT_CONTINUED, so the existing page is used and the
    // new one freed.
    assert_eq!(m.add_swap_count_continuation(e), 0);
    assert_eq!(m.cont_digits(e).len(), 1);
    assert_eq!(m.live_allocs(Site::ContPage), 1);
    assert_eq!(m.take_events(), vec![]);
}

#[test]
fn add_swap_count_continuation_checks_its_entry_with_get_swap_device() {
    let mut m = with_device(1, true);
    assert_eq!(m.add_swap_count_continuation(0), 0);
    assert_eq!(m.take_events(), vec![]);
    assert_eq!(m.add_swap_count_continuation(entry(2, 1)), 0);
    assert_eq!(m.take_events(), vec![log("get_swap_device", "get_swap_device: Bad swap file entry 800000000000001")]);
    assert_eq!(m.add_swap_count_continuation(entry(0, 600)), 0);
    assert_eq!(m.take_events(), vec![log("get_swap_device", "get_swap_device: Bad swap offset entry 00000258")]);
    // Every one of those allocated a page and freed it again.
    assert_eq!(m.live_allocs(Site::ContPage), 0);
}

#[test]
fn continued_count_without_a_list_bugs_and_leaks_the_new_page() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 1);
    let e = entry(0, 1);
    // 1 + 0xbd = 0xbe: SWAP_MAP_MAX | COUNT_CONTINUED with no continuation page.
    assert_eq!(m.__swap_duplicate(e, 0xbd, 1), 0);
    assert_eq!(m.map_byte(e), Some(0xbe));
    assert_eq!(m.add_swap_count_continuation(e), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("add_swap_count_continuation", "count & COUNT_CONTINUED")]);
    // The page was allocated before the BUG and never freed.
    assert_eq!(m.live_allocs(Site::ContPage), 1);
    assert_eq!(m.cont_digits(e), Vec::<u8>::new());
}

#[test]
fn a_carry_from_a_continued_count_without_a_list_bugs() {
    // A program ends at a BUG (the C side keeps its locks held), so a fresh model.
    let mut m = with_device(1, true);
    counted(&mut m, 1, 1);
    let e = entry(0, 1);
    assert_eq!(m.__swap_duplicate(e, 0xbd, 1), 0);
    // The carry BUGs in swap_count_continued before any page is allocated.
    assert_eq!(m.swap_duplicate(e), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("swap_count_continued", "count & COUNT_CONTINUED")]);
    assert_eq!(m.live_allocs(Site::ContPage), 0);
}

#[test]
fn enomem_in_the_commit_pass_does_not_roll_back() {
    let mut m = with_device(1, true);
    counted(&mut m, 2, 1);
    for _ in 1..62 {
        m.swap_duplicate(entry(0, 2));
    }
    assert_eq!(bytes(&m, 1..=2), vec![1, SWAP_MAP_MAX]);
    // Slot 1 is committed (1 -> 2), slot 2 needs a page: -ENOMEM, slot 1 keeps its 2.
    assert_eq!(m.__swap_duplicate(entry(0, 1), 1, 2), -ENOMEM as i64);
    assert_eq!(bytes(&m, 1..=2), vec![2, SWAP_MAP_MAX]);
    assert_eq!(m.take_events(), vec![warn("__swap_duplicate", "usage == 1 && nr > 1")]);
}

#[test]
fn any_usage_byte_is_added_with_wraparound() {
    let mut m = with_device(1, true);
    counted(&mut m, 1, 1);
    let e = entry(0, 1);
    // 1 + 0x7f = 0x80: COUNT_CONTINUED with no list.
    assert_eq!(m.__swap_duplicate(e, 0x7f, 1), 0);
    assert_eq!(m.map_byte(e), Some(0x80));
    // usage 0 is "add nothing".
    assert_eq!(m.__swap_duplicate(e, 0, 1), 0);
    assert_eq!(m.map_byte(e), Some(0x80));
    // The exact count follows COUNT_CONTINUED to a list that does not exist.
    assert_eq!(m.swp_swapcount(e), TRAPPED);
    assert_eq!(m.take_events(), vec![bug("swp_swapcount", "page_private(page) != SWP_CONTINUED")]);
}
