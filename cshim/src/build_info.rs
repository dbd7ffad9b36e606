//! What the C side under test (the primary build, [`crate::primary`]) was made from, as
//! recorded by build.rs. Every linked build's own record is its [`crate::Build`].

use crate::builds::sd;

/// Kernel version of the extracted source, e.g. "6.12.117".
pub const KERNEL_VERSION: &str = env!("SWAPDIFF_KERNEL_VERSION");
/// Hash of the kernel source the extract came from.
pub const SOURCE_HASH: &str = env!("SWAPDIFF_SOURCE_HASH");
/// The applied patches (SWAPDIFF_PATCHES), separated by ';'; empty if none.
pub const PATCHES_APPLIED: &str = env!("SWAPDIFF_PATCHES_APPLIED");
/// Compiler and flags the extract was built with.
pub const BUILD_FLAGS: &str = env!("SWAPDIFF_BUILD_FLAGS");

pub fn kernel_version() -> &'static str {
    KERNEL_VERSION
}

pub fn source_hash() -> &'static str {
    SOURCE_HASH
}

/// The applied patches, in order of application.
pub fn patches_applied() -> Vec<&'static str> {
    PATCHES_APPLIED.split(';').filter(|p| !p.is_empty()).collect()
}

pub fn build_flags() -> &'static str {
    BUILD_FLAGS
}

/// Compiles the primary build's extracted kernel code into a standalone C program: append
/// your source file and `-o NAME` (used by the reproducers `swapdiff report` writes). Each
/// build's own is [`crate::Build::standalone`].
pub const C_STANDALONE: &str = env!("SWAPDIFF_C_STANDALONE");

/// The version string compiled into the primary build's C (sd_kernel_version).
pub fn c_kernel_version() -> String {
    // SAFETY: sd_kernel_version returns a static NUL-terminated literal and
    // touches no state, so it needs no lock.
    crate::engine::c_text(unsafe { sd!(crate::primary() => sd_kernel_version()) })
}
