//! The bench's table (src/bench/report.rs): each ratio and rate stands next
//! to its issue-11 target with the right verdict, and a figure that was not
//! measured never passes.

use swapdiff::bench::callers::CallerRates;
use swapdiff::bench::fuzz::FuzzRate;
use swapdiff::bench::interleave::InterleaveRates;
use swapdiff::bench::report::{render, thousands, Report};
use swapdiff::bench::{Rates, ThreeWay};
use swapdiff::drive::summary::TargetResult;

fn fuzz(target: &str, asan: bool, execs: u64, peak_rss_kb: Option<u64>) -> FuzzRate {
    let result = TargetResult { target: target.into(), execs, seconds: 10.0, peak_rss_kb, ..TargetResult::default() };
    FuzzRate { target: target.into(), asan, result }
}

fn report(fuzz: Vec<FuzzRate>) -> Report {
    Report {
        date: "2026-12-01 15:00:00 UTC".into(),
        command: "swapdiff bench --seconds 2 --programs 500 --fuzz-seconds 10".into(),
        cores: 2,
        kernel: "6.12.117".into(),
        programs: 500,
        steps: 20_000,
        floor_build: "clang -O2".into(),
        // b/a = 10,000 / 50,000 = 0.2 (under 0.25); d/b = 6,000 / 10,000 = 0.6 (over 0.5).
        floor: 50_000.0,
        // f/d = 4,800 / 6,000 = 0.80; g/d'' = 3,000 / 5,000 = 0.60.
        rates: Rates {
            kernel_only: 10_000.0,
            model_only: 12_000.0,
            differential: 6_000.0,
            kernel_and_spec: 9_000.0,
            differential_and_spec: 4_800.0,
            three_way: Some(ThreeWay { two_way: 5_000.0, three_way: 3_000.0 }),
        },
        fuzz,
        seeds: None,
        fuzz_seconds: 10,
        // j/h = 6,000 / 20,000 = 0.30; j/i = 6,000 / 12,000 = 0.50.
        callers: Some(CallerRates {
            programs: 500,
            ops: 30.5,
            v612: 20_000.0,
            v7x: 12_000.0,
            cross: 6_000.0,
            series: "7.2",
        }),
        // l/k = 30,000 / 60,000 = 0.50.
        interleave: Some(InterleaveRates {
            programs: 200,
            stops: 41.0,
            plain: 60_000.0,
            scheduled: 30_000.0,
            schedules: 25_000.0,
            schedules72: 9_000.0,
        }),
    }
}

fn row<'a>(table: &'a str, start: &str) -> &'a str {
    table.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("no row `{start}` in\n{table}"))
}

#[test]
fn the_scheduler_rows_give_its_cost_as_a_ratio() {
    let t = render(&report(vec![]));
    assert!(row(&t, "| (k) 200 hunt programs").contains("60,000 programs/s"), "{t}");
    assert_eq!(row(&t, "| l/k"), "| l/k scheduler / plain | 0.50 |  |");
    assert!(row(&t, "| (l) the same as one CPU").contains("41 yield points"), "{t}");
    // Each walk's rate is its own row: 6.12's and 7.x's.
    assert!(row(&t, "| (m) exhaustive walk").contains("25,000 schedules/s"), "{t}");
    assert!(row(&t, "| (n) the same on 7.x").contains("9,000 schedules/s"), "{t}");
}

#[test]
fn ratios_stand_next_to_their_targets() {
    let t = render(&report(vec![]));
    assert!(t.contains("on 2 cores") && t.contains("`swapdiff bench --seconds 2"), "{t}");
    assert!(row(&t, "| (a) C floor").contains("(clang -O2) | 50,000 programs/s |"), "{t}");
    assert_eq!(row(&t, "| b/a"), "| b/a kernel engine / C floor | 0.200 | ≥ 0.25 (missed) |");
    assert_eq!(row(&t, "| d/b"), "| d/b differential / kernel engine | 0.60 | ≥ 0.5 (met) |");
    assert_eq!(row(&t, "| f/d"), "| f/d the spec's cost on the two-way run | 0.80 |  |");
    assert_eq!(row(&t, "| g/d''"), "| g/d'' three-way / two-way | 0.60 |  |");
    assert!(row(&t, "| (g) three-way").contains("| 3,000 programs/s |"), "{t}");
    // The caller level: each rate, and the cross-series run over each series alone.
    assert!(row(&t, "| (h) 6.12's C alone").contains("500 caller-level programs (30.5 ops each) | 20,000 programs/s"));
    assert!(row(&t, "| (j) cross-series: 6.12 and 7.2").contains("| 6,000 programs/s |"), "{t}");
    assert_eq!(row(&t, "| j/h"), "| j/h cross-series / 6.12 alone | 0.30 |  |");
    assert_eq!(row(&t, "| j/i"), "| j/i cross-series / 7.2 alone | 0.50 |  |");
    // No fuzz runs asked for: no fuzz rows, and no memory verdict made up.
    assert!(!t.contains("libFuzzer") && !t.contains("peak RSS"), "{t}");
}

#[test]
fn fuzz_rates_and_memory_get_their_verdicts() {
    // 600,000 execs in 10 s = 60,000/s (≥ 50,000 without ASan: met);
    // 90,000 in 10 s = 9,000/s (< 10,000 with ASan: missed).
    let t = render(&report(vec![
        fuzz("swap_mte", false, 600_000, Some(100_000)),
        fuzz("swap_mte", true, 90_000, Some(300_000)),
    ]));
    let no_asan = row(&t, "| libFuzzer `swap_mte`, no ASan");
    assert!(no_asan.contains("60,000 exec/s") && no_asan.ends_with("| ≥ 50,000 (met) |"), "{no_asan}");
    let asan = row(&t, "| libFuzzer `swap_mte`, ASan");
    assert!(asan.contains("9,000 exec/s") && asan.ends_with("| ≥ 10,000 (missed) |"), "{asan}");
    // 300,000 kB = 307.2 MB, shown rounded up: 308 MB, under 512.
    assert!(row(&t, "| largest peak RSS").contains("| 308 MB | < 512 MB (met) |"), "{t}");

    // One run without a figure: the memory target is not met.
    let t =
        render(&report(vec![fuzz("swap_mte", false, 600_000, Some(100_000)), fuzz("swap_mte", true, 90_000, None)]));
    assert!(row(&t, "| largest peak RSS").ends_with("| < 512 MB (missed) |"), "{t}");
    // 500,000 kB is exactly 512 MB: the target is "under", so missed.
    let t = render(&report(vec![fuzz("swap_mte", true, 1, Some(500_000))]));
    assert!(row(&t, "| largest peak RSS").contains("| 512 MB | < 512 MB (missed) |"), "{t}");
}

#[test]
fn thousands_are_grouped() {
    assert_eq!(thousands(0.0), "0");
    assert_eq!(thousands(999.4), "999");
    assert_eq!(thousands(1_000.0), "1,000");
    assert_eq!(thousands(1_234_567.0), "1,234,567");
}
