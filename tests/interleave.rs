//! Concurrent programs on the stock 6.12 build (src/interleave): the text form, the
//! linearizability check against the spec, and the exhaustive walk of a tiny scope. A build
//! with a lock removed is checked by `make test-races` (corpus/races): a stock build can only
//! show that correct code passes and that the check refuses what no order explains.

use swapdiff::engine::KernelEngine as Kernel;
use swapdiff::interleave::explore::{exhaustive, judge_one, pct};
use swapdiff::interleave::linear::{check, Verdict};
use swapdiff::interleave::{run, text, Schedule};

/// Slot 0:1 is allocated (the cache holds it) and mapped once; then CPU 0 takes a reference and
/// drops one, CPU 1 drops one and takes one. Every op is under the cluster lock in 6.12
/// (`__swap_duplicate`, `__swap_entries_free` take `lock_cluster_or_swap_info`), so each
/// schedule is explained by some order, and every order ends at one reference, cached.
const DUP_FREE: &str = "\
swapon 1
alloc_swap 0 order=0
swap_duplicate 0:1
cpu0 swap_duplicate 0:1
cpu0 swap_free_nr 0:1 nr=1
cpu1 swap_free_nr 0:1 nr=1
cpu1 swap_duplicate 0:1
";

#[test]
fn the_text_form_reads_back_to_the_same_program_and_schedule() {
    let (p, s) = text::parse(&format!("{DUP_FREE}schedule 1 0 1\n")).unwrap();
    assert_eq!(p.setup.len(), 3);
    assert_eq!(p.cpus.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2]);
    assert_eq!(s, Schedule(vec![1, 0, 1]));
    let printed = text::print(&p, &s);
    assert_eq!(text::parse(&printed).unwrap(), (p, s));
}

#[test]
fn bad_programs_are_refused_with_the_line() {
    // One CPU is not concurrent; cpu9 is past SD_MAX_CPUS; a typo names its line.
    assert!(text::parse("swapon 1\ncpu0 swap_duplicate 0:1\n").unwrap_err().contains("1 CPUs"));
    assert!(text::parse("cpu9 swap_duplicate 0:1\n").unwrap_err().contains("line 1"));
    let err = text::parse("swapon 1\ncpu0 swap_dupe 0:1\ncpu1 swap_duplicate 0:1\n").unwrap_err();
    assert!(err.starts_with("line 2"), "{err}");
    assert!(text::parse("swapon 1\ncpu0 swap_duplicate 0:1\ncpu1 swap_duplicate 0:1\nschedule 0 x\n").is_err());
}

#[test]
fn a_tiny_scope_has_no_violation_in_any_schedule() {
    let (p, _) = text::parse(DUP_FREE).unwrap();
    let mut k = Kernel::acquire();
    let e = exhaustive(&mut k, &p, 2, 100_000);
    assert!(e.complete && e.finding.is_none() && e.unjudged.is_none(), "{}", e.summary("2 preemptions"));
    // More than the 6 op-level orders: the walk switches inside calls, at the locks and the
    // map byte's WRITE_ONCE.
    assert!(e.schedules > 6, "{}", e.schedules);
    assert!(e.summary("2 preemptions").starts_with(&format!("no violation in all {} schedules", e.schedules)));
    // A larger bound walks a superset.
    let wider = exhaustive(&mut k, &p, 3, 100_000);
    assert!(wider.complete && wider.finding.is_none() && wider.schedules > e.schedules);
    let random = pct(&mut k, &p, 7, 100, 3);
    assert!(random.finding.is_none() && random.unjudged.is_none());
}

#[test]
fn a_schedule_replays_to_the_same_stops() {
    let (p, _) = text::parse(DUP_FREE).unwrap();
    let mut k = Kernel::acquire();
    let (first, v) = judge_one(&mut k, &p, &Schedule(vec![1, 0, 1, 1, 0]));
    assert!(matches!(v, Verdict::Linearizable { .. }), "{v:?}");
    let again = run(&mut k, &p, &first.schedule(), None);
    assert_eq!(first.trace, again.trace);
    assert_eq!(first.ops, again.ops);
}

#[test]
fn a_return_no_order_explains_is_a_violation() {
    // Both CPUs take a reference (count 1 -> 3). Claiming the second returned -ENOENT (what
    // __swap_duplicate answers for a free slot) is explained by no order: the slot is in use
    // in both, and the end state has three references, not two.
    let (p, _) = text::parse(
        "swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1\ncpu0 swap_duplicate 0:1\ncpu1 swap_duplicate 0:1\n",
    )
    .unwrap();
    let mut k = Kernel::acquire();
    let (mut r, v) = judge_one(&mut k, &p, &Schedule::default());
    assert!(matches!(v, Verdict::Linearizable { .. }), "{v:?}");
    r.ops[1][0].outcome = swapdiff::exec::Outcome::one(-2, vec![]);
    match check(&p, &r, &mut k) {
        Verdict::Violation { closest, .. } => assert!(!closest.is_empty()),
        v => panic!("{v:?}"),
    }
}

#[test]
fn real_time_order_is_kept() {
    // CPU 0 clears the cache bit, CPU 1 then sets it (swapcache_prepare succeeds only on a
    // slot the cache does not hold; on a cached one it is -EEXIST). Under the default schedule
    // CPU 0 runs first, and the one order that explains the returns is cpu0's op, then cpu1's.
    let (p, _) = text::parse(
        "swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1\ncpu0 swapcache_clear 0:1 nr=1\ncpu1 swapcache_prepare 0:1 nr=1\n",
    )
    .unwrap();
    let mut k = Kernel::acquire();
    let (mut r, v) = judge_one(&mut k, &p, &Schedule::default());
    match v {
        Verdict::Linearizable { order, .. } => assert_eq!(order, [(0, 0), (1, 0)]),
        v => panic!("{v:?}"),
    }
    // Had CPU 1's op ended before CPU 0's began, real time would put it first, where the spec
    // answers -EEXIST: no order is left.
    r.ops[1][0].began = 0;
    r.ops[1][0].ended = 0;
    r.ops[0][0].began = 1;
    r.ops[0][0].ended = 1;
    assert!(check(&p, &r, &mut k).is_violation());
}

#[test]
fn the_hunt_generator_stays_within_the_contract_and_stock_has_no_violation() {
    // Every generated pattern keeps the references the spec needs in every order (generate.rs),
    // so every program is judged; stock 6.12 locks every count update, so none violates.
    use swapdiff::interleave::hunt::hunt;
    let mut k = Kernel::acquire();
    let far = std::time::Instant::now() + std::time::Duration::from_secs(600);
    let h = hunt(&mut k, 3, far, 15);
    assert_eq!(h.programs, 15);
    assert_eq!(h.unjudged, 0, "{}", h.summary());
    assert!(h.found.is_none(), "{}", h.summary());
    assert!(h.schedules > h.programs, "{}", h.summary());
}

#[test]
fn fuzzer_bytes_decode_to_programs_stock_runs_without_a_finding() {
    // Every byte string is a program (bytes.rs): 2 + b0 % 3 CPUs, the schedule from the tail.
    use swapdiff::interleave::bytes::decode;
    let (p, s) = decode(&[1, 0, 0, 5, 1, 9, 9, 0, 1, 1, 0]);
    assert_eq!(p.cpus.len(), 3);
    // Byte 0: 2 + 1 % 3 = 3 CPUs; six bytes of (pattern, slot) pairs; the last four bytes are
    // the schedule, each modulo 3.
    assert_eq!(s, Schedule(vec![0, 1, 1, 0]));
    assert!(p.validate().is_ok());
    assert_eq!(decode(&[]).0.cpus.len(), 2);
    // Stock 6.12 under fuzzer-like inputs: no finding (the target would panic).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..300 {
        let data: Vec<u8> = (0..24)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        swapdiff::harness::fuzz_interleave(&data);
    }
}

#[test]
fn repro_c_stops_where_the_run_stopped() {
    // The reproducer runs the same extracted C on the shim's own CPUs, resumed in the run's
    // order: the same yield points, in the same order, so its stop lines are the run's trace.
    use swapdiff::interleave::explore::Found;
    let (p, _) = text::parse(DUP_FREE).unwrap();
    let mut k = Kernel::acquire();
    let (r, verdict) = judge_one(&mut k, &p, &Schedule(vec![1, 0, 1, 1, 0, 0, 1]));
    drop(k);
    let f = Found { schedule: r.schedule(), run: r, verdict };
    let c = swapdiff::interleave::repro::c_source(&p, &f, "test reproducer");
    let dir = std::env::temp_dir().join(format!("swapdiff-interleave-repro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("repro.c"), &c).unwrap();
    let standalone = cshim::primary().standalone;
    let mut words = standalone.split_whitespace();
    let out = std::process::Command::new(words.next().unwrap())
        .args(words)
        .arg(dir.join("repro.c"))
        .arg("-o")
        .arg(dir.join("repro"))
        .output()
        .expect("the C compiler runs");
    assert!(out.status.success(), "repro.c does not build:\n{}", String::from_utf8_lossy(&out.stderr));
    let run = std::process::Command::new(dir.join("repro")).output().unwrap();
    assert_eq!(run.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stops: Vec<&str> =
        stdout.lines().filter(|l| l.contains(" cpu") && !l.trim_start().starts_with("cpu")).collect();
    let want = swapdiff::interleave::trace_text(&f.run);
    assert_eq!(stops, want.lines().collect::<Vec<_>>(), "{stdout}");
    // Every op ran: two per CPU. And the end state is one reference, cached (0x41).
    assert_eq!(stdout.matches("      cpu").count(), 4, "{stdout}");
    assert!(stdout.contains("0:1 byte 0x41"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Swapoff on one CPU against a zap and a put of the slot's last holders on the other (the
/// scenario of 82b1c07a0af6, corpus/races/free-cache-vs-swapoff). Stock 6.12's
/// free_swap_and_cache_nr() holds a get_swap_device() reference, so swapoff waits for it in
/// wait_for_completion() and the call never sees the cleared map: every schedule is explained.
/// Any other answer here would be a false report against the stock kernel.
const ZAP_PUT_SWAPOFF: &str = "\
swapon 1
alloc_swap 0 order=0
swap_duplicate 0:1
cpu0 free_swap_and_cache_nr 0:1 nr=1
cpu1 put_swap_folio 0:1 order=0
cpu1 swapoff 0
";

#[test]
fn stock_swapoff_waits_for_the_reference_of_a_racing_zap() {
    let (p, _) = text::parse(ZAP_PUT_SWAPOFF).unwrap();
    let mut k = Kernel::acquire();
    let e = exhaustive(&mut k, &p, 2, 100_000);
    assert!(e.complete && e.finding.is_none() && e.unjudged.is_none(), "{}", e.summary("2 preemptions"));
    // Swapoff really sleeps: favouring CPU 1 at every choice, it finds the slot in use (CPU 0 has
    // not zapped yet) and sleeps in try_to_unuse(); CPU 0's zap empties the device, CPU 1 goes
    // on, and sleeps again in wait_for_completion() on the zap's reference.
    let r = run(&mut k, &p, &Schedule(vec![1; 64]), None);
    let slept = |what: &str| r.trace.iter().any(|(c, at)| *c == 1 && at.to_string().contains(what));
    assert!(slept("try_to_unuse()") && slept("wait_for_completion"), "{}", swapdiff::interleave::trace_text(&r));
}

/// Two CPUs swapping off one device: the kernel's swapoff is a long operation whose first
/// effect (SWP_WRITEOK cleared, so the other gets -EINVAL) precedes its last, which no
/// one-step sequential swapoff can explain. The check says it cannot judge such a program
/// rather than report the kernel.
#[test]
fn two_swapoffs_of_one_device_are_not_judged() {
    let (p, _) = text::parse("swapon 1\ncpu0 swapoff 0\ncpu1 swapoff 0\n").unwrap();
    let mut k = Kernel::acquire();
    let r = run(&mut k, &p, &Schedule(vec![1, 0]), None);
    match check(&p, &r, &mut k) {
        Verdict::Unjudged(why) => assert!(why.contains("two CPUs swap off device 0"), "{why}"),
        v => panic!("{v:?}"),
    }
}

/// Found by `make bench`'s libFuzzer run of interleave_612 on the stock build, and a false
/// violation until the fault's contract check replayed the orders it could not follow: two
/// CPUs zap the one mapping of slot 0:1 (each `free_swap_and_cache_nr` drops the same
/// reference), so CPU 3's put of the reference it took finds none, and swapoff, seeing no slot
/// in use, cleared the map under it: a fault. The calls are outside the callers' contract in
/// every order (three drops of two references), so the verdict is "not judged", never a
/// violation. The contract check used to step the spec with the trapped put's result, which it
/// refuses, so the put's drop was never counted and an order looked legal.
#[test]
fn a_fault_after_calls_outside_the_contract_is_not_judged() {
    let src = "\
swapon 1
alloc_swap 0 order=0
swap_duplicate 0:1
cpu0 put_swap_folio 0:1 order=0
cpu0 swapoff 0
cpu1 free_swap_and_cache_nr 0:1 nr=1
cpu2 free_swap_and_cache_nr 0:1 nr=1
cpu3 swap_duplicate 0:1
cpu3 swap_free_nr 0:1 nr=1
schedule 3 1 3 0 3 3 3 0 3 1 3 0 0 0 0 0 0 0 0 0 0 1 1 1 1 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 0 0 0 0 0 0
";
    let (p, s) = text::parse(src).unwrap();
    let mut k = Kernel::acquire();
    let (r, v) = judge_one(&mut k, &p, &s);
    // The run does fault (the scenario still happens), and is not judged.
    assert!(r.ops[3].last().is_some_and(|o| o.outcome.trapped()), "cpu3's put no longer faults: {r:?}");
    match v {
        Verdict::Unjudged(why) => {
            assert!(why.starts_with("fault") && why.contains("outside the callers' contract"), "{why}")
        }
        v => panic!("judged: {v:?}"),
    }
}
