//! Concurrent programs from a seed, for hunts: a family's setup that leaves slots with references
//! and the cache, then per CPU a short pattern of ops over them that keeps every call within the
//! callers' contract in every order (a reference is only dropped where the setup or the same CPU
//! took one), so the spec judges every run. Two CPUs that both drop the same setup reference go
//! outside the contract: the `once` patterns keep them apart.

use super::Concurrent;
use crate::program::parse;

/// A setup and the per-CPU patterns that run after it. In a pattern `S` is the CPU's slot (the
/// family's first or second, by the choice's flag).
struct Family {
    setup: &'static str,
    slots: [&'static str; 2],
    patterns: &'static [&'static [&'static str]],
    /// Patterns at most one CPU may run on a slot: each drops a reference of the setup's (and
    /// does not take it back first), so two would drop one reference twice, and a third CPU's
    /// call that relies on it (a duplicate copies the PTE that holds it) would run while it goes.
    once: &'static [usize],
}

const FAMILIES: &[Family] = &[
    // References and counts: one device, slots 0:1 and 0:2 allocated (the cache holds them)
    // with three references each. A pattern keeps its slot's references at least where they
    // started once the CPU's ops are done, and never drops more than it (or the setup's spare
    // reference) took: at most two CPUs per slot in practice.
    Family {
        setup: "swapon 1\nalloc_swap 0 order=0\nalloc_swap 0 order=0\nswap_duplicate 0:1 x3\nswap_duplicate 0:2 x3\n",
        slots: ["0:1", "0:2"],
        patterns: &[
            &["swap_duplicate S", "swap_free_nr S nr=1"],
            &["swap_free_nr S nr=1", "swap_duplicate S"],
            &["swap_duplicate S", "swp_swapcount S"],
            &["swap_duplicate S", "free_swap_and_cache_nr S nr=1"],
            &["swp_swapcount S", "swap_swapcount S"],
            &["__swap_count S", "swap_duplicate S", "swap_free_nr S nr=1"],
        ],
        once: &[1],
    },
    // Swapoff against a zap. Slot 0:1, the device's only slot in use, has one mapping and the
    // cache: a zap (free_swap_and_cache_nr) leaves only the cache, whose put then frees the slot,
    // which is when swapoff's try_to_unuse() stops waiting. The flag picks nothing here.
    Family {
        setup: "swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1\n",
        slots: ["0:1", "0:1"],
        patterns: &[
            &["free_swap_and_cache_nr S nr=1"],
            &["put_swap_folio S order=0", "swapoff 0"],
            &["swapoff 0"],
            &["swp_swapcount S", "__swap_count S"],
        ],
        // The zap drops the one mapping and the put the cache. No pattern duplicates here: a
        // duplicate copies the mapping the zap drops, which the page table lock orders.
        once: &[0, 1],
    },
    // Swapoff against a continuation. Slot 0:1 is at SWAP_MAP_MAX: its next reference needs a
    // continuation page (add_swap_count_continuation, which copy_pte_range() calls after
    // dropping the page table lock, so only its own reference keeps swapoff away).
    Family {
        setup: "swapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x62\n",
        slots: ["0:1", "0:1"],
        patterns: &[
            &["add_swap_count_continuation S"],
            &["swapoff 0"],
            &["swap_duplicate S", "swap_free_nr S nr=1"],
            &["swp_swapcount S", "swap_duplicate S"],
        ],
        once: &[],
    },
];

/// How many families there are (a fuzzer byte picks one modulo this).
pub const NR_FAMILIES: usize = FAMILIES.len();

/// The most patterns a family has (a fuzzer byte picks one modulo the family's count).
pub const MAX_PATTERNS: usize = {
    let (mut max, mut i) = (0, 0);
    while i < FAMILIES.len() {
        if FAMILIES[i].patterns.len() > max {
            max = FAMILIES[i].patterns.len();
        }
        i += 1;
    }
    max
};

/// The program of family `family` (modulo [`NR_FAMILIES`]) whose CPU `i` runs pattern
/// `choices[i].0` (modulo the family's count) on the family's first slot, or its second when
/// `choices[i].1` is set.
pub fn from_choices(family: usize, choices: &[(usize, bool)]) -> Concurrent {
    let f = &FAMILIES[family % NR_FAMILIES];
    let setup = parse(f.setup).expect("the generator's setup parses").ops;
    let mut p = Concurrent { setup, cpus: Vec::new() };
    let mut swapoff = false;
    let mut used: Vec<(usize, &str)> = Vec::new();
    for &(pattern, second) in choices {
        let slot = f.slots[usize::from(second)];
        // One CPU swaps off at most (linear.rs does not judge two), and a `once` pattern runs
        // on a slot once: a later CPU whose pick breaks either takes the next pattern that does
        // not (the last pattern of every family is neither).
        let mut pick = pattern % f.patterns.len();
        while (swapoff && swaps_off(f.patterns[pick])) || used.contains(&(pick, slot)) {
            pick = (pick + 1) % f.patterns.len();
        }
        swapoff |= swaps_off(f.patterns[pick]);
        if f.once.contains(&pick) {
            used.push((pick, slot));
        }
        let text: String = f.patterns[pick].iter().map(|l| format!("{}\n", l.replace('S', slot))).collect();
        p.cpus.push(parse(&text).expect("the generator's patterns parse").ops);
    }
    p
}

fn swaps_off(pattern: &[&str]) -> bool {
    pattern.iter().any(|l| l.starts_with("swapoff"))
}

/// A program of `cpus` CPUs from `rng` (the hunt's; the `cli` feature's generator).
#[cfg(feature = "cli")]
pub fn program(rng: &mut crate::generate::Rng, cpus: usize) -> Concurrent {
    let family = rng.range(0, NR_FAMILIES as u64 - 1) as usize;
    let choices: Vec<(usize, bool)> =
        (0..cpus).map(|_| (rng.range(0, MAX_PATTERNS as u64 - 1) as usize, !rng.chance(70))).collect();
    from_choices(family, &choices)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every family's setup and patterns parse (from_choices panics otherwise).
    #[test]
    fn every_family_parses() {
        for (i, f) in FAMILIES.iter().enumerate() {
            for j in 0..f.patterns.len() {
                let p = from_choices(i, &[(j, false), (j, true)]);
                assert_eq!(p.cpus.len(), 2);
            }
        }
    }

    /// Four CPUs that all pick a `once` pattern get it once per slot: no setup reference is
    /// dropped twice (the program interleave_612 found on stock: two zaps of one mapping).
    #[test]
    fn a_once_pattern_runs_once_per_slot() {
        for (i, f) in FAMILIES.iter().enumerate() {
            for &once in f.once {
                let p = from_choices(i, &[(once, false); 4]);
                let text: Vec<String> = p
                    .cpus
                    .iter()
                    .map(|ops| ops.iter().map(crate::program::text::print_op).collect::<Vec<_>>().join("; "))
                    .collect();
                let first = f.patterns[once].iter().map(|l| l.replace('S', f.slots[0])).collect::<Vec<_>>().join("; ");
                let parsed: Vec<String> =
                    parse(&first.replace("; ", "\n")).unwrap().ops.iter().map(crate::program::text::print_op).collect();
                assert_eq!(text.iter().filter(|t| **t == parsed.join("; ")).count(), 1, "family {i}: {text:?}");
            }
        }
    }

    /// Every CPU picking the swapoff pattern still gives one swapoff: linear.rs leaves two
    /// concurrent swapoffs of a device unjudged, so a hunt would waste the program.
    #[test]
    fn one_cpu_swaps_off_at_most() {
        let f = FAMILIES.iter().position(|f| f.patterns.iter().any(|p| swaps_off(p))).unwrap();
        let first = FAMILIES[f].patterns.iter().position(|p| swaps_off(p)).unwrap();
        let p = from_choices(f, &[(first, false); 4]);
        let n = p.cpu_ops().filter(|(_, op)| crate::program::text::print_op(op).starts_with("swapoff")).count();
        assert_eq!(n, 1);
    }
}
