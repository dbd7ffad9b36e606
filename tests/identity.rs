//! Patch-set identity by content, through the CLI (`swapdiff variant-key`,
//! which scripts/coverage.sh calls; `swapdiff fuzz` names its variant with the
//! same function, tests/drive_plan.rs): the same bytes in the same order are
//! one variant whatever the files are called; a different order, or the same
//! bytes split differently, is another.

use std::path::Path;
use std::process::Command;

fn key(patches: &[&Path]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_swapdiff")).arg("variant-key").args(patches).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_key_follows_content_and_order_not_names() {
    let tmp = std::env::temp_dir().join(format!("swapdiff-identity-{}", std::process::id()));
    std::fs::create_dir_all(tmp.join("a")).unwrap();
    std::fs::create_dir_all(tmp.join("b")).unwrap();
    // Two catalog entries are both called bug.patch: their keys must differ.
    let one = Path::new("corpus/known-bugs/shmem-remove-rfc/bug.patch");
    let two = Path::new("corpus/known-bugs/mte-restore-same-entry/bug.patch");
    assert_ne!(key(&[one]), key(&[two]));
    // The same bytes under another name and directory: the same variant.
    let copy = tmp.join("a/renamed.diff");
    std::fs::copy(one, &copy).unwrap();
    assert_eq!(key(&[one]), key(&[&copy]));
    // Order matters; so does where one patch ends and the next begins.
    assert_ne!(key(&[one, two]), key(&[two, one]));
    let joined = tmp.join("b/joined.patch");
    let mut bytes = std::fs::read(one).unwrap();
    bytes.extend(std::fs::read(two).unwrap());
    std::fs::write(&joined, bytes).unwrap();
    assert_ne!(key(&[one, two]), key(&[&joined]));
    assert_eq!(key(&[]), "stock");
    // The embedded key of this (stock) build is the same function's.
    assert_eq!(swapdiff::identity::build_key(), "stock");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn an_unreadable_patch_is_a_clear_error() {
    let out =
        Command::new(env!("CARGO_BIN_EXE_swapdiff")).args(["variant-key", "/nonexistent.patch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.patch"));
}
