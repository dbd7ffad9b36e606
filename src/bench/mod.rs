//! Executions per second of the same fixed programs on the kernel alone, the
//! model alone and both compared, measured in one run so the ratio holds;
//! against the C floor ([`floor`]: the same steps as plain C calls) and next
//! to libFuzzer's own rates ([`fuzz`]), in one table ([`report`]).

pub mod callers;
pub mod floor;
pub mod fuzz;
pub mod interleave;
pub mod report;

use crate::engine::Engine;
use crate::generate::{program, Rng};
use crate::program::{Family, Program};
use crate::runner::{differential, single, Options};
use std::time::{Duration, Instant};

/// The programs fuzz target `target` starts from on a fresh clone: the stock
/// seeds (`corpus::SEED_DIRS`) that `make seeds` encodes for it, read back
/// as the target decodes them.
pub fn seed_programs(root: &std::path::Path, target: &str) -> Result<Vec<Program>, String> {
    let family = crate::harness::target_family(target).ok_or_else(|| format!("no fuzz target `{target}`"))?;
    let seeds: Vec<Program> = crate::corpus::stock_programs(root)?
        .iter()
        .filter_map(|(_, p)| crate::program::encode(p, family).ok())
        .map(|bytes| crate::program::decode(&bytes, family))
        .collect();
    if seeds.is_empty() {
        return Err(format!("no seeds for {target} under {}", root.display()));
    }
    Ok(seeds)
}

/// The fixed benchmark set: `n` generated programs from seed 0x5eed.
pub fn programs(n: usize) -> Vec<Program> {
    let mut rng = Rng::new(0x5eed);
    let families = [Family::All, Family::Counts, Family::Mte];
    (0..n).map(|i| program(&mut rng, families[i % 3])).collect()
}

#[derive(Debug, Clone, Copy)]
pub struct Rates {
    /// The kernel engine alone, no spec.
    pub kernel_only: f64,
    pub model_only: f64,
    /// The two-way run: model against kernel, compared after every step, no spec.
    pub differential: f64,
    /// The kernel alone judged by the spec (`spec_alone`, `hunt --spec`).
    pub kernel_and_spec: f64,
    /// The two-way run with the spec judging (the default of every differential run).
    pub differential_and_spec: f64,
    /// Measured in one process of a two-build variant (`bench --three-way-patch`): the
    /// two-way run there (model against the stock build, no spec) and the three-way run
    /// (stock C against patched C, the spec judging: what check-patch runs).
    pub three_way: Option<ThreeWay>,
}

#[derive(Debug, Clone, Copy)]
pub struct ThreeWay {
    pub two_way: f64,
    pub three_way: f64,
}

impl Rates {
    /// Differential over kernel-only executions per second (target ≥ 0.5).
    pub fn ratio(&self) -> f64 {
        self.differential / self.kernel_only
    }
}

fn rate(programs: &[Program], min: Duration, mut f: impl FnMut(&Program)) -> f64 {
    let start = Instant::now();
    let mut runs = 0u64;
    while start.elapsed() < min || runs == 0 {
        for p in programs {
            f(p);
        }
        runs += programs.len() as u64;
    }
    runs as f64 / start.elapsed().as_secs_f64()
}

/// Measures the three rates, each for at least `min` over the whole set.
pub fn measure<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    programs: &[Program],
    min: Duration,
) -> Rates {
    let o = Options { spec: false, ..Options::default() };
    let judged = Options::default();
    let kernel_only = rate(programs, min, |p| drop(single(kernel, p, o)));
    let model_only = rate(programs, min, |p| drop(single(model, p, o)));
    let two_way = rate(programs, min, |p| drop(differential(model, kernel, p, o)));
    let kernel_and_spec = rate(programs, min, |p| drop(single(kernel, p, judged)));
    let differential_and_spec = rate(programs, min, |p| drop(differential(model, kernel, p, judged)));
    Rates { kernel_only, model_only, differential: two_way, kernel_and_spec, differential_and_spec, three_way: None }
}

/// The two-way rate (`model` against `stock`, no spec) and the three-way one (`stock`
/// against `patched`, the spec judging, as check-patch runs), in one process.
pub fn three_way<M: Engine + ?Sized, S: Engine + ?Sized, P: Engine + ?Sized>(
    model: &mut M,
    stock: &mut S,
    patched: &mut P,
    programs: &[Program],
    min: Duration,
) -> ThreeWay {
    let no_spec = Options { spec: false, ..Options::default() };
    let two_way = rate(programs, min, |p| drop(differential(model, stock, p, no_spec)));
    let three_way = rate(programs, min, |p| drop(differential(stock, patched, p, Options::default())));
    ThreeWay { two_way, three_way }
}

/// `2026-12-01 15:04:05 UTC`, now (the driver's run id carries the UTC date and time).
pub fn date_utc() -> String {
    let id = crate::drive::plan::run_id(std::time::SystemTime::now());
    let d = id.trim_start_matches("run-");
    match (d.get(0..4), d.get(4..6), d.get(6..8), d.get(9..11), d.get(11..13), d.get(13..15)) {
        (Some(y), Some(mo), Some(da), Some(h), Some(mi), Some(se)) => format!("{y}-{mo}-{da} {h}:{mi}:{se} UTC"),
        _ => id,
    }
}
