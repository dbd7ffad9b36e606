//! The identity of a patch set: a hash of the patches' bytes, in order. The one place it is
//! computed (check-patch's variant directories, the fuzz drivers' through `swapdiff
//! variant-key`, and the key a build embeds in its findings all call this).
//!
//! Each patch is length-delimited, so `[a, b]` and `[ab]` differ; file names are not part of it,
//! so two copies of one patch under different names are the same set and two `bug.patch` files
//! with different contents are not.

/// `"stock"` for no patches, else `"patched-"` and 16 hex digits of BLAKE3 over the patches.
pub fn patch_set_key<B: AsRef<[u8]>>(patches: &[B]) -> String {
    if patches.is_empty() {
        return "stock".to_string();
    }
    let mut h = blake3::Hasher::new();
    h.update(b"swapdiff patch set\0");
    h.update(&(patches.len() as u64).to_le_bytes());
    for p in patches {
        let p = p.as_ref();
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    format!("patched-{}", &h.finalize().to_hex()[..16])
}

#[cfg(test)]
mod tests {
    use super::patch_set_key;

    #[test]
    fn no_patch_is_stock() {
        assert_eq!(patch_set_key::<&[u8]>(&[]), "stock");
    }

    #[test]
    fn order_matters() {
        // Applying a then b is not applying b then a (a later hunk may depend on an earlier one).
        assert_ne!(patch_set_key(&[b"a".as_slice(), b"b"]), patch_set_key(&[b"b".as_slice(), b"a"]));
    }

    #[test]
    fn patches_are_delimited() {
        // Concatenating two patches into one file is a different set: without the length
        // prefixes both would hash the bytes "ab".
        assert_ne!(patch_set_key(&[b"a".as_slice(), b"b"]), patch_set_key(&[b"ab".as_slice()]));
        assert_ne!(patch_set_key(&[b"".as_slice(), b"ab"]), patch_set_key(&[b"ab".as_slice()]));
    }

    #[test]
    fn content_decides_and_is_stable() {
        let one = patch_set_key(&[b"--- a/mm/swapfile.c\n".as_slice()]);
        assert_eq!(one, patch_set_key(&[b"--- a/mm/swapfile.c\n".to_vec()]));
        assert_ne!(one, patch_set_key(&[b"--- a/mm/swapfile.c \n".as_slice()]));
        assert!(one.starts_with("patched-") && one.len() == "patched-".len() + 16, "{one}");
    }
}
