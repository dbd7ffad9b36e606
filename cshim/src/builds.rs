//! The kernel builds linked into this binary (ENVIRONMENT.md "Several builds in one process").
//! build.rs compiles each as its own translation unit whose only exported symbol is its table of
//! entry points, `sd_api_<index>`; every `unsafe` call into the C goes through a build's table
//! (the `sd!` macro), so a `Kernel` of one build never touches another's globals.
//!
//! Without SWAPDIFF_PATCHES there is one build, the stock source (plus SWAPDIFF_BASE_PATCHES, if
//! set); with it, two: that base first, then the patched build (base patches, then the patches).

use std::sync::Mutex;

use crate::ffi;
#[allow(unused_imports)] // the generated list names it
use crate::kernel72::Build72;

/// One kernel build linked into the process.
pub struct Build {
    /// Link order over every series' builds (this series' first: [`builds()`], base first).
    pub index: usize,
    /// The kernel series of its source, "6.12".
    pub series: &'static str,
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
    /// The extracted kernel files it compiled, in include order (what `swapdiff export` copies).
    pub kernel_files: &'static [KernelFile],
    /// Generated headers its TU includes besides sd_kernel_files.h, as (file name, text):
    /// sd_build_info.h and sd_api.h. sd_kernel_files.h names cache paths, so a copy writes its own.
    pub headers: &'static [(&'static str, &'static str)],
    /// The C environment it compiled with (the same for every build), embedded at build time.
    pub shim: &'static [ShimFile],
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

/// One extracted kernel file of a build.
#[derive(Debug)]
pub struct KernelFile {
    /// Its path in the kernel tree (and in its `#line` lines), e.g. "mm/swapfile.c".
    pub kernel_path: &'static str,
    /// Where the extraction cache holds it (absolute; the cache is keyed by content).
    pub cache_path: &'static str,
    /// [`content_hash`] of its bytes when the build compiled it.
    pub hash: &'static str,
}

impl KernelFile {
    /// Whether `bytes` are what the build compiled.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        content_hash(bytes) == self.hash
    }
}

/// One file of the C environment (cshim/include, cshim/src/kernel_612.c, cshim/src/c/).
pub struct ShimFile {
    /// Relative to the cshim crate, e.g. "include/swapdiff.h", "src/c/alloc.c".
    pub path: &'static str,
    pub bytes: &'static [u8],
}

impl std::fmt::Debug for ShimFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ShimFile({}, {} bytes)", self.path, self.bytes.len())
    }
}

/// FNV-1a over `bytes`, 16 hex digits: a check that a file is the one a build compiled (the
/// cache is keyed by content; this catches an edited or truncated copy), not a security
/// property. cshim/build/generated.rs computes the same at build time.
pub fn content_hash(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    format!("{h:016x}")
}

impl Build {
    /// The cshim crate directory the build compiled from (absolute).
    pub fn shim_dir(&self) -> &'static str {
        SHIM_DIR
    }

    /// The flags that give the C the kernel's semantics (-fwrapv, ...): a standalone build
    /// of the TU needs them, and nothing else of the in-tree flags.
    pub fn c_semantics(&self) -> &'static [&'static str] {
        SEMANTICS
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
