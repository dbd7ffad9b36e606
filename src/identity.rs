//! Which kernel a build or a patch set is, by content: the key of a patch set
//! is computed by `swapdiff_extract::patch_set_key` (the one function), here
//! read from files or taken from what this build embedded.

use std::path::PathBuf;

/// The key of a variant: the build under test gets the patch files `base`
/// then `patches`, in order, and links next to a base build of `base` alone.
/// Without base patches it is the patch set's key, "stock" for none (the key
/// that build embeds, [`build_key`]); with them, that key over both lists,
/// then "-on-" and the base's key, so that the same patches over another base
/// are another variant (another target directory).
pub fn variant_key(base: &[PathBuf], patches: &[PathBuf]) -> Result<String, String> {
    let all: Vec<PathBuf> = base.iter().chain(patches).cloned().collect();
    let key = patch_set_key(&all)?;
    if base.is_empty() {
        return Ok(key);
    }
    Ok(format!("{key}-on-{}", patch_set_key(base)?))
}

/// The key of the patch files `patches`, in order: "stock" for none.
fn patch_set_key(patches: &[PathBuf]) -> Result<String, String> {
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

/// The key of the patch set this binary's kernel C under test was built with
/// (SWAPDIFF_BASE_PATCHES then SWAPDIFF_PATCHES, as cshim applied them to its
/// primary build, hashed at build time: `cshim::primary().patch_key`). Equal
/// to [`variant_key`] of the same lists when there are no base patches.
pub fn build_key() -> &'static str {
    env!("SWAPDIFF_PATCH_SET_KEY")
}

/// The target triple this binary was built for.
pub fn host_target() -> &'static str {
    env!("SWAPDIFF_HOST_TARGET")
}

#[cfg(test)]
mod tests {
    use super::variant_key;
    use std::path::PathBuf;

    /// Two small patch files of distinct content in a fresh directory.
    fn two_patches() -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("swapdiff-identity-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.patch"), dir.join("b.patch"));
        std::fs::write(&a, "--- a/mm/swapfile.c\n+a\n").unwrap();
        std::fs::write(&b, "--- a/mm/swapfile.c\n+b\n").unwrap();
        (a, b)
    }

    #[test]
    fn the_base_is_part_of_the_variant() {
        let (a, b) = two_patches();
        let key = |base: &[PathBuf], patches: &[PathBuf]| variant_key(base, patches).unwrap();
        // No patches at all: the stock binary and its target directory.
        assert_eq!(key(&[], &[]), "stock");
        // No base: the patch set's key, which the build embeds as build_key().
        let ab = key(&[], &[a.clone(), b.clone()]);
        assert!(ab.starts_with("patched-") && !ab.contains("-on-"), "{ab}");
        // b over base a applies the same bytes as [a, b], but links a base build of a instead
        // of stock: another binary, so another key; it names the patched build's key (over both
        // lists) and the base's.
        let (a, b) = ([a], [b]);
        let b_on_a = key(&a, &b);
        assert_eq!(b_on_a, format!("{ab}-on-{}", key(&[], &a)));
        // The base alone (one build) differs from the same patch over stock (two builds).
        assert_ne!(key(&a, &[]), key(&[], &a));
        std::fs::remove_dir_all(a[0].parent().unwrap()).unwrap();
    }
}
