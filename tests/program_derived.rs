//! What the op table derives besides the stored forms is pinned too: the C
//! reproducer's calls and the minimizer's candidates (which shrinks it tries,
//! in which order), so deriving them from the table changed nothing a user
//! sees (the same finding minimizes to the same program and the same repro.c).
//!
//! The golden values in `tests/program_derived.golden` were produced by the
//! pre-table code at commit 166b39f (hand-written `repro::call` and
//! `minimize::simpler_versions`). Never regenerate them to make a change pass;
//! a deliberate change to shrinking or C emission says so in its commit and
//! replaces the values it changes, one by one, with the reason.

use std::collections::BTreeMap;
use swapdiff::generate::{program, Rng};
use swapdiff::program::text::print_op;
use swapdiff::program::{Family, Op};

fn hash(bytes: &[u8]) -> String {
    swapdiff_extract::patch_set_key(&[bytes]).trim_start_matches("patched-").to_string()
}

/// The text form (stable across the rename of the variants; Debug is not).
fn text(ops: &[Op]) -> String {
    ops.iter().map(|op| format!("{}\n", print_op(op))).collect()
}

fn compute() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    // repro.c of generated programs: every op kind's C call, with and
    // without repeats (composites print their placeholder).
    for seed in 1..=3u64 {
        let mut c = String::new();
        for i in 0..300 {
            let p = swapdiff::hunt::nth_program(seed, i);
            c.push_str(&swapdiff::repro::c_source(&p.ops, "pinned"));
        }
        out.insert(format!("repro seed={seed}"), hash(c.as_bytes()));
    }
    // The reducer's every candidate, under a property that holds for a
    // pseudo-random three quarters of the candidates that keep one op kind:
    // the trace depends on the exact order of ddmin's chunks and of each op's
    // simpler versions.
    for fam in [Family::Counts, Family::Mte, Family::All] {
        let mut r = Rng::new(40 + fam as u64);
        let mut trace = String::new();
        for _ in 0..150 {
            let ops = program(&mut r, fam).ops;
            let keep = ops[ops.len() / 2].kind();
            let mut keeps = |c: &[Op]| {
                let t = text(c);
                trace.push_str(&t);
                trace.push('\n');
                let holds =
                    c.iter().any(|op| op.kind() == keep) && !hash(t.as_bytes()).starts_with(['0', '1', '2', '3']);
                holds.then(|| c.to_vec())
            };
            let (reduced, runs) = swapdiff::minimize::reduce(ops, &mut keeps, None);
            trace.push_str(&format!("=> {runs} runs\n{}\n", text(&reduced)));
        }
        out.insert(format!("reduce {fam:?}"), hash(trace.as_bytes()));
    }
    out
}

#[test]
fn repro_and_minimizer_candidates_are_unchanged() {
    let actual = compute();
    let rendered: String = actual.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
    let golden = std::fs::read_to_string("tests/program_derived.golden").unwrap_or_default();
    let golden: String = golden.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    if rendered != golden {
        let _ = std::fs::create_dir_all("target");
        let _ = std::fs::write("target/program_derived.actual", &rendered);
    }
    assert_eq!(rendered, golden, "repro.c or the minimizer's candidates changed");
}
