//! The four issue-10 test patches of tests/patches/, each proven in-process.
//! Like patched_behaviour.rs, every test runs in every build: a stock build
//! checks the kernel's own behaviour on the same calls, a build with the
//! patch in SWAPDIFF_PATCHES checks that the planted fault ends as it must
//! (a HANG within its bound, a SIGSEGV with the fatal note, an ASan report
//! at the kernel line). tests/patches.rs runs this file in each patched
//! build (`make test-patches`, through tests/patch_check.sh); the ASan case
//! runs in tests/sanitize.sh. A patched run prints "patched: <name>" so the
//! driver can tell the patched branch ran.
//!
//! Kernel only (the two-engine scenarios are in the root crate's tests/scenarios):
//! the faults are planted in patched kernel C, and the model follows stock 6.12.

mod common;
use common::*;
use swapdiff_contract::prelude::*;

use std::os::unix::process::ExitStatusExt;
use std::process::Output;
use std::time::{Duration, Instant};

use cshim::{entry, EventKind, TRAPPED};

fn applied(name: &str) -> bool {
    let on = cshim::patches_applied().contains(&name);
    if on {
        println!("patched: {name}");
    }
    on
}

#[test]
fn expected_patches_are_applied() {
    if let Ok(expected) = std::env::var("SWAPDIFF_EXPECT_PATCHES") {
        assert_eq!(cshim::PATCHES_APPLIED, expected);
    }
}

#[test]
fn hang_infinite_loop() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    if !applied("hang-infinite-loop.patch") {
        // Stock: a second cache reference is refused (__swap_duplicate's
        // has_cache branch, -EEXIST).
        assert_eq!(k.swapcache_prepare(e, 1), EEXIST);
        return;
    }
    let t = timeout(Duration::from_millis(200));
    let start = Instant::now();
    let ret = k.swapcache_prepare(e, 1);
    let took = start.elapsed();
    drop(t);
    println!("hang-infinite-loop: trapped after {took:?}");
    // The spin calls no hook: only the watchdog ends it, and it names the
    // entry point the trampoline was running.
    assert_eq!(ret, TRAPPED);
    assert_eq!(seen(k.take_events()), vec![event(EventKind::Hang, "swapcache_prepare", "no return within 200 ms")]);
    assert!(took >= Duration::from_millis(200) && took < Duration::from_secs(2), "{took:?}");
    // The trapped call held the cluster lock; a reset brings everything back.
    k.env_reset();
    assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
    let e = alloc_one(&mut k, 0);
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.swp_swapcount(e), 1);
}

#[test]
fn hang_runaway_continuation() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    // The map byte counts 0..=62 (SWAP_MAP_MAX); each carry adds one to the
    // first continuation digit, worth 63 references. 8000 = 126 * 63 + 62:
    // digit 126, map byte 62. Both builds count that far the same way.
    for n in 1..=8000 {
        assert_eq!(k.swap_duplicate(e), 0, "reference {n}");
    }
    assert_eq!(k.swp_swapcount(e), 8000);
    assert_eq!(k.cont_digits(e), vec![126]);
    assert!(k.take_events().is_empty());
    if !applied("hang-runaway-continuation.patch") {
        // Stock: the carry takes the digit to 127 (SWAP_CONT_MAX).
        assert_eq!(k.swap_duplicate(e), 0);
        assert_eq!(k.swp_swapcount(e), 8001);
        assert_eq!(k.cont_digits(e), vec![127]);
        return;
    }
    // Patched: at digit 126 the carry looks for a next page, none exists,
    // swap_duplicate adds one, add_swap_count_continuation frees it (126 is
    // not full): forever. The work budget ends it, wall-clock bound or not.
    let t = timeout(Duration::ZERO);
    let start = Instant::now();
    let ret = k.swap_duplicate(e);
    let took = start.elapsed();
    drop(t);
    let events = k.take_events();
    println!("hang-runaway-continuation: trapped after {took:?}: {events:?}");
    assert_eq!(ret, TRAPPED);
    assert_eq!(events.len(), 1, "{events:?}");
    // Named after the entry point that ran away, so one bug is one signature
    // whichever hook crossed the budget.
    assert_eq!((events[0].kind, events[0].func), (EventKind::Hang, "swap_duplicate"));
    // The hook that crossed it is in one of the loop's kernel functions,
    // never in the shim.
    let loop_functions = ["swap_duplicate", "__swap_duplicate", "add_swap_count_continuation", "swap_count_continued"];
    let lock_helpers = ["lock_cluster", "unlock_cluster", "lock_cluster_or_swap_info", "unlock_cluster_or_swap_info"];
    let helpers = ["get_swap_device", "put_swap_device", "swp_swap_info"];
    let message = events[0].message();
    let hook = message.strip_prefix("work budget exceeded in ").unwrap_or_else(|| panic!("{events:?}"));
    assert!(loop_functions.contains(&hook) || lock_helpers.contains(&hook) || helpers.contains(&hook), "{hook}");
    // Well inside the default wall-clock bound: the budget, which is
    // deterministic, ends it, not the watchdog.
    assert!(took < Duration::from_millis(500), "{took:?}");
    // The continuation page of the rounds that were cut short went back to
    // the registry; a reset frees everything.
    k.env_reset();
    assert_eq!(k.live_allocs(cshim::Site::ContPage), 0);
}

/// The child half of crash_null_deref and asan_oob_write.
#[test]
#[ignore = "run by crash_null_deref / asan_oob_write in a child process; it dies"]
fn patched_child() {
    cshim::fatal::install_reporter();
    let mut k = kernel_with_device(1);
    match std::env::var("CSHIM_PATCHED_CASE").expect("run by the parent tests").as_str() {
        "null-deref" => {
            cshim::fatal::set_program(Some(5));
            // Type 1 has no device.
            k.swap_duplicate(entry(1, 5));
        }
        "oob-write" => {
            cshim::fatal::set_program(Some(9));
            // 1 cluster: max 512; slots 1..512 of 1 + 512 run past the end.
            k.free_swap_and_cache_nr(entry(0, 1), 512);
        }
        other => panic!("unknown case {other}"),
    }
    println!("the child survived");
}

#[test]
fn crash_null_deref() {
    if !applied("crash-null-deref.patch") {
        // Stock: no device for type 1, and the kernel says so: WARN, LOG,
        // -EINVAL, which swap_duplicate turns into 0 ("as if it succeeded").
        let mut k = kernel_with_device(1);
        assert_eq!(k.swap_duplicate(entry(1, 5)), 0);
        let kinds: Vec<_> = k.take_events().iter().map(|e| (e.kind, e.func)).collect();
        assert_eq!(kinds, vec![(EventKind::Warn, "__swap_duplicate"), (EventKind::Log, "__swap_duplicate")]);
        return;
    }
    let out = child("null-deref");
    let log = String::from_utf8_lossy(&out.stderr);
    println!("crash-null-deref: child {:?}, notes {:?}", out.status, notes(&out));
    assert_eq!(
        notes(&out),
        vec![format!("swapdiff-fatal: cause=SIGSEGV program=5 entry=swap_duplicate build={}", cshim::primary().name)],
        "{log}"
    );
    let sig = out.status.signal();
    assert!(sig == Some(11) || (sanitized() && sig == Some(6)), "{:?}\n{log}", out.status);
}

#[test]
fn asan_oob_write() {
    if !applied("asan-oob-write.patch") {
        // Stock: the range crossing the end is WARNed and nothing is freed.
        let mut k = kernel_with_device(1);
        let e = alloc_one(&mut k, 0);
        assert_eq!(k.free_swap_and_cache_nr(entry(0, 1), 512), 0);
        assert_eq!(
            seen(k.take_events()),
            vec![event(EventKind::Warn, "free_swap_and_cache_nr", "end_offset > si->max")]
        );
        assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE));
        return;
    }
    if !sanitized() {
        // Without ASan the write past the end corrupts the heap silently;
        // there is nothing honest to assert. tests/sanitize.sh runs it.
        println!("asan-oob-write: not an ASan build, skipped");
        return;
    }
    let out = child("oob-write");
    let log = String::from_utf8_lossy(&out.stderr);
    println!("asan-oob-write: child {:?}, notes {:?}", out.status, notes(&out));
    assert!(log.contains("ERROR: AddressSanitizer: heap-buffer-overflow"), "{log}");
    assert!(log.contains("WRITE of size 1"), "{log}");
    // The report's first frame names the kernel function and its source
    // line (the extract's #line directives; the symbolizer prefixes the
    // build directory): the patch's write is mm/swapfile.c line 1909.
    let frame0 = log.lines().find(|l| l.trim_start().starts_with("#0 ")).unwrap_or_default();
    assert!(frame0.contains(" in free_swap_and_cache_nr ") && frame0.contains("mm/swapfile.c:1909:"), "{log}");
    assert_eq!(
        notes(&out),
        vec![format!(
            "swapdiff-fatal: cause=sanitizer program=9 entry=free_swap_and_cache_nr build={}",
            cshim::primary().name
        )],
        "{log}"
    );
    assert!(!out.status.success());
}

fn child(case: &str) -> Output {
    rerun_child("patched_child", "CSHIM_PATCHED_CASE", case)
}
