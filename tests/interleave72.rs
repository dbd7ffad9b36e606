//! Concurrent programs on the stock 7.x build (src/interleave/v72.rs): the 7.x calls on
//! simulated CPUs, the folio lock a folio function waits for, and the judge against the build's
//! own sequential orders. A build with a recheck removed is checked by `make test-races`
//! (corpus/races-72): a stock build shows that correct code passes in every schedule of a tiny
//! scope, and that the judge refuses what no order explains and never passes what it cannot judge.

use cshim::interleave::YieldKind;
use cshim::kernel72::Kernel72;
use swapdiff::interleave::linear::Verdict;
use swapdiff::interleave::v72::{exhaustive72, run72, Checker72, Concurrent72};
use swapdiff::interleave::Schedule;

/// Slot 0:1 with 14 references and no cache: the setup swaps a folio out through the cache
/// (folio_alloc_swap, folio_dup_swap of the whole folio, swap_cache_del_folio: count 1) and
/// duplicates it 13 times. 14 is SWP_TB_COUNT_MAX - 1 (SWP_TB_COUNT_MAX is 15 in 7.2's
/// swap_table.h with the zero flag), the largest count the table entry holds alone: the next
/// reference needs the cluster's extend table, which swap_dup_entries_cluster allocates after
/// dropping ci->lock (swap_extend_table_alloc), the window two CPUs meet in.
fn at_extend_boundary() -> String {
    let mut s =
        String::from("swapon 1\nfolio_new 0\nfolio_alloc_swap 0\nfolio_dup_swap 0 all\nswap_cache_del_folio 0\n");
    for _ in 0..13 {
        s.push_str("swap_dup_entry_direct 0:1\n");
    }
    s
}

/// Two CPUs that each add a reference at count 14 (two page tables copied by two forks):
/// both find no extend table, both drop the lock to allocate one. swap_extend_table_alloc
/// rechecks under the lock (`if (ci->extend_table) goto out_free`), so one table is kept and
/// every order ends at 16 references with one extend table: the stock build is explained in
/// every schedule of the tiny scope.
#[test]
fn two_dups_at_the_extend_boundary_are_linearizable_in_every_schedule() {
    let src = format!("{}cpu0 swap_dup_entry_direct 0:1\ncpu1 swap_dup_entry_direct 0:1\n", at_extend_boundary());
    let (p, _) = Concurrent72::parse(&src).unwrap();
    let mut k = Kernel72::acquire();
    let e = exhaustive72(&mut k, &p, 2, 100_000);
    assert!(e.finding.is_none() && e.unjudged.is_none(), "{}", e.summary("two dups"));
    assert!(e.complete, "{}", e.summary("two dups"));
    // More than one schedule: each dup stops at the cluster lock twice and at the allocation,
    // so the walk has decisions to make.
    assert!(e.schedules > 10, "{}", e.summary("two dups"));
    assert!(e.summary("two dups").starts_with("no violation in all"));
}

/// A reference added and one dropped on each CPU, across the boundary both ways (14 -> 15 needs
/// the extend table, 15 -> 14 frees it in __swap_cluster_put_entry): the counts never go below
/// 12, inside the callers' contract in every order, and every schedule is explained.
#[test]
fn dup_and_put_across_the_boundary_are_linearizable_in_every_schedule() {
    let src = format!(
        "{}cpu0 swap_dup_entry_direct 0:1\ncpu0 swap_put_entries_direct 0:1 1\ncpu1 swap_put_entries_direct 0:1 1\ncpu1 swap_dup_entry_direct 0:1\n",
        at_extend_boundary()
    );
    let (p, _) = Concurrent72::parse(&src).unwrap();
    let mut k = Kernel72::acquire();
    let e = exhaustive72(&mut k, &p, 1, 100_000);
    assert!(e.finding.is_none() && e.unjudged.is_none() && e.complete, "{}", e.summary("dup and put"));
}

/// The judge refuses a run no order explains. The run is real (the default schedule), then one
/// return value or the end state is changed as a lost update would change it: no order of two
/// successful dups returns -ENOMEM, and none ends with a free count other than the device's.
#[test]
fn the_judge_refuses_what_no_order_explains() {
    let src = format!("{}cpu0 swap_dup_entry_direct 0:1\ncpu1 swap_dup_entry_direct 0:1\n", at_extend_boundary());
    let (p, _) = Concurrent72::parse(&src).unwrap();
    let mut k = Kernel72::acquire();
    let mut c = Checker72::new(&p);
    let run = run72(&mut k, &p, &Schedule::default(), None);
    assert!(matches!(c.check(&run, &mut k), Verdict::Linearizable { .. }));

    let mut bad_ret = run.clone();
    bad_ret.ops[1][0].outcome = swapdiff::exec::Outcome::one(-12, Vec::new());
    match c.check(&bad_ret, &mut k) {
        Verdict::Violation { why, closest, .. } => {
            assert!(why.contains("returned -12 in the run"), "{why}");
            assert!(!closest.is_empty());
        }
        v => panic!("a doctored return passed: {v:?}"),
    }

    let mut bad_state = run.clone();
    bad_state.state.as_mut().unwrap().nr_swap_pages += 1;
    match c.check(&bad_state, &mut k) {
        Verdict::Violation { why, .. } => assert!(why.contains("nr_swap_pages"), "{why}"),
        v => panic!("a doctored end state passed: {v:?}"),
    }
    // The sequential orders are run once per program, not once per check: both orders of the
    // two dups (every order runs once, for the contract check), however many runs are judged.
    assert_eq!(c.orders_run(), 2);
}

/// A folio function waits for the folio lock another CPU's call holds. The folio is in the
/// cache with one reference (folio_alloc_swap, folio_dup_swap); CPU 0 takes another
/// (folio_dup_swap runs locked, and stops at the cluster lock inside), then CPU 1's
/// folio_free_swap wants the same folio: it blocks at folio_lock until CPU 0's call returns. In
/// either order free_swap finds references and keeps the folio (false, 0), so every schedule is
/// explained. (Without the setup's reference, free_swap first would take the folio out of the
/// cache and the dup after it would be a call no caller makes: not judged.)
#[test]
fn a_folio_function_waits_for_the_folio_lock() {
    let src = "swapon 1\nfolio_new 0\nfolio_alloc_swap 0\nfolio_dup_swap 0 all\ncpu0 folio_dup_swap 0 all\ncpu1 folio_free_swap 0\n";
    let (p, _) = Concurrent72::parse(src).unwrap();
    let mut k = Kernel72::acquire();
    // CPU 0 first, then CPU 1 at every decision while it can run.
    let run = run72(&mut k, &p, &Schedule(vec![0, 1, 1, 1, 1]), None);
    let blocked =
        run.trace.iter().any(|(cpu, at)| *cpu == 1 && at.kind == YieldKind::Blocked && at.func == "folio_lock");
    assert!(blocked, "cpu1 never waited for the folio lock:\n{:?}", run.trace);
    // folio_free_swap after the dup: the folio's slot has a reference, so it stays (false).
    assert_eq!(run.ops[1][0].outcome.ret(), 0);
    let mut c = Checker72::new(&p);
    assert!(matches!(c.check(&run, &mut k), Verdict::Linearizable { .. }));
    let e = exhaustive72(&mut k, &p, 2, 100_000);
    assert!(e.finding.is_none() && e.unjudged.is_none() && e.complete, "{}", e.summary("folio lock"));
}

/// Two CPUs that drop the one reference a slot has: in either order the second put finds count 0
/// and WARNs (__swap_cluster_put_entry's VM_WARN_ON_ONCE(count <= 0)), outside the callers'
/// contract (each put must own a reference). Not judged: never a pass, never a violation.
#[test]
fn a_program_outside_the_contract_is_not_judged() {
    let src = "swapon 1\nfolio_new 0\nfolio_alloc_swap 0\nfolio_dup_swap 0 all\nswap_cache_del_folio 0\n\
               cpu0 swap_put_entries_direct 0:1 1\ncpu1 swap_put_entries_direct 0:1 1\n";
    let (p, _) = Concurrent72::parse(src).unwrap();
    let mut k = Kernel72::acquire();
    let e = exhaustive72(&mut k, &p, 1, 1000);
    assert!(e.finding.is_none());
    let why = e.unjudged.clone().expect("a program outside the contract was judged");
    assert!(why.contains("outside the callers' contract"), "{why}");
    assert!(e.summary("outside").starts_with("not judged"));
}

/// The text form reads back to the same program and schedule.
#[test]
fn the_text_form_round_trips() {
    let src =
        format!("{}cpu0 swap_dup_entry_direct 0:1\ncpu1 folio_put_swap 0 all\nschedule 1 0\n", at_extend_boundary());
    let (p, s) = Concurrent72::parse(&src).unwrap();
    assert_eq!(s, Schedule(vec![1, 0]));
    assert_eq!(Concurrent72::parse(&p.print(&s)).unwrap(), (p, s));
}

/// The 7.x hunt's generator on the stock build: every program it makes is judged (none is
/// outside the callers' contract: the families keep each CPU to references it took) and none
/// violates. 40 programs, deterministic from seed 1.
#[test]
fn the_stock_hunt_is_clean_and_judged() {
    use swapdiff::interleave::hunt::{hunt_by, MAX_SCHEDULES, PREEMPTIONS};
    use swapdiff::interleave::v72::minimize72;
    let k = std::cell::RefCell::new(Kernel72::acquire());
    let far = std::time::Instant::now() + std::time::Duration::from_secs(3600);
    let h = hunt_by(
        1,
        far,
        40,
        &mut swapdiff::interleave::generate72::program72,
        &mut |p| exhaustive72(&mut k.borrow_mut(), p, PREEMPTIONS, MAX_SCHEDULES),
        &mut |p, f| minimize72(&mut k.borrow_mut(), p, f),
    );
    assert_eq!(h.programs, 40);
    assert_eq!(h.unjudged, 0, "{}", h.summary());
    assert!(h.found.is_none(), "{}", h.summary());
}

/// Every byte string is a 7.x program the judge takes (the fuzz target's decoding), its
/// schedule bytes read modulo its CPUs.
#[test]
fn every_input_decodes_to_a_valid_program() {
    use swapdiff::interleave::report72::decode72;
    let inputs: [&[u8]; 5] =
        [b"", b"\x00", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff", b"\x05\x03\x01\x04\x00\x02\x01\x07", &[7; 64]];
    for data in inputs {
        let (p, s) = decode72(data);
        p.validate().unwrap_or_else(|e| panic!("{data:?}: {e}"));
        assert!(s.0.iter().all(|&c| usize::from(c) < p.cpus.len()));
    }
}

/// A program outside the contract in one order only is not judged in any run, even one a
/// clean order explains. CPU 1 duplicates the slot's one reference and CPU 0 drops it: run CPU
/// 1's op first (the schedule's first choice) and the run is exactly the order dup, put, which
/// is clean; but put, dup frees the slot and then WARNs in the dup (swap_dup_entry_direct's
/// VM_WARN_ON_ONCE(!swap_entry_swapped())), so CPU 1 would be duplicating a reference it does
/// not own.
#[test]
fn one_order_outside_the_contract_is_enough_to_leave_it_unjudged() {
    let src = "swapon 1\nfolio_new 0\nfolio_alloc_swap 0\nfolio_dup_swap 0 all\nswap_cache_del_folio 0\n\
               cpu0 swap_put_entries_direct 0:1 1\ncpu1 swap_dup_entry_direct 0:1\n";
    let (p, _) = Concurrent72::parse(src).unwrap();
    let mut k = Kernel72::acquire();
    let run = run72(&mut k, &p, &Schedule(vec![1]), None);
    assert_eq!(run.ops[1][0].outcome.ret(), 0, "the dup ran first and succeeded");
    match Checker72::new(&p).check(&run, &mut k) {
        Verdict::Unjudged(why) => assert!(why.contains("swap_dup_entry_direct"), "{why}"),
        v => panic!("judged: {v:?}"),
    }
}

/// The reproducer runs the same extracted 7.x C on the shim's own CPUs, resumed in the run's
/// order: the same yield points in the same order, so its stop lines are the run's trace, and
/// every call's return and the end state are the ones the run saw. The schedule switches CPUs
/// inside the extend table's allocation window (the first choice runs CPU 1 to its first stop,
/// then CPU 0 for two, ...), the path the races of corpus/races-72 take.
#[test]
fn repro_c_stops_where_the_run_stopped() {
    use swapdiff::interleave::explore::{Decided, Found};
    let src = format!("{}cpu0 swap_dup_entry_direct 0:1\ncpu1 swap_dup_entry_direct 0:1\n", at_extend_boundary());
    let (p, _) = Concurrent72::parse(&src).unwrap();
    let mut k = Kernel72::acquire();
    let run = run72(&mut k, &p, &Schedule(vec![1, 0, 0, 1, 1, 0, 0, 0, 0, 1]), None);
    let verdict = Checker72::new(&p).check(&run, &mut k);
    assert!(matches!(verdict, Verdict::Linearizable { .. }), "{verdict:?}");
    let f = Found { schedule: run.schedule(), run, verdict };
    let c = swapdiff::interleave::repro72::c_source72(&mut k, &p, &f, "test reproducer").unwrap();
    let standalone = k.build().standalone;
    drop(k);
    let dir = std::env::temp_dir().join(format!("swapdiff-interleave72-repro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("repro.c"), &c).unwrap();
    let mut words = standalone.split_whitespace();
    let out = std::process::Command::new(words.next().unwrap())
        .args(words)
        .arg(dir.join("repro.c"))
        .arg("-o")
        .arg(dir.join("repro"))
        .output()
        .expect("the C compiler runs");
    assert!(out.status.success(), "repro.c does not build:\n{}", String::from_utf8_lossy(&out.stderr));
    let ran = std::process::Command::new(dir.join("repro")).output().unwrap();
    let stdout = String::from_utf8_lossy(&ran.stdout);
    assert_eq!(ran.status.code(), Some(0), "{stdout}");
    let stops: Vec<&str> =
        stdout.lines().filter(|l| l.starts_with(' ') && l.contains(" cpu") && !l.starts_with("      ")).collect();
    let want = swapdiff::interleave::trace_lines(&f.run.trace);
    assert_eq!(stops, want.lines().collect::<Vec<_>>(), "{stdout}");
    // Both dups returned 0 as in the run, and the end state (16 references: 15 in the table
    // entry, 16 in the extend table) is the run's.
    assert!(stdout.contains("cpu0 op 0: sd72_swap_dup_entry_direct") && stdout.contains("cpu1 op 0:"), "{stdout}");
    assert!(stdout.contains("extend count 0:1 = 16"), "{stdout}");
    assert!(stdout.contains("values as in swapdiff's run") && !stdout.contains("<--"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}
