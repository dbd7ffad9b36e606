//! Identity of this extractor's code, part of every cache key: when the scanner or the emitter
//! changes, earlier extracts must not be reused. The sources are compiled in, so the identity
//! follows every edit without a version number to remember to bump (a unit test checks that
//! the list below names every source file).

const SOURCES: &[(&str, &str)] = &[
    ("cache.rs", include_str!("cache.rs")),
    ("closure.rs", include_str!("closure.rs")),
    ("emit.rs", include_str!("emit.rs")),
    ("error.rs", include_str!("error.rs")),
    ("fingerprint.rs", ""), // itself: holds no extraction logic
    ("fnhash.rs", include_str!("fnhash.rs")),
    ("generate.rs", include_str!("generate.rs")),
    ("lib.rs", include_str!("lib.rs")),
    ("makefile.rs", include_str!("makefile.rs")),
    ("manifest.rs", include_str!("manifest.rs")),
    ("meta.rs", include_str!("meta.rs")),
    ("patch_apply.rs", include_str!("patch_apply.rs")),
    ("patch_set.rs", ""), // names patch sets for swapdiff; no extraction logic
    ("patch_split.rs", include_str!("patch_split.rs")),
    ("patching.rs", include_str!("patching.rs")),
    ("scan/classify.rs", include_str!("scan/classify.rs")),
    ("scan/elements.rs", include_str!("scan/elements.rs")),
    ("scan/items.rs", include_str!("scan/items.rs")),
    ("scan/lexer.rs", include_str!("scan/lexer.rs")),
    ("scan/mod.rs", include_str!("scan/mod.rs")),
    ("scan/split.rs", include_str!("scan/split.rs")),
    ("scan/words.rs", include_str!("scan/words.rs")),
    ("source.rs", include_str!("source.rs")),
    ("tarball.rs", include_str!("tarball.rs")),
];

/// Hex BLAKE3 of the extractor's sources.
pub fn code_identity() -> String {
    let mut h = blake3::Hasher::new();
    for (name, text) in SOURCES {
        h.update(name.as_bytes());
        h.update(&(text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn rs_files(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                rs_files(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_source_file_is_part_of_the_identity() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rs_files(&src, &src, &mut files);
        files.sort();
        let listed: Vec<String> = SOURCES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(files, listed, "add new source files to SOURCES in fingerprint.rs");
    }
}
