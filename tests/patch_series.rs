//! Which kernel series a patch is for (`check-patch` and `swapdiff fuzz --patch` build on it):
//! the series whose source the patch applies to exactly. Every catalog entry was written
//! against one series, so each must be detected as that one, including 7.2 patches of files
//! 6.12's extract does not read (mm/swap_state.c), on which 6.12 "applies" only vacuously.

use std::path::PathBuf;
use swapdiff::variant::patch_series;

fn entries(catalog: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(catalog)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("bug.patch"))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn every_7_2_catalog_patch_is_detected_as_7_2() {
    // corpus/known-bugs-72: one-line slips in 7.2's swapfile.c and swap_state.c, and a
    // refactor of its swapfile.c; none applies to 6.12's code.
    let all = entries("corpus/known-bugs-72");
    assert!(all.len() >= 4);
    for p in all {
        assert_eq!(patch_series(&[], std::slice::from_ref(&p), None), Ok("7.2"), "{}", p.display());
    }
}

#[test]
fn a_6_12_catalog_patch_is_detected_as_6_12_and_series_names_win() {
    // corpus/known-bugs/*: written against 6.12.117's swapfile.c; its context is gone in 7.2.
    let p = PathBuf::from("corpus/known-bugs/has-cache-tests-flag-only/bug.patch");
    assert_eq!(patch_series(&[], std::slice::from_ref(&p), None), Ok("6.12"));
    // --series decides without looking at the sources.
    assert_eq!(patch_series(&[], &[p], Some("7.2")), Ok("7.2"));
}
