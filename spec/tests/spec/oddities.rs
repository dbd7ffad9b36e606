//! Where the 6.12 model mirrors a kernel oddity the spec does not promise: the spec must
//! disagree, and say where.

use rust_impl::Model;
use swapdiff_contract::entry;
use swapdiff_contract::prelude::*;
use swapdiff_spec::{Spec, Verdict};

use crate::common::{run_agreeing, step, Call::*};

#[test]
fn swp_swapcount_of_shmem_is_one_reference_but_6_12_traps() {
    // NOTES.md item 5: swp_swapcount follows SWAP_MAP_SHMEM's COUNT_CONTINUED bit and, with
    // no continuation list on the map page, BUGs. The contract of swp_swapcount is the total
    // number of references, and shmem holds exactly one.
    let (mut m, mut spec) = (Model::new(), Spec::new());
    let e = entry(0, 1);
    run_agreeing(&mut m, &mut spec, &[Swapon(1), Alloc(0, 0), Shmem(e, 1)]);
    let v = step(&mut m, &mut spec, &SwpCount(e));
    let mm = v.mismatch().expect("the spec disagrees");
    assert_eq!(mm.call, "swp_swapcount(0:1)");
    assert_eq!((mm.allowed.as_str(), mm.observed.as_str()), ("1", "TRAPPED"));
}

#[test]
fn swp_swapcount_of_shmem_next_to_a_deep_count_reads_a_digit() {
    // Item 5 again: with a continuation list on the map page (slot 1 holds 100 mappings),
    // 6.12 reads shmem's slot as 63 + its digit * 63 instead of 1.
    let (mut m, mut spec) = (Model::new(), Spec::new());
    let mut calls = vec![Swapon(1), Alloc(0, 0), Alloc(0, 0)];
    calls.extend(std::iter::repeat_n(SwapDup(entry(0, 1)), 100));
    calls.push(Shmem(entry(0, 2), 1));
    run_agreeing(&mut m, &mut spec, &calls);
    let v = step(&mut m, &mut spec, &SwpCount(entry(0, 2)));
    let mm = v.mismatch().expect("the spec disagrees");
    assert_eq!(mm.allowed, "1");
    let observed: i64 = mm.observed.parse().expect("a count");
    assert!(observed >= 63, "{observed}");
}

#[test]
fn swap_free_nr_on_a_slot_without_a_reference_is_outside_the_contract() {
    // Item 6 (underflow to 0xff) is reachable only by dropping a reference a slot does not
    // hold: the spec makes no promise there and says it lost track of the state.
    let (mut m, mut spec) = (Model::new(), Spec::new());
    run_agreeing(&mut m, &mut spec, &[Swapon(1), Alloc(0, 0), Alloc(0, 0), SwapDup(entry(0, 1))]);
    let v = step(&mut m, &mut spec, &FreeNr(entry(0, 1), 2));
    assert_eq!(v, Verdict::Unpromised("a slot without a reference"));
    assert!(spec.lost().is_some());
    assert_eq!(m.map_byte(entry(0, 2)), Some(0xff), "the model mirrors the underflow");
    // Reset brings the spec back.
    m.env_reset();
    spec.env_reset();
    assert_eq!(spec.lost(), None);
}

#[test]
fn stock_6_12_c_traps_on_swp_swapcount_of_shmem_too() {
    // The model's item 5 is the kernel's: the extracted 6.12 code BUGs the same way. This is
    // where a stock hunt against the spec finds a *latent* disagreement (no 6.12 caller is
    // known to pass shmem's entry here; the spec still promises the total, 1).
    let (mut k, mut spec) = (cshim::Kernel::acquire(), Spec::new());
    let e = entry(0, 1);
    run_agreeing(&mut k, &mut spec, &[Swapon(1), Alloc(0, 0), Shmem(e, 1)]);
    let mm = step(&mut k, &mut spec, &SwpCount(e)).mismatch().cloned().expect("the spec disagrees");
    assert_eq!((mm.allowed.as_str(), mm.observed.as_str()), ("1", "TRAPPED"));
}
