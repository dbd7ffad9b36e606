//! `prepare` on a made-up kernel tree: what is extracted, the cache, and the errors.

mod common;

use common::*;
use swapdiff_extract::{prepare, Error};

#[test]
fn extracts_roots_their_helpers_and_the_conditional_skeleton() {
    let s = Scratch::new("roots");
    let ex = must(prepare_tree(&s, &[]));
    // Makefile: VERSION 6, PATCHLEVEL 12, SUBLEVEL 9, empty EXTRAVERSION.
    assert_eq!((ex.version.as_str(), ex.series.as_str()), ("6.12.9", "6.12"));
    let table = &ex.files[0];
    assert_eq!(table.kernel_path, "mm/table.c");
    // table_get calls count_of; unused_helper and table_put are not reachable from it.
    assert_eq!(table.functions, ["count_of", "table_get"]);
    let out = output_of(&ex, "mm/table.c");
    for wanted in [
        "static int count_of(unsigned char b);", // the prototype of a kept function
        "static DEFINE_SPINLOCK(table_lock);",   // a macro-style global table_get locks
        "static unsigned char table[16];",
        "#define HAS_CACHE 0x40", // a constant count_of uses
        "#ifdef CONFIG_WIDE",     // both WIDTH definitions and their conditional
        "#define WIDTH 512",
        "#else",
        "#define WIDTH 256",
        "#endif",
    ] {
        assert!(out.contains(wanted), "missing {wanted:?} in:\n{out}");
    }
    for unwanted in
        ["#include", "EXPORT_SYMBOL", "late_initcall", "unused_helper", "untouched_global", "UNUSED_FLAG", "table_put"]
    {
        assert!(!out.contains(unwanted), "{unwanted:?} must not be emitted:\n{out}");
    }
    // Every item sits behind a #line naming its real line: 1 prototype, 2 globals, 1 define,
    // 5 conditional/define lines, 2 functions.
    assert_eq!(check_line_directives(&out, TABLE_C, "mm/table.c"), 11);
    assert!(ex.changed_functions.is_empty(), "{:?}", ex.changed_functions);
    assert!(ex.notes.is_empty(), "{:?}", ex.notes);
}

#[test]
fn whole_mode_is_the_file_verbatim_behind_line_1() {
    let s = Scratch::new("whole");
    let ex = must(prepare_tree(&s, &[]));
    let out = output_of(&ex, "arch/x/whole.c");
    let body = out.split_once("#line 1 \"arch/x/whole.c\"\n").expect("#line 1").1;
    assert_eq!(body, WHOLE_C);
    assert_eq!(ex.files[1].functions, ["whole_fn"]);
}

#[test]
fn excluded_names_are_left_to_the_shim() {
    let s = Scratch::new("exclude");
    let tree = fake_tree(&s);
    let manifest = fake_manifest(&s, &["table_get"], &["count_of", "table_lock"]);
    let ex = must(prepare(&request(&s, &tree, &manifest, &[])));
    assert_eq!(ex.files[0].functions, ["table_get"]);
    let out = output_of(&ex, "mm/table.c");
    assert!(!out.contains("count_of(unsigned char b)") && !out.contains("DEFINE_SPINLOCK"), "{out}");
    // What only count_of needed is gone too.
    assert!(!out.contains("HAS_CACHE"), "{out}");
}

#[test]
fn inputs_name_the_manifest_and_the_tree_files() {
    let s = Scratch::new("inputs");
    let ex = must(prepare_tree(&s, &[]));
    let tree = s.path("tree");
    let want = [s.path("kernel.toml"), tree.join("Makefile"), tree.join("arch/x/whole.c"), tree.join("mm/table.c")];
    assert_eq!(ex.inputs, want);
}

#[test]
fn cache_hit_reuses_the_variant_and_a_source_change_makes_a_new_one() {
    let s = Scratch::new("cache");
    let first = must(prepare_tree(&s, &[]));
    let second = must(prepare_tree(&s, &[]));
    assert_eq!(first.variant_key, second.variant_key);
    assert_eq!(first.files[0].output, second.files[0].output);
    // The variant directory holds the outputs and the metadata, nothing half-written.
    let dir = s.path("cache").join(&first.variant_key);
    assert!(dir.join("meta.toml").is_file() && dir.join("mm/table.c").is_file());
    let staging = s.path("cache/tmp");
    let leftovers = std::fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0, "staging directories must be cleaned up");

    // Editing a tree file changes the source hash, hence the variant.
    let changed = TABLE_C.replace("return v;", "return v + 0;");
    s.write("tree/mm/table.c", &changed);
    let tree = s.path("tree");
    let manifest = s.path("kernel.toml");
    let third = must(prepare(&common::request(&s, &tree, &manifest, &[])));
    assert_ne!(third.source_hash, first.source_hash);
    assert_ne!(third.variant_key, first.variant_key);
    // The manifest recorded table_get's fingerprint from the stock text.
    assert_eq!(third.changed_functions, ["table_get"]);
}

#[test]
fn a_deleted_output_is_rebuilt_not_trusted() {
    let s = Scratch::new("deleted");
    let first = must(prepare_tree(&s, &[]));
    std::fs::remove_file(&first.files[0].output).expect("rm");
    let second = must(prepare_tree(&s, &[]));
    assert!(second.files[0].output.is_file());
}

#[test]
fn outputs_are_no_newer_than_their_inputs() {
    // Cargo reruns the build script when a watched file is newer than the script's last start;
    // the outputs are watched and written during that run, so dated "now" they would make the
    // next build extract and compile everything again (CI saw 30 s rebuilds of a fresh variant).
    let s = Scratch::new("dates");
    let tree = fake_tree(&s);
    let manifest = fake_manifest(&s, &["table_get"], &[]);
    // Inputs a day old: outputs dated at their writing would be newer (the file system's
    // clock is coarse, so inputs written a moment before could share the outputs' date).
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let first = must(prepare(&request(&s, &tree, &manifest, &[])));
    for p in &first.inputs {
        std::fs::File::options().write(true).open(p).and_then(|f| f.set_modified(day_ago)).expect("backdate");
    }
    std::fs::remove_dir_all(s.path("cache")).expect("clean the cache");
    let ex = must(prepare(&request(&s, &tree, &manifest, &[])));
    let date = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).expect("mtime");
    let newest_input = ex.inputs.iter().map(|p| date(p)).max().expect("inputs");
    assert!(newest_input <= day_ago);
    for f in &ex.files {
        assert!(date(&f.output) <= newest_input, "{} is newer than every input", f.output.display());
    }
}

fn error_text(r: Result<swapdiff_extract::Extracted, Error>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn missing_default_source_names_the_package_and_the_variable() {
    // The default tarball is installed on test machines, so the message is checked directly.
    let e = Error::DefaultSourceMissing { path: swapdiff_extract::DEFAULT_SOURCE.into() };
    let text = e.to_string();
    assert!(text.contains("apt-get install linux-source-6.12"), "{text}");
    assert!(text.contains("SWAPDIFF_KERNEL_SRC"), "{text}");
    assert!(text.contains("/usr/src/linux-source-6.12.tar.xz"), "{text}");
}

#[test]
fn missing_explicit_source_names_the_variable() {
    let s = Scratch::new("nosrc");
    let manifest = fake_manifest(&s, &["table_get"], &[]);
    let text = error_text(prepare(&request(&s, &s.path("nope"), &manifest, &[])));
    assert!(text.contains("SWAPDIFF_KERNEL_SRC=") && text.contains("does not exist"), "{text}");
}

#[test]
fn unreadable_tarball_is_reported_with_tar_output() {
    let s = Scratch::new("badtar");
    let manifest = fake_manifest(&s, &["table_get"], &[]);
    let bogus = s.write("linux-9.9.tar.xz", "this is not an xz archive\n");
    let text = error_text(prepare(&request(&s, &bogus, &manifest, &[])));
    assert!(text.starts_with(&format!("cannot read the kernel source {}: tar failed", bogus.display())), "{text}");
}

#[test]
fn tree_without_makefile() {
    let s = Scratch::new("nomake");
    fake_tree(&s);
    std::fs::remove_file(s.path("tree/Makefile")).expect("rm");
    let manifest = fake_manifest(&s, &["table_get"], &[]);
    let text = error_text(prepare(&request(&s, &s.path("tree"), &manifest, &[])));
    assert!(text.contains("has no top-level Makefile"), "{text}");
}

#[test]
fn makefile_without_version() {
    let s = Scratch::new("noversion");
    fake_tree(&s);
    s.write("tree/Makefile", "all:\n\techo\n");
    let manifest = fake_manifest(&s, &["table_get"], &[]);
    let text = error_text(prepare(&request(&s, &s.path("tree"), &manifest, &[])));
    assert!(text.contains("cannot read the kernel version") && text.contains("no `VERSION = ...` line"), "{text}");
}

#[test]
fn series_missing_from_the_manifest() {
    let s = Scratch::new("series");
    fake_tree(&s);
    s.write("tree/Makefile", &MAKEFILE.replace("PATCHLEVEL = 12", "PATCHLEVEL = 1"));
    let manifest = fake_manifest(&s, &["table_get"], &[]);
    let text = error_text(prepare(&request(&s, &s.path("tree"), &manifest, &[])));
    assert!(text.contains("kernel 6.1.9 is series 6.1") && text.contains("it knows: 6.12"), "{text}");
}

#[test]
fn root_without_a_definition_is_named() {
    let s = Scratch::new("noroot");
    let tree = fake_tree(&s);
    let manifest = fake_manifest(&s, &["table_get", "table_grow"], &[]);
    let text = error_text(prepare(&request(&s, &tree, &manifest, &[])));
    assert!(text.contains("function table_grow") && text.contains("mm/table.c"), "{text}");
}

#[test]
fn manifest_file_missing_from_the_source() {
    let s = Scratch::new("nofile");
    let tree = fake_tree(&s);
    std::fs::remove_file(tree.join("arch/x/whole.c")).expect("rm");
    let manifest = fake_manifest(&s, &["table_get"], &[]);
    let text = error_text(prepare(&request(&s, &tree, &manifest, &[])));
    assert!(text.starts_with("arch/x/whole.c is not in the kernel source"), "{text}");
}
