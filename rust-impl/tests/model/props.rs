//! Property tests: invariants of the count machine and the tag store over random
//! well-formed operation sequences (no BUG-provoking input; those are scenarios of the
//! two-engine suite, tests/scenarios of the root crate). Model only: proptest runs and
//! shrinks thousands of sequences on the model alone; random sequences on both engines,
//! compared, are the differential runner's and the fuzz targets' job.

use std::collections::BTreeSet;
use swapdiff_contract::prelude::*;

use proptest::prelude::*;

use crate::common::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Continuation pages a map page needs once some slot of it reached `count`: none up to
/// 62, one up to 62 + 127 * 63, then one more per further factor of 128.
fn pages_needed(count: u64) -> usize {
    let mut pages = 0;
    let mut capacity = u64::from(SWAP_MAP_MAX);
    let mut weight = u64::from(SWAP_MAP_MAX) + 1;
    while count > capacity {
        capacity += u64::from(SWAP_CONT_MAX) * weight;
        weight *= u64::from(SWAP_CONT_MAX) + 1;
        pages += 1;
    }
    pages
}

#[derive(Debug, Clone)]
enum RefOp {
    Dup(usize),
    DupMany(usize, u16),
    Free(usize),
    FailNextPage,
}

fn ref_op() -> impl Strategy<Value = RefOp> {
    prop_oneof![
        6 => (0..4usize).prop_map(RefOp::Dup),
        1 => (0..4usize, 0..9000u16).prop_map(|(s, n)| RefOp::DupMany(s, n)),
        5 => (0..4usize).prop_map(RefOp::Free),
        1 => Just(RefOp::FailNextPage),
    ]
}

proptest! {
    #![proptest_config(config(40))]

    /// Total count = references taken - references released, slot by slot and in sum;
    /// a slot is free iff its byte is 0; every continuation page is one some slot of the
    /// map page needed; no digit walk runs past the last page.
    #[test]
    fn counts_track_references(ops in prop::collection::vec(ref_op(), 1..30)) {
        let mut m = with_device(1, true);
        counted(&mut m, 4, 1);
        let slot = |i: usize| entry(0, 1 + i as u64);
        let mut expected = [1u64; 4];
        let mut max_seen = 1u64;
        let (mut taken, mut released) = (4u64, 0u64);
        for op in ops {
            match op {
                RefOp::Dup(i) | RefOp::DupMany(i, _) => {
                    let n = if let RefOp::DupMany(_, n) = op { u64::from(n) } else { 1 };
                    for _ in 0..n {
                        let r = m.swap_duplicate(slot(i));
                        // 0: taken (or the slot is free and -ENOENT was hidden);
                        // -ENOMEM: a needed continuation page could not be allocated.
                        prop_assert!(r == 0 || r == -(ENOMEM as i64), "swap_duplicate returned {}", r);
                        if r == 0 && expected[i] > 0 {
                            expected[i] += 1;
                            taken += 1;
                        }
                    }
                }
                RefOp::Free(i) => {
                    if expected[i] > 0 {
                        prop_assert_eq!(m.swap_free_nr(slot(i), 1), 0);
                        expected[i] -= 1;
                        released += 1;
                    }
                }
                RefOp::FailNextPage => m.fault_arm(Site::ContPage, 1),
            }
            max_seen = max_seen.max(*expected.iter().max().unwrap());
            prop_assert_eq!(m.take_events(), vec![]);
            let mut total = 0u64;
            for (i, &want) in expected.iter().enumerate() {
                let byte = m.map_byte(slot(i)).unwrap();
                prop_assert_eq!(byte == 0, want == 0, "slot {} byte {:#x} count {}", i, byte, want);
                if want > 0 {
                    let got = m.swp_swapcount(slot(i));
                    prop_assert_eq!(got, want as i64, "slot {}", i);
                    total += got as u64;
                }
                // The walk from a COUNT_CONTINUED byte ends inside the list.
                let digits = m.cont_digits(slot(i));
                if byte & COUNT_CONTINUED != 0 {
                    prop_assert!(digits.iter().any(|d| d & COUNT_CONTINUED == 0));
                }
                if let Some(last) = digits.last() {
                    prop_assert_eq!(last & COUNT_CONTINUED, 0);
                }
            }
            prop_assert_eq!(total, taken - released);
            prop_assert_eq!(m.device_inuse_pages(0) as usize, expected.iter().filter(|&&c| c > 0).count());
            // Pages on the list: exactly what the largest count ever needed.
            let list_len = m.cont_digits(slot(0)).len();
            prop_assert_eq!(list_len, pages_needed(max_seen));
            prop_assert_eq!(m.live_allocs(Site::ContPage) as usize, m.cont_pages_linked());
        }
    }
}

#[derive(Debug, Clone)]
enum SlotOp {
    Alloc(u32),
    Map(usize),
    Release(usize, bool),
    MarkBad(u64),
}

fn slot_op() -> impl Strategy<Value = SlotOp> {
    prop_oneof![
        5 => (0..=MAX_FOLIO_ORDER).prop_map(SlotOp::Alloc),
        3 => any::<usize>().prop_map(SlotOp::Map),
        4 => (any::<usize>(), any::<bool>()).prop_map(|(k, b)| SlotOp::Release(k, b)),
        1 => (1..1024u64).prop_map(SlotOp::MarkBad),
    ]
}

#[derive(Debug, Clone, Copy)]
struct Allocation {
    offset: u64,
    order: u32,
    mapped: bool,
}

proptest! {
    #![proptest_config(config(64))]

    /// A slot is free iff its byte is 0; inuse_pages, nr_swap_pages, total_swap_pages
    /// and every cluster's count and flags follow the allocations and bad slots.
    #[test]
    fn slot_accounting_follows_allocations(ops in prop::collection::vec(slot_op(), 1..60)) {
        let mut m = with_device(2, true);
        let mut live: Vec<Allocation> = Vec::new();
        let mut bad: BTreeSet<u64> = BTreeSet::new();
        for op in ops {
            match op {
                SlotOp::Alloc(order) => {
                    if let Ok(e) = m.alloc_swap(0, order) {
                        let offset = rust_impl::entry_offset(e);
                        prop_assert_eq!(offset % (1 << order), 0);
                        live.push(Allocation { offset, order, mapped: false });
                    }
                }
                SlotOp::Map(k) if !live.is_empty() => {
                    // swap-out: one map reference per slot, then the cache lets go.
                    let len = live.len();
                    let a = &mut live[k % len];
                    if !a.mapped {
                        for i in 0..1 << a.order {
                            prop_assert_eq!(m.swap_duplicate(entry(0, a.offset + i)), 0);
                        }
                        prop_assert_eq!(m.put_swap_folio(entry(0, a.offset), a.order), 0);
                        a.mapped = true;
                    }
                }
                SlotOp::Release(k, fast) if !live.is_empty() => {
                    let a = live.swap_remove(k % live.len());
                    let (e, n) = (entry(0, a.offset), 1 << a.order);
                    let r = match (a.mapped, fast) {
                        (false, _) => m.put_swap_folio(e, a.order),
                        (true, true) => m.free_swap_and_cache_nr(e, n),
                        (true, false) => m.swap_free_nr(e, n),
                    };
                    prop_assert_eq!(r, 0);
                }
                SlotOp::MarkBad(off) if m.mark_bad(entry(0, off)) == 0 => {
                    bad.insert(off);
                }
                _ => {}
            }
            prop_assert_eq!(m.take_events(), vec![]);
            let mut used = [false; 1024];
            for a in &live {
                for i in 0..1 << a.order {
                    used[(a.offset + i) as usize] = true;
                }
            }
            for off in 1..1024u64 {
                let byte = m.map_byte(entry(0, off)).unwrap();
                let busy = used[off as usize] || bad.contains(&off);
                prop_assert_eq!(byte != 0, busy, "offset {} byte {:#x}", off, byte);
            }
            let inuse: u64 = live.iter().map(|a| 1u64 << a.order).sum();
            prop_assert_eq!(u64::from(m.device_inuse_pages(0)), inuse);
            let good = 1023 - bad.len() as i64;
            prop_assert_eq!(m.total_swap_pages(), good);
            prop_assert_eq!(m.nr_swap_pages(), good - inuse as i64);
            for c in 0..2u32 {
                let range = u64::from(c) * 512..u64::from(c + 1) * 512;
                let count = range.clone().filter(|&o| o == 0 || used[o as usize] || bad.contains(&o)).count() as u32;
                let flags = if count == 0 { CLUSTER_FLAG_FREE } else { CLUSTER_FLAG_NONFULL };
                prop_assert_eq!(m.cluster(0, c), Some((count, u32::from(flags))));
            }
        }
    }
}

#[derive(Debug, Clone)]
enum TagOp {
    Swapon(u32),
    Swapoff(u32),
    SwapOut { ty: u32, order: u32, tagged: u16, seed: u8 },
    Release(usize),
    Invalidate(usize),
}

fn tag_op() -> impl Strategy<Value = TagOp> {
    prop_oneof![
        1 => (1..=2u32).prop_map(TagOp::Swapon),
        1 => (0..4u32).prop_map(TagOp::Swapoff),
        5 => (0..4u32, 0..=MAX_FOLIO_ORDER, any::<u16>(), any::<u8>())
            .prop_map(|(ty, order, tagged, seed)| TagOp::SwapOut { ty, order, tagged, seed }),
        3 => any::<usize>().prop_map(TagOp::Release),
        1 => any::<usize>().prop_map(TagOp::Invalidate),
    ]
}

proptest! {
    #![proptest_config(config(64))]

    /// With MTE on, after any mix of swap-outs, frees and swapoffs, every saved tag buffer
    /// belongs to a slot that is in use on a device that exists, and each buffer costs
    /// exactly one kmalloc and one xarray node.
    #[test]
    fn tags_exist_only_for_slots_in_use(ops in prop::collection::vec(tag_op(), 1..50)) {
        let mut m = Model::new();
        m.swapon(1, swapdiff_contract::DEV_SSD);
        let mut live: Vec<(u64, u32)> = Vec::new();
        for op in ops {
            match op {
                TagOp::Swapon(c) => { m.swapon(c, swapdiff_contract::DEV_SSD); }
                TagOp::Swapoff(ty) if m.swapoff(ty) == 0 => {
                    live.retain(|&(e, _)| rust_impl::entry_type(e) != ty);
                }
                TagOp::SwapOut { ty, order, tagged, seed } => {
                    let Ok(e) = m.alloc_swap(ty, order) else { continue };
                    let f = m.folio_new(order);
                    prop_assert!(f >= 0);
                    let f = f as u32;
                    m.folio_set_swap(f, e);
                    for i in 0..1u32 << order {
                        let flags = if tagged >> i & 1 == 1 { PG_MTE_TAGGED } else { 0 };
                        m.page_set(f, i, &tags(seed.wrapping_add(i as u8)), flags);
                    }
                    prop_assert_eq!(m.arch_prepare_to_swap(f), 0);
                    prop_assert_eq!(m.folio_free(f), 0);
                    live.push((e, order));
                }
                TagOp::Release(k) if !live.is_empty() => {
                    let (e, order) = live.swap_remove(k % live.len());
                    prop_assert_eq!(m.put_swap_folio(e, order), 0);
                }
                TagOp::Invalidate(k) if !live.is_empty() => {
                    let (e, _) = live[k % live.len()];
                    m.mte_invalidate_tags(rust_impl::entry_type(e), rust_impl::entry_offset(e));
                }
                _ => {}
            }
            prop_assert_eq!(m.take_events(), vec![]);
            let store = m.tag_store();
            for (key, _) in &store {
                let byte = m.map_byte(*key);
                prop_assert!(matches!(byte, Some(b) if b != 0), "tags for {:#x} with byte {:?}", key, byte);
            }
            prop_assert_eq!(m.live_allocs(Site::TagStorage) as usize, store.len());
            prop_assert_eq!(m.live_allocs(Site::XaNode) as usize, store.len());
        }
    }

    /// arch_swap_restore after arch_prepare_to_swap gives every tagged page its own tags
    /// back (entry + i for page i) and leaves untagged pages untouched.
    #[test]
    fn restore_after_prepare_gives_each_page_its_tags(
        order in 0..=MAX_FOLIO_ORDER,
        tagged in any::<u16>(),
        seeds in prop::collection::vec(any::<u8>(), 16),
        ty in 0..2u32,
    ) {
        let mut m = Model::new();
        m.swapon(1, swapdiff_contract::DEV_SSD);
        m.swapon(1, swapdiff_contract::DEV_SSD);
        m.alloc_swap(ty, 0).unwrap(); // so the folio's entry is not the first one
        let e = m.alloc_swap(ty, order).unwrap();
        let src = m.folio_new(order) as u32;
        m.folio_set_swap(src, e);
        let n = 1u32 << order;
        for i in 0..n {
            let flags = if tagged >> i & 1 == 1 { PG_MTE_TAGGED } else { 0 };
            m.page_set(src, i, &tags(seeds[i as usize]), flags);
        }
        prop_assert_eq!(m.arch_prepare_to_swap(src), 0);
        let dst = m.folio_new(order) as u32;
        prop_assert_eq!(m.arch_swap_restore(e, dst), 0);
        for i in 0..n {
            let want = if tagged >> i & 1 == 1 {
                (tags(seeds[i as usize]), PG_MTE_TAGGED | PG_MTE_LOCK)
            } else {
                ([0; TAG_BYTES], 0)
            };
            prop_assert_eq!(m.page_get(dst, i), Some(want), "page {}", i);
        }
        prop_assert_eq!(m.tag_store().len(), (0..n).filter(|i| tagged >> i & 1 == 1).count());
    }
}

#[test]
fn pages_needed_matches_the_digit_layout() {
    assert_eq!(pages_needed(62), 0);
    assert_eq!(pages_needed(63), 1);
    assert_eq!(pages_needed(8063), 1);
    assert_eq!(pages_needed(8064), 2);
    assert_eq!(pages_needed(8063 + 127 * 8064), 2);
    assert_eq!(pages_needed(8064 + 127 * 8064), 3);
}
