//! Contract mode: moves each op onto arguments that respect the kernel's
//! caller contracts, judged on the reference engine's state, so that a
//! divergence is a bug and not misuse.
//!
//! An op that already respects its contract is left unchanged (steering is
//! idempotent), so a steered program replays as itself. An op with no valid
//! target is dropped (`None`).

use crate::counts::{exact_count, SlotView};
use crate::engine::{Engine, CLUSTER, MAX_DEVICES};
use crate::program::{Op, Slot, SWAP_HAS_CACHE, SWAP_MAP_SHMEM, USAGE_MAP};
use crate::shadow::Shadow;

type Pred = fn(SlotView) -> bool;

/// Holds a mapping reference `swap_duplicate` may add to: the kernel
/// duplicates entries found in page tables or freshly allocated for a folio
/// being unmapped (cache only). Never shmem's, never a bad slot.
fn dupable(v: SlotView) -> bool {
    (v.has_cache() || v.has_ref()) && !v.is_shmem() && !v.is_bad()
}
fn has_ref(v: SlotView) -> bool {
    v.has_ref()
}
fn has_cache(v: SlotView) -> bool {
    v.has_cache()
}
fn cache_only(v: SlotView) -> bool {
    v.cache_only()
}
fn in_use(v: SlotView) -> bool {
    !v.is_free() && !v.is_bad()
}
fn anything(_: SlotView) -> bool {
    true
}

/// `start` if it satisfies `pred`, else the next slot that does (scanning
/// forward through its device, then the other devices).
fn find<E: Engine + ?Sized>(m: &E, start: Slot, pred: Pred) -> Option<Slot> {
    find_where(m, start, pred(SlotView { byte: 0 }), |_, v| pred(v))
}

/// [`find`] with a predicate that also sees the slot. One bounded pass.
/// `free_ok`: whether a free slot (byte 0) can satisfy `pred`; when it
/// cannot, runs of free slots are skipped sixteen at a time (most of a
/// device is free, and most predicates want a slot in use).
fn find_where<E: Engine + ?Sized>(
    m: &E,
    start: Slot,
    free_ok: bool,
    pred: impl Fn(Slot, SlotView) -> bool,
) -> Option<Slot> {
    let first = u32::from(start.ty) % MAX_DEVICES;
    for k in 0..MAX_DEVICES {
        let ty = (first + k) % MAX_DEVICES;
        // The device's map in one call: a scan reads every byte of it at worst.
        let map = m.swap_map(ty);
        if map.is_empty() {
            continue;
        }
        let from = if k == 0 && u32::from(start.ty) == ty { usize::from(start.off) % map.len() } else { 0 };
        let hit = |off: usize| pred(Slot { ty: ty as u8, off: off as u16 }, SlotView { byte: map[off] });
        let found = scan(map, from, map.len(), free_ok, &hit).or_else(|| scan(map, 0, from, free_ok, &hit));
        if let Some(off) = found {
            return Some(Slot { ty: ty as u8, off: off as u16 });
        }
    }
    None
}

/// The first offset in `[lo, hi)` of `map` that `hit` accepts.
fn scan(map: &[u8], lo: usize, hi: usize, free_ok: bool, hit: &impl Fn(usize) -> bool) -> Option<usize> {
    let mut off = lo;
    while off < hi {
        if !free_ok {
            off += first_in_use(&map[off..hi])?;
        }
        if hit(off) {
            return Some(off);
        }
        off += 1;
    }
    None
}

/// The index of the first non-zero byte: sixteen bytes per compare while
/// they are all zero.
fn first_in_use(bytes: &[u8]) -> Option<usize> {
    let mut skipped = 0;
    for chunk in bytes.chunks_exact(16) {
        if u128::from_ne_bytes(chunk.try_into().expect("16 bytes")) != 0 {
            break;
        }
        skipped += 16;
    }
    bytes[skipped..].iter().position(|&b| b != 0).map(|p| skipped + p)
}

/// How many slots from `s` (at most `want`, never crossing a cluster or the
/// device end) satisfy `pred`.
fn run<E: Engine + ?Sized>(m: &E, s: Slot, want: u16, pred: Pred) -> u16 {
    let (ty, off) = (u32::from(s.ty), u64::from(s.off));
    let map = m.swap_map(ty);
    let cluster_end = (off / u64::from(CLUSTER) + 1) * u64::from(CLUSTER);
    let end = (off + u64::from(want)).min(map.len() as u64).min(cluster_end);
    (off..end).take_while(|&o| pred(SlotView { byte: map[o as usize] })).count() as u16
}

/// `s` moved onto a slot satisfying `pred`, with `nr` cut to the run there.
fn ranged<E: Engine + ?Sized>(m: &E, s: Slot, nr: u16, pred: Pred) -> Option<(Slot, u16)> {
    let s = find(m, s, pred)?;
    Some((s, run(m, s, nr, pred).max(1)))
}

/// An aligned run of `1 << order` slots all satisfying `pred`, at or after `s`.
fn aligned<E: Engine + ?Sized>(m: &E, s: Slot, order: u8, pred: Pred) -> Option<Slot> {
    let nr = 1u16 << order;
    let down = Slot { ty: s.ty, off: s.off & !(nr - 1) };
    let ok = |x: Slot| x.off.is_multiple_of(nr) && run(m, x, nr, pred) == nr;
    if ok(down) {
        return Some(down);
    }
    let ty = u32::from(s.ty) % MAX_DEVICES;
    let max = m.device_max(ty) as u16;
    (0..max).step_by(usize::from(nr)).map(|off| Slot { ty: ty as u8, off }).find(|&x| ok(x))
}

fn exact<E: Engine + ?Sized>(m: &E, s: Slot) -> u64 {
    let e = s.entry();
    m.map_byte(e).and_then(|b| exact_count(b, &m.cont_digits(e))).unwrap_or(0)
}

/// The contract-respecting version of `op`, or `None` when nothing fits.
pub fn steer<E: Engine + ?Sized>(op: &Op, m: &E, shadow: &Shadow) -> Option<Op> {
    use Op::*;
    // Callers hold entries of the types a system can have: a hostile type
    // (raw mode's corrupted page table) is folded back; 0..=7 stay as they are.
    let mut op = op.clone();
    op.map_types(&mut |t| t % (Slot::MAX_CALLER_TYPE + 1));
    Some(match op {
        __swap_duplicate { slot, usage, nr } => {
            // The kernel passes 1 (one mapping, never batched), SWAP_HAS_CACHE
            // (swapcache_prepare) or SWAP_MAP_SHMEM (swap_shmem_alloc).
            let usage = match usage {
                USAGE_MAP | SWAP_HAS_CACHE | SWAP_MAP_SHMEM => usage,
                u => [USAGE_MAP, SWAP_HAS_CACHE, SWAP_MAP_SHMEM][usize::from(u) % 3],
            };
            match usage {
                USAGE_MAP => __swap_duplicate { slot: find(m, slot, dupable)?, usage, nr: 1 },
                SWAP_HAS_CACHE => {
                    let (slot, nr) = ranged(m, slot, nr, anything)?;
                    __swap_duplicate { slot, usage, nr }
                }
                _ => {
                    let (slot, nr) = ranged(m, slot, nr, cache_only)?;
                    __swap_duplicate { slot, usage, nr }
                }
            }
        }
        swap_duplicate { slot, times } => swap_duplicate { slot: find(m, slot, dupable)?, times },
        // Swap-in readahead asks for any entry; -EEXIST and -ENOENT are answers, not misuse.
        swapcache_prepare { slot, nr } => {
            let (slot, nr) = ranged(m, slot, nr, anything)?;
            swapcache_prepare { slot, nr }
        }
        // shmem marks slots it just allocated for a folio in its cache.
        swap_shmem_alloc { slot, nr } => {
            let (slot, nr) = ranged(m, slot, nr, cache_only)?;
            swap_shmem_alloc { slot, nr }
        }
        // The cache-dropping calls never reach a slot whose folio is still in the swap
        // cache: their callers delete the folio from it first (put_swap_folio), or never
        // added one (swapcache_clear after a skipped swap cache, the slot cache's frees).
        swapcache_clear { slot, nr } => {
            let (slot, nr) = ranged(m, slot, nr, has_cache)?;
            let nr = (0..nr).take_while(|&i| !shadow.cached_by_folio(slot.entry() + u64::from(i))).count() as u16;
            (nr > 0).then_some(swapcache_clear { slot, nr })?
        }
        add_swap_count_continuation { slot } => add_swap_count_continuation { slot: find(m, slot, in_use)? },
        swap_free_nr { slot, nr, times } => {
            let (slot, nr) = ranged(m, slot, nr, has_ref)?;
            // Never drop more references than the fewest any slot holds.
            let fewest = (0..nr).map(|i| exact(m, Slot { ty: slot.ty, off: slot.off + i })).min().unwrap_or(0);
            let times = times.min(u16::try_from(fewest).unwrap_or(u16::MAX)).max(1);
            swap_free_nr { slot, nr, times }
        }
        put_swap_folio { slot, order } => {
            let slot = aligned(m, slot, order, has_cache)?;
            if (0..1u64 << order).any(|i| shadow.cached_by_folio(slot.entry() + i)) {
                return None;
            }
            put_swap_folio { slot, order }
        }
        swapcache_free_entries { slots } => {
            // Distinct slots: the slot cache never returns one twice.
            let mut picked: Vec<Slot> = Vec::with_capacity(slots.len());
            for s in slots {
                if let Some(found) = find_where(m, s, false, |x, v| {
                    cache_only(v) && !picked.contains(&x) && !shadow.cached_by_folio(x.entry())
                }) {
                    picked.push(found);
                }
            }
            if picked.is_empty() {
                return None;
            }
            swapcache_free_entries { slots: picked }
        }
        free_swap_and_cache_nr { slot, nr } => {
            let (slot, nr) = ranged(m, slot, nr, has_ref)?;
            free_swap_and_cache_nr { slot, nr }
        }
        __swap_count { slot } => __swap_count { slot: find(m, slot, anything)? },
        swap_swapcount { slot } => swap_swapcount { slot: find(m, slot, anything)? },
        // Its one caller (smaps) reads entries out of page tables: never shmem's.
        swp_swapcount { slot } => swp_swapcount { slot: find(m, slot, |v| !v.is_shmem())? },
        mark_bad { slot } => mark_bad { slot: find(m, slot, SlotView::is_free)? },
        // Tags are saved for a folio that owns cached slots.
        arch_prepare_to_swap { folio } => {
            let f = shadow_folio(shadow, folio, |f| f.swap.is_some())?;
            arch_prepare_to_swap { folio: f }
        }
        mte_save_tags { folio, idx } => {
            let f = shadow_folio(shadow, folio, |f| f.swap.is_some())?;
            mte_save_tags { folio: f, idx: idx % shadow.folio(f)?.nr() as u8 }
        }
        // Swap-in restores into the folio that holds the entry.
        arch_swap_restore { folio, .. } => {
            let f = shadow_folio(shadow, folio, |f| f.swap.is_some())?;
            let swap = shadow.folio(f)?.swap?;
            arch_swap_restore { slot: slot_of(swap), folio: f }
        }
        mte_restore_tags { slot, folio, idx } => {
            let f = shadow_folio(shadow, folio, |_| true)?;
            mte_restore_tags { slot, folio: f, idx: idx % shadow.folio(f)?.nr() as u8 }
        }
        // A lock without the tagged flag is a tagger mid-way: nobody sets that
        // on a page that is then swapped in.
        page_set { folio, idx, seed, flags } => {
            let f = shadow_folio(shadow, folio, |_| true)?;
            let flags = if flags == 2 { 3 } else { flags };
            page_set { folio: f, idx: idx % shadow.folio(f)?.nr() as u8, seed, flags }
        }
        folio_free { folio } => folio_free { folio: shadow_folio(shadow, folio, |_| true)? },
        folio_set_swap { folio, slot } => {
            let f = shadow_folio(shadow, folio, |f| !f.in_cache)?;
            let order = shadow.folio(f)?.order;
            folio_set_swap { folio: f, slot: aligned(m, slot, order, has_cache)? }
        }
        swapcache_add { folio } => {
            let f = shadow_folio(shadow, folio, |f| f.swap.is_some() && !f.in_cache)?;
            let sh = shadow.folio(f)?;
            let s = slot_of(sh.swap?);
            // Only a folio whose slots all hold SWAP_HAS_CACHE and that no other
            // cached folio covers.
            if run(m, s, sh.nr() as u16, has_cache) != sh.nr() as u16 {
                return None;
            }
            let overlaps = shadow.live().any(|(_, o)| {
                o.in_cache && o.swap.is_some_and(|e| ranges_overlap(e, o.nr(), sh.swap.unwrap_or(0), sh.nr()))
            });
            if overlaps {
                return None;
            }
            swapcache_add { folio: f }
        }
        swapcache_del { folio } => swapcache_del { folio: shadow_folio(shadow, folio, |f| f.in_cache)? },
        folio_set_mapped { folio, mapped } => {
            folio_set_mapped { folio: shadow_folio(shadow, folio, |_| true)?, mapped }
        }
        swap_in { slot, order } => {
            // do_swap_page() faults in an aligned folio whose entries are all
            // referenced by page tables.
            swap_in { slot: aligned(m, slot, order, has_ref)?, order }
        }
        other => other,
    })
}

fn slot_of(e: u64) -> Slot {
    Slot { ty: crate::engine::entry_type(e) as u8, off: crate::engine::entry_offset(e) as u16 }
}

fn ranges_overlap(a: u64, an: u32, b: u64, bn: u32) -> bool {
    a < b + u64::from(bn) && b < a + u64::from(an)
}

/// `folio` if live and satisfying `pred`, else the first live one that does.
fn shadow_folio(shadow: &Shadow, folio: u8, pred: impl Fn(&crate::shadow::FolioShadow) -> bool) -> Option<u8> {
    if shadow.folio(folio).is_some_and(|f| pred(&f)) {
        return Some(folio);
    }
    shadow.live().find(|(_, f)| pred(f)).map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition `scan` must agree with: the first offset in
    /// `[lo, hi)` whose byte `pred` accepts.
    fn naive(map: &[u8], lo: usize, hi: usize, pred: Pred) -> Option<usize> {
        (lo..hi).find(|&o| pred(SlotView { byte: map[o] }))
    }

    #[test]
    fn the_skipping_scan_finds_what_a_byte_by_byte_scan_finds() {
        // Maps with in-use bytes at chunk edges (15, 16, 31, 32), inside a
        // chunk, at the very end, and none at all; every predicate, free-ok
        // or not, from every start.
        let mut maps = vec![vec![0u8; 70]];
        for spots in [&[0usize][..], &[15], &[16], &[31, 32], &[47], &[69], &[5, 40, 68]] {
            for byte in [1u8, SWAP_HAS_CACHE, SWAP_HAS_CACHE | 2, crate::counts::SWAP_MAP_BAD, SWAP_MAP_SHMEM] {
                let mut m = vec![0u8; 70];
                for &s in spots {
                    m[s] = byte;
                }
                maps.push(m);
            }
        }
        let preds: [Pred; 7] = [dupable, has_ref, has_cache, cache_only, in_use, anything, SlotView::is_free];
        for map in &maps {
            for pred in preds {
                let free_ok = pred(SlotView { byte: 0 });
                for lo in 0..map.len() {
                    for hi in [lo, lo + 1, map.len()] {
                        let hit = |o: usize| pred(SlotView { byte: map[o] });
                        assert_eq!(scan(map, lo, hi, free_ok, &hit), naive(map, lo, hi, pred), "{map:?} [{lo}, {hi})");
                    }
                }
            }
        }
    }
}
