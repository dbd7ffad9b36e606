//! The scheduler's cost (issue 15): the same sequential programs run plainly and as a one-CPU
//! interleaved run (every yield point a switch to the scheduler and back), and the exhaustive
//! walk's schedules per second on the hunt's generated programs. One run, so the ratio holds.

use std::time::{Duration, Instant};

use cshim::Kernel;
use swapdiff_contract::prelude::*;

use crate::exec::exec;
use crate::generate::Rng;
use crate::interleave::{explore, generate, generate72, v72};
use crate::program::Op;

#[derive(Debug, Clone, Copy)]
pub struct InterleaveRates {
    pub programs: usize,
    /// Yield points a program passes, on average (each a switch under the scheduler).
    pub stops: f64,
    /// Programs/s, plain.
    pub plain: f64,
    /// Programs/s, the same ops as one CPU under the scheduler.
    pub scheduled: f64,
    /// Schedules/s of the exhaustive walk (2 preemptions) over the hunt's programs.
    pub schedules: f64,
    /// The same on 7.x (generate72's programs, each run judged against the build's sequential
    /// orders).
    pub schedules72: f64,
}

/// The fixed set: the hunt generator's programs from seed 1, each flattened into one sequence.
fn sequences(n: usize) -> Vec<Vec<Op>> {
    let mut rng = Rng::new(1);
    (0..n)
        .map(|_| {
            let p = generate::program(&mut rng, 2);
            p.setup.into_iter().chain(p.cpus.into_iter().flatten()).collect()
        })
        .collect()
}

fn timed(min: Duration, mut one_pass: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < min || done == 0 {
        done += one_pass();
    }
    done as f64 / start.elapsed().as_secs_f64()
}

/// The three rates, each for at least `min`.
pub fn measure(n: usize, min: Duration) -> InterleaveRates {
    let set = sequences(n);
    let mut k = Kernel::acquire();
    let plain = timed(min, || {
        for ops in &set {
            k.env_reset();
            for op in ops {
                drop(exec(&mut k, op));
            }
        }
        set.len()
    });
    let mut stops = 0usize;
    let scheduled = timed(min, || {
        stops = 0;
        for ops in &set {
            k.env_reset();
            let run = k.interleave(
                vec![Box::new(|k: &mut Kernel| {
                    for op in ops {
                        drop(exec(k, op));
                    }
                })],
                &mut |_| 0,
                usize::MAX,
            );
            stops += run.trace.len();
        }
        set.len()
    });
    let mut rng = Rng::new(1);
    let programs: Vec<_> = (0..n.min(20)).map(|_| generate::program(&mut rng, 2)).collect();
    let schedules = timed(min, || programs.iter().map(|p| explore::exhaustive(&mut k, p, 2, 5_000).schedules).sum());
    drop(k);
    let mut k72 = cshim::kernel72::Kernel72::acquire();
    let mut rng = Rng::new(1);
    let programs72: Vec<_> = (0..n.min(20)).map(|_| generate72::program72(&mut rng, 2)).collect();
    let schedules72 =
        timed(min, || programs72.iter().map(|p| v72::exhaustive72(&mut k72, p, 2, 5_000).schedules).sum());
    InterleaveRates { programs: n, stops: stops as f64 / n.max(1) as f64, plain, scheduled, schedules, schedules72 }
}
