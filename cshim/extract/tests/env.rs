//! `request_from_env` (its own test binary: it sets process environment variables).

use std::path::PathBuf;

use swapdiff_extract::{request_from_env, ENV_VARS};

#[test]
fn reads_the_source_and_the_colon_separated_patches() {
    assert_eq!(ENV_VARS, ["SWAPDIFF_KERNEL_SRC", "SWAPDIFF_PATCHES"]);
    let m = PathBuf::from("m.toml");
    let c = PathBuf::from("cache");

    std::env::remove_var("SWAPDIFF_KERNEL_SRC");
    std::env::remove_var("SWAPDIFF_PATCHES");
    let r = request_from_env(m.clone(), c.clone());
    // Unset: the default tarball, the stock source.
    assert_eq!(r.source, None);
    assert!(r.patches.is_empty());
    assert_eq!((r.manifest, r.cache_dir), (m.clone(), c.clone()));

    std::env::set_var("SWAPDIFF_KERNEL_SRC", "");
    std::env::set_var("SWAPDIFF_PATCHES", "");
    let r = request_from_env(m.clone(), c.clone());
    // Empty counts as unset.
    assert_eq!(r.source, None);
    assert!(r.patches.is_empty());

    std::env::set_var("SWAPDIFF_KERNEL_SRC", "/src/linux-6.12.9");
    std::env::set_var("SWAPDIFF_PATCHES", "/p/a.patch::/p/b.patch:");
    let r = request_from_env(m, c);
    assert_eq!(r.source, Some(PathBuf::from("/src/linux-6.12.9")));
    // Order kept, empty entries ignored.
    assert_eq!(r.patches, [PathBuf::from("/p/a.patch"), PathBuf::from("/p/b.patch")]);
}
