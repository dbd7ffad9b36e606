//! Interleaved runs (src/interleave.rs, src/c/sched.c) over the 6.12 build: CPUs stop only at
//! yield points, a lock another CPU holds makes the taker wait, and a schedule replays exactly.
//! Expected values come from 6.12 mm/swapfile.c: `__swap_duplicate` takes the cluster lock
//! (`lock_cluster_or_swap_info`) around its read-modify-write of the map byte.

use cshim::interleave::{Choice, RunEnd, YieldKind};
use cshim::Kernel;
use swapdiff_contract::prelude::*;
use swapdiff_contract::{EventKind, DEV_SSD, TRAPPED};

/// A 1-cluster SSD with one slot allocated (the cache holds it) and mapped once: map byte
/// SWAP_HAS_CACHE | 1.
fn one_mapped_slot(k: &mut Kernel) -> u64 {
    assert_eq!(k.swapon(1, DEV_SSD), 0);
    let e = k.alloc_swap(0, 0).expect("a free slot");
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.map_byte(e), Some(0x41));
    k.take_events();
    e
}

/// Alternates between the CPUs at every stop (the other one when it can run).
fn alternate(c: &Choice<'_>) -> usize {
    match c.last {
        Some(l) if c.runnable[1 - l] => 1 - l,
        Some(l) => l,
        None => 0,
    }
}

/// Runs one call on each of two CPUs, alternating (`alternate`): their returns and the run.
fn two_calls(
    k: &mut Kernel,
    mut a: impl FnMut(&mut Kernel) -> i64,
    mut b: impl FnMut(&mut Kernel) -> i64,
) -> ([i64; 2], cshim::interleave::Interleaving) {
    let mut rets = [0i64; 2];
    let (r0, r1) = rets.split_at_mut(1);
    let run = k.interleave(
        vec![Box::new(|k: &mut Kernel| r0[0] = a(k)), Box::new(|k: &mut Kernel| r1[0] = b(k))],
        &mut alternate,
        10_000,
    );
    (rets, run)
}

#[test]
fn two_duplicates_under_the_cluster_lock_both_count_and_the_second_waits() {
    let mut k = Kernel::acquire();
    let e = one_mapped_slot(&mut k);
    let (rets, run) = two_calls(&mut k, |k| k.swap_duplicate(e), |k| k.swap_duplicate(e));
    assert_eq!(run.end, RunEnd::Finished);
    assert_eq!(rets, [0, 0]);
    // Each took a reference under ci->lock: 1 + 2, the cache bit kept.
    assert_eq!(k.map_byte(e), Some(0x43));
    // Alternating, CPU 1 reaches the lock while CPU 0 holds it (CPU 0 stopped inside the
    // critical section at the map byte's WRITE_ONCE): it waits, and runs only after CPU 0's
    // unlock.
    let blocked = run.trace.iter().position(|(c, p)| *c == 1 && p.kind == YieldKind::Blocked);
    let blocked = blocked.expect("CPU 1 waits for the cluster lock");
    let unlock = run.trace.iter().position(|(c, p)| *c == 0 && p.kind == YieldKind::Unlock).expect("CPU 0 unlocks");
    assert!(blocked < unlock, "{:?}", run.trace);
    assert!(run.trace.iter().any(|(_, p)| p.kind == YieldKind::Lock && p.func == "lock_cluster"));
    assert!(run.trace.iter().any(|(_, p)| p.kind == YieldKind::Once && p.text.starts_with("WRITE_ONCE(si->swap_map")));
    assert_eq!(run.trace.iter().filter(|(_, p)| p.kind == YieldKind::Done).count(), 2);
}

#[test]
fn the_same_choices_give_the_same_trace() {
    let mut traces = Vec::new();
    for _ in 0..2 {
        let mut k = Kernel::acquire();
        let e = one_mapped_slot(&mut k);
        let run = k.interleave(
            vec![
                Box::new(|k: &mut Kernel| {
                    k.swap_free_nr(e, 1);
                }),
                Box::new(|k: &mut Kernel| {
                    k.swap_duplicate(e);
                }),
            ],
            &mut alternate,
            10_000,
        );
        // One reference dropped, one taken: back to 0x41 whatever the order.
        assert_eq!(k.map_byte(e), Some(0x41));
        traces.push(run.trace.iter().map(|(c, p)| format!("{c} {p}")).collect::<Vec<_>>());
    }
    assert_eq!(traces[0], traces[1]);
    assert!(traces[0].len() > 4, "{:?}", traces[0]);
}

/// One CPU taking a reference to `e`, stopped after `max_steps` stops.
fn one_cpu_duplicates(k: &mut Kernel, e: u64, max_steps: usize) -> cshim::interleave::Interleaving {
    k.interleave(
        vec![Box::new(move |k: &mut Kernel| {
            let _ = k.swap_duplicate(e);
        })],
        &mut |_| 0,
        max_steps,
    )
}

#[test]
fn a_sequential_call_after_a_run_is_not_interleaved() {
    let mut k = Kernel::acquire();
    let e = one_mapped_slot(&mut k);
    let run = one_cpu_duplicates(&mut k, e, 10_000);
    assert_eq!(run.end, RunEnd::Finished);
    // The run is over: a call now runs straight through (no coroutine to switch to).
    assert_eq!(k.swap_duplicate(e), 0);
    assert_eq!(k.map_byte(e), Some(0x43));
}

#[test]
fn the_step_limit_ends_a_run_and_a_reset_makes_the_build_usable() {
    let mut k = Kernel::acquire();
    let e = one_mapped_slot(&mut k);
    let run = one_cpu_duplicates(&mut k, e, 1);
    // The first stop is the cluster lock's yield point: the call is abandoned there.
    assert_eq!(run.end, RunEnd::StepLimit);
    assert_eq!(run.trace.len(), 1);
    k.env_reset();
    let e = one_mapped_slot(&mut k);
    assert_eq!(k.swap_duplicate(e), 0);
}

#[test]
#[should_panic(expected = "a body's panic")]
fn a_panic_in_a_body_is_raised_after_the_run() {
    let mut k = Kernel::acquire();
    k.interleave(vec![Box::new(|_: &mut Kernel| panic!("a body's panic"))], &mut |_| 0, 10);
}

/// A fault inside a call on a simulated CPU is that CPU's oops (sched.c `sd_sched_fault`): a
/// BUG under the entry point's name, the call TRAPPED, and the other CPU and the process go on,
/// as the kernel kills only the faulting task. The use-after-swapoff races of corpus/races rely
/// on it: the stale access reaches the NULL swapoff leaves in si->swap_map.
#[test]
fn a_fault_in_a_call_on_a_cpu_is_that_cpus_bug_and_the_other_cpu_goes_on() {
    let mut k = Kernel::acquire();
    let e = one_mapped_slot(&mut k);
    let (rets, run) = two_calls(&mut k, |k| k.test_hook_sigsegv_in_call(), |k| k.swap_duplicate(e));
    assert_eq!(run.end, RunEnd::Finished);
    assert_eq!(rets, [TRAPPED, 0]);
    let events = k.take_events();
    let bug = events.iter().find(|ev| ev.kind == EventKind::Bug).expect("the fault is a BUG");
    assert_eq!(bug.text, "unable to handle kernel paging request");
    assert_eq!(bug.func, "sd_test_sigsegv");
    // CPU 1's reference was taken: 1 + 1, the cache bit kept.
    assert_eq!(k.map_byte(e), Some(0x42));
}
