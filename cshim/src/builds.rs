//! The kernel builds linked into this binary (ENVIRONMENT.md "Several builds in one process").
//! build.rs compiles each as its own translation unit whose only exported symbol is its table of
//! entry points, `sd_api_<index>`; every `unsafe` call into the C goes through a build's table
//! (the `sd!` macro), so a `Kernel` of one build never touches another's globals.
//!
//! Without SWAPDIFF_PATCHES there is one build, the stock source (plus SWAPDIFF_BASE_PATCHES, if
//! set); with it, two: that base first, then the patched build (base patches, then the patches).

use std::sync::Mutex;

use crate::ffi;

/// One kernel build linked into the process.
pub struct Build {
    /// Position in [`builds()`]: link order, base first.
    pub index: usize,
    /// `<kernel version>+<patch-set key>`, e.g. "6.12.117+stock".
    pub name: &'static str,
    pub kernel_version: &'static str,
    /// Hash of the kernel source the extract came from.
    pub source_hash: &'static str,
    /// `swapdiff_extract::patch_set_key` of all patches applied to it ("stock" for none).
    pub patch_key: &'static str,
    /// File names of the patches applied, in order (base patches first).
    pub patches: &'static [&'static str],
    /// This build's standalone command (see [`crate::C_STANDALONE`]): compiles its kernel TU
    /// into a program calling the `sd_*` functions directly.
    pub standalone: &'static str,
    /// Its entry points.
    pub(crate) api: &'static ffi::sd_api,
    /// Held by its `Kernel`: one set of C globals per build.
    pub(crate) lock: Mutex<()>,
}

impl std::fmt::Debug for Build {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Build")
            .field("index", &self.index)
            .field("name", &self.name)
            .field("patches", &self.patches)
            .finish_non_exhaustive()
    }
}

include!(concat!(env!("OUT_DIR"), "/sd_builds.rs"));

/// Every build linked into this binary, in link order: the base first, the patched one last.
pub fn builds() -> &'static [Build] {
    &BUILDS
}

/// The build under test: the last one (the only one without SWAPDIFF_PATCHES).
pub fn primary() -> &'static Build {
    // build.rs always links the base build, so the list is never empty.
    &BUILDS[BUILDS.len() - 1]
}

/// A table member that is NULL. The tables are generated from swapdiff.h's declarations and
/// initialised with every one of them (build/api.rs), so this cannot happen; if it ever does,
/// calling on would jump to address 0.
#[cold]
pub(crate) fn not_in_table(build: &Build, function: &str) -> ! {
    panic!("swapdiff: the entry-point table of build {} has no {function}", build.name)
}

/// `sd!(build => sd_foo(args))`: calls `sd_foo` of `build` (a `&'static Build`) through its
/// table. Used inside `unsafe` blocks: the call is the FFI call.
macro_rules! sd {
    ($build:expr => $f:ident($($arg:expr),* $(,)?)) => {{
        let build: &'static $crate::builds::Build = $build;
        match build.api.$f {
            Some(f) => f($($arg),*),
            None => $crate::builds::not_in_table(build, stringify!($f)),
        }
    }};
}
pub(crate) use sd;
