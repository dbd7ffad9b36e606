//! The spec in the runner and the verdicts it gives: each verdict from a pair of engines
//! built to deserve it (the 6.12 model, and the model with one slip planted through
//! `Delegate`), a wrong spec rule that makes stock 6.12 diverge as *latent* (the spec is
//! really in the loop), and a shared bug that only the spec can see.

use swapdiff::compare::Level;
use swapdiff::engine::prelude::*;
use swapdiff::engine::{Delegate, Entry, KernelEngine, ModelEngine};
use swapdiff::oracle::{Oracle, Pair};
use swapdiff::program::parse;
use swapdiff::runner::{differential_with_spec, Options};
use swapdiff::verdict::Verdict;
use swapdiff_spec::{Spec, WrongRule};

/// The model with a batching slip: `swap_free_nr` drops the first entry's reference only.
struct FreeFirstOnly(ModelEngine);

impl Delegate for FreeFirstOnly {
    type Inner = ModelEngine;
    fn inner(&self) -> &ModelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut ModelEngine {
        &mut self.0
    }
    fn swap_free_nr(&mut self, e: Entry, nr: i32) -> i64 {
        self.0.swap_free_nr(e, nr.min(1))
    }
}

/// The model reporting one more slot in use in every cluster: a difference in what the
/// spec does not read (cluster accounting), with every promise kept.
struct ClusterOffByOne(ModelEngine);

impl Delegate for ClusterOffByOne {
    type Inner = ModelEngine;
    fn inner(&self) -> &ModelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut ModelEngine {
        &mut self.0
    }
    fn cluster(&self, ty: u32, idx: u32) -> Option<(u32, u32)> {
        self.0.cluster(ty, idx).map(|(count, flags)| (count + 1, flags))
    }
}

/// The MTE THP review's bug (../shared/seeds/): `arch_prepare_to_swap` saves the tags of
/// the folio's first page only.
struct PrepareFirstPageOnly(ModelEngine);

impl Delegate for PrepareFirstPageOnly {
    type Inner = ModelEngine;
    fn inner(&self) -> &ModelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut ModelEngine {
        &mut self.0
    }
    fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        self.0.mte_save_tags(folio, 0)
    }
}

/// A folio of 4 pages reclaimed (4 slots, one mapping each), then one zap of all 4
/// mappings: the batched free the slip gets wrong. Contract mode: steering moves the free
/// onto the 4 referenced slots. Two clusters: the order-2 folio's slots come from free
/// cluster 1 (0:512), cluster 0 (the header's) serving order 0 only.
const BATCH_FREE: &str = "swapon 2\nswap_out 0 order=2 seed=3\nswap_free_nr 0:512 nr=4\n";

fn verdict_of<O: Oracle>(mut o: O, src: &str, level: Level) -> (String, Verdict) {
    let p = parse(src).unwrap();
    let run = o.run(&p, Options { level, ..Options::default() });
    let d = run.divergence.clone().expect("the pair diverges");
    (d.signature(), o.verdict(&p, &run, &d, level).verdict)
}

#[test]
fn the_model_against_itself_agrees_and_keeps_every_promise() {
    // The control for the pairs below: without a slip the program is clean.
    let mut o = Pair::of(ModelEngine::new(), ModelEngine::new());
    assert!(o.run(&parse(BATCH_FREE).unwrap(), Options::default()).divergence.is_none());
}

#[test]
fn a_slip_in_the_build_under_test_is_a_regression() {
    // The reference frees all 4 references, as swap_free_nr promises; the slip leaves 3
    // slots referenced: the spec agrees with the reference only.
    let (sig, v) = verdict_of(Pair::of(ModelEngine::new(), FreeFirstOnly(ModelEngine::new())), BATCH_FREE, Level::Raw);
    assert!(sig.starts_with("swap_free_nr/"), "{sig}");
    assert_eq!(v, Verdict::Regression);
}

#[test]
fn the_same_slip_in_the_reference_is_a_fix() {
    let (sig, v) = verdict_of(Pair::of(FreeFirstOnly(ModelEngine::new()), ModelEngine::new()), BATCH_FREE, Level::Raw);
    assert!(sig.starts_with("swap_free_nr/"), "{sig}");
    assert_eq!(v, Verdict::Fix);
}

#[test]
fn a_slip_both_sides_share_is_latent_and_only_the_spec_sees_it() {
    // Both sides leave the same 3 references behind: no raw difference at all, so only the
    // spec finds it (class spec), and the bug predates the "patch".
    let (sig, v) = verdict_of(
        Pair::of(FreeFirstOnly(ModelEngine::new()), FreeFirstOnly(ModelEngine::new())),
        BATCH_FREE,
        Level::Raw,
    );
    assert_eq!(sig, "swap_free_nr/spec/swap_free_nr");
    assert_eq!(v, Verdict::Latent);
}

#[test]
fn a_difference_the_spec_does_not_read_is_a_change() {
    // Cluster counts are encoding: the spec has no say, and neither side breaks a promise
    // later in the program.
    let (sig, v) =
        verdict_of(Pair::of(ModelEngine::new(), ClusterOffByOne(ModelEngine::new())), BATCH_FREE, Level::Raw);
    assert!(sig.contains("/cluster/"), "{sig}");
    assert_eq!(v, Verdict::Change);
}

#[test]
fn a_raw_mode_difference_outside_the_contract_is_a_change() {
    // Zapping mappings of slots only the cache holds is misuse (6.12 underflows the count,
    // rust-impl/NOTES.md item 6): the spec promises nothing there and stops following, so
    // the two sides' different bytes are for the author to judge.
    // Two clusters: the order-2 run is 0:512..0:515 (free cluster 1).
    let raw = "mode raw\nswapon 2\nalloc_swap 0 order=2\nswap_free_nr 0:512 nr=2\n";
    let (sig, v) = verdict_of(Pair::of(ModelEngine::new(), FreeFirstOnly(ModelEngine::new())), raw, Level::Raw);
    assert!(sig.starts_with("swap_free_nr/"), "{sig}");
    assert_eq!(v, Verdict::Change);
}

#[test]
fn a_raw_mode_program_within_the_contract_is_judged_like_contract_mode() {
    // Raw mode only skips steering: these calls respect their contracts as written (4
    // cached slots, one mapping on each of two, both zapped), so the slip is a regression.
    // Two clusters: the order-2 run is 0:512..0:515 (free cluster 1).
    let raw = "mode raw\nswapon 2\nalloc_swap 0 order=2\nswap_duplicate 0:512\nswap_duplicate 0:513\n\
               swap_free_nr 0:512 nr=2\n";
    let (_, v) = verdict_of(Pair::of(ModelEngine::new(), FreeFirstOnly(ModelEngine::new())), raw, Level::Raw);
    assert_eq!(v, Verdict::Regression);
}

#[test]
fn a_wrong_spec_rule_makes_stock_6_12_diverge_as_latent() {
    // With swap_duplicate made to promise two references, the model and stock C (which
    // agree) both break the wrong rule at the first swap_duplicate: the run stops there
    // with class spec. The same program with the true spec is clean: the spec is in the loop.
    let p = parse("swapon 1\nswap_out 0 order=0 seed=1\nswap_duplicate 0:1\n").unwrap();
    let (mut m, mut k) = (ModelEngine::new(), KernelEngine::acquire());
    let wrong = Spec::with_wrong_rule(WrongRule::SwapDuplicateAddsTwo);
    let run = differential_with_spec(&mut m, &mut k, &p, Options::default(), wrong);
    let d = run.divergence.clone().expect("the wrong rule disagrees with 6.12");
    // swap_out is a composite: its mapping references are swap_duplicate calls, and the
    // first one breaks the wrong rule.
    assert_eq!(d.signature(), "swap_duplicate/spec/swap_duplicate");
    let mut o = Pair::of(m, k);
    assert_eq!(o.verdict(&p, &run, &d, Level::Raw).verdict, Verdict::Latent);
    assert!(o.run(&p, Options::default()).divergence.is_none(), "the true spec agrees");
}

#[test]
fn the_mte_thp_bug_is_a_regression_and_shared_it_is_latent() {
    // Reclaim of a tagged 4-page folio: every page's tags must be saved under its own
    // entry. The review's patch saves page 0's only.
    let src = "swapon 2\nswap_out 0 order=2 seed=7\n";
    let (sig, v) = verdict_of(Pair::of(ModelEngine::new(), PrepareFirstPageOnly(ModelEngine::new())), src, Level::Raw);
    assert!(sig.starts_with("arch_prepare_to_swap/"), "{sig}");
    assert_eq!(v, Verdict::Regression);
    // In both engines, only the spec's tag view sees it.
    let both = Pair::of(PrepareFirstPageOnly(ModelEngine::new()), PrepareFirstPageOnly(ModelEngine::new()));
    let (sig, v) = verdict_of(both, src, Level::Raw);
    assert_eq!(sig, "arch_prepare_to_swap/spec/arch_prepare_to_swap");
    assert_eq!(v, Verdict::Latent);
}
