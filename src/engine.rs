//! The one interface both implementations answer to, and the two implementations.
//!
//! The runner, the comparison and everything above them see only [`Engine`]. The
//! contract (trait, vocabulary, constants) is declared once, in swapdiff-contract;
//! `cshim::Kernel` (the extracted kernel C) and `rust_impl::Model` (the Rust
//! reimplementation) implement it themselves. This module names them for the harness.

/// Slots per cluster (`SWAPFILE_CLUSTER` with `CONFIG_THP_SWAP`).
pub use swapdiff_contract::SWAPFILE_CLUSTER as CLUSTER;
pub use swapdiff_contract::{
    entry, entry_offset, entry_type, Delegate, Engine, Entry, Event, EventKind, Site, MAX_DEVICES, REFUSED,
    SWP_TYPE_SHIFT, TAG_BYTES, TRAPPED,
};

pub use swapdiff_contract::prelude;

pub use cshim::{kernel_version, patches_applied};

/// The kernel: the engine under test. Holding one holds cshim's process-wide lock, so at
/// most one exists at a time (others wait in `KernelEngine::acquire()`).
pub type KernelEngine = cshim::Kernel;

/// The model: the reference the kernel is compared against (`ModelEngine::new()`).
pub type ModelEngine = rust_impl::Model;
