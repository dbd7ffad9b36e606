//! The call bounds (ENVIRONMENT.md "Bounded calls"), on the test hooks of
//! src/c/test_hooks.c: misbehaving functions of ours that run through the
//! same trampoline as the kernel entry points. Stock 6.12 never overruns a
//! bound through the guarded API; tests/patches/hang-*.patch show the same
//! traps on patched kernel code (tests/bounded_patches.rs, `make test-patches`).
//!
//! Kernel only (the two-engine scenarios are in the root crate's tests/scenarios):
//! the hooks are C functions of the shim and the bounds are the C side's; the model
//! has neither.
//!
//! The timeout is process-wide: each test sets the one it needs while it
//! holds the Kernel, so the tests of this binary never see each other's.

mod common;
use common::*;
use swapdiff_contract::prelude::*;

use std::process::Command;
use std::time::{Duration, Instant};

use cshim::{EventKind, Kernel, TRAPPED};

/// After a trapped call, the environment still works: a reset, then a
/// device, a slot and a reference, as on a fresh kernel.
fn still_works(k: &mut Kernel) {
    k.env_reset();
    assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
    let e = alloc_one(k, 0);
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.swp_swapcount(e), 1);
    assert!(k.take_events().is_empty());
}

#[test]
fn a_loop_of_hook_calls_ends_at_the_work_budget() {
    let mut k = Kernel::acquire();
    // No wall-clock bound: only the budget can end this call.
    let t = timeout(Duration::ZERO);
    let start = Instant::now();
    assert_eq!(k.test_hook_hook_loop(), TRAPPED);
    let took = start.elapsed();
    drop(t);
    // The HANG is named after the entry point whose call ran away (here the
    // hook's own trampoline name); the text names the function that called
    // spin_lock/spin_unlock (the macros pass __func__ through), not the
    // shim's lock code.
    assert_eq!(
        seen(k.take_events()),
        vec![event(EventKind::Hang, "sd_test_hook_loop", "work budget exceeded in sd_test_hook_loop")]
    );
    // Cheap enough to stay far inside the wall-clock default.
    assert!(took < Duration::from_millis(500), "the budget took {took:?}");
    still_works(&mut k);
}

#[test]
fn the_work_budget_is_deterministic() {
    // The same loop is trapped at the same hook every time: the budget counts
    // hook calls, not time. Two runs record identical events.
    let mut k = Kernel::acquire();
    let t = timeout(Duration::ZERO);
    let runs: Vec<_> = (0..2).map(|_| (k.test_hook_hook_loop(), k.take_events())).collect();
    drop(t);
    assert_eq!(runs[0], runs[1]);
    // ENVIRONMENT.md: at least 100 times the largest legitimate call (6100).
    assert!(cshim::work_budget() >= 610_000, "{}", cshim::work_budget());
}

#[test]
fn a_loop_of_warnings_ends_at_the_event_budget() {
    // Each WARN allocates its record: a call may record 65536 of them
    // (SD_EVENT_BUDGET), then it is trapped before memory fills.
    let mut k = Kernel::acquire();
    let t = timeout(Duration::ZERO);
    assert_eq!(k.test_hook_warn_loop(), TRAPPED);
    drop(t);
    let events = k.take_events();
    assert_eq!(events.len(), 65536 + 1);
    assert!(events[..65536].iter().all(|e| e.kind == EventKind::Warn && e.func == "sd_test_warn_loop"));
    assert_eq!(
        seen_one(&events[65536]),
        event(EventKind::Hang, "sd_test_warn_loop", "work budget exceeded in sd_test_warn_loop")
    );
    still_works(&mut k);
}

#[test]
fn a_loop_without_hooks_ends_at_the_wall_clock_bound() {
    let mut k = Kernel::acquire();
    let t = timeout(Duration::from_millis(50));
    let start = Instant::now();
    assert_eq!(k.test_hook_spin(), TRAPPED);
    let took = start.elapsed();
    drop(t);
    // func: the entry point the trampoline was given; the text names the bound.
    assert_eq!(seen(k.take_events()), vec![event(EventKind::Hang, "sd_test_spin", "no return within 50 ms")]);
    // Never early; late by at most the watchdog's poll (timeout / 10) plus
    // scheduling, far below a second even on a loaded machine.
    assert!(took >= Duration::from_millis(50), "trapped after {took:?}");
    assert!(took < Duration::from_secs(2), "trapped after {took:?}");
    still_works(&mut k);
    // And the watchdog keeps working for later calls.
    let t = timeout(Duration::from_millis(30));
    assert_eq!(k.test_hook_spin(), TRAPPED);
    drop(t);
    assert_eq!(seen(k.take_events()), vec![event(EventKind::Hang, "sd_test_spin", "no return within 30 ms")]);
}

#[test]
fn the_watchdog_never_jumps_out_of_environment_code() {
    let mut k = Kernel::acquire();
    let deferred_before = k.test_hook_watchdog_deferrals();
    let t = timeout(Duration::from_millis(30));
    let start = Instant::now();
    // 300 ms in environment code, ten times the timeout: the watchdog fires
    // inside it, must leave it alone, and retries until the call is back in
    // "kernel" code.
    let (ret, env_part_finished) = k.test_hook_env_then_spin(300);
    let took = start.elapsed();
    drop(t);
    assert_eq!(ret, TRAPPED);
    assert!(env_part_finished, "the watchdog jumped out of environment code");
    assert!(took >= Duration::from_millis(300), "trapped after {took:?}");
    assert!(k.test_hook_watchdog_deferrals() > deferred_before, "no signal landed in the environment part");
    assert_eq!(seen(k.take_events()), vec![event(EventKind::Hang, "sd_test_env_then_spin", "no return within 30 ms")]);
    still_works(&mut k);
}

#[test]
fn a_fork_child_gets_its_own_watchdog() {
    let mut k = Kernel::acquire();
    let t = timeout(Duration::from_millis(50));
    // A call in this process first, so the watchdog thread exists here and
    // the child (which has only the forking thread) must start its own, as
    // under AFL++'s forkserver.
    assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
    let child = k.test_hook_fork_spin();
    drop(t);
    // 0: the child's spin was trapped as HANG sd_test_spin; 128 + 14 would
    // be the child's 10 s alarm (no watchdog in the child).
    assert_eq!(child, 0);
}

#[test]
fn legitimate_calls_stay_inside_the_default_bounds() {
    const RUNS: usize = 96;
    // The heaviest stock calls: 16-slot frees, swapoff dropping 2032 tag
    // keys at once. None comes near either bound (a trap would return
    // TRAPPED and record a HANG).
    let mut k = Kernel::acquire();
    if std::env::var_os(cshim::CALL_TIMEOUT_ENV).is_none() {
        assert_eq!(cshim::call_timeout(), cshim::DEFAULT_CALL_TIMEOUT);
    }
    let folio = k.folio_new(4) as u32;
    for idx in 0..16 {
        assert_eq!(k.page_set(folio, idx, &[0x5a; cshim::TAG_BYTES], PG_MTE_TAGGED), 0);
    }
    let mut entries = vec![];
    for ty in 0..4 {
        assert_eq!(k.swapon(4, swapdiff_contract::DEV_SSD), ty as i32);
        // 2048 slots; the kernel's allocator puts order-4 runs only in clusters it takes
        // from the free list for that order (cluster_alloc_swap_entry: free list, then
        // nonfull/frag lists of order 4): clusters 1..=3, 32 runs each. Cluster 0, which
        // counts the header, sits on nonfull_clusters[0] and serves no order 4.
        for _ in 0..RUNS {
            let e = k.alloc_swap(ty, 4).expect("room for an order-4 run");
            for i in 0..16 {
                assert_eq!(k.swap_duplicate(e + i), 0);
            }
            // The cache reference goes: each slot keeps count 1.
            assert_eq!(k.put_swap_folio(e, 4), 0);
            assert_eq!(k.folio_set_swap(folio, e), 0);
            assert_eq!(k.arch_prepare_to_swap(folio), 0);
            entries.push(e);
        }
    }
    assert_eq!(k.alloc_swap(0, 4), Err(-swapdiff_contract::ENOSPC), "96 runs fill clusters 1..=3");
    assert_eq!(k.tag_store().len(), 4 * RUNS * 16);
    // Device 0's runs freed one call each (the batched path, 16 slots and
    // their tags); the other devices go with their slots still in use.
    for &e in &entries[..RUNS] {
        assert_eq!(k.free_swap_and_cache_nr(e, 16), 0);
    }
    assert_eq!(k.tag_store().len(), 3 * RUNS * 16);
    for ty in 0..4 {
        assert_eq!(k.swapoff(ty), 0);
    }
    assert!(k.tag_store().is_empty(), "swapoff dropped every key");
    let hangs: Vec<_> = k.take_events().into_iter().filter(|e| e.kind == EventKind::Hang).collect();
    assert!(hangs.is_empty(), "{hangs:?}");
}

/// The child half of `the_timeout_comes_from_the_environment`.
#[test]
#[ignore = "run by the_timeout_comes_from_the_environment in a child process"]
fn env_timeout_child() {
    let mut k = Kernel::acquire();
    println!("timeout={}ms", cshim::call_timeout().as_millis());
    if cshim::call_timeout() == Duration::from_millis(70) {
        assert_eq!(k.test_hook_spin(), TRAPPED);
        assert_eq!(seen(k.take_events()), vec![event(EventKind::Hang, "sd_test_spin", "no return within 70 ms")]);
    }
}

fn run_child(env_value: &str) -> (bool, String) {
    let out = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--ignored", "--exact", "env_timeout_child", "--nocapture", "--test-threads=1"])
        .env(cshim::CALL_TIMEOUT_ENV, env_value)
        .output()
        .expect("the test binary runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn the_timeout_comes_from_the_environment() {
    let (ok, text) = run_child("70");
    assert!(ok && text.contains("timeout=70ms"), "{text}");
    // Not a number: said so, and the default stays (a typo must neither
    // disable the bound nor abort the run).
    let (ok, text) = run_child("1s");
    assert!(ok && text.contains("timeout=1000ms"), "{text}");
    assert!(text.contains("SWAPDIFF_CALL_TIMEOUT_MS=\"1s\" is not a whole number of milliseconds"), "{text}");
}
