//! Pulls a few files out of a kernel tarball with one `tar` run.
//!
//! The top directory differs between tarballs (`linux-source-6.12/` from Debian,
//! `linux-6.12.117/` from kernel.org), so members are matched with `*/PATH` patterns. GNU tar's
//! `*` matches `/` by default; `--no-wildcards-match-slash` makes `*/Makefile` match the top
//! Makefile only, not every Makefile of the tree. `--occurrence` lets tar stop reading once
//! every pattern has matched, instead of decompressing the rest of the archive.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::Error;

thread_local! {
    static TAR_RUNS: Cell<usize> = const { Cell::new(0) };
}

/// How many times this thread has run `tar` (tests use it to prove a cache hit reads no
/// archive).
pub fn tar_runs_on_this_thread() -> usize {
    TAR_RUNS.with(Cell::get)
}

/// Extracts `paths` (kernel-relative) from `tarball` into `dest` and returns the directory the
/// archive's top directory became (`dest/linux-.../`). Members the archive lacks are simply
/// absent afterwards; any other tar failure is an error.
pub fn extract(tarball: &Path, dest: &Path, paths: &[String]) -> Result<PathBuf, Error> {
    TAR_RUNS.with(|c| c.set(c.get() + 1));
    let mut cmd = Command::new("tar");
    // -J for xz (the kernel's format); other compressions are left to tar's autodetection.
    let xz = tarball.extension().is_some_and(|e| e == "xz");
    cmd.arg(if xz { "-xJf" } else { "-xf" })
        .arg(tarball)
        .arg("-C")
        .arg(dest)
        .args(["--occurrence", "--wildcards", "--no-wildcards-match-slash", "--no-same-owner"])
        .args(paths.iter().map(|p| format!("*/{p}")))
        .stdin(Stdio::null());
    let out = cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::ToolMissing { tool: "tar", package: "tar" },
        _ => Error::UnreadableSource { path: tarball.to_path_buf(), detail: format!("cannot run tar: {e}") },
    })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        // "Not found in archive" only means a manifest file is missing from this kernel; the
        // caller reports that in terms of the manifest. Anything else is a broken archive or a
        // missing decompressor.
        let serious: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("Not found in archive") && !l.contains("Exiting with failure status"))
            .collect();
        if !serious.is_empty() {
            let hint = if stderr.contains("xz: Cannot exec") { " (install the `xz-utils` package)" } else { "" };
            return Err(Error::UnreadableSource {
                path: tarball.to_path_buf(),
                detail: format!("tar failed{hint}: {}", serious.join(" | ")),
            });
        }
    }
    top_directory(dest).ok_or_else(|| Error::NoMakefile { source: tarball.to_path_buf() })
}

/// The single directory tar created (the one holding the Makefile when there are several).
fn top_directory(dest: &Path) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(dest).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs.iter().find(|d| d.join("Makefile").is_file()).or(dirs.first()).cloned()
}
