#![forbid(unsafe_code)]
//! The spec: what callers of the swap-count and MTE tag-on-swap code are promised, written
//! from the API contracts (what each entry point is documented to do and what its callers
//! rely on), not from any kernel's code. It knows devices, and per slot only whether it is
//! free, bad, or in use with a number of references (mappings, shmem) and whether the swap
//! cache holds it; folios (order, `folio->swap`, swap cache, mapped) and their pages' tags and
//! MTE flags; and per swap entry the tags saved for it. It knows no encoding: no map bytes,
//! digits, continuation pages, clusters or xarray nodes.
//!
//! Protocol: after an engine ran one call in contract mode (the argument shapes the
//! harness's steering produces), call the [`Spec`] method of the same name with the same
//! arguments and the engine's return value. It answers a [`Verdict`]: the return is allowed
//! (and the spec's state moved as that outcome implies), the contract makes no promise for
//! this call, or a [`SpecMismatch`]. Then compare [`Spec::slot`] with the engine's view of
//! each slot, and the tag views with [`Spec::tag_view_difference`] (or
//! [`Spec::tag_store_difference`] and [`Spec::page_difference`]). A disagreement is a value,
//! never a panic.
//!
//! Where the contract leaves a choice open (which slot the allocator returns, whether a
//! count needs memory it cannot get, whether `free_swap_and_cache_nr` reclaims the cache,
//! whether a failed `arch_prepare_to_swap` also dropped tags saved before it), the rule
//! accepts every allowed outcome and follows the one the engine took.

mod alloc;
mod count;
mod dup;
mod env;
mod folio;
mod free;
mod mte;
mod state;
mod tags;
mod verdict;

pub use state::{SlotState, Spec, WrongRule};
pub use tags::{FolioState, Tags};
pub use verdict::{SpecMismatch, Verdict};
