//! Applies the user's patch series (SWAPDIFF_PATCHES) to a working copy of the extracted files.

use std::path::{Path, PathBuf};

use crate::cache::write_file;
use crate::error::Error;
use crate::{patch_apply, patch_split};

pub struct PatchInput {
    pub path: PathBuf,
    /// The file name, as reported in `Extracted::patches`.
    pub name: String,
    pub bytes: Vec<u8>,
}

pub fn read_patches(paths: &[PathBuf]) -> Result<Vec<PatchInput>, Error> {
    paths
        .iter()
        .map(|p| {
            let bytes =
                std::fs::read(p).map_err(|e| Error::PatchUnreadable { patch: p.clone(), detail: e.to_string() })?;
            let name = p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
            Ok(PatchInput { path: p.clone(), name, bytes })
        })
        .collect()
}

/// Applies `patches` in order to the files of `extracted` (kernel paths) under `work`. Sections
/// for other files are dropped with a note. `scratch` holds the reduced patch files.
pub fn apply_all(
    patches: &[PatchInput],
    extracted: &[String],
    work: &Path,
    scratch: &Path,
) -> Result<Vec<String>, Error> {
    let mut notes = Vec::new();
    for (n, p) in patches.iter().enumerate() {
        let text = std::str::from_utf8(&p.bytes)
            .map_err(|e| Error::PatchMalformed { patch: p.path.clone(), detail: format!("not UTF-8 text ({e})") })?;
        let sections =
            patch_split::split(text).map_err(|detail| Error::PatchMalformed { patch: p.path.clone(), detail })?;
        let mut kept = String::new();
        for s in &sections {
            if extracted.contains(&s.path) {
                kept.push_str(&s.text);
            } else {
                notes.push(format!("patch {}: hunks for {} ignored: not part of the extracted set", p.name, s.path));
            }
        }
        if kept.is_empty() {
            notes.push(format!("patch {}: changes none of the extracted files", p.name));
            continue;
        }
        let reduced = scratch.join(format!("{n:03}.patch"));
        write_file(&reduced, kept.as_bytes())?;
        notes.extend(patch_apply::apply(&p.path, &reduced, work)?);
    }
    Ok(notes)
}
