//! The harness must catch the bugs it exists for. Each test plants one bug in
//! a copy of the model (a "mutant") and runs the same campaign as
//! tests/campaign.rs against it: the divergence must be found, with the
//! expected signature. Without these, "0 divergences" could mean the
//! comparison compares nothing.

use swapdiff::campaign;
use swapdiff::engine::prelude::*;
use swapdiff::engine::{Delegate, Engine, ModelEngine};

/// The model with one entry point replaced (the others delegate to it).
struct Mutant<const BUG: u8>(ModelEngine);

impl<const BUG: u8> Mutant<BUG> {
    fn new() -> Self {
        Mutant(ModelEngine::new())
    }

    fn pages(&self, folio: u32) -> u32 {
        (0..16).take_while(|&i| self.0.page_get(folio, i).is_some()).count() as u32
    }
}

const RESTORE_SAME_ENTRY: u8 = 1;
const PREPARE_FIRST_PAGE: u8 = 2;
const FREE_FIRST_ONLY: u8 = 3;

impl<const BUG: u8> Delegate for Mutant<BUG> {
    type Inner = ModelEngine;
    fn inner(&self) -> &ModelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut ModelEngine {
        &mut self.0
    }

    /// The THP swap-out review bug: every page restored from the first entry.
    fn arch_swap_restore(&mut self, e: u64, folio: u32) -> i64 {
        if BUG != RESTORE_SAME_ENTRY {
            return self.0.arch_swap_restore(e, folio);
        }
        for i in 0..self.pages(folio) {
            self.0.mte_restore_tags(e, folio, i);
        }
        0
    }

    /// The same review: the loop returns after saving the first page.
    fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        if BUG != PREPARE_FIRST_PAGE {
            return self.0.arch_prepare_to_swap(folio);
        }
        self.0.mte_save_tags(folio, 0)
    }

    /// A batching slip: only the first of `nr` entries loses its reference.
    fn swap_free_nr(&mut self, e: u64, nr: i32) -> i64 {
        let nr = if BUG == FREE_FIRST_ONLY { nr.min(1) } else { nr };
        self.0.swap_free_nr(e, nr)
    }
}

fn signatures<K: Engine>(planted: K) -> Vec<String> {
    let c = campaign::run(&mut swapdiff::oracle::Pair::of(ModelEngine::new(), planted), 1, 3_000);
    c.findings.into_iter().map(|f| f.signature).collect()
}

#[test]
fn restore_from_the_first_entry_only_is_caught_at_arch_swap_restore() {
    let sigs = signatures(Mutant::<RESTORE_SAME_ENTRY>::new());
    // The restored pages' tags differ right after the call.
    assert!(sigs.contains(&"arch_swap_restore/page/arch_swap_restore".to_string()), "{sigs:?}");
}

#[test]
fn saving_only_the_first_page_is_caught_at_arch_prepare_to_swap() {
    let sigs = signatures(Mutant::<PREPARE_FIRST_PAGE>::new());
    // Fewer tag buffers: live tag_storage allocations are a global compared after every step.
    assert!(sigs.iter().any(|s| s.starts_with("arch_prepare_to_swap/")), "{sigs:?}");
}

#[test]
fn a_batched_free_that_frees_one_entry_is_caught_at_swap_free_nr() {
    let sigs = signatures(Mutant::<FREE_FIRST_ONLY>::new());
    assert!(sigs.iter().any(|s| s.starts_with("swap_free_nr/")), "{sigs:?}");
}

#[test]
fn the_faithful_model_agrees_with_itself() {
    // The control: the same wrapper with no bug finds nothing.
    let sigs = signatures(Mutant::<0>::new());
    assert!(sigs.is_empty(), "{sigs:?}");
}
