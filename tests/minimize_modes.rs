//! The minimizer on real runs (the model against the kernel C, with a divergence
//! planted in the model): a raw-mode finding that still diverges when steered is
//! continued steered, one that does not stays raw, and both end small.

use std::path::Path;
use swapdiff::engine::prelude::*;
use swapdiff::engine::{Delegate, KernelEngine, ModelEngine};
use swapdiff::oracle::Pair;
use swapdiff::program::{parse, Mode};

/// The model with the THP review bug: every page restored from the first entry
/// (as tests/findings.rs plants it), and `__swap_duplicate` answering -EINVAL for
/// the usage byte 0x05, which no caller passes (steering maps it to one they do).
mod support;

struct Planted(ModelEngine);
impl Delegate for Planted {
    type Inner = ModelEngine;
    fn inner(&self) -> &ModelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut ModelEngine {
        &mut self.0
    }
    fn arch_swap_restore(&mut self, e: u64, folio: u32) -> i64 {
        support::restore_every_page_from_first_entry(&mut self.0, e, folio)
    }
    fn __swap_duplicate(&mut self, entry: u64, usage: u8, nr: i32) -> i64 {
        if usage == 0x05 {
            return -22;
        }
        self.0.__swap_duplicate(entry, usage, nr)
    }
}

fn oracle() -> Pair<Planted, KernelEngine> {
    Pair::of(Planted(ModelEngine::new()), KernelEngine::acquire())
}

#[test]
fn a_raw_finding_that_diverges_steered_too_is_minimized_steered() {
    // The restore bug reached legally (the entry is a cached allocation, as steering
    // requires of folio_set_swap), behind raw-mode noise: a free of a slot nobody
    // holds (a warning on both sides, misuse a contract-mode run never makes).
    let p = parse(
        "mode raw\nswapon 2\nswap_free_nr 0:9 nr=3\nalloc_swap 0 order=1\nfolio_new order=1\n\
         page_set f0 page=0 seed=4 flags=1\nfolio_set_swap f0 0:2\narch_prepare_to_swap f0\narch_swap_restore 0:2 f0\n",
    )
    .unwrap();
    let m = swapdiff::minimize::minimize(&mut oracle(), &p, Default::default()).expect("it diverges");
    assert_eq!(m.signature, "arch_swap_restore/page/arch_swap_restore");
    // Steered: the executed steps of a contract-mode run, which the spec judges.
    assert_eq!(m.program.mode, Mode::Steered, "{}", m.program);
    // No larger than the hand-minimal program of the catalog's entry for the same bug,
    // mte-restore-same-entry (a folio, a tagged page 0, the save, the restore).
    let hand = std::fs::read_to_string(Path::new("corpus/known-bugs/mte-restore-same-entry/minimal.txt")).unwrap();
    let hand = swapdiff::catalog::count_ops(&hand).unwrap();
    assert!(m.after <= hand, "{} ops, hand-minimal {hand}:\n{}", m.after, m.program);
}

#[test]
fn a_raw_finding_only_raw_mode_shows_stays_raw() {
    // usage=0x05 is the divergence itself: steered, it becomes a usage callers pass,
    // and the divergence goes, so the program must stay raw (and lose its noise).
    let p = parse("mode raw\nswapon 3 nocluster\nalloc_swap 0 order=2\nswap_duplicate 0:6 x9\n__swap_duplicate 0:5 usage=0x05 nr=3\n")
        .unwrap();
    let m = swapdiff::minimize::minimize(&mut oracle(), &p, Default::default()).expect("it diverges");
    assert_eq!(m.program.mode, Mode::Raw, "{}", m.program);
    assert_eq!(m.signature.split('/').next(), Some("__swap_duplicate"));
    // What remains: a device (without one the kernel answers -EINVAL as well, the
    // planted answer, and nothing differs) and the call, every size and slot at its
    // lowest (0:0, the header slot: the kernel gets as far as the usage check there).
    assert_eq!(m.program.to_string(), "mode raw\nswapon 1\n__swap_duplicate 0:0 usage=0x05 nr=1\n");
}
