//! The real 6.12 swap-count (mm/swapfile.c) and arm64 MTE tag-on-swap
//! (arch/arm64/mm/mteswap.c) code, extracted from the kernel source at build
//! time, compiled in userspace against our shim (include/shim/) and exposed
//! safely.
//!
//! The C API is include/swapdiff.h; the modelled environment is
//! ENVIRONMENT.md. A binary links one kernel build (stock), or two with
//! SWAPDIFF_PATCHES set: the base (stock, plus SWAPDIFF_BASE_PATCHES) and the
//! patched build, each its own translation unit with its own globals, its
//! symbols private to it ([`builds()`], [`Build`]; ENVIRONMENT.md "Several
//! builds in one process"). `Kernel::acquire()` gives exclusive access to the
//! build under test ([`primary()`], the last), `Kernel::acquire_build(b)` to
//! any, on the acquiring thread; Kernels of different builds coexist. Every kernel call is
//! bounded ([`set_call_timeout`], [`work_budget`]); [`fatal`] reports a
//! worker's death in one stderr line. This crate is the only place in
//! swapdiff with `unsafe` code: the FFI calls in engine.rs, build_info.rs,
//! bounds.rs, fatal.rs, intern.rs, interleave.rs and test_hooks.rs, each through a build's
//! table of entry points (builds.rs).

mod bounds;
mod build_info;
mod builds;
mod engine;
pub mod fatal;
mod ffi;
mod intern;
pub mod interleave;
mod kernel;
pub mod kernel72;
mod test_hooks;
mod vocabulary;

pub use bounds::{call_timeout, set_call_timeout, work_budget, CALL_TIMEOUT_ENV, DEFAULT_CALL_TIMEOUT};

pub use build_info::{
    build_flags, c_kernel_version, kernel_version, patches_applied, source_hash, BUILD_FLAGS, C_STANDALONE,
    KERNEL_VERSION, PATCHES_APPLIED, SOURCE_HASH,
};
pub use builds::{builds, primary, Build};
pub use kernel::Kernel;
/// The contract crate, for its constants.
pub use swapdiff_contract as contract;
/// The contract this crate implements ([`Engine`] for [`Kernel`]), re-exported so a user of
/// cshim alone needs no second import (`use cshim::prelude::*;` for the method traits).
pub use swapdiff_contract::prelude;
pub use swapdiff_contract::{
    entry, entry_offset, entry_type, Engine, Entry, Event, EventKind, Site, REFUSED, SWP_TYPE_SHIFT, TAG_BYTES, TRAPPED,
};
