//! Operations: one per kernel entry point (named after it), the environment
//! services, and a few composites that reach realistic states in one step.
//!
//! Parameter domains are fixed here and shared by the text form and the byte
//! decoder, so every program either form can express is a program the other
//! can express too.

use crate::engine::Site;

/// A swap slot: swap type (0..=7, only 0..=3 can hold a device) and offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    pub ty: u8,
    pub off: u16,
}

impl Slot {
    pub const MAX_TYPE: u8 = 7;
    pub const MAX_OFF: u16 = 4095;
    pub fn entry(self) -> u64 {
        crate::engine::entry(u32::from(self.ty), u64::from(self.off))
    }
}

/// Domains of the numeric parameters (inclusive bounds).
pub mod domain {
    /// Pages per batched call (`nr`): a whole cluster at most.
    pub const NR: (u16, u16) = (1, 512);
    /// Folio orders 0..=4 (1..=16 pages).
    pub const ORDER: (u8, u8) = (0, 4);
    /// Repeat count of bulk ops: enough to pass 62 + 63 * 127 references.
    pub const TIMES: (u16, u16) = (1, 20_000);
    /// Clusters per device.
    pub const CLUSTERS: (u8, u8) = (1, 4);
    /// Folio handles.
    pub const FOLIO: (u8, u8) = (0, 7);
    /// Page index in a folio.
    pub const PAGE: (u8, u8) = (0, 15);
    /// Nth allocation that fails (0 disarms).
    pub const NTH: (u8, u8) = (0, 32);
    /// Entries passed to `swapcache_free_entries`.
    pub const ENTRIES: (usize, usize) = (1, 8);
}

/// The `usage` byte of `__swap_duplicate`: the three the kernel passes, or any.
pub const USAGE_MAP: u8 = 1;
pub use swapdiff_contract::{SWAP_HAS_CACHE, SWAP_MAP_SHMEM};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Op {
    // ---- environment
    /// Add a device (lowest free type).
    Swapon { clusters: u8, cluster_info: bool },
    Swapoff { ty: u8 },
    MarkBad { slot: Slot },
    /// Stand-in allocator: `1 << order` slots, each set to SWAP_HAS_CACHE.
    AllocSwap { ty: u8, order: u8 },
    /// The `nth` allocation at `site` from now fails.
    Fault { site: Site, nth: u8 },
    Mte { on: bool },
    FolioNew { order: u8 },
    FolioFree { folio: u8 },
    FolioSetSwap { folio: u8, slot: Slot },
    /// Set a page's tags (derived from `seed`) and flags (bit 0 tagged, bit 1 lock).
    PageSet { folio: u8, idx: u8, seed: u8, flags: u8 },
    SwapcacheAdd { folio: u8 },
    SwapcacheDel { folio: u8 },
    FolioSetMapped { folio: u8, mapped: bool },

    // ---- kernel entry points (named as in mm/swapfile.c and mteswap.c)
    SwapDuplicateRaw { slot: Slot, usage: u8, nr: u16 },
    /// `swap_duplicate` repeated `times` (bulk: reach deep counts cheaply).
    SwapDuplicate { slot: Slot, times: u16 },
    SwapcachePrepare { slot: Slot, nr: u16 },
    SwapShmemAlloc { slot: Slot, nr: u16 },
    SwapcacheClear { slot: Slot, nr: u16 },
    AddSwapCountContinuation { slot: Slot },
    /// `swap_free_nr` repeated `times`.
    SwapFreeNr { slot: Slot, nr: u16, times: u16 },
    PutSwapFolio { slot: Slot, order: u8 },
    SwapcacheFreeEntries { slots: Vec<Slot> },
    FreeSwapAndCacheNr { slot: Slot, nr: u16 },
    SwapCountRaw { slot: Slot },
    SwapSwapcount { slot: Slot },
    SwpSwapcount { slot: Slot },
    ArchPrepareToSwap { folio: u8 },
    ArchSwapRestore { slot: Slot, folio: u8 },
    MteSaveTags { folio: u8, idx: u8 },
    MteRestoreTags { slot: Slot, folio: u8, idx: u8 },
    MteInvalidateTags { slot: Slot },
    MteInvalidateTagsArea { ty: u8 },
    ArchSwapInvalidatePage { slot: Slot },
    ArchSwapInvalidateArea { ty: u8 },

    // ---- composites (each runs as a short sequence of the ops above)
    /// Reclaim a folio: new tagged folio, allocate its slots, swap cache,
    /// save tags, one mapping reference per page, drop the cache, free the folio.
    SwapOut { ty: u8, order: u8, seed: u8 },
    /// Fault a folio back in: new folio, `swapcache_prepare`, restore tags,
    /// drop the mapping references, drop the cache.
    SwapIn { slot: Slot, order: u8 },
}

/// Which ops a fuzz target draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// The swap-count machine only.
    Counts,
    /// MTE tag save/restore with just enough swap to give folios entries.
    Mte,
    /// Everything.
    All,
}

/// Every op kind with its text-form name. The order is the byte encoding's
/// selector order: append new kinds at the end to keep old inputs valid.
pub const KINDS: &[&str] = &[
    "swapon",
    "swapoff",
    "mark_bad",
    "alloc_swap",
    "fault",
    "mte",
    "folio_new",
    "folio_free",
    "folio_set_swap",
    "page_set",
    "swapcache_add",
    "swapcache_del",
    "folio_set_mapped",
    "__swap_duplicate",
    "swap_duplicate",
    "swapcache_prepare",
    "swap_shmem_alloc",
    "swapcache_clear",
    "add_swap_count_continuation",
    "swap_free_nr",
    "put_swap_folio",
    "swapcache_free_entries",
    "free_swap_and_cache_nr",
    "__swap_count",
    "swap_swapcount",
    "swp_swapcount",
    "arch_prepare_to_swap",
    "arch_swap_restore",
    "mte_save_tags",
    "mte_restore_tags",
    "mte_invalidate_tags",
    "mte_invalidate_tags_area",
    "arch_swap_invalidate_page",
    "arch_swap_invalidate_area",
    "swap_out",
    "swap_in",
];

impl Op {
    /// The op's name in the text form: the kernel function's name for entry points.
    pub fn kind(&self) -> &'static str {
        KINDS[self.kind_index()]
    }

    pub fn kind_index(&self) -> usize {
        use Op::*;
        match self {
            Swapon { .. } => 0,
            Swapoff { .. } => 1,
            MarkBad { .. } => 2,
            AllocSwap { .. } => 3,
            Fault { .. } => 4,
            Mte { .. } => 5,
            FolioNew { .. } => 6,
            FolioFree { .. } => 7,
            FolioSetSwap { .. } => 8,
            PageSet { .. } => 9,
            SwapcacheAdd { .. } => 10,
            SwapcacheDel { .. } => 11,
            FolioSetMapped { .. } => 12,
            SwapDuplicateRaw { .. } => 13,
            SwapDuplicate { .. } => 14,
            SwapcachePrepare { .. } => 15,
            SwapShmemAlloc { .. } => 16,
            SwapcacheClear { .. } => 17,
            AddSwapCountContinuation { .. } => 18,
            SwapFreeNr { .. } => 19,
            PutSwapFolio { .. } => 20,
            SwapcacheFreeEntries { .. } => 21,
            FreeSwapAndCacheNr { .. } => 22,
            SwapCountRaw { .. } => 23,
            SwapSwapcount { .. } => 24,
            SwpSwapcount { .. } => 25,
            ArchPrepareToSwap { .. } => 26,
            ArchSwapRestore { .. } => 27,
            MteSaveTags { .. } => 28,
            MteRestoreTags { .. } => 29,
            MteInvalidateTags { .. } => 30,
            MteInvalidateTagsArea { .. } => 31,
            ArchSwapInvalidatePage { .. } => 32,
            ArchSwapInvalidateArea { .. } => 33,
            SwapOut { .. } => 34,
            SwapIn { .. } => 35,
        }
    }
}

impl Family {
    /// Op kinds (indices into [`KINDS`]) this family draws from.
    pub fn kinds(self) -> &'static [u8] {
        const COUNTS: &[u8] = &[
            0, 1, 2, 3, 4, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 34, 35,
        ];
        const MTE: &[u8] = &[
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 19, 20, 22, 26, 27, 28, 29, 30, 31, 32, 33,
            34, 35,
        ];
        const ALL: &[u8] = &[
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
            24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
        ];
        match self {
            Family::Counts => COUNTS,
            Family::Mte => MTE,
            Family::All => ALL,
        }
    }
}

/// The 128 tag bytes a `seed` stands for: distinct per seed and per granule,
/// so a page restored from the wrong entry never passes for the right one.
pub fn tags_from_seed(seed: u8, page: u8) -> [u8; crate::engine::TAG_BYTES] {
    let mut t = [0u8; crate::engine::TAG_BYTES];
    for (i, b) in t.iter_mut().enumerate() {
        // Two 4-bit tags per byte; mix seed, page and position.
        let x = (seed as usize).wrapping_mul(31) ^ (page as usize).wrapping_mul(131) ^ i.wrapping_mul(7);
        *b = (x as u8).wrapping_add(seed);
    }
    t
}
