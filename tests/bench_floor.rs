//! The bench's C floor (src/bench/floor.rs): the generated driver compiles
//! against the extract and makes the very calls the kernel engine made, and
//! its timed build reports a rate; without a C compiler the bench stops with
//! a clear error instead of printing a floor.

use std::path::PathBuf;
use std::process::Command;
use swapdiff::bench::floor;
use swapdiff::engine::KernelEngine;
use swapdiff::program::{parse, Program};
use swapdiff::runner::{single, Options};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("swapdiff-bench-floor-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A continuation (a repeated op, 63 calls: the 63rd needs a continuation
/// page), the MTE composites (expanded by the runner into ~20 primitive
/// steps) and three generated benchmark programs.
fn known_programs() -> Vec<Program> {
    let mut ps = vec![
        parse("swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x63\nswp_swapcount 0:1\nswap_free_nr 0:1 nr=1 x63\nput_swap_folio 0:1 order=0\n")
            .unwrap(),
        parse("swapon 1\nswap_out 0 order=2 seed=42\nswap_in 0:4 order=2\n").unwrap(),
    ];
    ps.extend(swapdiff::bench::programs(3));
    ps
}

#[test]
fn the_floor_replays_the_kernel_engines_steps_with_its_return_values() {
    let programs = known_programs();
    let mut kernel = KernelEngine::acquire();
    // The expectation is the kernel engine's own run: each primitive step's
    // return value (the last call's, for a repeated op), recorded.
    let want: Vec<Vec<i64>> = programs
        .iter()
        .map(|p| {
            let run = single(&mut kernel, p, Options { record: true, ..Options::default() });
            run.steps.iter().map(|s| s.expected.as_ref().expect("recorded").ret()).collect()
        })
        .collect();
    let executed = floor::executed(&mut kernel, &programs);
    drop(kernel);
    // The composites were expanded: the C replays primitive steps only.
    assert!(executed[1].ops.len() > programs[1].ops.len(), "{}", executed[1]);
    // The values say something: alloc_swap returned the entry of 0:1 (type 0
    // in the top bits is 0, so the entry is the offset, 1), the count after
    // 63 references is 63, and swap_out's alloc returned a nonzero entry.
    assert_eq!(want[0][1], 1, "{:?}", want[0]);
    assert_eq!(want[0][3], 63, "{:?}", want[0]);

    let dir = scratch("trace");
    let bin = floor::build(&dir, &floor::c_source(&executed), true).unwrap();
    let got = floor::trace(&bin).unwrap();
    assert_eq!(got.len(), programs.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "program {i}:\n{}", executed[i]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_timed_floor_runs_whole_passes_and_reports_a_rate() {
    let programs = known_programs();
    let mut kernel = KernelEngine::acquire();
    let executed = floor::executed(&mut kernel, &programs);
    drop(kernel);
    let dir = scratch("timed");
    let bin = floor::build(&dir, &floor::c_source(&executed), false).unwrap();
    let out = Command::new(&bin).arg("0.2").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // It times whole passes over the set (env reset before each program) for
    // at least the time asked: the count is a multiple of the set's size.
    let line = text.lines().find(|l| l.starts_with("swapdiff-floor:")).expect("the rate line");
    let runs: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let secs: f64 = line.split_whitespace().nth(4).unwrap().parse().unwrap();
    assert!(runs > 0 && runs.is_multiple_of(programs.len() as u64), "{line}");
    assert!(secs >= 0.2, "{line}");
    let rate = floor::parse_rate(&text).unwrap();
    assert!((rate - runs as f64 / secs).abs() < 1e-6 * rate, "{rate} from {line}");
    // The flag is the cshim build's (cc crate: -O2), not the reproducers' -O1.
    assert_eq!(floor::opt_level().unwrap(), "-O2");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_floor_line_that_is_missing_or_empty_is_an_error() {
    assert!(floor::parse_rate("").is_err());
    assert!(floor::parse_rate("swapdiff-floor: 0 programs in 1.0 s\n").is_err());
    assert!(floor::parse_rate("swapdiff-floor: many programs in 1.0 s\n").is_err());
    assert_eq!(floor::parse_rate("swapdiff-floor: 500 programs in 0.25 s\n").unwrap(), 2000.0);
}

#[test]
fn without_a_c_compiler_the_bench_fails_and_prints_no_floor() {
    let empty = scratch("nopath");
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_swapdiff"))
        .args(["bench", "--seconds", "0.1", "--programs", "3"])
        .arg("--floor-dir")
        .arg(empty.join("floor"))
        .env("PATH", &empty)
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("no C compiler"), "{stderr}");
    assert!(!stdout.contains("programs/s"), "{stdout}");
    let _ = std::fs::remove_dir_all(&empty);
}
