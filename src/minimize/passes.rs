//! The reduction passes. Each takes the current ops (for which the property
//! holds) and returns ops for which it still holds, never larger
//! ([`super::reducer::weight`]).

use super::reducer::Reducer;
use super::renumber::{delete, slot_types};
use crate::program::{domain, Op, Slot};

/// Zeller's ddmin over whole ops: remove chunks while the divergence stays.
/// A removed `folio_new` renumbers the later folio handles ([`delete`]); the
/// candidate as cut, without that repair, is tried too.
pub fn ddmin(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut n = 2usize;
    while ops.len() >= 2 && !r.exhausted() {
        let chunk = ops.len().div_ceil(n);
        let mut reduced = false;
        for start in (0..ops.len()).step_by(chunk) {
            let gone: Vec<usize> = (start..(start + chunk).min(ops.len())).collect();
            if let Some(kept) = try_delete(r, &ops, &gone, false) {
                ops = kept;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= ops.len() {
                break;
            }
            n = (n * 2).min(ops.len());
        }
    }
    ops
}

/// Deletes `gone` from `ops`: repaired (folio handles renumbered), as cut, and, with
/// `steer`, repaired and steered again (contract mode moves what still dangles).
fn try_delete(r: &mut Reducer<'_, '_>, ops: &[Op], gone: &[usize], steer: bool) -> Option<Vec<Op>> {
    let repaired = delete(ops, gone, true);
    let cut = delete(ops, gone, false);
    if let Some(kept) = r.accept(ops, &repaired) {
        return Some(kept);
    }
    if cut != repaired {
        if let Some(kept) = r.accept(ops, &cut) {
            return Some(kept);
        }
    }
    if !steer {
        return None;
    }
    r.accept_or_steer(ops, &repaired).or_else(|| fewer_allocations(r, ops, gone, &repaired))
}

/// How many allocations a deleted op may have made that an armed fault counts: a
/// tag save allocates its buffer and xarray nodes, a large folio's more.
const DELETED_ALLOCATIONS: u8 = 4;

/// The deletion repaired for an armed fault: the deleted ops may have made some of
/// the allocations a `fault ... nth=N` before them counts, so the same failure is
/// now fewer allocations away. Each fault before the deletion is tried with `nth`
/// lowered by 1 up to [`DELETED_ALLOCATIONS`] (never below 1).
fn fewer_allocations(r: &mut Reducer<'_, '_>, ops: &[Op], gone: &[usize], repaired: &[Op]) -> Option<Vec<Op>> {
    let first = *gone.first()?;
    for (i, op) in ops[..first].iter().enumerate() {
        let Op::fault { site, nth } = op else { continue };
        for fewer in 1..=DELETED_ALLOCATIONS.min(nth.saturating_sub(1)) {
            let mut c = repaired.to_vec();
            // Ops before the deletion keep their index in the candidate.
            c[i] = Op::fault { site: *site, nth: nth - fewer };
            if let Some(kept) = r.accept(ops, &c) {
                return Some(kept);
            }
        }
    }
    None
}

/// Each op deleted on its own, last first (a later op depends on earlier ones, not
/// the other way round), with dependency repair: renumbered folios, then the
/// candidate steered again, then an armed fault moved nearer. ddmin has tried the plain deletions already (the
/// reducer remembers them), so this costs the repairs only.
pub fn delete_each(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut i = ops.len();
    while i > 0 && !r.exhausted() {
        i -= 1;
        if i >= ops.len() {
            continue;
        }
        if let Some(kept) = try_delete(r, &ops, &[i], true) {
            ops = kept;
        }
    }
    ops
}

/// Adjacent copies of a repeated op (equal but for the repeat count) become one op
/// repeating the sum: a whole run of them first, then pairs.
pub fn merge_repeats(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let same = |a: &Op, b: &Op| a.times().is_some() && a.with_times(1) == b.with_times(1);
    let mut i = 0;
    while i + 1 < ops.len() && !r.exhausted() {
        let mut end = i + 1;
        while end < ops.len() && same(&ops[i], &ops[end]) {
            end += 1;
        }
        if end - i < 2 {
            i += 1;
            continue;
        }
        let merged = |from: usize, to: usize, ops: &[Op]| {
            let total: u32 = ops[from..to].iter().map(|o| u32::from(o.times().unwrap_or(1))).sum();
            let one = ops[from].with_times(total.min(u32::from(domain::TIMES.1)) as u16);
            let mut c = ops[..from].to_vec();
            c.push(one);
            c.extend_from_slice(&ops[to..]);
            c
        };
        if let Some(kept) = r.accept(&ops, &merged(i, end, &ops)) {
            ops = kept;
            continue;
        }
        let mut merged_pair = false;
        for j in i..end - 1 {
            if let Some(kept) = r.accept(&ops, &merged(j, j + 2, &ops)) {
                ops = kept;
                merged_pair = true;
                break;
            }
        }
        if !merged_pair {
            i = end;
        }
    }
    ops
}

/// Every size of every op (repeat counts, `nr`, orders, clusters, `nth`, seeds, page
/// indices) binary-searched down: its floor first, then halving the gap between the
/// largest value that failed and the smallest that holds. A repeat of 8086 reaches
/// its exact threshold in about 14 runs.
pub fn lower_numbers(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut i = 0;
    while i < ops.len() && !r.exhausted() {
        for (pos, _, floor) in ops[i].numbers() {
            let value = |ops: &[Op]| ops.get(i).and_then(|o| o.numbers().into_iter().find(|n| n.0 == pos)).map(|n| n.1);
            let with = |ops: &[Op], n: u16| {
                let mut c = ops.to_vec();
                c[i] = c[i].with_number(pos, n);
                c
            };
            let Some(mut good) = value(&ops) else { break };
            if good <= floor {
                continue;
            }
            if let Some(kept) = r.accept(&ops, &with(&ops, floor)) {
                ops = kept;
                continue;
            }
            let mut bad = floor;
            while good - bad > 1 && !r.exhausted() {
                let mid = bad + (good - bad) / 2;
                match r.accept(&ops, &with(&ops, mid)) {
                    Some(kept) => {
                        ops = kept;
                        // The cut may have ended the program before op i.
                        match value(&ops) {
                            Some(v) => good = v,
                            None => break,
                        }
                    }
                    None => bad = mid,
                }
            }
        }
        i += 1;
    }
    ops
}

/// Each op's other simpler versions (fewer entries in a list, the default device).
pub fn simplify(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut i = 0;
    while i < ops.len() && !r.exhausted() {
        for simpler in ops[i].simpler_versions() {
            let mut candidate = ops.clone();
            candidate[i] = simpler;
            if let Some(kept) = r.accept(&ops, &candidate) {
                ops = kept;
                break;
            }
        }
        i += 1;
    }
    ops
}

/// The lowest offset an allocation of `order` gets on an empty one-cluster device: the
/// 6.12 allocator takes the cluster's lowest naturally aligned free run, at offset 1 or
/// above (offset 0 is the swap header). The property checks every guess.
fn first_block(order: u8) -> u16 {
    (1u16 << order).max(1)
}

/// Lower allocation orders jointly with the slots they hand out: `alloc_swap 0
/// order=3` (offsets 8..=15 on an empty device) with `0:14` later becomes `order=0`
/// with `0:1`, the same page of a smaller allocation (the last one when the old page
/// lies past its end), and the orders of later `put_swap_folio` on those slots are
/// lowered with it. The old block is guessed (the first block of its order, or the
/// block the lowest later reference lies in); the property checks the guess.
pub fn lower_allocations(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut i = 0;
    while i < ops.len() && !r.exhausted() {
        let Op::alloc_swap { ty, order } = ops[i] else {
            i += 1;
            continue;
        };
        let mut lowered = false;
        'orders: for new in 0..order {
            for base in block_guesses(&ops, i, ty, order) {
                for with_orders in [true, false] {
                    let c = lowered_allocation(&ops, i, ty, order, new, base, with_orders);
                    if let Some(kept) = r.accept_or_steer(&ops, &c) {
                        ops = kept;
                        lowered = true;
                        break 'orders;
                    }
                }
            }
        }
        if !lowered {
            i += 1;
        }
    }
    ops
}

fn block_guesses(ops: &[Op], i: usize, ty: u8, order: u8) -> Vec<u16> {
    let size = 1u16 << order;
    let mut out = vec![first_block(order)];
    let lowest = ops[i + 1..].iter().flat_map(slots_of).filter(|s| s.ty == ty).map(|s| s.off).min();
    if let Some(b) = lowest.map(|o| o & !(size - 1)).filter(|&b| b >= 1 && !out.contains(&b)) {
        out.push(b);
    }
    out
}

fn lowered_allocation(ops: &[Op], i: usize, ty: u8, order: u8, new: u8, base: u16, with_orders: bool) -> Vec<Op> {
    let (old_size, new_size) = (1u16 << order, 1u16 << new);
    let new_base = if base == first_block(order) { first_block(new) } else { base };
    let inside = |s: Slot| s.ty == ty && s.off >= base && s.off < base + old_size;
    let mut c = ops.to_vec();
    c[i] = Op::alloc_swap { ty, order: new };
    for op in &mut c[i + 1..] {
        let touches = slots_of(op).into_iter().any(inside);
        op.map_slots(&mut |s| {
            if inside(s) {
                Slot { ty, off: new_base + (s.off - base).min(new_size - 1) }
            } else {
                s
            }
        });
        if let (true, true, Op::put_swap_folio { order: o, .. }) = (with_orders, touches, &mut *op) {
            *o = (*o).min(new);
        }
    }
    c
}

fn slots_of(op: &Op) -> Vec<Slot> {
    let mut out = vec![];
    op.clone().map_slots(&mut |s| {
        out.push(s);
        s
    });
    out
}

/// Slots renumbered downwards, per swap type: all of a type's slots shifted
/// together so the lowest lands at offset 1 (or the lowest offset with the same
/// alignment, up to 16), then each distinct offset alone moved to just above the
/// one below it (the lowest to 0, else 1).
pub fn lower_slots(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    for ty in slot_types(&ops) {
        let offsets = |ops: &[Op]| {
            let mut v: Vec<u16> = ops.iter().flat_map(slots_of).filter(|s| s.ty == ty).map(|s| s.off).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let remap = |ops: &[Op], f: &dyn Fn(u16) -> u16| -> Vec<Op> {
            let mut c = ops.to_vec();
            for op in &mut c {
                op.map_slots(&mut |s| if s.ty == ty { Slot { ty, off: f(s.off) } } else { s });
            }
            c
        };
        let Some(&lowest) = offsets(&ops).first() else { continue };
        let mut targets: Vec<u16> = (0..=4).map(|m| aligned_floor(lowest, m)).filter(|&t| t < lowest).collect();
        targets.sort_unstable();
        targets.dedup();
        for t in targets {
            if r.exhausted() {
                return ops;
            }
            if let Some(kept) = r.accept(&ops, &remap(&ops, &|o| o - (lowest - t))) {
                ops = kept;
                break;
            }
        }
        let mut k = 0;
        loop {
            let offs = offsets(&ops);
            let Some(&o) = offs.get(k) else { break };
            // The lowest offset may go to 0 too: the header slot for the swap-count
            // calls (the property rejects it there), a plain entry 0 for the MTE ones,
            // where a folio's `swap` starts at 0 and `folio_set_swap f0 0:0` can go.
            let targets: &[u16] = if k == 0 { &[0, 1] } else { &[offs[k - 1] + 1] };
            for &target in targets {
                if target >= o || r.exhausted() {
                    continue;
                }
                if let Some(kept) = r.accept(&ops, &remap(&ops, &|x| if x == o { target } else { x })) {
                    ops = kept;
                    break;
                }
            }
            k += 1;
        }
    }
    ops
}

/// The lowest offset of at least 1 congruent to `o` modulo `2^m`.
fn aligned_floor(o: u16, m: u8) -> u16 {
    let a = 1u16 << m;
    let t = o % a;
    if t == 0 {
        a
    } else {
        t
    }
}

/// An op on the same slots as a repeated op near it folds into that op's repeat
/// count: `swap_duplicate 0:1` then `put_swap_folio ...` then `swap_duplicate 0:1
/// x124` becomes one `x125`; a `free_swap_and_cache_nr 0:1 nr=1` between two runs
/// of `swap_free_nr 0:1 nr=1` becomes one more call of them (it drops one reference
/// too). The nearest repeated op before and after are tried; the property says
/// whether the two were interchangeable.
pub fn absorb(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut i = 0;
    while i < ops.len() && !r.exhausted() {
        let slots = slots_of(&ops[i]);
        if slots.is_empty() {
            i += 1;
            continue;
        }
        let repeats_here = |j: &usize| ops[*j].times().is_some() && slots_of(&ops[*j]) == slots;
        let before = (0..i).rev().find(repeats_here);
        let after = (i + 1..ops.len()).find(repeats_here);
        let n = u32::from(ops[i].times().unwrap_or(1));
        let mut folded = false;
        for j in [before, after].into_iter().flatten() {
            let total = (u32::from(ops[j].times().unwrap_or(1)) + n).min(u32::from(domain::TIMES.1)) as u16;
            let mut c = ops.clone();
            c[j] = c[j].with_times(total);
            c.remove(i);
            if let Some(kept) = r.accept(&ops, &c) {
                ops = kept;
                folded = true;
                break;
            }
        }
        if !folded {
            i += 1;
        }
    }
    ops
}

/// Two repeated ops on the same slots lowered together by the same amount,
/// binary-searched: `swap_duplicate 0:1 x125` ... `swap_free_nr 0:1 nr=1 x125`
/// (a count raised and dropped back to zero) becomes `x63` ... `x63` where
/// lowering either alone loses the divergence.
pub fn lower_paired_repeats(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut i = 0;
    while i < ops.len() && !r.exhausted() {
        let Some(_) = ops[i].times() else {
            i += 1;
            continue;
        };
        let slots = slots_of(&ops[i]);
        let mut j = i + 1;
        while j < ops.len() && !r.exhausted() {
            if ops[j].times().is_none() || slots_of(&ops[j]) != slots {
                j += 1;
                continue;
            }
            let both = |ops: &[Op], d: u16| {
                let mut c = ops.to_vec();
                for k in [i, j] {
                    c[k] = c[k].with_times(c[k].times().unwrap_or(1) - d);
                }
                c
            };
            // Largest d that holds, d = 0 holding; both stay at one call at least.
            let smallest = |ops: &[Op]| ops[i].times().unwrap_or(1).min(ops[j].times().unwrap_or(1));
            let (mut good, mut bad) = (0u16, smallest(&ops));
            while bad - good > 1 && !r.exhausted() {
                let mid = good + (bad - good) / 2;
                match r.accept(&ops, &both(&ops, mid)) {
                    Some(kept) if kept.len() == ops.len() => {
                        let m = smallest(&kept);
                        ops = kept;
                        // The counts moved down by mid: search the rest from zero again.
                        (good, bad) = (0, m.min(bad - mid));
                    }
                    _ => bad = mid,
                }
            }
            j += 1;
        }
        i += 1;
    }
    ops
}

/// `get_swap_pages`' batch bound: a call hands out at most this many entries.
const SWAP_BATCH: u32 = swapdiff_contract::SWAP_BATCH as u32;

/// A run of consecutive `get_swap_pages` calls becomes one call handing out as many slots
/// (at least) in larger entries: eight order-0 calls of 64 become `nr=32 order=4`. A
/// cluster's slot 0 on type 0 is the swap header, so a device's first cluster cannot take
/// the largest entries a run of small ones filled: each candidate is tried on the device
/// as it was, then with one more cluster (the last `swapon` before the run), where a free
/// cluster takes them. The largest order first (the fewest entries, the smallest program),
/// down to the run's own largest; the property decides.
pub fn coarsen_allocations(r: &mut Reducer<'_, '_>, mut ops: Vec<Op>) -> Vec<Op> {
    let mut i = 0;
    while i < ops.len() && !r.exhausted() {
        let end = (i..ops.len()).find(|&j| !matches!(ops[j], Op::get_swap_pages { .. })).unwrap_or(ops.len());
        if end - i < 2 {
            i = end.max(i + 1);
            continue;
        }
        let run = &ops[i..end];
        let slots: u32 = run
            .iter()
            .map(|op| match op {
                Op::get_swap_pages { n, order } => u32::from(*n).min(SWAP_BATCH) << order,
                _ => 0,
            })
            .sum();
        let largest = run.iter().map(|op| if let Op::get_swap_pages { order, .. } = op { *order } else { 0 }).max();
        let swapon = (0..i).rev().find(|&j| matches!(ops[j], Op::swapon { .. }));
        let mut coarsened = false;
        'orders: for order in (largest.unwrap_or(0)..=domain::ORDER.1).rev() {
            let n = slots.div_ceil(1 << order);
            if n == 0 || n > SWAP_BATCH {
                continue;
            }
            let mut one = ops[..i].to_vec();
            one.push(Op::get_swap_pages { n: n as u16, order });
            one.extend_from_slice(&ops[end..]);
            let mut grown = one.clone();
            if let Some(Op::swapon { device }) = swapon.map(|j| &mut grown[j]) {
                device.clusters = (device.clusters + 1).min(domain::CLUSTERS.1);
            }
            for c in [one, grown] {
                if let Some(kept) = r.accept_or_steer(&ops, &c) {
                    ops = kept;
                    coarsened = true;
                    break 'orders;
                }
            }
        }
        if !coarsened {
            i = end;
        }
    }
    ops
}
