//! Fingerprints of function definitions, to notice when a kernel update or a patch changes a
//! function the harness was written against.
//!
//! The fingerprint covers the definition's tokens joined by single spaces: whitespace and
//! comments do not count (a re-indented or re-commented function is the same function), every
//! token does. Directives inside the definition count with their tokens.

use std::collections::BTreeMap;

use crate::scan::{Item, ItemKind, ScannedFile};

/// Hex fingerprint of an item (64 bits of BLAKE3 of the normalized text; collisions between
/// two versions of one function are not a concern at this size).
pub fn item_hash(src: &[u8], file: &ScannedFile, item: &Item) -> String {
    let mut h = blake3::Hasher::new();
    let mut first = true;
    let mut put = |bytes: &[u8]| {
        if !std::mem::take(&mut first) {
            h.update(b" ");
        }
        h.update(bytes);
    };
    for t in &file.tokens[item.tok_lo..item.tok_hi] {
        match &t.directive {
            Some(d) => {
                put(b"#");
                put(d.name.as_bytes());
                for dt in &d.tokens {
                    put(dt.text(src));
                }
            }
            None => put(t.text(src)),
        }
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Fingerprints of every function definition of a file. A name defined twice (alternative
/// definitions under `#ifdef`) gets the fingerprint of both texts combined, in file order.
pub fn function_hashes(src: &[u8], file: &ScannedFile) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for it in &file.items {
        if it.kind != ItemKind::Function {
            continue;
        }
        let Some(name) = it.name() else { continue };
        let h = item_hash(src, file, it);
        out.entry(name.to_string())
            .and_modify(|prev| *prev = blake3::hash(format!("{prev}{h}").as_bytes()).to_hex()[..16].to_string())
            .or_insert(h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::scan;

    fn hash_of(src: &str) -> String {
        let f = scan(src.as_bytes()).unwrap();
        function_hashes(src.as_bytes(), &f)["f"].clone()
    }

    #[test]
    fn whitespace_and_comments_do_not_count() {
        assert_eq!(hash_of("int f(void) { return 1; }"), hash_of("int\nf(void)\n{\n\t/* one */ return  1;\n}\n"));
    }

    #[test]
    fn any_token_counts() {
        assert_ne!(hash_of("int f(void) { return 1; }"), hash_of("int f(void) { return 2; }"));
        assert_ne!(hash_of("int f(void) { return 1; }"), hash_of("static int f(void) { return 1; }"));
    }
}
