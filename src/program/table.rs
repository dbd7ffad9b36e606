//! The op table: every op the harness knows, declared once.
//!
//! A row reads like the kernel prototype it calls:
//!
//! ```text
//! 13 __swap_duplicate(slot: Entry, usage: Usage, nr: Nr) in Counts;
//! ```
//!
//! is op number 13 (its byte selector: rows are numbered in order and only
//! ever appended, so stored inputs keep decoding), named as the kernel function
//! (the `Op::__swap_duplicate` variant, the text name, `Engine::__swap_duplicate`
//! and the C wrapper `sd___swap_duplicate`), taking an entry, a usage byte and a
//! page count in that order (in the text form, in bytes and in the call), drawn
//! by the Counts fuzz target (and All, which draws every op). The field kinds
//! (`field.rs`) carry the domains and the codecs. `repeat times` makes the op
//! N calls (text ` xN`). A row adds `exec |e| ...` / `c ...` only when its call
//! is not `e.name(args)` / `r = sd_name(args);`. Composites are expanded by the
//! runner.
//!
//! Adding an entry point: one row here (at the end), plus the manifest, the C
//! wrapper, the model function, the contract trait method, and a steering rule
//! if its contract needs one.

use super::bytes::Reader;
use super::derive::{c_repeat, once, op_table, repeat, FromRet, IntoVerdict, Ret};
use super::field::*;
use super::op::{tags_from_seed, Family};
use super::text::TextArgs;
use crate::engine::Engine;
use crate::exec::Outcome;
use swapdiff_spec::{SlotState, Spec, Verdict};

op_table! {
    // ---- environment (the harness's services, not kernel functions)
    /// Add a device (lowest free type).
    0 swapon(device: DeviceSpec) in Counts Mte,
        exec |e| e.swapon(u32::from(device.clusters), device.kind()),
        spec |s, r, v| s.swapon(u32::from(device.clusters), device.kind(), r as i32);
    1 swapoff(ty: SwapType) in Counts Mte;
    /// Mark a slot bad (as a bad-block list would at swapon).
    2 mark_bad(slot: Entry) in Counts Mte;
    /// `get_swap_pages(1, &e, order)`'s work on device `ty` (not through the avail list).
    3 alloc_swap(ty: SwapType, order: Order) in Counts Mte,
        c format!("\tr = sd_alloc_swap({ty}, {order}, &e);\n\tif (r == 0)\n\t\tr = (long)e;\n"),
        spec |s, r, v| s.alloc_swap(u32::from(*ty), u32::from(*order), FromRet::from_ret(r), v);
    /// The `nth` allocation at `site` from now fails.
    4 fault(site: FaultSite, nth: Nth) in Counts Mte,
        exec |e| e.fault_arm(*site, u32::from(*nth)),
        c format!("\tsd_fault_arm({}, {nth});\n\tr = 0;\n", FaultSite::c(site)),
        spec |s, r, v| s.fault_arm(*site, u32::from(*nth));
    5 mte(on: OnOff) in Mte,
        exec |e| e.set_mte(*on),
        c format!("\tsd_set_mte({on});\n\tr = 0;\n"),
        spec |s, r, v| s.set_mte(*on);
    6 folio_new(order: Order) in Mte;
    7 folio_free(folio: Folio) in Mte;
    8 folio_set_swap(folio: Folio, slot: Entry) in Mte;
    /// Set a page's tags (derived from `seed`) and flags (bit 0 tagged, bit 1 lock).
    9 page_set(folio: Folio, idx: Page, seed: Seed, flags: Flags) in Mte,
        exec |e| e.page_set(u32::from(*folio), u32::from(*idx), &tags_from_seed(*seed, *idx), u32::from(*flags)),
        c format!("\ttags_from_seed({seed}, {idx}, t);\n\tr = sd_page_set({folio}, {idx}, t, {flags});\n"),
        spec |s, r, v| s.page_set(
            u32::from(*folio), u32::from(*idx), &tags_from_seed(*seed, *idx), u32::from(*flags), r as i32
        );
    10 swapcache_add(folio: Folio) in Mte;
    11 swapcache_del(folio: Folio) in Mte;
    12 folio_set_mapped(folio: Folio, mapped: OnOff) in Mte;

    // ---- kernel entry points (mm/swapfile.c, arch/arm64/mm/mteswap.c)
    13 __swap_duplicate(slot: Entry, usage: Usage, nr: Nr) in Counts;
    /// N calls of `swap_duplicate` (bulk: deep counts cheaply).
    14 swap_duplicate(slot: Entry) repeat times in Counts Mte;
    15 swapcache_prepare(slot: Entry, nr: Nr) in Counts;
    16 swap_shmem_alloc(slot: Entry, nr: Nr) in Counts;
    17 swapcache_clear(slot: Entry, nr: Nr) in Counts;
    18 add_swap_count_continuation(slot: Entry) in Counts;
    /// N calls of `swap_free_nr`.
    19 swap_free_nr(slot: Entry, nr: Nr) repeat times in Counts Mte;
    20 put_swap_folio(slot: Entry, order: Order) in Counts Mte;
    21 swapcache_free_entries(slots: Entries) in Counts,
        exec |e| e.swapcache_free_entries(&Entries::arg(slots)),
        c format!(
            "\t{{\n\t\tuint64_t es[] = {{ {} }};\n\t\tr = sd_swapcache_free_entries(es, {});\n\t}}\n",
            Entries::c(slots),
            slots.len()
        ),
        spec |s, r, v| s.swapcache_free_entries(&Entries::arg(slots), r);
    22 free_swap_and_cache_nr(slot: Entry, nr: Nr) in Counts Mte,
        spec |s, r, v| s.free_swap_and_cache_nr(slot.entry(), i32::from(*nr), r, v);
    23 __swap_count(slot: Entry) in Counts;
    24 swap_swapcount(slot: Entry) in Counts;
    25 swp_swapcount(slot: Entry) in Counts;
    26 arch_prepare_to_swap(folio: Folio) in Mte;
    27 arch_swap_restore(slot: Entry, folio: Folio) in Mte;
    28 mte_save_tags(folio: Folio, idx: Page) in Mte;
    29 mte_restore_tags(slot: Entry, folio: Folio, idx: Page) in Mte;
    /// Takes the swap type and offset, as the kernel function does.
    30 mte_invalidate_tags(slot: Entry) in Mte,
        exec |e| e.mte_invalidate_tags(u32::from(slot.ty), u64::from(slot.off)),
        c format!("\tr = sd_mte_invalidate_tags({}, {});\n", slot.ty, slot.off),
        spec |s, r, v| s.mte_invalidate_tags(u32::from(slot.ty), u64::from(slot.off), r);
    31 mte_invalidate_tags_area(ty: SwapType) in Mte;
    /// Takes the swap type and offset, as the kernel function does.
    32 arch_swap_invalidate_page(slot: Entry) in Mte,
        exec |e| e.arch_swap_invalidate_page(u32::from(slot.ty), u64::from(slot.off)),
        c format!("\tr = sd_arch_swap_invalidate_page({}, {});\n", slot.ty, slot.off),
        spec |s, r, v| s.arch_swap_invalidate_page(u32::from(slot.ty), u64::from(slot.off), r);
    33 arch_swap_invalidate_area(ty: SwapType) in Mte;

    // ---- composites (the runner expands each into the ops above)
    /// Reclaim a folio: new tagged folio, allocate its slots, swap cache,
    /// save tags, one mapping reference per page, drop the cache, free the folio.
    34 swap_out(ty: SwapType, order: Order, seed: Seed) in Counts Mte [composite];
    /// Fault a folio back in: new folio, `swapcache_prepare`, restore tags,
    /// drop the mapping references, drop the cache.
    35 swap_in(slot: Entry, order: Order) in Counts Mte [composite];

    // ---- issue 17: the allocator over the avail list, queued work
    /// `get_swap_pages(n, entries, order)`: returns n_ret (the entries are read from the state).
    36 get_swap_pages(n: Nr, order: Order) in Counts Mte,
        exec |e| e.get_swap_pages(i32::from(*n), u32::from(*order)).0,
        c format!("\t{{\n\t\tuint64_t es[SD_SWAP_BATCH];\n\t\tr = sd_get_swap_pages({n}, {order}, es);\n\t}}\n"),
        spec |s, r, v| s.get_swap_pages(i32::from(*n), u32::from(*order), r, v);
    /// Run the queued work now (whatever the kworker switch).
    37 flush_work() in Counts Mte,
        spec |s, r, v| s.flush_work(r, v);
    /// The runner's kworker switch: on, queued work runs after every step (the default).
    38 kworker(on: OnOff) in Counts Mte,
        exec |e| { let _ = (e, on); },
        c format!("\tkworker = {on}; /* queued work runs after each step while on */\n\tr = 0;\n"),
        spec |s, r, v| { let _ = (s, r, v, on); Verdict::Agrees };
}
