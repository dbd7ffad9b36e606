//! Errors of the extraction, worded for the person running `cargo build`: each says what went
//! wrong, with which file, and what to do about it.

use std::fmt;
use std::path::PathBuf;

/// One failed hunk as `patch` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HunkFailure {
    /// Kernel path of the file the hunk is for.
    pub file: String,
    /// Hunk number within that file's section of the patch (1-based), as `patch` counts.
    pub hunk: u32,
    /// The line `patch` tried to apply it at.
    pub line: u32,
}

#[derive(Debug)]
pub enum Error {
    /// SWAPDIFF_KERNEL_SRC is unset and the Debian tarball is not installed.
    DefaultSourceMissing { path: PathBuf },
    /// SWAPDIFF_KERNEL_SRC names something that does not exist.
    SourceMissing { path: PathBuf },
    /// The source exists but cannot be read (I/O error, or `tar` failed on it).
    UnreadableSource { path: PathBuf, detail: String },
    /// The source has no top-level Makefile.
    NoMakefile { source: PathBuf },
    /// The top-level Makefile does not say VERSION and PATCHLEVEL.
    NoVersion { source: PathBuf, detail: String },
    /// The kernel's series has no entry in the manifest.
    SeriesNotInManifest { version: String, series: String, manifest: PathBuf, known: Vec<String> },
    /// The manifest cannot be read or is not valid.
    Manifest { path: PathBuf, detail: String },
    /// A file the manifest lists is not in the source.
    FileNotInSource { kernel_path: String, source: PathBuf },
    /// A root function of the manifest has no definition in the (patched) file.
    RootNotFound { kernel_path: String, function: String, patched: bool },
    /// The scanner could not split a file into items.
    Scan { kernel_path: String, line: u32, detail: String, patched: bool },
    /// A patch file cannot be read.
    PatchUnreadable { patch: PathBuf, detail: String },
    /// A patch file is not a unified diff we can split.
    PatchMalformed { patch: PathBuf, detail: String },
    /// A patch does not apply. `output` is what `patch` printed.
    PatchFailed { patch: PathBuf, failures: Vec<HunkFailure>, output: String },
    /// A program the extraction runs is not installed.
    ToolMissing { tool: &'static str, package: &'static str },
    /// Reading or writing the cache failed.
    Cache { path: PathBuf, detail: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::DefaultSourceMissing { path } => write!(
                f,
                "kernel source not found: {} does not exist. Install it with \
                 `apt-get install linux-source-6.12` (Debian package linux-source-6.12), or set \
                 SWAPDIFF_KERNEL_SRC to a kernel tree directory or a linux-*.tar.xz",
                path.display()
            ),
            Error::SourceMissing { path } => write!(
                f,
                "SWAPDIFF_KERNEL_SRC={} does not exist{}; set it to a kernel tree directory or a \
                 linux-*.tar.xz, or unset it to use /usr/src/linux-source-6.12.tar.xz",
                path.display(),
                relative_hint(path)
            ),
            Error::UnreadableSource { path, detail } => {
                write!(f, "cannot read the kernel source {}: {detail}", path.display())
            }
            Error::NoMakefile { source } => write!(
                f,
                "{} has no top-level Makefile: is it a Linux kernel tree or tarball? \
                 (SWAPDIFF_KERNEL_SRC selects the source)",
                source.display()
            ),
            Error::NoVersion { source, detail } => write!(
                f,
                "cannot read the kernel version from the top-level Makefile of {}: {detail}",
                source.display()
            ),
            Error::SeriesNotInManifest { version, series, manifest, known } => write!(
                f,
                "kernel {version} is series {series}, which {} does not describe (it knows: {}); \
                 use a source of a known series or add a [series.\"{series}\"] section",
                manifest.display(),
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            ),
            Error::Manifest { path, detail } => write!(f, "manifest {}: {detail}", path.display()),
            Error::FileNotInSource { kernel_path, source } => {
                write!(f, "{kernel_path} is not in the kernel source {} (the manifest lists it)", source.display())
            }
            Error::RootNotFound { kernel_path, function, patched } => write!(
                f,
                "function {function} (a root in the manifest) has no definition in {kernel_path}{}; \
                 the harness calls it, so it must exist",
                if *patched { " as patched" } else { "" }
            ),
            Error::Scan { kernel_path, line, detail, patched } => write!(
                f,
                "cannot split {kernel_path}{} into top-level items: line {line}: {detail}",
                if *patched { " (as patched)" } else { "" }
            ),
            Error::PatchUnreadable { patch, detail } => {
                write!(
                    f,
                    "cannot read patch {}: {detail} (from SWAPDIFF_PATCHES){}",
                    patch.display(),
                    relative_hint(patch)
                )
            }
            Error::PatchMalformed { patch, detail } => {
                write!(f, "patch {} is not a usable unified diff: {detail}", patch.display())
            }
            Error::PatchFailed { patch, failures, output } => {
                write!(f, "patch {} does not apply", patch.display())?;
                if failures.is_empty() {
                    write!(f, ":")?;
                } else {
                    let list: Vec<String> = failures
                        .iter()
                        .map(|h| format!("{} hunk #{} FAILED at line {}", h.file, h.hunk, h.line))
                        .collect();
                    write!(f, ": {}.", list.join("; "))?;
                    write!(f, " (Line numbers are patch's, in the file as left by the patches before this one.)")?;
                }
                write!(f, "\noutput of `patch --dry-run`:\n{}", output.trim_end())
            }
            Error::ToolMissing { tool, package } => write!(
                f,
                "the `{tool}` program is needed to extract the kernel code but is not installed: \
                 `apt-get install {package}`"
            ),
            Error::Cache { path, detail } => {
                write!(f, "kernel extract cache {}: {detail} (deleting the cache directory is safe)", path.display())
            }
        }
    }
}

impl std::error::Error for Error {}

/// Build scripts run in their package's directory, not where `cargo` was started.
fn relative_hint(p: &std::path::Path) -> &'static str {
    if p.is_relative() {
        " (a relative path is resolved from the build script's directory, cshim/: use an absolute path)"
    } else {
        ""
    }
}
