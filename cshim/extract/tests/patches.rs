//! Patches (SWAPDIFF_PATCHES) on the made-up tree: applied in order with `patch -p1`, sections
//! for other files dropped with a note, failures reported by patch file and hunk.

mod common;

use common::*;
use swapdiff_extract::Error;

/// A git-format patch of our fake tree: changes count_of in mm/table.c (lines 21-23 of
/// TABLE_C) and touches a header outside the extracted set.
const COUNT_MASK: &str = "From 0000 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] mask instead of clearing\n\n\
A commit message with a line that looks like a header:\n--- not a file\n---\n\n\
diff --git a/include/linux/other.h b/include/linux/other.h\nindex 1111111..2222222 100644\n\
--- a/include/linux/other.h\n+++ b/include/linux/other.h\n@@ -1,1 +1,1 @@\n-#define A 1\n+#define A 2\n\
diff --git a/mm/table.c b/mm/table.c\nindex 3333333..4444444 100644\n--- a/mm/table.c\n+++ b/mm/table.c\n\
@@ -21,3 +21,3 @@\n {\n-\treturn b & ~HAS_CACHE;\n+\treturn b & 0x3f;\n }\n\
-- \n2.39.2\n";

/// The same change with two lines of context before and one after: `patch` takes unequal
/// context as a sign of fuzz and says so.
const COUNT_MASK_FUZZY: &str = "--- a/mm/table.c\n+++ b/mm/table.c\n\
@@ -20,4 +20,4 @@\n static int count_of(unsigned char b)\n {\n-\treturn b & ~HAS_CACHE;\n+\treturn b & 0x3f;\n }\n";

/// Depends on COUNT_MASK: rewrites the line COUNT_MASK wrote.
const COUNT_MASK_AGAIN: &str =
    "--- a/mm/table.c\n+++ b/mm/table.c\n@@ -21,3 +21,3 @@\n {\n-\treturn b & 0x3f;\n+\treturn b & 0x1f;\n }\n";

/// Hunk #1 applies; hunk #2's removed line is not in table_put (line 43 reads `table[i] = v;`).
const BROKEN_SECOND_HUNK: &str = "--- a/mm/table.c\n+++ b/mm/table.c\n\
@@ -21,3 +21,3 @@\n {\n-\treturn b & ~HAS_CACHE;\n+\treturn b & 0x3f;\n }\n\
@@ -42,3 +42,3 @@\n {\n-\ttable[i] = v + 1;\n+\ttable[i] = v + 2;\n \treturn provided_by_shim(i);\n";

#[test]
fn a_patch_changes_the_extract_and_its_other_sections_are_dropped_with_a_note() {
    let s = Scratch::new("patch-ok");
    let p = s.write("patches/mask.patch", COUNT_MASK);
    let ex = must(prepare_tree(&s, &[p]));
    assert_eq!(ex.patches, ["mask.patch"]);
    assert_eq!(ex.notes, ["patch mask.patch: hunks for include/linux/other.h ignored: not part of the extracted set"]);
    // count_of's fingerprint was recorded from the stock text.
    assert_eq!(ex.changed_functions, ["count_of"]);
    let out = output_of(&ex, "mm/table.c");
    assert!(out.contains("\treturn b & 0x3f;"), "{out}");
    // Nothing mentions HAS_CACHE any more, so its #define is no longer pulled in.
    assert!(!out.contains("HAS_CACHE"), "{out}");
    // The source tree itself is never modified.
    assert_eq!(std::fs::read_to_string(s.path("tree/mm/table.c")).expect("read"), TABLE_C);
}

#[test]
fn a_hunk_applied_with_fuzz_is_noted() {
    let s = Scratch::new("patch-fuzz");
    let p = s.write("fuzzy.patch", COUNT_MASK_FUZZY);
    let ex = must(prepare_tree(&s, &[p]));
    assert_eq!(ex.notes, ["patch fuzzy.patch: mm/table.c: Hunk #1 succeeded at 20 with fuzz 1"]);
    assert!(output_of(&ex, "mm/table.c").contains("\treturn b & 0x3f;"));
}

#[test]
fn patches_apply_in_order() {
    let s = Scratch::new("patch-order");
    let a = s.write("patches/1-mask.patch", COUNT_MASK);
    let b = s.write("patches/2-again.patch", COUNT_MASK_AGAIN);
    let ex = must(prepare_tree(&s, &[a.clone(), b.clone()]));
    assert_eq!(ex.patches, ["1-mask.patch", "2-again.patch"]);
    assert!(output_of(&ex, "mm/table.c").contains("\treturn b & 0x1f;"));
    // The other way round, the second patch has nothing to apply to yet.
    let s2 = Scratch::new("patch-order-rev");
    let b2 = s2.write("patches/2-again.patch", COUNT_MASK_AGAIN);
    let a2 = s2.write("patches/1-mask.patch", COUNT_MASK);
    let Err(e) = prepare_tree(&s2, &[b2.clone(), a2]) else { panic!("must fail") };
    assert!(e.to_string().starts_with(&format!("patch {} does not apply", b2.display())), "{e}");
}

#[test]
fn a_failing_patch_is_named_with_its_hunk_and_changes_nothing() {
    let s = Scratch::new("patch-fail");
    let p = s.write("patches/broken.patch", BROKEN_SECOND_HUNK);
    let Err(e) = prepare_tree(&s, std::slice::from_ref(&p)) else { panic!("must fail") };
    match &e {
        Error::PatchFailed { patch, failures, output } => {
            assert_eq!(patch, &p);
            assert_eq!(failures.len(), 1);
            // Hunk #2 is the second hunk of mm/table.c; patch tries it at its header line, 42.
            assert_eq!((failures[0].file.as_str(), failures[0].hunk, failures[0].line), ("mm/table.c", 2, 42));
            assert!(output.contains("Hunk #2 FAILED at 42"), "{output}");
        }
        other => panic!("expected PatchFailed, got {other}"),
    }
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("patch {} does not apply: mm/table.c hunk #2 FAILED at line 42.", p.display())),
        "{text}"
    );
    assert!(text.contains("output of `patch --dry-run`:\nchecking file mm/table.c"), "{text}");
    // No variant was published and no staging directory is left behind.
    let cache = s.path("cache");
    let entries: Vec<String> = std::fs::read_dir(&cache)
        .expect("cache dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "tmp")
        .collect();
    assert!(entries.is_empty(), "{entries:?}");
    assert_eq!(std::fs::read_dir(cache.join("tmp")).map(|d| d.count()).unwrap_or(0), 0);
}

#[test]
fn an_already_applied_patch_fails_instead_of_being_reversed() {
    // `patch` would offer to reverse it; the extractor must not silently undo a change.
    let s = Scratch::new("patch-applied");
    fake_tree(&s);
    s.write("tree/mm/table.c", &TABLE_C.replace("\treturn b & ~HAS_CACHE;", "\treturn b & 0x3f;"));
    let manifest = fake_manifest(&s, &["table_get"], &[]);
    let p = s.write("patches/mask.patch", COUNT_MASK);
    let r = swapdiff_extract::prepare(&request(&s, &s.path("tree"), &manifest, &[p]));
    assert!(matches!(r, Err(Error::PatchFailed { .. })), "{:?}", r.map(|e| e.variant_key));
}

#[test]
fn a_patch_for_other_files_only_is_noted() {
    let s = Scratch::new("patch-elsewhere");
    let p = s.write("other.patch", "--- a/lib/x.c\n+++ b/lib/x.c\n@@ -1 +1 @@\n-a\n+b\n");
    let ex = must(prepare_tree(&s, &[p]));
    assert_eq!(
        ex.notes,
        [
            "patch other.patch: hunks for lib/x.c ignored: not part of the extracted set",
            "patch other.patch: changes none of the extracted files"
        ]
    );
    assert!(ex.changed_functions.is_empty());
}

#[test]
fn a_patch_variant_has_its_own_cache_key() {
    let s = Scratch::new("patch-key");
    let stock = must(prepare_tree(&s, &[]));
    let p = s.write("patches/mask.patch", COUNT_MASK);
    let patched = must(prepare_tree(&s, &[p]));
    assert_eq!(stock.source_hash, patched.source_hash);
    assert_ne!(stock.variant_key, patched.variant_key);
    // Both stay usable side by side.
    assert!(output_of(&stock, "mm/table.c").contains("HAS_CACHE"));
    assert!(!output_of(&patched, "mm/table.c").contains("HAS_CACHE"));
}

#[test]
fn unusable_patch_files_are_reported() {
    let s = Scratch::new("patch-bad");
    let missing = s.path("nope.patch");
    let Err(e) = prepare_tree(&s, std::slice::from_ref(&missing)) else { panic!("must fail") };
    assert!(e.to_string().starts_with(&format!("cannot read patch {}", missing.display())), "{e}");
    let prose = s.write("prose.patch", "Just a description, no diff.\n");
    let Err(e) = prepare_tree(&s, &[prose]) else { panic!("must fail") };
    assert!(e.to_string().contains("is not a usable unified diff: no file sections"), "{e}");
}
