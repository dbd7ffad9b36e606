#![forbid(unsafe_code)]
//! The Linux 6.12 swap-count state machine (`mm/swapfile.c`) and arm64 MTE tag-on-swap
//! store (`arch/arm64/mm/mteswap.c`), written again in safe Rust from their semantics.
//!
//! It follows 6.12's control flow statement for statement, oddities included (NOTES.md), so
//! it shares 6.12's bugs by construction: it is a regression oracle for unpatched 6.12 and
//! explains encodings, not an independent judge of what is right. That is the spec's job
//! (`swapdiff-spec`), and stock C is the baseline of a patch.
//!
//! [`Model`] exposes the same entry points, with the same observable results, as the C
//! wrapper around the real kernel code (`cshim`), so a differential harness can run one
//! operation sequence through both and compare everything: return values, events, map
//! bytes, continuation digits, cluster counts, page counters, live allocations, the tag
//! store and page tags. The contract is `cshim/include/swapdiff.h` and
//! `cshim/ENVIRONMENT.md`.
//!
//! # Design
//!
//! - [`slot`]: one map byte and its transitions as pure functions — the two passes of
//!   `__swap_duplicate` and the reference drop of `__swap_entry_free_locked`.
//! - [`continuation`]: the digit pages of one map page (`ContList`): carry, borrow, the
//!   `swp_swapcount` walk and `add_swap_count_continuation`'s search, with raw bytes kept
//!   exactly (poison, stale digits).
//! - `device`: map bytes, cluster counts and flags, continuation lists, `inuse_pages`,
//!   with a zero-byte bitmap so the stand-in allocator is a few word operations.
//! - `ops/*`: the kernel entry points, each a short composition of the above; a BUG or
//!   hang is `Err(Trapped)` propagated with `?`, which abandons the call at that point
//!   exactly like the C side's `longjmp`.
//! - `events`: every WARN/BUG/LOG the model can emit, with the kernel's function names and
//!   stringified conditions; `tags`, `folio`, `faults`: the MTE store, folios with the
//!   swap cache, and allocation sites with fault injection.
//!
//! Every operation is O(1) in the device size apart from its own range, continuation
//! carries and the allocator's bitmap scan; [`Environment::env_reset`](swapdiff_contract::Environment::env_reset) keeps all allocations.
//!
//! # Kernel behaviour mirrored on purpose
//!
//! The model reproduces the kernel, including where the kernel is surprising; each case
//! is documented where it is implemented:
//! - `__swap_duplicate` checks no offset bound (the argument guard refuses instead), adds
//!   any `usage` byte to the count with 8-bit wrap-around, and does not roll back slots
//!   already committed when a later one needs a continuation page ([`slot::dup_commit`],
//!   [`Duplicate::__swap_duplicate`](swapdiff_contract::Duplicate::__swap_duplicate));
//! - dropping a map reference from a zero count wraps it to 0xff ([`slot::put_ref`]);
//! - `swp_swapcount` on a `SWAP_MAP_SHMEM` byte follows its COUNT_CONTINUED bit into the
//!   continuation pages ([`Count::swp_swapcount`](swapdiff_contract::Count::swp_swapcount));
//! - and the rest listed in the crate's NOTES.md.

mod clusters;
mod device;
mod entry;
mod events;
mod faults;
mod folio;
mod inspect;
mod ops;
mod tags;
mod work;

pub mod continuation;
pub mod kernel;
pub mod slot;

/// The contract the model implements ([`Engine`] for [`Model`], one family trait per file
/// of `ops/` and `inspect.rs`), re-exported for users of this crate alone; calling a
/// [`Model`]'s methods takes `use rust_impl::prelude::*;`.
pub use swapdiff_contract::prelude;
pub use swapdiff_contract::{
    entry, entry_offset, entry_type, Engine, Entry, Event, EventKind, Site, REFUSED, TAG_BYTES, TRAPPED,
};

use continuation::PagePool;
use device::Device;
use events::EventLog;
use faults::Allocations;
use folio::Folios;
use tags::TagStore;
use work::WorkQueue;

/// The whole modelled world: up to four swap devices, the global page counters, the MTE
/// tag store, folios with the swap cache, allocation sites and the event log.
#[derive(Debug)]
pub struct Model {
    devices: Vec<Device>,
    /// `nr_swapfiles`: one past the highest type ever switched on (never shrinks).
    nr_swapfiles: u32,
    /// The globals `nr_swap_pages` and `total_swap_pages`.
    nr_swap_pages: i64,
    total_swap_pages: i64,
    /// `system_supports_mte()`.
    mte: bool,
    tags: TagStore,
    folios: Folios,
    allocs: Allocations,
    events: EventLog,
    pool: PagePool,
    /// Reused by `swapcache_free_entries` for its sorted copy.
    scratch: Vec<u64>,
    /// Queued `discard_work` / `reclaim_work` items.
    work: WorkQueue,
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

impl Model {
    /// The initial state: no devices, no folios, empty tag store, MTE on.
    pub fn new() -> Model {
        Model {
            devices: (0..kernel::MAX_DEVICES).map(|_| Device::default()).collect(),
            nr_swapfiles: 0,
            nr_swap_pages: 0,
            total_swap_pages: 0,
            mte: true,
            tags: TagStore::default(),
            folios: Folios::default(),
            allocs: Allocations::default(),
            events: EventLog::default(),
            pool: PagePool::default(),
            scratch: Vec::with_capacity(kernel::MAX_FREE_ENTRIES),
            work: WorkQueue::default(),
        }
    }
}
