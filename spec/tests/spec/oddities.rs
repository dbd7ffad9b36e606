//! Where the 6.12 model mirrors a kernel oddity the spec does not promise: the spec must
//! disagree, and say where.

use rust_impl::Model;
use swapdiff_contract::entry;
use swapdiff_contract::prelude::*;
use swapdiff_contract::families::Count;
use swapdiff_spec::{Spec, Verdict};

use crate::common::{run_agreeing, step, Call::*};

#[test]
fn swp_swapcount_of_shmem_is_outside_its_contract_where_6_12_traps() {
    // NOTES.md item 5: swp_swapcount follows SWAP_MAP_SHMEM's COUNT_CONTINUED bit and, with
    // no continuation list on the map page, BUGs. Its one caller (smaps, fs/proc/task_mmu.c)
    // reads entries out of page tables, where shmem's entry never is: the spec promises
    // nothing there (an earlier rule promised the total, 1; the stock hunt showed 6.12
    // BUGs, and the callers decide that the rule, not the kernel, was wrong).
    let (mut m, mut spec) = (Model::new(), Spec::new());
    let e = entry(0, 1);
    run_agreeing(&mut m, &mut spec, &[Swapon(1), Alloc(0, 0), Shmem(e, 1)]);
    let v = step(&mut m, &mut spec, &SwpCount(e));
    assert_eq!(v, Verdict::Unpromised("shmem's entry is in no page table"));
    assert_eq!(spec.lost(), None, "a count read changes nothing");
}

#[test]
fn swp_swapcount_of_shmem_next_to_a_deep_count_reads_a_digit_and_is_unpromised() {
    // Item 5 again: with a continuation list on the map page (slot 1 holds 100 mappings),
    // 6.12 reads shmem's slot as 63 + its digit * 63; no caller asks, so no promise.
    let (mut m, mut spec) = (Model::new(), Spec::new());
    let mut calls = vec![Swapon(1), Alloc(0, 0), Alloc(0, 0)];
    calls.extend(std::iter::repeat_n(SwapDup(entry(0, 1)), 100));
    calls.push(Shmem(entry(0, 2), 1));
    run_agreeing(&mut m, &mut spec, &calls);
    assert!(m.swp_swapcount(entry(0, 2)) >= 63, "the model mirrors the digit read");
    let v = step(&mut m, &mut spec, &SwpCount(entry(0, 2)));
    assert_eq!(v, Verdict::Unpromised("shmem's entry is in no page table"));
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
    // The model's item 5 is the kernel's: the extracted 6.12 code BUGs the same way, in a
    // call the spec makes no promise for (see above).
    let (mut k, mut spec) = (cshim::Kernel::acquire(), Spec::new());
    let e = entry(0, 1);
    run_agreeing(&mut k, &mut spec, &[Swapon(1), Alloc(0, 0), Shmem(e, 1)]);
    assert_eq!(k.swp_swapcount(e), swapdiff_contract::TRAPPED);
    k.env_reset();
    run_agreeing(&mut k, &mut spec, &[Swapon(1), Alloc(0, 0), Shmem(e, 1)]);
    assert_eq!(step(&mut k, &mut spec, &SwpCount(e)), Verdict::Unpromised("shmem's entry is in no page table"));
}
