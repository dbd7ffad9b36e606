//! Concurrent programs from a seed, for hunts: a setup that leaves one or two slots with
//! references and the cache, then per CPU a short pattern of ops over them that keeps every
//! call within the callers' contract in every order (a reference is only dropped where the
//! setup or the same CPU took one), so the spec judges every run.

use super::Concurrent;
use crate::program::parse;

/// Per-CPU patterns over slot `S`. Each keeps the slot's references at least where they
/// started once the CPU's ops are done, and never drops more than it (or the setup's spare
/// reference) took.
const PATTERNS: &[&[&str]] = &[
    &["swap_duplicate S", "swap_free_nr S nr=1"],
    &["swap_free_nr S nr=1", "swap_duplicate S"],
    &["swap_duplicate S", "swp_swapcount S"],
    &["swap_duplicate S", "free_swap_and_cache_nr S nr=1"],
    &["swp_swapcount S", "swap_swapcount S"],
    &["__swap_count S", "swap_duplicate S", "swap_free_nr S nr=1"],
];

/// The setup: one device, slots 0:1 and 0:2 allocated (the cache holds them) with three
/// references each: a CPU's pattern drops at most one more than it took, and there are at most
/// two CPUs per slot in practice (four CPUs, two slots).
const SETUP: &str =
    "swapon 1\nalloc_swap 0 order=0\nalloc_swap 0 order=0\nswap_duplicate 0:1 x3\nswap_duplicate 0:2 x3\n";

/// How many patterns there are (a fuzzer byte picks one modulo this).
pub const NR_PATTERNS: usize = PATTERNS.len();

/// The program whose CPU `i` runs pattern `choices[i].0` (modulo [`NR_PATTERNS`]) on slot 0:1,
/// or 0:2 when `choices[i].1` is set.
pub fn from_choices(choices: &[(usize, bool)]) -> Concurrent {
    let setup = parse(SETUP).expect("the generator's setup parses").ops;
    let mut p = Concurrent { setup, cpus: Vec::new() };
    for &(pattern, second) in choices {
        let slot = if second { "0:2" } else { "0:1" };
        let text: String =
            PATTERNS[pattern % NR_PATTERNS].iter().map(|l| format!("{}\n", l.replace('S', slot))).collect();
        p.cpus.push(parse(&text).expect("the generator's patterns parse").ops);
    }
    p
}

/// A program of `cpus` CPUs from `rng` (the hunt's; the `cli` feature's generator).
#[cfg(feature = "cli")]
pub fn program(rng: &mut crate::generate::Rng, cpus: usize) -> Concurrent {
    let choices: Vec<(usize, bool)> =
        (0..cpus).map(|_| (rng.range(0, NR_PATTERNS as u64 - 1) as usize, !rng.chance(70))).collect();
    from_choices(&choices)
}
