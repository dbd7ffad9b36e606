//! Each pass on a program with a planted property (a synthetic `Keeps` over the
//! ops, no kernel): the reduction must reach the known minimum. The properties
//! model the kernel facts the real divergences depend on (a threshold of calls,
//! the slots an allocation hands out, the folio a handle names), so a pass that
//! loses track of them fails here.

use super::renumber::delete;
use super::{reduce, reduce_with};
use crate::program::{parse, text::print_op, Op, Slot};

fn ops(src: &str) -> Vec<Op> {
    parse(src).expect("test program parses").ops
}

fn text(ops: &[Op]) -> String {
    ops.iter().map(print_op).collect::<Vec<_>>().join("\n")
}

/// A property that holds on its own terms and lets the reducer cut nothing.
fn holds(f: impl Fn(&[Op]) -> bool) -> impl FnMut(&[Op]) -> Option<Vec<Op>> {
    move |c: &[Op]| f(c).then(|| c.to_vec())
}

/// Calls of `swap_duplicate` on `slot`, over all its ops (each op is `times` calls).
fn dups(c: &[Op], slot: Slot) -> u32 {
    c.iter()
        .map(|o| match o {
            Op::swap_duplicate { slot: s, times } if *s == slot => u32::from(*times),
            _ => 0,
        })
        .sum()
}

fn has_swapon(c: &[Op]) -> bool {
    c.iter().any(|o| matches!(o, Op::swapon { .. }))
}

#[test]
fn repeats_merge_and_shrink_to_the_threshold() {
    // The cont-borrow-keeps-continued finding's shape: a count built by several
    // bulk ops in a row. The planted threshold: 130 references on 0:1 after an
    // allocation, more than the largest op (x124) holds, so no op can go unless the
    // run is merged first (the 134 calls the five ops make).
    let p = ops("swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x4\nswap_duplicate 0:1 x2\n\
                 swap_duplicate 0:1 x124\nswap_duplicate 0:1 x3\nswap_duplicate 0:1\n");
    let one = Slot { ty: 0, off: 1 };
    let mut keeps =
        holds(|c: &[Op]| has_swapon(c) && c.iter().any(|o| matches!(o, Op::alloc_swap { .. })) && dups(c, one) >= 130);
    let (min, _) = reduce(p, &mut keeps, None);
    // Three ops: a device, the allocation, one bulk op of exactly the threshold.
    assert_eq!(text(&min), "swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x130");
}

#[test]
fn a_large_repeat_reaches_its_exact_threshold_in_few_runs() {
    // cont-carry-drops-continued's 8086: a threshold that is no round fraction of
    // the repeat count (8065 = 62 + 63 * 127 + 1 would be the first carry into a
    // third continuation page's digit, say). Geometric candidates stop short of it;
    // a binary search lands on it.
    let p = ops("swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x8086\n");
    let one = Slot { ty: 0, off: 1 };
    let mut keeps = holds(|c: &[Op]| has_swapon(c) && dups(c, one) >= 8065);
    let (min, runs) = reduce(p, &mut keeps, None);
    assert_eq!(text(&min), "swapon 1\nswap_duplicate 0:1 x8065");
    // log2(8086) is 13: the search, the deletions and the fixpoint round stay well
    // under a hundred candidates.
    assert!(runs < 100, "{runs} runs");
}

/// The slots `alloc_swap` hands out on an empty device, in order: each allocation of
/// order k takes the lowest naturally aligned free run at offset >= 1 (what the
/// stand-in allocator does).
fn allocated(c: &[Op]) -> Vec<(u16, u16)> {
    let mut taken: Vec<(u16, u16)> = vec![];
    for o in c {
        if let Op::alloc_swap { ty: 0, order } = o {
            let n = 1u16 << order;
            let mut base = n.max(1);
            while taken.iter().any(|&(b, m)| base < b + m && b < base + n) {
                base += n;
            }
            taken.push((base, n));
        }
    }
    taken
}

#[test]
fn an_allocation_is_lowered_jointly_with_its_slots() {
    // cont-carry-drops-continued as found: order=3 (0:8..=0:15) and a reference to
    // 0:14. The planted property: a deep count on an allocated slot. Lowering the
    // order alone leaves 0:14 free; only the joint rewrite reaches order=0 + 0:1.
    let p = ops("swapon 1\nalloc_swap 0 order=3\nswap_duplicate 0:14 x8086\n");
    let mut keeps = holds(|c: &[Op]| {
        let blocks = allocated(c);
        has_swapon(c)
            && c.iter().any(|o| match o {
                Op::swap_duplicate { slot, times } => {
                    slot.ty == 0 && *times >= 8065 && blocks.iter().any(|&(b, n)| slot.off >= b && slot.off < b + n)
                }
                _ => false,
            })
    });
    let (min, _) = reduce(p, &mut keeps, None);
    assert_eq!(text(&min), "swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x8065");
}

/// The folio each handle names, by the `folio_new` (index) that made it.
fn makers(c: &[Op]) -> Vec<Vec<Option<usize>>> {
    let mut live: [Option<usize>; 8] = [None; 8];
    let mut out = vec![];
    for (i, o) in c.iter().enumerate() {
        let mut refs = vec![];
        o.clone().map_folios(&mut |h| {
            refs.push(live[usize::from(h)]);
            h
        });
        out.push(refs);
        match o {
            Op::folio_new { .. } => {
                if let Some(f) = live.iter().position(Option::is_none) {
                    live[f] = Some(i);
                }
            }
            Op::folio_free { folio } => live[usize::from(*folio)] = None,
            _ => {}
        }
    }
    out
}

#[test]
fn deleting_a_folio_renumbers_the_later_handles() {
    // mte-prepare-first-page-only's shape behind an unrelated first folio: the
    // property is "a folio of order >= 1 whose page 1 is tagged is prepared", checked
    // by following each handle to the folio_new that made it. Deleting the first
    // folio_new moves f1 to f0; without the repair every deletion of it fails.
    let p = ops("folio_new order=0\nfolio_new order=1\npage_set f0 page=0 seed=3 flags=1\n\
                 page_set f1 page=1 seed=5 flags=1\narch_prepare_to_swap f1\n");
    let mut keeps = holds(|c: &[Op]| {
        let m = makers(c);
        let big = |maker: Option<usize>| maker.is_some_and(|i| matches!(c[i], Op::folio_new { order } if order >= 1));
        let tagged: Vec<Option<usize>> = c
            .iter()
            .zip(&m)
            .filter(|(o, _)| matches!(o, Op::page_set { idx: 1, flags: 1, .. }))
            .map(|(_, r)| r[0])
            .collect();
        c.iter()
            .zip(&m)
            .any(|(o, r)| matches!(o, Op::arch_prepare_to_swap { .. }) && big(r[0]) && tagged.contains(&r[0]))
    });
    let (min, _) = reduce(p, &mut keeps, None);
    assert_eq!(text(&min), "folio_new order=1\npage_set f0 page=1 seed=0 flags=1\narch_prepare_to_swap f0");
}

#[test]
fn folio_repair_follows_frees_and_reuse() {
    // f0 is freed and its handle reused by the third folio_new; deleting the second
    // folio_new (which held f1) must leave the first's references alone and move the
    // third folio (made while f0 was free, so still f0) nowhere.
    let p = ops("folio_new order=0\nfolio_new order=1\nfolio_free f0\nfolio_new order=2\n\
                 arch_prepare_to_swap f0\narch_prepare_to_swap f1\nfolio_new order=0\narch_prepare_to_swap f2\n");
    let d = delete(&p, &[1], true);
    // After the deletion: f0 made, freed, the order-2 folio takes f0, the last
    // folio_new takes f1 (f1 is free now): its reference f2 becomes f1. The reference
    // to the deleted folio (f1 at index 5) keeps its handle, dangling as before.
    assert_eq!(
        text(&d),
        "folio_new order=0\nfolio_free f0\nfolio_new order=2\narch_prepare_to_swap f0\narch_prepare_to_swap f1\n\
         folio_new order=0\narch_prepare_to_swap f1"
    );
    assert_eq!(delete(&p, &[1], false).len(), 7);
}

#[test]
fn fault_arming_that_no_longer_fires_goes_and_nth_is_lowered() {
    // mte-prepare-no-rollback's shape: the divergence needs the tag_storage fault on
    // the second allocation or a later one up to the fifth (nth 2..=5), and the
    // xa_node arming is noise.
    let p = ops("fault xa_node nth=7\nfault tag_storage nth=5\nfolio_new order=1\narch_prepare_to_swap f0\n");
    let mut keeps = holds(|c: &[Op]| {
        c.iter().any(|o| matches!(o, Op::fault { site, nth } if site.name() == "tag_storage" && (2..=5).contains(nth)))
            && c.iter().any(|o| matches!(o, Op::arch_prepare_to_swap { .. }))
    });
    let (min, _) = reduce(p, &mut keeps, None);
    assert_eq!(text(&min), "fault tag_storage nth=2\narch_prepare_to_swap f0");
}

#[test]
fn slots_and_sizes_move_down_and_devices_shrink() {
    // shmem-remove-rfc as found: 0:27 nr=2 on a 3-cluster device without
    // cluster_info, where any free slot would do.
    let p = ops("swapon 3 nocluster\nswap_shmem_alloc 0:27 nr=2\n");
    let mut keeps = holds(|c: &[Op]| {
        has_swapon(c) && c.iter().any(|o| matches!(o, Op::swap_shmem_alloc { slot, .. } if slot.off >= 1))
    });
    let (min, _) = reduce(p, &mut keeps, None);
    assert_eq!(text(&min), "swapon 1\nswap_shmem_alloc 0:1 nr=1");
}

#[test]
fn a_deletion_steering_repairs_is_kept() {
    // Two allocations, a reference to the second's slot. The property: the reference
    // names the last allocated slot. Deleting the first allocation moves the second
    // to 0:1, so 0:2 dangles and the plain deletion fails; the steered run (here: the
    // reference moved onto the last allocated slot, as contract mode steers a
    // duplicate onto a slot that holds a reference) repairs it.
    let p = ops("swapon 1\nalloc_swap 0 order=0\nalloc_swap 0 order=0\nswap_duplicate 0:2\n");
    let names_last = |c: &[Op]| {
        let last = allocated(c).last().map(|b| b.0);
        has_swapon(c) && c.iter().any(|o| matches!(o, Op::swap_duplicate { slot, .. } if Some(slot.off) == last))
    };
    let mut keeps = holds(names_last);
    let mut steer = |c: &[Op]| {
        let last = allocated(c).last()?.0;
        let steered: Vec<Op> = c
            .iter()
            .map(|o| match o {
                Op::swap_duplicate { times, .. } => {
                    Op::swap_duplicate { slot: Slot { ty: 0, off: last }, times: *times }
                }
                o => o.clone(),
            })
            .collect();
        names_last(&steered).then_some(steered)
    };
    let (min, _) = reduce_with(p.clone(), &mut keeps, Some(&mut steer), None);
    assert_eq!(text(&min), "swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1");
    // Without the steered repair the first allocation stays: the reduction is only as
    // good as its repairs.
    let (plain, _) = reduce(p, &mut holds(names_last), None);
    assert_eq!(plain.len(), 4, "{}", text(&plain));
}

#[test]
fn the_same_input_minimizes_to_the_same_program_in_the_same_runs() {
    let p = ops("swapon 2\nalloc_swap 0 order=2\nswap_duplicate 0:5 x300\nswap_duplicate 0:5 x40\n\
                 swap_free_nr 0:5 nr=3 x7\n");
    let run = || {
        let mut keeps = holds(|c: &[Op]| dups(c, Slot { ty: 0, off: 1 }) + dups(c, Slot { ty: 0, off: 5 }) > 77);
        reduce(p.clone(), &mut keeps, None)
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    // The planted minimum: one bulk op of 78 calls, on the lowest slot that counts.
    assert_eq!(text(&a.0), "swap_duplicate 0:1 x78");
}

/// The count on 0:1 after the ops, and whether it ever passed 62 (one past
/// SWAP_MAP_MAX: a continuation page), with the cache held from the allocation
/// until `put_swap_folio`; `None` if a free finds no reference, a duplicate no slot in
/// use, or an op names a slot no allocation handed out (the property of a
/// borrow bug: the count must have needed a continuation, then come back to zero
/// with the cache gone).
fn count_history(c: &[Op]) -> Option<(u32, bool, bool)> {
    let (mut count, mut peak, mut cache) = (0u32, false, false);
    // Every slot named is one an allocation handed out (never the header slot 0:0).
    let blocks = allocated(c);
    let handed_out = |s: Slot| s.ty == 0 && blocks.iter().any(|&(b, n)| s.off >= b && s.off < b + n);
    for o in c {
        let mut named = vec![];
        o.clone().map_slots(&mut |s| {
            named.push(s);
            s
        });
        if !named.into_iter().all(handed_out) {
            return None;
        }
        match o {
            Op::alloc_swap { .. } => cache = true,
            Op::put_swap_folio { .. } => cache = false,
            // swap_duplicate adds to a slot in use only (-ENOENT on a free one).
            Op::swap_duplicate { .. } if count == 0 && !cache => return None,
            Op::swap_duplicate { times, .. } => count += u32::from(*times),
            Op::swap_free_nr { times, .. } => count = count.checked_sub(u32::from(*times))?,
            Op::free_swap_and_cache_nr { .. } => count = count.checked_sub(1)?,
            _ => {}
        }
        peak |= count > 62;
    }
    Some((count, peak, cache))
}

#[test]
fn ops_fold_into_repeats_and_paired_repeats_shrink_together() {
    // cont-borrow-keeps-continued as the old minimizer left it (13 ops). The
    // planted property is the bug's: the count passed 62, came back to exactly 0,
    // and the cache was gone by then. The hand-minimal program is 5 ops, with 63 on
    // both sides: lowering either repeat alone unbalances the count.
    let p = ops("swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1\nput_swap_folio 0:1 order=0\n\
                 swap_duplicate 0:1 x4\nswap_duplicate 0:1 x2\nswap_duplicate 0:1 x124\nswap_duplicate 0:1 x3\n\
                 swap_duplicate 0:1\nswap_free_nr 0:1 nr=1 x69\nfree_swap_and_cache_nr 0:1 nr=1\n\
                 free_swap_and_cache_nr 0:1 nr=1\nswap_free_nr 0:1 nr=1 x64\n");
    let mut keeps = holds(|c: &[Op]| has_swapon(c) && count_history(c) == Some((0, true, false)));
    let (min, _) = reduce(p, &mut keeps, None);
    assert_eq!(
        text(&min),
        "swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x63\nput_swap_folio 0:1 order=0\nswap_free_nr 0:1 nr=1 x63"
    );
}

#[test]
fn an_entry_set_to_what_it_already_is_goes() {
    // mte-restore-same-entry as the hunt minimized it (5 ops): the folio's entry set to
    // 0:1 and restored from 0:1. A new folio's `swap` is 0 already, so with the entry
    // at 0:0 the folio_set_swap sets nothing and goes: the hand-minimal 4 ops. The
    // planted property is the bug's: a folio of two pages or more with page 0 tagged,
    // prepared, then restored from its own entry (0:0 unless set).
    let p = ops("folio_new order=1\npage_set f0 page=0 seed=0 flags=1\nfolio_set_swap f0 0:1\n\
                 arch_prepare_to_swap f0\narch_swap_restore 0:1 f0\n");
    let mut keeps = holds(|c: &[Op]| {
        let (mut entry, mut prepared, mut tagged) = (None, false, false);
        for o in c {
            match o {
                Op::folio_new { order } if *order >= 1 => entry = Some(Slot { ty: 0, off: 0 }),
                Op::page_set { idx: 0, flags, .. } => tagged = flags & 1 == 1,
                Op::folio_set_swap { slot, .. } => entry = entry.map(|_| *slot),
                Op::arch_prepare_to_swap { .. } => prepared = entry.is_some() && tagged,
                Op::arch_swap_restore { slot, .. } => return prepared && Some(*slot) == entry,
                _ => {}
            }
        }
        false
    });
    let (min, _) = reduce(p, &mut keeps, None);
    assert_eq!(
        text(&min),
        "folio_new order=1\npage_set f0 page=0 seed=0 flags=1\narch_prepare_to_swap f0\narch_swap_restore 0:0 f0"
    );
}

#[test]
fn deleting_an_op_an_armed_fault_counted_moves_the_fault_nearer() {
    // mte-prepare-first-page-only's second signature as the hunt left it (9 ops): an
    // xa_node fault armed for the third allocation, a first folio whose save makes
    // two allocations, then the folio whose page-1 save is the one that fails. The
    // planted property counts allocations as the kernel does here (a tagged page's
    // save: one), and needs the failing one to be the save of a page 1.
    let p = ops("fault xa_node nth=3\nfolio_new order=0\npage_set f0 page=0 seed=0 flags=1\narch_prepare_to_swap f0\n\
                 folio_new order=1\npage_set f1 page=0 seed=0 flags=1\npage_set f1 page=1 seed=0 flags=1\n\
                 folio_set_swap f1 0:1\narch_prepare_to_swap f1\n");
    let mut keeps = holds(|c: &[Op]| {
        let m = makers(c);
        let (mut nth, mut made) = (0u32, 0u32);
        let mut tagged: Vec<(Option<usize>, u8)> = vec![];
        for (o, r) in c.iter().zip(&m) {
            match o {
                Op::fault { nth: n, .. } => (nth, made) = (u32::from(*n), 0),
                Op::page_set { idx, flags: 1, .. } if r[0].is_some() => tagged.push((r[0], *idx)),
                Op::arch_prepare_to_swap { .. } if r[0].is_some() => {
                    // Pages saved in order, one allocation each; the nth fails.
                    let mut pages: Vec<u8> = tagged.iter().filter(|t| t.0 == r[0]).map(|t| t.1).collect();
                    pages.sort_unstable();
                    for page in pages {
                        made += 1;
                        if made == nth {
                            return page == 1;
                        }
                    }
                }
                _ => {}
            }
        }
        false
    });
    let (min, _) = reduce_with(p, &mut keeps, Some(&mut |_: &[Op]| None), None);
    assert_eq!(
        text(&min),
        "fault xa_node nth=1\nfolio_new order=0\npage_set f0 page=1 seed=0 flags=1\narch_prepare_to_swap f0"
    );
}

#[test]
fn a_run_of_small_allocations_becomes_one_large_one_on_a_device_with_room() {
    // scan-cluster-leaves-last-slot's shape (corpus/known-bugs): the slip shows when an
    // allocation fills a cluster's last free run. Generated programs get there with many
    // order-0 calls on a one-cluster device (511 slots past the header, at most 64 a call:
    // SWAP_BATCH); the hand-minimal program fills a free cluster (512 slots, no header) with
    // one call of 32 order-4 entries, which a one-cluster device cannot do (its only
    // cluster holds the header). The planted property is that fact.
    let p = ops("swapon 1\nget_swap_pages nr=64 order=0\nget_swap_pages nr=64 order=0\n\
                 get_swap_pages nr=64 order=0\nget_swap_pages nr=64 order=0\nget_swap_pages nr=64 order=0\n\
                 get_swap_pages nr=64 order=0\nget_swap_pages nr=64 order=0\nget_swap_pages nr=63 order=0\n");
    let fills_a_cluster = |c: &[Op]| {
        let Some(Op::swapon { device }) = c.first() else { return false };
        let (mut small, mut large) = (0u32, false);
        for o in c {
            if let Op::get_swap_pages { n, order } = o {
                let n = u32::from(*n).min(64);
                if *order == 0 {
                    small += n;
                } else if device.clusters >= 2 && n << order >= 512 {
                    large = true;
                }
            }
        }
        small >= 511 || large
    };
    let mut keeps = holds(fills_a_cluster);
    let (min, _) = reduce(p, &mut keeps, None);
    // Two ops, as the slip's hand-minimal program: 32 entries of 16 slots are 512.
    assert_eq!(text(&min), "swapon 2\nget_swap_pages nr=32 order=4");
}
