//! Fuzzer bytes ↔ programs.
//!
//! [`decode`] is total: every byte string is a program (missing bytes read as
//! zero, as `arbitrary::Unstructured` does). [`encode`] is its inverse on every
//! program the text form can express, so seeds written as text become binary
//! seeds that decode back to themselves.
//!
//! Layout: a header byte (bit 0: raw mode; bits 2..=4: leading devices,
//! 0..=4), one byte per leading device (bits 0..=1: clusters - 1; bit 2: no
//! cluster_info), then ops: a selector byte (index into the family's kinds)
//! followed by the op's fields. Counts (`nr`, repeat) are skewed: one byte
//! below 224 picks one of the 16 smallest values, 224 and up escape to a
//! 16-bit value over the whole domain. Only single bytes are read from
//! `Unstructured`; wider fields are assembled here, so the encoder does not
//! depend on how `arbitrary` lays out integers.

use super::op::{domain, Family, Op, Slot, KINDS};
use super::{Mode, Program, MAX_OPS};
use crate::engine::Site;
use arbitrary::Unstructured;

/// Bytes below this select one of the first [`SMALL`] values of a skewed field.
const ESCAPE: u8 = 224;
const SMALL: u16 = 16;

struct Reader<'a, 'b>(&'b mut Unstructured<'a>);

impl Reader<'_, '_> {
    fn byte(&mut self) -> u8 {
        self.0.arbitrary::<u8>().unwrap_or(0)
    }
    fn word(&mut self) -> u16 {
        u16::from(self.byte()) | u16::from(self.byte()) << 8
    }
    fn below(&mut self, n: u8) -> u8 {
        self.byte() % n
    }
    fn range16(&mut self, (lo, hi): (u16, u16)) -> u16 {
        lo + self.word() % (hi - lo + 1)
    }
    /// Small values from one byte (most inputs), the whole domain behind an
    /// escape byte: bulk ops and wide batches stay possible without making
    /// every execution slow.
    fn skewed(&mut self, (lo, hi): (u16, u16)) -> u16 {
        let b = self.byte();
        if b < ESCAPE {
            lo + u16::from(b) % SMALL
        } else {
            self.range16((lo, hi))
        }
    }
    fn range8(&mut self, (lo, hi): (u8, u8)) -> u8 {
        lo + self.byte() % (hi - lo + 1)
    }
    fn slot(&mut self) -> Slot {
        let ty = self.below(Slot::MAX_TYPE + 1);
        let off = self.word() % (Slot::MAX_OFF + 1);
        Slot { ty, off }
    }
    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }
    fn usage(&mut self) -> u8 {
        match self.below(4) {
            0 => super::USAGE_MAP,
            1 => super::SWAP_HAS_CACHE,
            2 => super::SWAP_MAP_SHMEM,
            _ => self.byte(),
        }
    }
}

/// Decodes fuzzer bytes into a program whose ops come from `family`.
pub fn decode(data: &[u8], family: Family) -> Program {
    let mut u = Unstructured::new(data);
    let mut r = Reader(&mut u);
    let header = r.byte();
    let mode = if header & 1 == 1 { Mode::Raw } else { Mode::Contract };
    let devices = ((header >> 2) & 7).min(4);
    let mut ops = Vec::new();
    for _ in 0..devices {
        let d = r.byte();
        ops.push(Op::Swapon { clusters: (d & 3) + 1, cluster_info: d & 4 == 0 });
    }
    let kinds = family.kinds();
    while !r.0.is_empty() && ops.len() < MAX_OPS {
        let kind = kinds[usize::from(r.byte()) % kinds.len()];
        ops.push(decode_op(&mut r, kind));
    }
    Program { mode, ops }
}

fn decode_op(r: &mut Reader<'_, '_>, kind: u8) -> Op {
    use Op::*;
    match KINDS[usize::from(kind)] {
        "swapon" => {
            let d = r.byte();
            Swapon { clusters: (d & 3) + 1, cluster_info: d & 4 == 0 }
        }
        "swapoff" => Swapoff { ty: r.below(Slot::MAX_TYPE + 1) },
        "mark_bad" => MarkBad { slot: r.slot() },
        "alloc_swap" => AllocSwap { ty: r.below(Slot::MAX_TYPE + 1), order: r.range8(domain::ORDER) },
        "fault" => Fault { site: Site::ALL[usize::from(r.below(3))], nth: r.range8(domain::NTH) },
        "mte" => Mte { on: r.flag() },
        "folio_new" => FolioNew { order: r.range8(domain::ORDER) },
        "folio_free" => FolioFree { folio: r.range8(domain::FOLIO) },
        "folio_set_swap" => FolioSetSwap { folio: r.range8(domain::FOLIO), slot: r.slot() },
        "page_set" => PageSet {
            folio: r.range8(domain::FOLIO),
            idx: r.range8(domain::PAGE),
            seed: r.byte(),
            flags: r.below(4),
        },
        "swapcache_add" => SwapcacheAdd { folio: r.range8(domain::FOLIO) },
        "swapcache_del" => SwapcacheDel { folio: r.range8(domain::FOLIO) },
        "folio_set_mapped" => FolioSetMapped { folio: r.range8(domain::FOLIO), mapped: r.flag() },
        "__swap_duplicate" => SwapDuplicateRaw { slot: r.slot(), usage: r.usage(), nr: r.skewed(domain::NR) },
        "swap_duplicate" => SwapDuplicate { slot: r.slot(), times: r.skewed(domain::TIMES) },
        "swapcache_prepare" => SwapcachePrepare { slot: r.slot(), nr: r.skewed(domain::NR) },
        "swap_shmem_alloc" => SwapShmemAlloc { slot: r.slot(), nr: r.skewed(domain::NR) },
        "swapcache_clear" => SwapcacheClear { slot: r.slot(), nr: r.skewed(domain::NR) },
        "add_swap_count_continuation" => AddSwapCountContinuation { slot: r.slot() },
        "swap_free_nr" => SwapFreeNr { slot: r.slot(), nr: r.skewed(domain::NR), times: r.skewed(domain::TIMES) },
        "put_swap_folio" => PutSwapFolio { slot: r.slot(), order: r.range8(domain::ORDER) },
        "swapcache_free_entries" => {
            let (lo, hi) = domain::ENTRIES;
            let n = lo + usize::from(r.byte()) % (hi - lo + 1);
            SwapcacheFreeEntries { slots: (0..n).map(|_| r.slot()).collect() }
        }
        "free_swap_and_cache_nr" => FreeSwapAndCacheNr { slot: r.slot(), nr: r.skewed(domain::NR) },
        "__swap_count" => SwapCountRaw { slot: r.slot() },
        "swap_swapcount" => SwapSwapcount { slot: r.slot() },
        "swp_swapcount" => SwpSwapcount { slot: r.slot() },
        "arch_prepare_to_swap" => ArchPrepareToSwap { folio: r.range8(domain::FOLIO) },
        "arch_swap_restore" => ArchSwapRestore { slot: r.slot(), folio: r.range8(domain::FOLIO) },
        "mte_save_tags" => MteSaveTags { folio: r.range8(domain::FOLIO), idx: r.range8(domain::PAGE) },
        "mte_restore_tags" => MteRestoreTags {
            slot: r.slot(),
            folio: r.range8(domain::FOLIO),
            idx: r.range8(domain::PAGE),
        },
        "mte_invalidate_tags" => MteInvalidateTags { slot: r.slot() },
        "mte_invalidate_tags_area" => MteInvalidateTagsArea { ty: r.below(Slot::MAX_TYPE + 1) },
        "arch_swap_invalidate_page" => ArchSwapInvalidatePage { slot: r.slot() },
        "arch_swap_invalidate_area" => ArchSwapInvalidateArea { ty: r.below(Slot::MAX_TYPE + 1) },
        "swap_out" => SwapOut {
            ty: r.below(Slot::MAX_TYPE + 1),
            order: r.range8(domain::ORDER),
            seed: r.byte(),
        },
        "swap_in" => SwapIn { slot: r.slot(), order: r.range8(domain::ORDER) },
        other => unreachable!("KINDS and decode_op disagree on `{other}`"),
    }
}

/// Writes the bytes [`decode`] reads back as `p` (with the same family).
/// Fails when an op is not in the family.
pub fn encode(p: &Program, family: Family) -> Result<Vec<u8>, String> {
    let leading = p
        .ops
        .iter()
        .take(4)
        .take_while(|op| matches!(op, Op::Swapon { .. }))
        .count();
    let mut out = vec![u8::from(p.mode == Mode::Raw) | (leading as u8) << 2];
    for op in &p.ops[..leading] {
        if let Op::Swapon { clusters, cluster_info } = op {
            out.push(device_byte(*clusters, *cluster_info));
        }
    }
    for op in &p.ops[leading..] {
        let kind = op.kind_index() as u8;
        let sel = family
            .kinds()
            .iter()
            .position(|&k| k == kind)
            .ok_or_else(|| format!("op `{}` is not in the {family:?} family", op.kind()))?;
        out.push(sel as u8);
        encode_op(op, &mut out);
    }
    Ok(out)
}

fn device_byte(clusters: u8, cluster_info: bool) -> u8 {
    (clusters - 1) | if cluster_info { 0 } else { 4 }
}

fn word(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn skewed(out: &mut Vec<u8>, v: u16, (lo, _): (u16, u16)) {
    if v - lo < SMALL {
        out.push((v - lo) as u8);
    } else {
        out.push(ESCAPE);
        word(out, v - lo);
    }
}

fn slot(out: &mut Vec<u8>, s: Slot) {
    out.push(s.ty);
    word(out, s.off);
}

fn encode_op(op: &Op, out: &mut Vec<u8>) {
    use Op::*;
    let nr = |out: &mut Vec<u8>, v: u16| skewed(out, v, domain::NR);
    let times = |out: &mut Vec<u8>, v: u16| skewed(out, v, domain::TIMES);
    match op {
        Swapon { clusters, cluster_info } => out.push(device_byte(*clusters, *cluster_info)),
        Swapoff { ty } | MteInvalidateTagsArea { ty } | ArchSwapInvalidateArea { ty } => out.push(*ty),
        MarkBad { slot: s }
        | AddSwapCountContinuation { slot: s }
        | SwapCountRaw { slot: s }
        | SwapSwapcount { slot: s }
        | SwpSwapcount { slot: s }
        | MteInvalidateTags { slot: s }
        | ArchSwapInvalidatePage { slot: s } => slot(out, *s),
        AllocSwap { ty, order } => out.extend([*ty, *order]),
        Fault { site, nth } => out.extend([*site as u8, *nth]),
        Mte { on } => out.push(u8::from(*on)),
        FolioNew { order } => out.push(*order),
        FolioFree { folio } | SwapcacheAdd { folio } | SwapcacheDel { folio } | ArchPrepareToSwap { folio } => {
            out.push(*folio)
        }
        FolioSetSwap { folio, slot: s } => {
            out.push(*folio);
            slot(out, *s);
        }
        PageSet { folio, idx, seed, flags } => out.extend([*folio, *idx, *seed, *flags]),
        FolioSetMapped { folio, mapped } => out.extend([*folio, u8::from(*mapped)]),
        SwapDuplicateRaw { slot: s, usage, nr: n } => {
            slot(out, *s);
            match *usage {
                super::USAGE_MAP => out.push(0),
                super::SWAP_HAS_CACHE => out.push(1),
                super::SWAP_MAP_SHMEM => out.push(2),
                other => out.extend([3, other]),
            }
            nr(out, *n);
        }
        SwapDuplicate { slot: s, times: t } => {
            slot(out, *s);
            times(out, *t);
        }
        SwapcachePrepare { slot: s, nr: n }
        | SwapShmemAlloc { slot: s, nr: n }
        | SwapcacheClear { slot: s, nr: n }
        | FreeSwapAndCacheNr { slot: s, nr: n } => {
            slot(out, *s);
            nr(out, *n);
        }
        SwapFreeNr { slot: s, nr: n, times: t } => {
            slot(out, *s);
            nr(out, *n);
            times(out, *t);
        }
        PutSwapFolio { slot: s, order } | SwapIn { slot: s, order } => {
            slot(out, *s);
            out.push(*order);
        }
        SwapcacheFreeEntries { slots } => {
            out.push((slots.len() - domain::ENTRIES.0) as u8);
            for s in slots {
                slot(out, *s);
            }
        }
        ArchSwapRestore { slot: s, folio } => {
            slot(out, *s);
            out.push(*folio);
        }
        MteSaveTags { folio, idx } => out.extend([*folio, *idx]),
        MteRestoreTags { slot: s, folio, idx } => {
            slot(out, *s);
            out.extend([*folio, *idx]);
        }
        SwapOut { ty, order, seed } => out.extend([*ty, *order, *seed]),
    }
}
