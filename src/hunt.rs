//! The hunt: generated programs from fixed seeds through an oracle until
//! a budget runs out. It runs inside a variant build (`swapdiff hunt-run`);
//! building variants is [`crate::variant`], supervising the workers
//! [`crate::jobs`].

use crate::campaign::Finding;
use crate::compare::Level;
use crate::generate::{program, Rng};
use crate::oracle::Oracle;
use crate::program::Family;
use crate::runner::Options;
use std::time::{Duration, Instant};

/// What one hunt saw: programs run and time spent until the first
/// divergence (or the whole budget), and every distinct finding with the
/// index of the program it came from.
pub struct Hunt {
    pub programs: u64,
    pub seconds: f64,
    /// (signature, index of the program, seconds into the hunt)
    pub first: Option<(String, u64, f64)>,
    pub findings: Vec<(u64, Finding)>,
    /// The index of the next program not run.
    pub next: u64,
}

const FAMILIES: [Family; 3] = [Family::All, Family::Counts, Family::Mte];

/// Generated programs from `seed`, from its program index `skip` on, until
/// `budget` runs out, `stop()` turns true, or (with `stop_at_first`) the
/// first divergence. `before(i)` runs before program `i` (workers announce
/// it, so a crash can be traced back to its program).
#[allow(clippy::too_many_arguments)]
pub fn hunt<O: Oracle + ?Sized>(
    oracle: &mut O,
    seed: u64,
    skip: u64,
    budget: Duration,
    level: Level,
    stop_at_first: bool,
    stop: &dyn Fn() -> bool,
    mut before: impl FnMut(u64),
) -> Hunt {
    let start = Instant::now();
    let mut rng = Rng::new(seed);
    for i in 0..skip {
        program(&mut rng, FAMILIES[(i % 3) as usize]);
    }
    let mut h = Hunt { programs: 0, seconds: 0.0, first: None, findings: vec![], next: skip };
    let opts = Options { level, ..Options::default() };
    while start.elapsed() < budget && !stop() {
        let index = h.next;
        let p = program(&mut rng, FAMILIES[(index % 3) as usize]);
        before(index);
        h.programs += 1;
        h.next += 1;
        let run = oracle.run(&p, opts);
        if let Some(d) = &run.divergence {
            let signature = d.signature();
            if h.first.is_none() {
                h.first = Some((signature.clone(), index, start.elapsed().as_secs_f64()));
            }
            if !h.findings.iter().any(|(_, f)| f.signature == signature) {
                h.findings.push((index, Finding { signature, program: p, report: String::new() }));
            }
            if stop_at_first {
                break;
            }
        }
    }
    h.seconds = start.elapsed().as_secs_f64();
    h
}

/// Program `index` of the hunt from `seed` (the generator is deterministic:
/// the same seed gives the same programs, in the same order, everywhere).
pub fn nth_program(seed: u64, index: u64) -> crate::program::Program {
    let mut rng = Rng::new(seed);
    for i in 0..index {
        program(&mut rng, FAMILIES[(i % 3) as usize]);
    }
    program(&mut rng, FAMILIES[(index % 3) as usize])
}
