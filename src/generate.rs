//! A seeded generator of plausible programs: the fuzzer-free campaign of
//! `cargo test` and the fixed benchmark set come from here. Biased toward the
//! states a swap developer cares about (deep counts, shmem, cache races,
//! tagged swap-out and swap-in, allocation failures) rather than uniform.

use crate::engine::Site;
use crate::program::{domain, Device, Family, Mode, Op, Program, Slot, SWAP_HAS_CACHE, SWAP_MAP_SHMEM, USAGE_MAP};

/// SplitMix64: tiny, fast, and the same sequence on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.next_u64() as usize % xs.len()].clone()
    }
}

/// A slot near the front of a device, where the allocator puts things;
/// now and then a hostile one (a type past MAX_SWAPFILES, an offset past any
/// device's end), which contract mode folds back and raw mode passes on.
fn slot(r: &mut Rng) -> Slot {
    let off = match r.range(0, 99) {
        0..=79 => r.range(0, 40),
        80..=96 => r.range(0, 2047),
        _ => r.range(2048, u64::from(Slot::MAX_OFF)),
    };
    let ty = match r.range(0, 99) {
        0..=84 => 0,
        85..=96 => r.range(0, 4),
        _ => r.range(5, u64::from(Slot::MAX_TYPE)),
    };
    Slot { ty: ty as u8, off: off as u16 }
}

fn nr(r: &mut Rng) -> u16 {
    if r.chance(70) {
        1
    } else {
        r.pick(&[2, 4, 8, 16, 64, 512])
    }
}

fn order(r: &mut Rng) -> u8 {
    if r.chance(50) {
        0
    } else {
        r.range(1, u64::from(domain::ORDER.1)) as u8
    }
}

/// A device kind: mostly SSDs (cluster_info), a third of them discarding, so a short
/// campaign runs the discard path; rotational devices take the HDD scan.
fn device(r: &mut Rng) -> Device {
    Device { clusters: r.range(1, 4) as u8, cluster_info: r.chance(80), discard: r.chance(30) }
}

/// How many entries one `get_swap_pages` asks for: one, a few, or enough (order 3 or 4)
/// to take a cluster from free to full within one call.
fn goal(r: &mut Rng) -> u16 {
    r.pick(&[1, 1, 2, 4, 16, 32, 64])
}

/// The allocator and queued work: `get_swap_pages`, an explicit flush, the kworker switch
/// (off, a discard waits and the allocator runs it itself).
fn allocator_op(r: &mut Rng) -> Op {
    use Op::*;
    match r.range(0, 9) {
        0..=5 => get_swap_pages { n: goal(r), order: order(r) },
        6..=7 => flush_work {},
        _ => kworker { on: r.chance(40) },
    }
}

/// Mostly a few references; sometimes enough to need one continuation page
/// (> 62) or two (> 62 + 63 * 127 = 8063).
fn times(r: &mut Rng) -> u16 {
    match r.range(0, 99) {
        0..=69 => r.range(1, 4) as u16,
        70..=89 => r.range(55, 200) as u16,
        _ => r.range(8_000, 8_300) as u16,
    }
}

pub fn program(r: &mut Rng, family: Family) -> Program {
    let mode = if r.chance(80) { Mode::Contract } else { Mode::Raw };
    let mut ops = vec![];
    if family != Family::Mte && r.chance(6) {
        ops.extend(fill_clusters(r, family));
    }
    for _ in 0..r.range(1, 3) {
        ops.push(Op::swapon { device: device(r) });
    }
    if r.chance(15) {
        ops.push(Op::mark_bad { slot: Slot { ty: 0, off: r.range(1, 40) as u16 } });
    }
    if family != Family::Counts && r.chance(10) {
        ops.push(Op::mte { on: false });
    }
    let n = r.range(4, 32);
    while ops.len() < n as usize {
        if family != Family::Counts && r.chance(4) {
            ops.extend(scenario(r, mode));
            continue;
        }
        if r.chance(12) {
            ops.push(allocator_op(r));
            continue;
        }
        let op = match family {
            Family::Counts => count_op(r),
            Family::Mte => mte_op(r),
            Family::All => {
                if r.chance(50) {
                    count_op(r)
                } else {
                    mte_op(r)
                }
            }
        };
        ops.push(op);
    }
    Program { mode, ops }
}

/// A device filled and emptied cluster by cluster, so that the frag lists see clusters
/// fill up and empty out (random ops rarely allocate 500 slots of one device). Type 0: it
/// comes first in the program.
fn fill_clusters(r: &mut Rng, family: Family) -> Vec<Op> {
    use Op::*;
    let ssd = |clusters, discard| swapon { device: Device { clusters, cluster_info: true, discard } };
    let s = |off| Slot { ty: 0, off };
    if r.chance(40) {
        // One cluster, the header's: order 0 moves it to frag_clusters[0]; 8 * 64 fill it.
        let mut ops = vec![ssd(1, false), get_swap_pages { n: 64, order: 0 }];
        if family == Family::All {
            // A 2-page folio in the swap cache over 0:2..3 with 0:3 also mapped (folio ops
            // are not in the Counts family's bytes). When the fill makes the device full
            // while swap is full, the reclaim work queued then meets it: slot 2 reads
            // SWAP_HAS_CACHE, __try_to_reclaim_swap finds the folio but not a cache-only
            // range, and returns -2, the branch the worker's `abs()` is for. No draw: the
            // programs after this one stay as they were.
            ops.extend([
                swap_duplicate { slot: s(3), times: 1 },
                folio_new { order: 1 },
                folio_set_swap { folio: 0, slot: s(2) },
                swapcache_add { folio: 0 },
            ]);
        }
        ops.extend((1..8).map(|_| get_swap_pages { n: 64, order: 0 }));
        return ops;
    }
    let discard = r.chance(50);
    let mut ops = vec![
        ssd(3, discard),
        // 64 order-4 runs: clusters 1 and 2 (free -> nonfull -> full in one call each).
        get_swap_pages { n: 64, order: 4 },
        // Two runs back: cluster 1 full -> nonfull[4]; the next order-4 request finds no
        // free cluster and moves it to frag[4], the one after fills it: frag -> full.
        put_swap_folio { slot: s(512), order: 4 },
        put_swap_folio { slot: s(528), order: 4 },
        get_swap_pages { n: 1, order: 4 },
        get_swap_pages { n: 1, order: 4 },
        // Cluster 2 down to its first run, then onto frag[4] with a second run...
        swapcache_clear { slot: s(1040), nr: 496 },
        get_swap_pages { n: 1, order: 4 },
    ];
    // ... and both runs released in one call: frag -> free, or on a discarding device (the
    // kworker off) frag -> discard, and discard -> free when the queue is flushed.
    if discard {
        ops.push(kworker { on: false });
    }
    ops.push(swapcache_clear { slot: s(1024), nr: 32 });
    if discard {
        ops.push(flush_work {});
    }
    ops
}

/// Short sequences that single random ops rarely line up.
fn scenario(r: &mut Rng, mode: Mode) -> Vec<Op> {
    use Op::*;
    let o = order(r);
    let slot = Slot { ty: 0, off: 0 };
    if mode == Mode::Raw && r.chance(30) {
        // A page locked for tagging that never got tagged: restore spins.
        return vec![
            swap_out { ty: 0, order: 0, seed: 1 },
            folio_new { order: 0 },
            page_set { folio: 0, idx: 0, seed: 0, flags: 2 },
            mte_restore_tags { slot: Slot { ty: 0, off: 1 }, folio: 0, idx: 0 },
        ];
    }
    // A folio still in the swap cache when its last page-table reference goes:
    // free_swap_and_cache_nr reclaims it unless it is mapped.
    vec![
        folio_new { order: o },
        alloc_swap { ty: 0, order: o },
        folio_set_swap { folio: 0, slot },
        swapcache_add { folio: 0 },
        swap_duplicate { slot, times: 1 },
        folio_set_mapped { folio: 0, mapped: r.chance(30) },
        free_swap_and_cache_nr { slot, nr: 1 << o },
    ]
}

fn fault(r: &mut Rng, sites: &[Site]) -> Op {
    Op::fault { site: r.pick(sites), nth: r.range(1, 4) as u8 }
}

fn count_op(r: &mut Rng) -> Op {
    use Op::*;
    match r.range(0, 99) {
        0..=11 => alloc_swap { ty: if r.chance(90) { 0 } else { r.range(0, 3) as u8 }, order: order(r) },
        12..=25 => swap_duplicate { slot: slot(r), times: times(r) },
        26..=35 => swap_free_nr { slot: slot(r), nr: nr(r), times: if r.chance(80) { 1 } else { times(r) } },
        36..=41 => free_swap_and_cache_nr { slot: slot(r), nr: nr(r) },
        42..=47 => swapcache_prepare { slot: slot(r), nr: nr(r) },
        48..=53 => swapcache_clear { slot: slot(r), nr: nr(r) },
        54..=59 => put_swap_folio { slot: slot(r), order: order(r) },
        60..=64 => swap_shmem_alloc { slot: slot(r), nr: nr(r) },
        65..=69 => __swap_duplicate {
            slot: slot(r),
            usage: {
                let any = r.range(0, 255) as u8;
                r.pick(&[USAGE_MAP, SWAP_HAS_CACHE, SWAP_MAP_SHMEM, any])
            },
            nr: nr(r),
        },
        70..=73 => swapcache_free_entries { slots: (0..r.range(1, 4)).map(|_| slot(r)).collect() },
        74..=77 => add_swap_count_continuation { slot: slot(r) },
        78..=85 => {
            let s = slot(r);
            r.pick(&[__swap_count { slot: s }, swap_swapcount { slot: s }, swp_swapcount { slot: s }])
        }
        86..=90 => fault(r, &[Site::ContPage]),
        91..=93 => swapoff { ty: r.range(0, 3) as u8 },
        94..=96 => swapon { device: device(r) },
        _ => swap_out { ty: 0, order: order(r), seed: r.range(0, 255) as u8 },
    }
}

fn mte_op(r: &mut Rng) -> Op {
    use Op::*;
    let folio = r.range(0, 3) as u8;
    match r.range(0, 99) {
        0..=24 => swap_out {
            ty: if r.chance(85) { 0 } else { r.range(0, 3) as u8 },
            order: order(r),
            seed: r.range(0, 255) as u8,
        },
        25..=44 => swap_in { slot: slot(r), order: order(r) },
        45..=51 => fault(r, &[Site::TagStorage, Site::XaNode]),
        52..=57 => folio_new { order: order(r) },
        58..=62 => {
            page_set { folio, idx: r.range(0, 15) as u8, seed: r.range(0, 255) as u8, flags: r.range(0, 3) as u8 }
        }
        63..=66 => folio_set_swap { folio, slot: slot(r) },
        67..=69 => swapcache_add { folio },
        70..=73 => arch_prepare_to_swap { folio },
        74..=77 => arch_swap_restore { slot: slot(r), folio },
        78..=80 => mte_save_tags { folio, idx: r.range(0, 15) as u8 },
        81..=83 => mte_restore_tags { slot: slot(r), folio, idx: r.range(0, 15) as u8 },
        84..=86 => mte_invalidate_tags { slot: slot(r) },
        87..=88 => {
            let ty = r.range(0, 1) as u8;
            if r.chance(50) {
                mte_invalidate_tags_area { ty }
            } else {
                arch_swap_invalidate_area { ty }
            }
        }
        89..=90 => arch_swap_invalidate_page { slot: slot(r) },
        91..=92 => swapoff { ty: r.range(0, 3) as u8 },
        93..=95 => mte { on: r.chance(70) },
        96..=97 => folio_free { folio },
        _ => free_swap_and_cache_nr { slot: slot(r), nr: nr(r) },
    }
}
