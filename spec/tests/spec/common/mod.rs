//! Test support: driving an engine and the spec with the same call, and reading an
//! engine's observable view of a slot through the contract's Inspect methods.

#![allow(dead_code)]

use swapdiff_contract::prelude::*;
use swapdiff_contract::*;
use swapdiff_spec::{SlotState, Spec, Verdict};

/// One call, as contract mode issues it.
#[derive(Debug, Clone)]
pub enum Call {
    Swapon(u32),
    Swapoff(u32),
    MarkBad(Entry),
    Alloc(u32, u32),
    Fault(Site, u32),
    Dup(Entry, u8, i32),
    SwapDup(Entry),
    Prepare(Entry, i32),
    Shmem(Entry, i32),
    Clear(Entry, i32),
    Cont(Entry),
    FreeNr(Entry, i32),
    PutFolio(Entry, u32),
    FreeEntries(Vec<Entry>),
    FreeAndCache(Entry, i32),
    Count(Entry),
    SwapCount(Entry),
    SwpCount(Entry),
    // the folio services and the MTE calls
    SetMte(bool),
    /// `alloc_swap(ty, order)`, then `folio_set_swap(folio, the entry)` if it gave one
    AllocFolio(u32, u32, u32),
    FolioNew(u32),
    FolioFree(u32),
    SetSwap(u32, Entry),
    /// folio, page, tags seed ([`tags`]), flags
    PageSet(u32, u32, u8, u32),
    CacheAdd(u32),
    CacheDel(u32),
    Mapped(u32, bool),
    PrepareToSwap(u32),
    SwapRestore(Entry, u32),
    SaveTags(u32, u32),
    RestoreTags(Entry, u32, u32),
    InvalTags(u32, u64),
    InvalArea(u32),
    ArchInvalPage(u32, u64),
    ArchInvalArea(u32),
}

/// An order-2 folio (f0) of four tagged pages, each with its own tags, swapped out to the
/// four slots the allocator gives it: allocate, link into the swap cache, save the tags.
pub fn swap_out() -> Vec<Call> {
    // Two clusters: the order-2 folio's slots come from free cluster 1 (0:512..0:515).
    let mut calls = vec![Call::Swapon(2), Call::FolioNew(2)];
    calls.extend((0..4).map(|i| Call::PageSet(0, i, 7, 3)));
    calls.extend([Call::AllocFolio(0, 2, 0), Call::CacheAdd(0), Call::PrepareToSwap(0)]);
    calls
}

/// Tags for page `idx` from a seed: distinct per seed and page, so a page given another
/// page's tags shows.
pub fn tags(seed: u8, idx: u32) -> [u8; TAG_BYTES] {
    let mut t = [0u8; TAG_BYTES];
    for (i, b) in t.iter_mut().enumerate() {
        *b = seed.wrapping_mul(31) ^ (idx as u8).wrapping_mul(131) ^ (i as u8).wrapping_mul(7) ^ 0x5a;
    }
    t
}

/// The engine's view of one slot, from its raw state: the map byte, and for a continued
/// count the digits (the same reading as the harness's src/counts.rs).
pub fn view<E: Inspect + ?Sized>(e: &E, ty: u32, off: u64) -> SlotState {
    let Some(byte) = e.map_byte(entry(ty, off)) else {
        return SlotState::Absent;
    };
    let cached = byte & SWAP_HAS_CACHE != 0;
    let count = byte & !SWAP_HAS_CACHE;
    match count {
        0 if !cached => SlotState::Free,
        SWAP_MAP_BAD => SlotState::Bad,
        SWAP_MAP_SHMEM => SlotState::Used { refs: 1, cached },
        c if c & COUNT_CONTINUED == 0 => SlotState::Used { refs: u64::from(c), cached },
        c => {
            let mut refs = u64::from(c & !COUNT_CONTINUED);
            let mut weight = u64::from(SWAP_MAP_MAX) + 1;
            for d in e.cont_digits(entry(ty, off)) {
                refs += u64::from(d & !COUNT_CONTINUED) * weight;
                weight *= u64::from(SWAP_CONT_MAX) + 1;
                if d & COUNT_CONTINUED == 0 {
                    break;
                }
            }
            SlotState::Used { refs, cached }
        }
    }
}

/// The first slot (of any type) where the spec's view and the engine's differ, else the
/// first difference of the tag views (tag store and pages).
pub fn first_difference<E: Inspect + ?Sized>(spec: &mut Spec, e: &E) -> Option<String> {
    if spec.lost().is_some() {
        return None;
    }
    for ty in 0..MAX_DEVICES {
        let max = spec.device_max(ty).max(e.device_max(ty));
        for off in 0..u64::from(max) {
            let (s, m) = (spec.slot(ty, off), view(e, ty, off));
            if s != m {
                return Some(format!("slot {ty}:{off}: spec {s:?}, engine {m:?}"));
            }
        }
    }
    spec.tag_view_difference(e)
}

/// Runs `c` on the engine, then the spec's rule with the engine's return.
pub fn step<E: Engine + ?Sized>(e: &mut E, spec: &mut Spec, c: &Call) -> Verdict {
    match *c {
        Call::Swapon(n) => {
            let r = e.swapon(n, swapdiff_contract::DEV_SSD);
            spec.swapon(n, swapdiff_contract::DEV_SSD, r)
        }
        Call::Swapoff(ty) => {
            let r = e.swapoff(ty);
            spec.swapoff(ty, r)
        }
        Call::MarkBad(x) => {
            let r = e.mark_bad(x);
            spec.mark_bad(x, r)
        }
        Call::Alloc(ty, order) => {
            let r = e.alloc_swap(ty, order);
            spec.alloc_swap(ty, order, r, |ty, off| view(e, ty, off))
        }
        Call::Fault(site, nth) => {
            e.fault_arm(site, nth);
            spec.fault_arm(site, nth);
            Verdict::Agrees
        }
        Call::Dup(x, usage, nr) => {
            let r = e.__swap_duplicate(x, usage, nr);
            spec.__swap_duplicate(x, usage, nr, r)
        }
        Call::SwapDup(x) => {
            let r = e.swap_duplicate(x);
            spec.swap_duplicate(x, r)
        }
        Call::Prepare(x, nr) => {
            let r = e.swapcache_prepare(x, nr);
            spec.swapcache_prepare(x, nr, r)
        }
        Call::Shmem(x, nr) => {
            let r = e.swap_shmem_alloc(x, nr);
            spec.swap_shmem_alloc(x, nr, r)
        }
        Call::Clear(x, nr) => {
            let r = e.swapcache_clear(x, nr);
            spec.swapcache_clear(x, nr, r)
        }
        Call::Cont(x) => {
            let r = e.add_swap_count_continuation(x);
            spec.add_swap_count_continuation(x, r)
        }
        Call::FreeNr(x, nr) => {
            let r = e.swap_free_nr(x, nr);
            spec.swap_free_nr(x, nr, r)
        }
        Call::PutFolio(x, order) => {
            let r = e.put_swap_folio(x, order);
            spec.put_swap_folio(x, order, r)
        }
        Call::FreeEntries(ref xs) => {
            let r = e.swapcache_free_entries(xs);
            spec.swapcache_free_entries(xs, r)
        }
        Call::FreeAndCache(x, nr) => {
            let r = e.free_swap_and_cache_nr(x, nr);
            spec.free_swap_and_cache_nr(x, nr, r, |ty, off| view(e, ty, off))
        }
        Call::Count(x) => {
            let r = e.__swap_count(x);
            spec.__swap_count(x, r)
        }
        Call::SwapCount(x) => {
            let r = e.swap_swapcount(x);
            spec.swap_swapcount(x, r)
        }
        Call::SwpCount(x) => {
            let r = e.swp_swapcount(x);
            spec.swp_swapcount(x, r)
        }
        Call::SetMte(on) => {
            e.set_mte(on);
            spec.set_mte(on);
            Verdict::Agrees
        }
        Call::AllocFolio(ty, order, f) => {
            let r = e.alloc_swap(ty, order);
            match (spec.alloc_swap(ty, order, r, |ty, off| view(&*e, ty, off)), r) {
                (Verdict::Agrees, Ok(x)) => {
                    let r = e.folio_set_swap(f, x);
                    spec.folio_set_swap(f, x, r)
                }
                (v, _) => v,
            }
        }
        Call::FolioNew(order) => {
            let r = e.folio_new(order);
            spec.folio_new(order, r)
        }
        Call::FolioFree(f) => {
            let r = e.folio_free(f);
            spec.folio_free(f, r)
        }
        Call::SetSwap(f, x) => {
            let r = e.folio_set_swap(f, x);
            spec.folio_set_swap(f, x, r)
        }
        Call::PageSet(f, i, seed, flags) => {
            let t = tags(seed, i);
            let r = e.page_set(f, i, &t, flags);
            spec.page_set(f, i, &t, flags, r)
        }
        Call::CacheAdd(f) => {
            let r = e.swapcache_add(f);
            spec.swapcache_add(f, r)
        }
        Call::CacheDel(f) => {
            let r = e.swapcache_del(f);
            spec.swapcache_del(f, r)
        }
        Call::Mapped(f, m) => {
            let r = e.folio_set_mapped(f, m);
            spec.folio_set_mapped(f, m, r)
        }
        Call::PrepareToSwap(f) => {
            let r = e.arch_prepare_to_swap(f);
            spec.arch_prepare_to_swap(f, r)
        }
        Call::SwapRestore(x, f) => {
            let r = e.arch_swap_restore(x, f);
            spec.arch_swap_restore(x, f, r)
        }
        Call::SaveTags(f, i) => {
            let r = e.mte_save_tags(f, i);
            spec.mte_save_tags(f, i, r)
        }
        Call::RestoreTags(x, f, i) => {
            let r = e.mte_restore_tags(x, f, i);
            spec.mte_restore_tags(x, f, i, r)
        }
        Call::InvalTags(ty, off) => {
            let r = e.mte_invalidate_tags(ty, off);
            spec.mte_invalidate_tags(ty, off, r)
        }
        Call::InvalArea(ty) => {
            let r = e.mte_invalidate_tags_area(ty);
            spec.mte_invalidate_tags_area(ty, r)
        }
        Call::ArchInvalPage(ty, off) => {
            let r = e.arch_swap_invalidate_page(ty, off);
            spec.arch_swap_invalidate_page(ty, off, r)
        }
        Call::ArchInvalArea(ty) => {
            let r = e.arch_swap_invalidate_area(ty);
            spec.arch_swap_invalidate_area(ty, r)
        }
    }
}

/// Runs `calls` from a reset engine and spec; after each call the spec must agree and its
/// view equal the engine's. Panics with the step on the first failure.
pub fn run_agreeing<E: Engine + ?Sized>(e: &mut E, spec: &mut Spec, calls: &[Call]) {
    e.env_reset();
    spec.env_reset();
    for (i, c) in calls.iter().enumerate() {
        let v = step(e, spec, c);
        assert_eq!(v, Verdict::Agrees, "step {i} {c:?}");
        assert_eq!(first_difference(spec, &*e), None, "after step {i} {c:?}");
    }
}
