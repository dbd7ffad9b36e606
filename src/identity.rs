//! Which kernel a build or a patch set is, by content: the key of a patch set
//! is computed by `swapdiff_extract::patch_set_key` (the one function), here
//! read from files or taken from what this build embedded.

use std::path::PathBuf;

/// The key of the patch files `patches`, in order: "stock" for none.
pub fn variant_key(patches: &[PathBuf]) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(patches.len());
    for p in patches {
        let data = std::fs::read(p).map_err(|e| format!("patch {}: {e}", p.display()))?;
        if data.is_empty() {
            return Err(format!("patch {} is empty", p.display()));
        }
        bytes.push(data);
    }
    Ok(swapdiff_extract::patch_set_key(&bytes))
}

/// The key of the patch set this binary's kernel C was built with (the same
/// SWAPDIFF_PATCHES cshim applied, hashed at build time).
pub fn build_key() -> &'static str {
    env!("SWAPDIFF_PATCH_SET_KEY")
}

/// The target triple this binary was built for.
pub fn host_target() -> &'static str {
    env!("SWAPDIFF_HOST_TARGET")
}
