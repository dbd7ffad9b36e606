//! The real thing: the Debian linux-source-6.12 tarball (installed by `make test`; without it
//! this test fails with the extractor's own error, which says how to install it).
//!
//! One test on purpose: it needs one cold extraction (~10 s of xz), and then shows that the
//! cache hit and a patched variant do not run `tar` again.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use swapdiff_extract::{prepare, tar_runs_on_this_thread, Request};

fn manifest_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifest/kernel.toml")
}

/// The raw swapfile.c the extractor pulled out of the tarball (cache layout: raw/<key>/...).
fn raw_file(cache: &Path, kernel_path: &str) -> String {
    let raw = cache.join("raw");
    let dir = std::fs::read_dir(&raw).expect("raw cache").next().expect("one raw extract").expect("entry").path();
    std::fs::read_to_string(dir.join(kernel_path)).expect("raw kernel file")
}

/// A patch made at run time from the kernel text (so no kernel text lives in this repository):
/// it inserts a statement of ours as the first line of swap_count's body.
fn patch_swap_count(src: &str) -> String {
    let file = swapdiff_extract::scan::scan(src.as_bytes()).expect("scan");
    let item = file.items.iter().find(|i| i.name() == Some("swap_count")).expect("swap_count");
    let lines: Vec<&str> = src.lines().collect();
    // Items start at the signature line; the brace is on the next line in kernel style.
    let brace = item.line as usize + 1;
    let (open, first) = (lines[brace - 1], lines[brace]);
    assert_eq!(open, "{", "swap_count's body starts on its own line");
    format!(
        "--- a/mm/swapfile.c\n+++ b/mm/swapfile.c\n@@ -{brace},2 +{brace},3 @@\n {open}\n+\t(void)ent; /* swapdiff test */\n {first}\n"
    )
}

#[test]
fn extracts_6_12_from_the_tarball_then_hits_the_cache() {
    let s = Scratch::new("real");
    let cache = s.path("cache");
    let req = Request { source: None, patches: Vec::new(), manifest: manifest_path(), cache_dir: cache.clone() };

    // Cold: exactly one tar run.
    let t0 = tar_runs_on_this_thread();
    let started = std::time::Instant::now();
    let ex = prepare(&req).unwrap_or_else(|e| panic!("{e}"));
    let cold = started.elapsed();
    assert_eq!(tar_runs_on_this_thread() - t0, 1);
    assert_eq!(ex.series, "6.12");
    assert!(ex.version.starts_with("6.12."), "{}", ex.version);

    let swapfile = ex.files.iter().find(|f| f.kernel_path == "mm/swapfile.c").expect("swapfile.c");
    let manifest = std::fs::read_to_string(manifest_path()).expect("manifest");
    let m = swapdiff_extract::manifest::Manifest::parse(&manifest, &manifest_path()).expect("parse manifest");
    for root in &m.series["6.12"].files[0].roots {
        assert!(swapfile.functions.contains(root), "root {root} missing");
    }
    // Helpers the closure must find: swap_count (the count without SWAP_HAS_CACHE, used by
    // __swap_duplicate, swp_swapcount, ...), lock_cluster_or_swap_info (the locking every
    // count update takes), dec_cluster_info_page (swap_entry_range_free's cluster accounting).
    for helper in [
        "swap_count",
        "lock_cluster_or_swap_info",
        "unlock_cluster_or_swap_info",
        "dec_cluster_info_page",
        "lock_cluster",
        // The allocator's and the workers' closure (issue 17): the roots get_swap_pages,
        // scan_swap_map_slots, swap_discard_work and swap_reclaim_work reach these only
        // through calls.
        "cluster_alloc_swap_entry",
        "alloc_swap_scan_cluster",
        "swap_do_scheduled_discard",
        "discard_swap_cluster",
        "swap_reclaim_full_clusters",
    ] {
        assert!(swapfile.functions.iter().any(|f| f == helper), "helper {helper} missing");
    }
    // Nothing of the swapon/swapoff syscalls themselves is reachable from the roots (the shim
    // does their environment part; setup_clusters and discard_swap are roots of their own).
    for absent in ["swapon", "swapoff", "try_to_unuse", "setup_swap_map", "read_swap_header", "enable_swap_info"] {
        assert!(!swapfile.functions.iter().any(|f| f == absent), "{absent} must not be pulled in");
    }
    let out = std::fs::read_to_string(&swapfile.output).expect("output");
    let raw = raw_file(&cache, "mm/swapfile.c");
    let checked = check_line_directives(&out, &raw, "mm/swapfile.c");
    assert!(checked > swapfile.functions.len(), "only {checked} #line directives");
    // The CONFIG_THP_SWAP choice of SWAPFILE_CLUSTER is left to the shim's config.
    assert!(out.contains("#ifdef CONFIG_THP_SWAP"));
    assert!(!out.contains("\n#include"), "includes must be dropped");

    let mte = ex.files.iter().find(|f| f.kernel_path == "arch/arm64/mm/mteswap.c").expect("mteswap.c");
    let mte_out = std::fs::read_to_string(&mte.output).expect("mte output");
    let body = mte_out.split_once("#line 1 \"arch/arm64/mm/mteswap.c\"\n").expect("#line 1").1;
    assert_eq!(body, raw_file(&cache, "arch/arm64/mm/mteswap.c"));
    for f in [
        "mte_save_tags",
        "mte_restore_tags",
        "mte_invalidate_tags",
        "mte_invalidate_tags_area",
        "arch_prepare_to_swap",
        "arch_swap_restore",
    ] {
        assert!(mte.functions.iter().any(|x| x == f), "{f} missing from mteswap.c");
    }
    // The fingerprints in the manifest were taken from 6.12.117.
    if ex.version == "6.12.117" {
        assert!(ex.changed_functions.is_empty(), "{:?}", ex.changed_functions);
        assert!(ex.notes.is_empty(), "{:?}", ex.notes);
    }

    // Hit: the tarball is hashed again but not read by tar.
    let started = std::time::Instant::now();
    let hit = prepare(&req).unwrap_or_else(|e| panic!("{e}"));
    let warm = started.elapsed();
    assert_eq!(tar_runs_on_this_thread() - t0, 1, "a cache hit must not run tar");
    assert_eq!(hit.variant_key, ex.variant_key);
    assert_eq!(hit.files[0].functions, ex.files[0].functions);

    // A patched variant starts from the cached raw files: still no second tar run.
    let patch = s.write("swap_count.patch", &patch_swap_count(&raw));
    let preq = Request { patches: vec![patch], ..req };
    let patched = prepare(&preq).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tar_runs_on_this_thread() - t0, 1, "a patched variant must reuse the raw extract");
    assert_ne!(patched.variant_key, ex.variant_key);
    if ex.version == "6.12.117" {
        assert_eq!(patched.changed_functions, ["swap_count"]);
    }
    let pout = std::fs::read_to_string(&patched.files[0].output).expect("patched output");
    assert!(pout.contains("(void)ent; /* swapdiff test */"));
    eprintln!("cold prepare {:.2} s, cache hit {:.3} s", cold.as_secs_f64(), warm.as_secs_f64());
}
