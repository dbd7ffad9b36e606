//! 7.x concurrent programs from a family and per-CPU choices (hunts, target `interleave_7x`), as
//! `generate` does for 6.12: a setup that leaves slots with references and the cache, then per
//! CPU a short pattern over them that keeps every call within the callers' contract in every
//! order (a CPU drops only a reference it took, a folio function finds its folio in the cache).

use super::op72::Op72;
use super::v72::Concurrent72;

struct Family {
    setup: &'static str,
    slots: [&'static str; 2],
    patterns: &'static [&'static [&'static str]],
}

const FAMILIES: &[Family] = &[
    // The extend table. Slots 0:1 and 0:2 both at count 14, SWP_TB_COUNT_MAX - 1 (the setup
    // adds 13 references to each after the cache let go): the next reference of either needs
    // the cluster's one extend table, allocated with ci->lock dropped, and a put from 15 frees
    // it again. Patterns drop at most the reference they took, or one of the setup's 13 spare.
    Family {
        setup: concat!(
            "swapon 1\nfolio_new 0\nfolio_new 0\nfolio_alloc_swap 0\nfolio_dup_swap 0 all\nswap_cache_del_folio 0\n",
            "folio_alloc_swap 1\nfolio_dup_swap 1 all\nswap_cache_del_folio 1\n",
            "x13 swap_dup_entry_direct 0:1\nx13 swap_dup_entry_direct 0:2\n"
        ),
        slots: ["0:1", "0:2"],
        patterns: &[
            &["swap_dup_entry_direct S"],
            &["swap_put_entries_direct S 1"],
            &["swap_dup_entry_direct S", "swap_put_entries_direct S 1"],
            &["swap_put_entries_direct S 1", "swap_dup_entry_direct S"],
            &["swap_retry_table_alloc S", "swap_dup_entry_direct S"],
            &["__swap_count S", "swp_swapcount S"],
            &["swap_entry_swapped S", "swap_dup_entry_direct S"],
        ],
    },
    // The cache against references. Slot 0:1 is cached (folio 0) with one reference; slot 0:2
    // has one reference and no cache (folio 1 left it). A lookup, a swap-in allocation (one per
    // program: v72 validate), folio references taken and dropped under the folio lock, and
    // folio_free_swap, which finds the reference and keeps the folio.
    Family {
        setup: concat!(
            "swapon 1\nfolio_new 0\nfolio_alloc_swap 0\nfolio_dup_swap 0 all\n",
            "folio_new 0\nfolio_alloc_swap 1\nfolio_dup_swap 1 all\nswap_cache_del_folio 1\n"
        ),
        slots: ["0:1", "0:2"],
        patterns: &[
            &["swap_cache_get_folio S"],
            &["swap_dup_entry_direct S", "swap_put_entries_direct S 1"],
            &["folio_dup_swap 0 all", "folio_put_swap 0 all"],
            &["folio_free_swap 0"],
            &["swap_cache_alloc_folio S 0"],
            &["swap_entry_swapped S", "__swap_count S"],
        ],
    },
];

/// How many families there are.
pub const NR_FAMILIES: usize = FAMILIES.len();

/// The most patterns a family has.
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

/// Ops of one text line; `xN op` repeats it (the setups' counts).
fn parse_lines(text: &str) -> Vec<Op72> {
    let mut ops = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (times, op) = match line.split_once(' ') {
            Some((n, rest)) if n.starts_with('x') => (n[1..].parse().expect("the generator's repeat parses"), rest),
            _ => (1, line),
        };
        let op = Op72::parse(op).expect("the generator's ops parse");
        ops.extend(std::iter::repeat_n(op, times));
    }
    ops
}

fn allocates(pattern: &[&str]) -> bool {
    pattern.iter().any(|l| l.starts_with("swap_cache_alloc_folio"))
}

/// The program of family `family` (modulo [`NR_FAMILIES`]) whose CPU `i` runs pattern
/// `choices[i].0` (modulo the family's count) on the family's first slot, or its second when
/// `choices[i].1` is set. One CPU allocates a swap-in folio at most: a later CPU whose pick
/// does takes the next pattern.
pub fn from_choices72(family: usize, choices: &[(usize, bool)]) -> Concurrent72 {
    let f = &FAMILIES[family % NR_FAMILIES];
    let mut p = Concurrent72 { setup: parse_lines(f.setup), cpus: Vec::new() };
    let mut allocated = false;
    for &(pattern, second) in choices {
        let slot = f.slots[usize::from(second)];
        let mut pick = pattern % f.patterns.len();
        while allocated && allocates(f.patterns[pick]) {
            pick = (pick + 1) % f.patterns.len();
        }
        allocated |= allocates(f.patterns[pick]);
        let text: String = f.patterns[pick].iter().map(|l| format!("{}\n", l.replace('S', slot))).collect();
        p.cpus.push(parse_lines(&text));
    }
    p
}

/// A program of `cpus` CPUs from `rng` (the hunt's).
#[cfg(feature = "cli")]
pub fn program72(rng: &mut crate::generate::Rng, cpus: usize) -> Concurrent72 {
    let family = rng.range(0, NR_FAMILIES as u64 - 1) as usize;
    let choices: Vec<(usize, bool)> =
        (0..cpus).map(|_| (rng.range(0, MAX_PATTERNS as u64 - 1) as usize, !rng.chance(70))).collect();
    from_choices72(family, &choices)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every family's setup and patterns parse, and every program they make is one the judge
    /// takes (v72 validate: the orders bound, one allocation), four CPUs included.
    #[test]
    fn every_family_makes_valid_programs() {
        for (i, f) in FAMILIES.iter().enumerate() {
            for j in 0..f.patterns.len() {
                for cpus in 2..=4 {
                    let p = from_choices72(i, &vec![(j, false); cpus]);
                    assert_eq!(p.cpus.len(), cpus);
                    p.validate().unwrap_or_else(|e| panic!("family {i} pattern {j}, {cpus} CPUs: {e}"));
                }
            }
        }
    }

    /// The extend family's setup ends with 13 added references per slot: `x13` expands.
    #[test]
    fn repeats_expand() {
        let p = from_choices72(0, &[(0, false), (0, true)]);
        let dups = p.setup.iter().filter(|o| o.kind() == "swap_dup_entry_direct").count();
        assert_eq!(dups, 26);
    }
}
