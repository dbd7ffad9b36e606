//! The fuzzer's bytes of a concurrent program and its schedule (targets `interleave_612` and
//! `interleave_7x`, each with its series' generator): byte 0 picks the CPUs (2 + b % 3; 7.x:
//! 2 + b % 2) and the generator's family (b / 3; 7.x: b / 2), then two bytes per CPU pick its
//! pattern and slot (`generate::from_choices`), and every byte after that is one choice of the
//! schedule (the CPU `b % cpus`). libFuzzer and AFL++ mutate the schedule like any other
//! byte; a short input runs the default schedule past its end.

use super::generate::{from_choices, MAX_PATTERNS};
use super::{Concurrent, Schedule};

/// Schedule bytes read at most (a run makes a few hundred decisions).
pub const MAX_SCHEDULE: usize = 4096;

/// The program and schedule `data` stands for (every byte string is one).
pub fn decode(data: &[u8]) -> (Concurrent, Schedule) {
    decode_with(data, MAX_PATTERNS, 4, from_choices)
}

/// The layout above for either series: `build` makes the program of a family and the CPUs'
/// (pattern, flag) choices, patterns taken modulo `max_patterns`, 2 to `max_cpus` CPUs (byte 0
/// is `cpus - 2 + (max_cpus - 1) * family`).
pub fn decode_with<P>(
    data: &[u8],
    max_patterns: usize,
    max_cpus: usize,
    build: impl Fn(usize, &[(usize, bool)]) -> P,
) -> (P, Schedule) {
    let mut it = data.iter().copied();
    let first = usize::from(it.next().unwrap_or(0));
    let span = max_cpus.max(2) - 1;
    let cpus = 2 + first % span;
    let choices: Vec<(usize, bool)> = (0..cpus)
        .map(|_| (usize::from(it.next().unwrap_or(0)) % max_patterns, it.next().unwrap_or(0) & 1 == 1))
        .collect();
    let schedule = Schedule(it.take(MAX_SCHEDULE).map(|b| b % cpus as u8).collect());
    (build(first / span, &choices), schedule)
}
