//! The fuzz driver reads its numbers from the engines' own outputs: libFuzzer's
//! status lines and `-print_final_stats=1` block, AFL++'s `fuzzer_stats` and
//! `plot_data`. Each fixture (tests/fixtures/drive/, written by us in the real
//! formats) carries numbers the expected values below are derived from.

use swapdiff::drive::afl_stats::{parse_fuzzer_stats, parse_plot_data};
use swapdiff::drive::libfuzzer_log::{LogState, Stop};

fn fixture(name: &str) -> String {
    let p = format!("{}/tests/fixtures/drive/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn parsed(name: &str) -> LogState {
    let mut s = LogState::default();
    s.feed(&fixture(name));
    s.finish();
    s
}

#[test]
fn a_clean_run_counts_its_final_stats_and_best_coverage() {
    let s = parsed("libfuzzer-clean.log");
    // stat::number_of_executed_units: 7139 replaces the last status line's #6990.
    assert_eq!(s.execs(), 7139);
    // The last (and largest) cov/ft of the status lines: REDUCE cov 2869 ft 11125 corp 765.
    assert_eq!((s.cov, s.ft, s.corpus), (Some(2869), Some(11125), Some(765)));
    assert!(s.started);
    assert_eq!(s.done, 1);
    assert!(s.stops.is_empty(), "{:?}", s.stops);
}

#[test]
fn a_restarted_worker_adds_its_runs_and_keeps_the_divergence() {
    let s = parsed("libfuzzer-restarted.log");
    // Two runs appended to one log: 1502 (stopped on the divergence) + 2400 (ran out its time).
    assert_eq!(s.execs(), 3902);
    // cov/ft are the best seen: the first run's 2500/6000, above the second's 2480/5900.
    assert_eq!((s.cov, s.ft), (Some(2500), Some(6000)));
    // The signature is the text after the target's "swapdiff divergence: " line.
    assert_eq!(s.stops, vec![Stop::Divergence("put_swap_folio/events/swap_entry_range_free".into())]);
    assert_eq!(s.signature(), Some("put_swap_folio/events/swap_entry_range_free"));
    assert_eq!(s.done, 1);
}

#[test]
fn a_sanitizer_report_is_named_by_its_first_line() {
    let s = parsed("libfuzzer-asan.log");
    assert_eq!(s.stops, vec![Stop::Sanitizer("AddressSanitizer: heap-use-after-free".into())]);
    assert!(s.stops[0].is_finding());
    assert_eq!(s.execs(), 3);
}

#[test]
fn a_timeout_is_a_finding_and_an_interrupt_is_not() {
    let t = parsed("libfuzzer-timeout.log");
    assert_eq!(t.stops, vec![Stop::Timeout]);
    assert!(t.stops[0].is_finding());
    let i = parsed("libfuzzer-interrupted.log");
    assert_eq!(i.stops, vec![Stop::Interrupted]);
    assert!(!i.stops[0].is_finding());
    // The interrupt still prints the final stats: 600, not the last status line's 512.
    assert_eq!(i.execs(), 600);
}

#[test]
fn a_target_that_never_started_says_so() {
    // The target exited before libFuzzer printed its seed (a bad SWAPDIFF_LEVEL).
    let s = parsed("libfuzzer-not-started.log");
    assert!(!s.started);
    assert_eq!(s.execs(), 0);
    assert!(s.stops.is_empty());
}

#[test]
fn lines_fed_in_pieces_parse_as_the_whole() {
    // The driver reads logs while they grow: any split at line ends gives the same state.
    let text = fixture("libfuzzer-restarted.log");
    let mut whole = LogState::default();
    whole.feed(&text);
    let mut pieces = LogState::default();
    for line in text.lines() {
        pieces.feed(&format!("{line}\n"));
    }
    assert_eq!(whole, pieces);
    // Mid-run, before the first final stats, the count is the last status line's.
    let mut mid = LogState::default();
    mid.feed(text.split("thread '<unnamed>'").next().unwrap());
    assert_eq!(mid.execs(), 1500);
}

#[test]
fn afl_fuzzer_stats_give_execs_corpus_crashes_and_coverage() {
    let s = parse_fuzzer_stats(&fixture("afl-fuzzer_stats")).unwrap();
    assert_eq!(s.execs, 154116);
    assert_eq!(s.corpus, Some(312));
    assert_eq!((s.crashes, s.hangs), (Some(2), Some(1)));
    assert_eq!(s.bitmap_cvg, Some(3.48));
    assert_eq!(s.edges, Some(2280));
    assert_eq!(s.exec_per_sec, Some(5137.2));
}

#[test]
fn older_afl_names_are_read_too() {
    // AFL++ 3 called them paths_total and unique_crashes.
    let s = parse_fuzzer_stats(&fixture("afl-fuzzer_stats-old")).unwrap();
    assert_eq!((s.execs, s.corpus, s.crashes, s.bitmap_cvg), (9000, Some(77), Some(0), Some(1.25)));
    assert!(parse_fuzzer_stats("not: a stats file\n").is_err());
}

#[test]
fn afl_plot_data_gives_the_last_row_by_column_name() {
    let s = parse_plot_data(&fixture("afl-plot_data")).unwrap();
    // The last row: total_execs 56100, corpus_count 160, map_size 3.20%, saved_crashes 2, edges 2100.
    assert_eq!((s.execs, s.corpus, s.crashes, s.edges), (56100, Some(160), Some(2), Some(2100)));
    assert_eq!(s.bitmap_cvg, Some(3.2));
    // A header without rows (the instance just started) is nothing yet.
    let header = fixture("afl-plot_data").lines().next().unwrap().to_string();
    assert!(parse_plot_data(&header).is_none());
}
