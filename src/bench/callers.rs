//! Caller-level programs per second (src/caller): the same generated programs through 6.12's
//! C alone, the 7.x C alone, and both compared in one process (`swapdiff fuzz --series
//! 6.12,7.2` and `callers_cross`), each judged by the caller-level spec, measured in one run so
//! the ratios hold.

use crate::caller::engines::Engines;
use crate::caller::CallerProgram;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct CallerRates {
    pub programs: usize,
    /// Caller ops per program, on average.
    pub ops: f64,
    pub v612: f64,
    pub v7x: f64,
    pub cross: f64,
    /// The 7.x series measured ("7.2", or "7.3" in a 7.3 build).
    pub series: &'static str,
}

/// The fixed set: `n` programs of the generator `swapdiff fuzz --series` uses, from seed 1.
pub fn programs(n: usize) -> Vec<CallerProgram> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 | 1;
    (0..n).map(|_| crate::caller_fuzz::random_program(&mut state)).collect()
}

fn rate(engines: &mut Engines, set: &[CallerProgram], min: Duration) -> f64 {
    let start = Instant::now();
    let mut runs = 0u64;
    while start.elapsed() < min || runs == 0 {
        for p in set {
            drop(engines.run(p));
        }
        runs += set.len() as u64;
    }
    runs as f64 / start.elapsed().as_secs_f64()
}

/// The three rates, each for at least `min` over the whole set; None when the binary links
/// no 7.x build. Each configuration's engines are taken alone (and released) in turn.
pub fn measure(n: usize, min: Duration) -> Option<CallerRates> {
    let series = cshim::kernel72::builds72().last()?.series;
    let set = programs(n);
    let ops = set.iter().map(|p| p.ops.len()).sum::<usize>() as f64 / set.len().max(1) as f64;
    let v612 = rate(&mut Engines::acquire(&["6.12"]), &set, min);
    let v7x = rate(&mut Engines::acquire(&[series]), &set, min);
    let cross = rate(&mut Engines::acquire(&["6.12", series]), &set, min);
    Some(CallerRates { programs: n, ops, v612, v7x, cross, series })
}
