//! The state diff of a finding (README "What went wrong", state.txt) and its mail
//! (`report --mail`), on divergences planted in the engine under test, whose effect on the
//! state is known: the expected rows and sentences follow from what the plant skips.

use std::path::{Path, PathBuf};
use std::process::Command;
use swapdiff::engine::{Delegate, KernelEngine, ModelEngine};
use swapdiff::findings::{file, FileOptions, Filed};
use swapdiff::input::Input;
use swapdiff::oracle::Pair;
use swapdiff::program::{parse, Family};

/// The kernel, but `swap_free_nr` drops nothing: a reference the caller gives back stays,
/// so the slot is never freed (the leak the example names).
struct KeepsReference(KernelEngine);
impl Delegate for KeepsReference {
    type Inner = KernelEngine;
    fn inner(&self) -> &KernelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut KernelEngine {
        &mut self.0
    }
    fn swap_free_nr(&mut self, _: u64, _: i32) -> i64 {
        0
    }
}

/// The kernel, but `arch_swap_restore` restores nothing: the folio keeps the tags it had.
struct RestoresNothing(KernelEngine);
impl Delegate for RestoresNothing {
    type Inner = KernelEngine;
    fn inner(&self) -> &KernelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut KernelEngine {
        &mut self.0
    }
    fn arch_swap_restore(&mut self, _: u64, _: u32) -> i64 {
        0
    }
}

fn input(text: &str) -> Input {
    Input { program: parse(text).unwrap(), family: Family::All, bytes: None }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("swapdiff-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn filed_dir(filed: Option<Filed>) -> PathBuf {
    match filed {
        Some(Filed::New { dir, .. }) => dir,
        _ => panic!("expected a new finding"),
    }
}

fn opts() -> FileOptions {
    FileOptions { minimize: true, deadline: None, regressions: None, level: Default::default() }
}

#[test]
fn a_slot_the_build_under_test_never_frees_is_shown_and_named_a_leak() {
    let out = scratch("leak");
    let mut oracle = Pair::of(ModelEngine::new(), KeepsReference(KernelEngine::acquire()));
    // Allocate one slot (cache only), take a mapping reference, drop the cache, then give
    // the reference back: the model frees 0:1 (count 0, no cache), the plant keeps 1 ref.
    let p = "mode raw\nswapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1\nswapcache_clear 0:1 nr=1\nswap_free_nr 0:1 nr=1\n";
    let dir = filed_dir(file(&mut oracle, &input(p), &out, &opts()).unwrap());
    let state = std::fs::read_to_string(dir.join("state.txt")).unwrap();
    let (sentence, table) = state.split_once("\n\n").unwrap();
    assert!(sentence.contains("Kernel still holds slot 0:1") && sentence.contains("leaks"), "{state}");
    // The slot's row: 1 ref before on both sides; after, free on the model and 1 ref on the
    // kernel, both after cells marked (the raw level shows the map byte: 0x01 is one reference).
    let row = table.lines().find(|l| l.starts_with("slot 0:1 ")).expect("a row for slot 0:1");
    assert_eq!(row.matches("1 ref [0x01]").count(), 3, "{row}");
    assert!(row.contains("free [0x00] *") && row.ends_with("1 ref [0x01] *"), "{row}");
    // The free-slot counter moved on the model only: its row is there, marked.
    let counter = table.lines().find(|l| l.starts_with("nr_swap_pages")).expect("a counter row");
    assert!(counter.ends_with('*'), "{counter}");
    // Untouched slots are not listed (one device of 512 slots: only 0:1 changed).
    assert_eq!(table.lines().filter(|l| l.starts_with("slot ")).count(), 1, "{table}");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("## What went wrong") && readme.contains(sentence), "{readme}");

    // The mail: subject from the signature, the facts, the program, the table, how to reproduce.
    let mail = Command::new(env!("CARGO_BIN_EXE_swapdiff")).arg("report").arg("--mail").arg(&dir).output().unwrap();
    assert!(mail.status.success(), "{}", String::from_utf8_lossy(&mail.stderr));
    let mail = String::from_utf8(mail.stdout).unwrap();
    let subject = mail.lines().next().unwrap();
    assert!(subject.starts_with("Subject: [swapdiff] ") && subject.contains("swap_free_nr"), "{subject}");
    for needle in [
        "Kernel:      6.12",
        "source hash",
        "Patch set:",
        "    swap_free_nr 0:1 nr=1",
        "    slot 0:1 ",
        "swapdiff export",
    ] {
        assert!(mail.contains(needle), "mail lacks {needle:?}:\n{mail}");
    }
    assert!(mail.lines().all(|l| !l.contains('`') || l.len() <= 80), "{mail}");
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&out);
    }
}

#[test]
fn tags_a_restore_never_wrote_show_as_a_page_that_differs() {
    let out = scratch("tags");
    let mut oracle = Pair::of(ModelEngine::new(), RestoresNothing(KernelEngine::acquire()));
    // A tagged page saved under 0:16, then a fresh folio restored from it: the model gives
    // the new folio's page 0 the saved tags, the plant leaves its tags zero.
    let p = "mode raw\nfolio_new order=0\npage_set f0 page=0 seed=3 flags=1\nfolio_set_swap f0 0:16\narch_prepare_to_swap f0\nfolio_new order=0\nfolio_set_swap f1 0:16\narch_swap_restore 0:16 f1\n";
    let dir = filed_dir(file(&mut oracle, &input(p), &out, &opts()).unwrap());
    let state = std::fs::read_to_string(dir.join("state.txt")).unwrap();
    let (sentence, table) = state.split_once("\n\n").unwrap();
    assert!(sentence.starts_with("Page 0 of f1") && sentence.contains("other tags"), "{state}");
    let row = table.lines().find(|l| l.starts_with("page 0 of f1")).expect("a row for the restored page");
    assert!(row.contains("tags zero") && row.ends_with('*'), "{row}");
    // The saved entry the restore reads is the same on both sides (prepare ran on the real
    // kernel): shown, since the op names it, but unmarked.
    // (The minimizer may move the entry: 0:0 is every new folio's folio->swap.)
    let saved = table.lines().find(|l| l.starts_with("tags of 0:")).expect("the tag store entry");
    assert!(!saved.contains('*'), "{saved}");
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&out);
    }
}

#[test]
fn mailing_something_that_is_not_a_finding_fails_clearly() {
    let out = Command::new(env!("CARGO_BIN_EXE_swapdiff"))
        .args(["report", "--mail"])
        .arg(Path::new("corpus/seeds"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("about.txt"), "{err}");
}
