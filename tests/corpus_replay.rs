//! Every seed in corpus/seeds runs through both engines without divergence.

use std::path::Path;
use swapdiff::engine::{KernelEngine, ModelEngine};
use swapdiff::runner::{differential, Options};

#[test]
fn every_seed_agrees_on_stock_kernel() {
    let seeds = swapdiff::corpus::text_programs(Path::new("corpus/seeds")).expect("seed corpus parses");
    assert!(seeds.len() >= 30, "the seed corpus shrank to {}", seeds.len());
    let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
    let mut failures = vec![];
    for (path, p) in &seeds {
        let run = differential(&mut model, &mut kernel, p, Options { record: true });
        if let Some(d) = &run.divergence {
            failures.push(format!("{}:\n{}", path.display(), swapdiff::render::divergence(&run, d)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
