//! Where the kernel source comes from (a tree or a tarball), what identifies it, and how its
//! needed files are reached.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::cache::{cache_err, write_file, Cache};
use crate::error::Error;
use crate::tarball;

/// The Debian package linux-source-6.12 installs this.
pub const DEFAULT_SOURCE: &str = "/usr/src/linux-source-6.12.tar.xz";

/// In a raw extract: the kernel paths the archive held, one per line.
const RAW_LISTING: &str = ".swapdiff-members";

fn raw_is_intact(dir: &Path) -> bool {
    match std::fs::read_to_string(dir.join(RAW_LISTING)) {
        Ok(list) => list.lines().filter(|l| !l.is_empty()).all(|p| dir.join(p).is_file()),
        Err(_) => false,
    }
}

pub enum Source {
    Tarball(PathBuf),
    Tree(PathBuf),
}

impl Source {
    pub fn locate(explicit: Option<&Path>) -> Result<Source, Error> {
        let path = explicit.map_or_else(|| PathBuf::from(DEFAULT_SOURCE), Path::to_path_buf);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => Ok(Source::Tree(path)),
            Ok(_) => Ok(Source::Tarball(path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(match explicit {
                None => Error::DefaultSourceMissing { path },
                Some(_) => Error::SourceMissing { path },
            }),
            Err(e) => Err(Error::UnreadableSource { path, detail: e.to_string() }),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            Source::Tarball(p) | Source::Tree(p) => p,
        }
    }

    /// Hex BLAKE3 identifying the source: the tarball's bytes, or for a tree the needed files
    /// (paths and contents; absent ones count as absent).
    pub fn hash(&self, needed: &[String]) -> Result<String, Error> {
        let unreadable =
            |p: &Path, e: std::io::Error| Error::UnreadableSource { path: p.to_path_buf(), detail: e.to_string() };
        match self {
            Source::Tarball(p) => {
                let mut f = std::fs::File::open(p).map_err(|e| unreadable(p, e))?;
                let mut h = blake3::Hasher::new();
                // Large reads keep BLAKE3's SIMD lanes full (the loop itself is the
                // crate's optimised code, fast even in a debug build script).
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let n = f.read(&mut buf).map_err(|e| unreadable(p, e))?;
                    if n == 0 {
                        break;
                    }
                    h.update(&buf[..n]);
                }
                Ok(h.finalize().to_hex().to_string())
            }
            Source::Tree(dir) => {
                let mut h = blake3::Hasher::new();
                h.update(b"swapdiff tree\0");
                for rel in needed {
                    let p = dir.join(rel);
                    h.update(rel.as_bytes());
                    match std::fs::read(&p) {
                        Ok(bytes) => {
                            h.update(&(bytes.len() as u64).to_le_bytes());
                            h.update(&bytes);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                            h.update(b"\0absent\0");
                        }
                        Err(e) => return Err(unreadable(&p, e)),
                    }
                }
                Ok(h.finalize().to_hex().to_string())
            }
        }
    }

    /// Files whose change must re-run the extraction.
    pub fn inputs(&self, needed: &[String]) -> Vec<PathBuf> {
        match self {
            Source::Tarball(p) => vec![p.clone()],
            Source::Tree(dir) => needed.iter().map(|rel| dir.join(rel)).collect(),
        }
    }

    /// A directory holding the needed files at their kernel paths: the tree itself, or the
    /// cached extract of the tarball (made with one `tar` run when missing).
    pub fn raw_root(&self, needed: &[String], source_hash: &str, cache: &Cache) -> Result<PathBuf, Error> {
        let tarball = match self {
            Source::Tree(dir) => return Ok(dir.clone()),
            Source::Tarball(p) => p,
        };
        let mut h = blake3::Hasher::new();
        h.update(source_hash.as_bytes());
        for p in needed {
            h.update(b"\0");
            h.update(p.as_bytes());
        }
        let dest = cache.raw_dir(&h.finalize().to_hex()[..32]);
        if dest.is_dir() {
            if raw_is_intact(&dest) {
                return Ok(dest);
            }
            std::fs::remove_dir_all(&dest).map_err(|e| cache_err(&dest, e))?;
        }
        let staging = cache.staging("raw")?;
        let top = tarball::extract(tarball, &staging.path, needed)?;
        // Record what the archive held, so that a file deleted from the cache by hand is told
        // apart from a file the kernel does not have.
        let found: Vec<&str> = needed.iter().filter(|p| top.join(p).is_file()).map(String::as_str).collect();
        write_file(&top.join(RAW_LISTING), found.join("\n").as_bytes())?;
        let inner = top.strip_prefix(&staging.path).unwrap_or(&top).to_path_buf();
        staging.publish(&inner, &dest)?;
        Ok(dest)
    }
}
