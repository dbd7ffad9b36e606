//! A rule made wrong on purpose makes the correct 6.12 model disagree: the spec's checks
//! are really in the loop.

use rust_impl::Model;
use swapdiff_contract::entry;
use swapdiff_contract::prelude::*;
use swapdiff_spec::{Spec, Verdict, WrongRule};

use crate::common::{first_difference, run_agreeing, step, swap_out, Call::*};

#[test]
fn a_spec_that_counts_two_per_duplicate_sees_the_model_differ() {
    let (mut m, mut spec) = (Model::new(), Spec::with_wrong_rule(WrongRule::SwapDuplicateAddsTwo));
    let e = entry(0, 1);
    for c in [Swapon(1), Alloc(0, 0), SwapDup(e)] {
        assert_eq!(step(&mut m, &mut spec, &c), Verdict::Agrees);
    }
    // The view comparison catches it at once (spec 2, engine 1)...
    assert_eq!(
        first_difference(&mut spec, &m).as_deref(),
        Some("slot 0:1: spec Used { refs: 2, cached: true }, engine Used { refs: 1, cached: true }")
    );
    // ...and so does the next exact read.
    let mm = step(&mut m, &mut spec, &SwpCount(e)).mismatch().cloned().expect("disagrees");
    assert_eq!((mm.allowed.as_str(), mm.observed.as_str()), ("2", "1"));
}

#[test]
fn a_spec_that_lets_readahead_claim_a_cached_slot_rejects_eexist() {
    let (mut m, mut spec) = (Model::new(), Spec::with_wrong_rule(WrongRule::PrepareOnCachedSucceeds));
    for c in [Swapon(1), Alloc(0, 0)] {
        assert_eq!(step(&mut m, &mut spec, &c), Verdict::Agrees);
    }
    let mm = step(&mut m, &mut spec, &Prepare(entry(0, 1), 1)).mismatch().cloned().expect("disagrees");
    assert_eq!((mm.allowed.as_str(), mm.observed.as_str()), ("0", "-EEXIST"));
}

/// The model with a planted bug: swap_free_nr frees only the first entry of a batch.
struct FreeFirstOnly(Model);

impl swapdiff_contract::Delegate for FreeFirstOnly {
    type Inner = Model;
    fn inner(&self) -> &Model {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut Model {
        &mut self.0
    }
    fn swap_free_nr(&mut self, entry: swapdiff_contract::Entry, nr: i32) -> i64 {
        use swapdiff_contract::prelude::*;
        self.0.swap_free_nr(entry, nr.min(1))
    }
}

#[test]
fn a_correct_spec_catches_an_engine_with_a_planted_bug() {
    // The other direction: the spec right, the engine wrong. Two mapped slots, one batch
    // release: the contract drops a reference from each, the bug only from the first.
    let (mut m, mut spec) = (FreeFirstOnly(Model::new()), Spec::new());
    let calls =
        [Swapon(1), Alloc(0, 0), Alloc(0, 0), SwapDup(entry(0, 1)), SwapDup(entry(0, 2)), FreeNr(entry(0, 1), 2)];
    for c in calls {
        assert_eq!(step(&mut m, &mut spec, &c), Verdict::Agrees);
    }
    assert_eq!(
        first_difference(&mut spec, &m).as_deref(),
        Some("slot 0:2: spec Used { refs: 0, cached: true }, engine Used { refs: 1, cached: true }")
    );
}

#[test]
fn a_spec_whose_restore_expects_nothing_saved_sees_stock_c_differ() {
    // With the rule made wrong, the spec thinks a restore leaves the pages alone; stock 6.12
    // restores them (as it must), so the page view differs at the restore.
    let mut calls = swap_out();
    calls.push(FolioNew(0));
    let mut k = cshim::Kernel::acquire();
    run_agreeing(&mut k, &mut Spec::new(), &calls);
    let e = k.tag_store()[0].0;
    k.env_reset();
    let mut spec = Spec::with_wrong_rule(WrongRule::RestoreFindsNothingSaved);
    spec.env_reset();
    for c in &calls {
        assert_eq!(step(&mut k, &mut spec, c), Verdict::Agrees);
        assert_eq!(first_difference(&mut spec, &k), None);
    }
    assert_eq!(step(&mut k, &mut spec, &RestoreTags(e, 1, 0)), Verdict::Agrees);
    let d = first_difference(&mut spec, &k).expect("stock C differs");
    assert!(d.starts_with("page f1[0]: spec tags 00000000") && d.contains("flags 0 (from folio_new (f1))"), "{d}");
    // The correct spec agrees with stock C on the same program.
    let mut all = calls.clone();
    all.push(RestoreTags(e, 1, 0));
    run_agreeing(&mut k, &mut Spec::new(), &all);
}
