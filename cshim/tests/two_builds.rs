//! Several kernel builds in one process (ENVIRONMENT.md "Several builds in one process"): each
//! build is its own translation unit with its own globals, lock, watchdog signal and table of
//! entry points, and the one fatal note names the build that was in a call.
//!
//! In the stock binary of `cargo test` there is one build and only the naming tests have
//! something to check. tests/patches.rs runs this file again in builds with two
//! (SWAPDIFF_PATCHES=eexist-to-ebusy.patch, with and without SWAPDIFF_BASE_PATCHES; `make
//! test-patches`), setting SWAPDIFF_EXPECT_BUILDS=2 so that a second build silently left out
//! fails here instead of passing as the one-build case.
//!
//! Kernel only: the model is not a build.

mod common;
use common::*;
use cshim::{builds, primary, Build, EventKind, Kernel, TRAPPED};
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;
use swapdiff_contract::prelude::*;

/// The test patch whose effect tells the builds apart (-EBUSY for the kernel's -EEXIST).
const EBUSY_PATCH: &str = "eexist-to-ebusy.patch";

/// The two builds, when linked; `None` (after saying so) in a one-build binary.
fn pair() -> Option<(&'static Build, &'static Build)> {
    match builds() {
        [base, patched] => Some((base, patched)),
        [_] => {
            println!("one build linked: nothing to keep apart");
            None
        }
        more => panic!("{} builds linked; SWAPDIFF_PATCHES gives at most two", more.len()),
    }
}

#[test]
fn the_builds_are_the_expected_ones_and_named_by_key() {
    if let Ok(expected) = std::env::var("SWAPDIFF_EXPECT_BUILDS") {
        assert_eq!(builds().len().to_string(), expected, "{:?}", builds());
    }
    for (i, b) in builds().iter().enumerate() {
        assert_eq!(b.index, i, "indices are link order");
        // The name is the version and the key of every patch applied, "stock" for none.
        assert_eq!(b.name, format!("{}+{}", b.kernel_version, b.patch_key));
        assert_eq!(b.patch_key == "stock", b.patches.is_empty(), "{b:?}");
        assert!(b.patch_key == "stock" || b.patch_key.starts_with("patched-"), "{b:?}");
        assert!(b.standalone.contains("kernel_612.c") && b.standalone.contains(&format!("build{i}")), "{b:?}");
        // One source for all builds.
        assert_eq!((b.kernel_version, b.source_hash), (cshim::kernel_version(), cshim::source_hash()));
    }
    // The primary build is the last, and it is what the crate-level constants describe.
    let last = builds().last().expect("always at least one build");
    assert!(std::ptr::eq(primary(), last));
    assert_eq!(primary().patches, cshim::patches_applied().as_slice());
    assert_eq!(primary().standalone, cshim::C_STANDALONE);
    assert!(std::ptr::eq(Kernel::acquire().build(), primary()));
    if let Some((base, patched)) = pair() {
        assert_ne!(base.name, patched.name, "two builds with one name cannot be told apart in a finding");
        // The patched build applies the base patches first, then its own.
        assert!(patched.patches.len() > base.patches.len(), "{patched:?}");
        assert_eq!(&patched.patches[..base.patches.len()], base.patches);
    }
}

/// The -EEXIST/-EBUSY answer of `k`'s build to swapcache_prepare on a slot that has the cache:
/// the kernel's __swap_duplicate sets -EEXIST there, the test patch -EBUSY.
fn prepare_on_a_cached_slot(k: &mut Kernel) -> i64 {
    assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
    let e = alloc_one(k, 0);
    let ret = k.swapcache_prepare(e, 1);
    k.env_reset();
    ret
}

#[test]
fn each_build_runs_its_own_code() {
    for b in builds() {
        let mut k = Kernel::acquire_build(b);
        assert!(std::ptr::eq(k.build(), b));
        let expected = if b.patches.contains(&EBUSY_PATCH) { EBUSY } else { EEXIST };
        assert_eq!(prepare_on_a_cached_slot(&mut k), expected, "{b:?}");
    }
}

#[test]
fn mutating_one_build_leaves_the_other_untouched() {
    let Some((a, b)) = pair() else { return };
    // Both held at once, on this thread: separate locks.
    let (mut ka, mut kb) = (Kernel::acquire_build(a), Kernel::acquire_build(b));
    assert_eq!(ka.swapon(1, swapdiff_contract::DEV_SSD), 0);
    // b's swap_info is its own: still no device there, and its first device is type 0 too.
    assert_eq!(kb.device_max(0), 0);
    assert_eq!(kb.nr_swap_pages(), 0);
    assert_eq!(kb.swapon(2, swapdiff_contract::DEV_SSD), 0);
    // One cluster in a (512 slots), two in b: each read sees its own device.
    assert_eq!((ka.device_max(0), kb.device_max(0)), (512, 1024));

    let e = alloc_one(&mut ka, 0);
    assert_eq!(ka.swap_duplicate(e), 0);
    // a: the cache reference and one count; b: the same slot is still free.
    assert_eq!(ka.map_byte(e), Some(SWAP_HAS_CACHE | 1));
    assert_eq!(kb.map_byte(e), Some(0));
    assert_eq!(kb.swp_swapcount(e), 0);
    // swapon counted a's 511 good pages and the allocation took one; b has its own 1023.
    assert_eq!((ka.nr_swap_pages(), kb.nr_swap_pages()), (510, 1023));

    // Removing a's device leaves b's.
    assert_eq!(ka.swapoff(0), 0);
    assert_eq!(ka.device_max(0), 0);
    assert_eq!(kb.device_max(0), 1024, "swapoff in a removed b's device");
}

#[test]
fn a_bug_trapped_in_one_build_leaves_the_other_usable() {
    let Some((a, b)) = pair() else { return };
    let (mut ka, mut kb) = (Kernel::acquire_build(a), Kernel::acquire_build(b));
    assert_eq!(kb.swapon(1, swapdiff_contract::DEV_SSD), 0);
    let eb = alloc_one(&mut kb, 0);
    assert_eq!(kb.swap_duplicate(eb), 0);

    // As tests/traps.rs: swapcache_clear of a slot without the cache bit is a VM_BUG_ON inside
    // the cluster lock, which stays taken, so a's next duplicate self-deadlocks.
    assert_eq!(ka.swapon(1, swapdiff_contract::DEV_SSD), 0);
    let ea = alloc_one(&mut ka, 0);
    assert_eq!(ka.swap_duplicate(ea), 0);
    assert_eq!(ka.put_swap_folio(ea, 0), 0);
    assert_eq!(ka.swapcache_clear(ea, 1), TRAPPED);
    assert_eq!(seen(ka.take_events()), vec![event(EventKind::Bug, "__swap_entry_free_locked", "!has_cache")]);
    assert_eq!(ka.swap_duplicate(ea), TRAPPED);

    // b's locks, jump buffer and events are its own: it goes on as if nothing happened.
    assert!(kb.take_events().is_empty());
    assert_eq!(kb.swap_duplicate(eb), 0);
    assert_eq!(kb.swp_swapcount(eb), 2);
    assert_eq!(kb.map_byte(eb), Some(SWAP_HAS_CACHE | 2));
}

#[test]
fn each_builds_watchdog_traps_its_own_hang() {
    let Some((a, b)) = pair() else { return };
    let _t = timeout(Duration::from_millis(40));
    // One signal for both watchdogs would reach only the handler installed last, which ignores
    // a call not its own: the other build's spin would never end. Each spin runs on a thread of
    // its own so that such a spin fails this test instead of hanging it.
    for build in [a, b, a] {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut k = Kernel::acquire_build(build);
            let ret = k.test_hook_spin();
            let _ = tx.send((ret, seen(k.take_events())));
        });
        let (ret, events) = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("the spin in {} was never trapped: its watchdog cannot reach it", build.name));
        assert_eq!(ret, TRAPPED, "{build:?}");
        assert_eq!(events, vec![event(EventKind::Hang, "sd_test_spin", "no return within 40 ms")]);
    }
}

/// The child of the fatal-note test: dies in a call of build CSHIM_TWO_BUILDS_CASE.
#[test]
#[ignore = "run by the test below in a child process; it kills itself"]
fn fatal_child() {
    let index: usize =
        std::env::var("CSHIM_TWO_BUILDS_CASE").expect("run by the parent test").parse().expect("a build index");
    cshim::fatal::install_reporter();
    cshim::fatal::set_program(Some(11));
    // Both builds acquired, one of them inside a call when it dies.
    let mut kernels: Vec<Kernel> = builds().iter().map(Kernel::acquire_build).collect();
    assert_eq!(kernels[1 - index].swapon(1, swapdiff_contract::DEV_SSD), 0);
    kernels[index].test_hook_sigsegv_in_call();
    unreachable!("the hook raised SIGSEGV");
}

#[test]
fn the_fatal_note_names_the_build_in_the_call_once() {
    let Some(_) = pair() else { return };
    for (index, b) in builds().iter().enumerate() {
        let out = rerun_child("fatal_child", "CSHIM_TWO_BUILDS_CASE", &index.to_string());
        let log = String::from_utf8_lossy(&out.stderr);
        // One line, whichever build's handlers were installed: the build in the call and its
        // entry point (the hook's trampoline names itself sd_test_sigsegv).
        assert_eq!(
            notes(&out),
            vec![format!("swapdiff-fatal: cause=SIGSEGV program=11 entry=sd_test_sigsegv build={}", b.name)],
            "{log}"
        );
        assert!(out.status.signal().is_some(), "{:?}\n{log}", out.status);
    }
}
