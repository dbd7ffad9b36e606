//! The real 6.12 swap-count (mm/swapfile.c) and arm64 MTE tag-on-swap
//! (arch/arm64/mm/mteswap.c) code, extracted from the kernel source at build
//! time, compiled in userspace against our shim (include/shim/) and exposed
//! safely.
//!
//! The C API is include/swapdiff.h; the modelled environment is
//! ENVIRONMENT.md. `Kernel::acquire()` gives exclusive access to the one
//! process-wide C environment. This crate is the only place in swapdiff with
//! `unsafe` code: the FFI calls in kernel.rs, entry_points.rs and inspect.rs.

mod build_info;
mod entry_points;
mod ffi;
mod inspect;
mod kernel;
mod vocabulary;

pub use build_info::{
    build_flags, kernel_version, C_STANDALONE, patches_applied, source_hash, BUILD_FLAGS, KERNEL_VERSION,
    PATCHES_APPLIED, SOURCE_HASH,
};
pub use inspect::c_kernel_version;
pub use kernel::Kernel;
pub use vocabulary::{entry, entry_offset, entry_type, Event, EventKind, Site, REFUSED, SWP_TYPE_SHIFT, TAG_BYTES, TRAPPED};
