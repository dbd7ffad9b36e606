//! The extract cache under `cache_dir`:
//!
//! - `raw/<key>/`: the files pulled out of a tarball (key: the tarball's hash and the list of
//!   paths), so that a new patch set does not decompress the archive again;
//! - `<variant_key>/`: the generated C of one variant (source + patches + manifest) and its
//!   `meta.toml`;
//! - `tmp/`: staging directories.
//!
//! Every entry is built in a staging directory and renamed into place, so an interrupted build
//! leaves at worst an orphan under `tmp/`, never a half-written entry. When two builds race, the
//! first rename wins and the loser's identical copy is discarded.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::Error;

pub fn cache_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Cache { path: path.to_path_buf(), detail: e.to_string() }
}

pub struct Cache {
    pub dir: PathBuf,
}

impl Cache {
    pub fn raw_dir(&self, key: &str) -> PathBuf {
        self.dir.join("raw").join(key)
    }

    pub fn variant_dir(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    /// A fresh, empty staging directory (removed when dropped unless published).
    pub fn staging(&self, what: &str) -> Result<Staging, Error> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join("tmp").join(format!("{what}-{}-{nanos}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|e| cache_err(&path, e))?;
        Ok(Staging { path, armed: true })
    }
}

pub struct Staging {
    pub path: PathBuf,
    armed: bool,
}

impl Staging {
    /// Moves `self.path.join(inner)` (or the staging directory itself when `inner` is empty) to
    /// `dest` atomically. If `dest` already exists (a concurrent build made it), ours is
    /// dropped.
    pub fn publish(mut self, inner: &Path, dest: &Path) -> Result<(), Error> {
        let from = self.path.join(inner);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| cache_err(parent, e))?;
        }
        match std::fs::rename(&from, dest) {
            Ok(()) => {
                if inner.as_os_str().is_empty() {
                    self.armed = false;
                }
                Ok(())
            }
            Err(_) if dest.is_dir() => Ok(()),
            Err(e) => Err(cache_err(dest, format!("cannot move the new entry into place: {e}"))),
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.armed {
            // Best effort: an orphan under tmp/ is harmless.
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Writes `bytes` to `path`, creating parent directories.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| cache_err(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| cache_err(path, e))
}

/// The latest modification date among `paths` (`None` when none can be read).
pub fn newest_mtime(paths: &[PathBuf]) -> Option<SystemTime> {
    paths.iter().filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok()).max()
}

/// Sets `path`'s modification date to `date`.
pub fn set_mtime(path: &Path, date: SystemTime) -> Result<(), Error> {
    let f = std::fs::File::options().write(true).open(path).map_err(|e| cache_err(path, e))?;
    f.set_modified(date).map_err(|e| cache_err(path, e))
}
