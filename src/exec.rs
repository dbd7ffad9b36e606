//! Runs one primitive op on one engine and collects what it returned.

use crate::engine::{Engine, Event, TRAPPED};
use crate::program::{tags_from_seed, Op};

/// What an op did on one engine: the return value of each call it made
/// (bulk ops make several) and the events recorded meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub rets: Vec<i64>,
    pub events: Vec<Event>,
}

impl Outcome {
    /// The call hit BUG() or hung: the program cannot go on.
    pub fn trapped(&self) -> bool {
        self.rets.last() == Some(&TRAPPED)
    }
    /// The last (for single calls: the only) return value.
    pub fn ret(&self) -> i64 {
        self.rets.last().copied().unwrap_or(0)
    }
}

/// Calls `op` on `e`. Composites (`swap_out`, `swap_in`) are not primitive:
/// the runner expands them.
pub fn exec<E: Engine + ?Sized>(e: &mut E, op: &Op) -> Outcome {
    let mut rets = Vec::with_capacity(1);
    call(e, op, &mut rets);
    Outcome { rets, events: e.take_events() }
}

fn repeat(times: u16, rets: &mut Vec<i64>, mut f: impl FnMut() -> i64) {
    for _ in 0..times {
        let r = f();
        rets.push(r);
        if r == TRAPPED {
            break;
        }
    }
}

fn call<E: Engine + ?Sized>(e: &mut E, op: &Op, rets: &mut Vec<i64>) {
    use Op::*;
    let r: i64 = match op {
        Swapon { clusters, cluster_info } => e.swapon(u32::from(*clusters), *cluster_info).into(),
        Swapoff { ty } => e.swapoff(u32::from(*ty)).into(),
        MarkBad { slot } => e.mark_bad(slot.entry()).into(),
        AllocSwap { ty, order } => match e.alloc_swap(u32::from(*ty), u32::from(*order)) {
            Ok(ent) => ent as i64,
            Err(err) => err.into(),
        },
        Fault { site, nth } => {
            e.fault_arm(*site, u32::from(*nth));
            0
        }
        Mte { on } => {
            e.set_mte(*on);
            0
        }
        FolioNew { order } => e.folio_new(u32::from(*order)).into(),
        FolioFree { folio } => e.folio_free(u32::from(*folio)).into(),
        FolioSetSwap { folio, slot } => e.folio_set_swap(u32::from(*folio), slot.entry()).into(),
        PageSet { folio, idx, seed, flags } => e
            .page_set(u32::from(*folio), u32::from(*idx), &tags_from_seed(*seed, *idx), u32::from(*flags))
            .into(),
        SwapcacheAdd { folio } => e.swapcache_add(u32::from(*folio)).into(),
        SwapcacheDel { folio } => e.swapcache_del(u32::from(*folio)).into(),
        FolioSetMapped { folio, mapped } => e.folio_set_mapped(u32::from(*folio), *mapped).into(),
        SwapDuplicateRaw { slot, usage, nr } => e.__swap_duplicate(slot.entry(), *usage, i32::from(*nr)),
        SwapDuplicate { slot, times } => return repeat(*times, rets, || e.swap_duplicate(slot.entry())),
        SwapcachePrepare { slot, nr } => e.swapcache_prepare(slot.entry(), i32::from(*nr)),
        SwapShmemAlloc { slot, nr } => e.swap_shmem_alloc(slot.entry(), i32::from(*nr)),
        SwapcacheClear { slot, nr } => e.swapcache_clear(slot.entry(), i32::from(*nr)),
        AddSwapCountContinuation { slot } => e.add_swap_count_continuation(slot.entry()),
        SwapFreeNr { slot, nr, times } => {
            return repeat(*times, rets, || e.swap_free_nr(slot.entry(), i32::from(*nr)))
        }
        PutSwapFolio { slot, order } => e.put_swap_folio(slot.entry(), u32::from(*order)),
        SwapcacheFreeEntries { slots } => {
            let entries: Vec<u64> = slots.iter().map(|s| s.entry()).collect();
            e.swapcache_free_entries(&entries)
        }
        FreeSwapAndCacheNr { slot, nr } => e.free_swap_and_cache_nr(slot.entry(), i32::from(*nr)),
        SwapCountRaw { slot } => e.__swap_count(slot.entry()),
        SwapSwapcount { slot } => e.swap_swapcount(slot.entry()),
        SwpSwapcount { slot } => e.swp_swapcount(slot.entry()),
        ArchPrepareToSwap { folio } => e.arch_prepare_to_swap(u32::from(*folio)),
        ArchSwapRestore { slot, folio } => e.arch_swap_restore(slot.entry(), u32::from(*folio)),
        MteSaveTags { folio, idx } => e.mte_save_tags(u32::from(*folio), u32::from(*idx)),
        MteRestoreTags { slot, folio, idx } => {
            e.mte_restore_tags(slot.entry(), u32::from(*folio), u32::from(*idx))
        }
        MteInvalidateTags { slot } => e.mte_invalidate_tags(u32::from(slot.ty), u64::from(slot.off)),
        MteInvalidateTagsArea { ty } => e.mte_invalidate_tags_area(u32::from(*ty)),
        ArchSwapInvalidatePage { slot } => e.arch_swap_invalidate_page(u32::from(slot.ty), u64::from(slot.off)),
        ArchSwapInvalidateArea { ty } => e.arch_swap_invalidate_area(u32::from(*ty)),
        SwapOut { .. } | SwapIn { .. } => unreachable!("composites are expanded by the runner"),
    };
    rets.push(r);
}

/// The entry `alloc_swap` returned, if it succeeded.
pub fn allocated(out: &Outcome) -> Option<u64> {
    let r = out.ret();
    (r > 0).then_some(r as u64)
}
