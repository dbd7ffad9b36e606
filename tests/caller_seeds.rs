//! The caller-level targets' seeds (corpus/callers): each is a caller-level program whose bytes
//! decode back to it, and each runs clean through 6.12's and 7.2's C and the spec, by the CLI's
//! engines and by the fuzz targets' entry alike. A seed is stock callers' use of the swap code
//! on paths both series serve the same way, so a finding on one would be a bug in a kernel (or
//! in swapdiff), never the seed's purpose: the fuzzer must start from clean ground.

use std::path::Path;
use swapdiff::caller::engines::Engines;
use swapdiff::corpus::{seed_programs, CALLER_SEED_DIR};

#[test]
fn every_caller_seed_is_clean_on_both_series_and_in_the_fuzz_entry() {
    let (ops, seeds) = seed_programs(Path::new(CALLER_SEED_DIR)).expect("the caller seeds parse");
    assert!(ops.is_empty(), "corpus/callers holds only caller-level programs");
    // 01..08: one per caller path (README.md there lists them).
    assert!(seeds.len() >= 8, "{} seeds", seeds.len());
    let mut bytes = vec![];
    {
        // One run through both series, 6.12's engine taken first (as every holder of both).
        let mut engines = Engines::acquire(&["6.12", "7.2"]);
        for (path, p) in &seeds {
            let b = p.to_bytes().unwrap_or_else(|| panic!("{}: no byte form", path.display()));
            assert_eq!(&swapdiff::caller::CallerProgram::from_bytes(&b), p, "{}", path.display());
            let found = engines.run(p);
            assert!(found.is_none(), "{}: {}", path.display(), found.map(|f| f.describe(p)).unwrap_or_default());
            bytes.push(b);
        }
    }
    // The fuzz targets' entry takes its own engines (the ones above are released): no seed
    // makes it abort, for the cross-series target nor for each series alone.
    for series in ["6.12,7.x", "6.12", "7.x"] {
        for b in &bytes {
            swapdiff::harness::fuzz_callers(b, series);
        }
    }
}
