//! The fuzz entry shared by the cargo-fuzz and AFL targets: bytes in, a
//! differential run, and on divergence a panic whose message starts with the
//! signature (libFuzzer, AFL and OSS-Fuzz dedup crashes on it).

use crate::engine::{KernelEngine, ModelEngine};
use crate::program::{decode, Family};
use crate::render;
use crate::runner::{differential, Options};
use std::cell::RefCell;

thread_local! {
    /// Engines live for the whole fuzzing process: resets are cheaper than
    /// rebuilding, and the kernel singleton is taken once.
    static ENGINES: RefCell<Option<(ModelEngine, KernelEngine)>> = const { RefCell::new(None) };
}

/// Runs one fuzzer input. Panics with the rendered divergence, if any.
pub fn fuzz_one(data: &[u8], family: Family) {
    let program = decode(data, family);
    let found = ENGINES.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (model, kernel) = slot.get_or_insert_with(|| (ModelEngine::new(), KernelEngine::acquire()));
        let run = differential(model, kernel, &program, Options::default());
        run.divergence.as_ref().map(|d| {
            // Re-run with outcomes recorded for a full report; cheap, and only on a find.
            let full = differential(model, kernel, &program, Options { record: true, ..Options::default() });
            let d2 = full.divergence.clone().unwrap_or_else(|| d.clone());
            render::divergence(&full, &d2)
        })
    });
    if let Some(report) = found {
        panic!("{report}");
    }
}

/// The fuzz targets and the op family each draws from.
pub const TARGETS: [(&str, Family); 3] = [
    ("swap_counts", Family::Counts),
    ("mte_tags", Family::Mte),
    ("swap_mte", Family::All),
];

pub fn target_family(name: &str) -> Option<Family> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
