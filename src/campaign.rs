//! A deterministic campaign with no fuzzing engine: generated programs from a
//! fixed seed through both engines, tallying the interesting states reached.

use crate::features::Tally;
use crate::generate::{program, Rng};
use crate::oracle::Oracle;
use crate::program::{Family, Program};
use crate::render;
use crate::runner::Options;

pub struct Finding {
    pub signature: String,
    pub program: Program,
    pub report: String,
}

#[derive(Default)]
pub struct Campaign {
    pub tally: Tally,
    pub steps: u64,
    pub findings: Vec<Finding>,
}

/// Runs `n` programs generated from `seed` (families rotate). Keeps the first
/// finding per signature.
pub fn run<O: Oracle + ?Sized>(oracle: &mut O, seed: u64, n: u64) -> Campaign {
    let mut c = Campaign::default();
    let mut rng = Rng::new(seed);
    let families = [Family::All, Family::Counts, Family::Mte];
    for i in 0..n {
        let p = program(&mut rng, families[(i % 3) as usize]);
        let r = oracle.run(&p, Options::default());
        c.tally.add(r.features);
        c.steps += r.steps.len() as u64;
        if let Some(d) = &r.divergence {
            let signature = d.signature();
            if !c.findings.iter().any(|f| f.signature == signature) {
                let full = oracle.run(&p, Options { record: true, ..Options::default() });
                let report = full.divergence.as_ref().map_or_else(String::new, |d| render::divergence(&full, d));
                c.findings.push(Finding { signature, program: p, report });
            }
        }
    }
    c
}
