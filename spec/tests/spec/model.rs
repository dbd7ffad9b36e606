//! Hand-written contract-respecting sequences on the 6.12 model: the spec accepts every
//! return and its view equals the model's after every step.

use rust_impl::Model;
use swapdiff_contract::{entry, Site, SWAP_HAS_CACHE, SWAP_MAP_SHMEM};
use swapdiff_spec::Spec;

use crate::common::{run_agreeing, Call::*};

#[test]
fn a_folio_swapped_out_mapped_twice_and_back_in() {
    let e = entry(0, 1);
    run_agreeing(
        &mut Model::new(),
        &mut Spec::new(),
        &[
            Swapon(1),
            // Order 0 on a fresh device: offset 1 is the only slot the spec needs it to be
            // aligned, free and past the header; the model's lowest-first choice is allowed.
            Alloc(0, 0),
            SwapDup(e),
            SwapDup(e),
            Count(e),
            SwapCount(e),
            SwpCount(e),
            // The cache already holds it: readahead must be told -EEXIST.
            Prepare(e, 1),
            Clear(e, 1),
            // Not cached any more, two mappings: readahead may claim it.
            Prepare(e, 1),
            FreeNr(e, 1),
            FreeNr(e, 1),
            Count(e),
            // Cache only: the last release frees it.
            PutFolio(e, 0),
            SwpCount(e),
            // Free: -ENOENT.
            Prepare(e, 1),
        ],
    );
}

#[test]
fn counts_past_the_map_byte_are_exact_and_come_back_down() {
    // 200 mappings are well past what one map byte holds in 6.12 (62): the spec knows no
    // digits, only 200, and the model's continuation pages must read back as 200.
    let e = entry(0, 1);
    let mut calls = vec![Swapon(1), Alloc(0, 0)];
    calls.extend(std::iter::repeat_n(SwapDup(e), 200));
    calls.extend([Count(e), SwpCount(e), Clear(e, 1)]);
    calls.extend(std::iter::repeat_n(FreeNr(e, 1), 150));
    calls.extend([SwpCount(e), Count(e)]);
    calls.extend(std::iter::repeat_n(FreeNr(e, 1), 50));
    calls.push(SwpCount(e));
    run_agreeing(&mut Model::new(), &mut Spec::new(), &calls);
}

#[test]
fn batches_shmem_and_the_slot_cache() {
    let e4 = entry(0, 4);
    run_agreeing(
        &mut Model::new(),
        &mut Spec::new(),
        &[
            Swapon(2),
            Alloc(0, 2),  // 4..=7 (aligned; 1..=3 cannot hold an order-2 folio)
            Alloc(0, 0),  // 1
            Alloc(0, 0),  // 2
            Shmem(e4, 2), // 4, 5: shmem's single reference each
            Count(e4),    // non-zero
            Dup(entry(0, 6), 1, 1),
            Dup(entry(0, 7), SWAP_MAP_SHMEM, 1),
            Dup(entry(0, 6), SWAP_HAS_CACHE, 2), // cached: -EEXIST
            Clear(e4, 4),
            SwapCount(entry(0, 6)),
            FreeNr(e4, 2), // shmem's references go: 4, 5 free
            FreeEntries(vec![entry(0, 2), entry(0, 1)]),
            Prepare(e4, 4), // 4, 5 free: -ENOENT, nothing claimed
            MarkBad(entry(0, 600)),
            MarkBad(entry(0, 600)), // not free any more: -EBUSY
            SwapCount(entry(0, 7)), // shmem: non-zero
            FreeAndCache(entry(0, 6), 2),
            Alloc(1, 0), // no device 1: -EINVAL
            Swapoff(0),
            Swapoff(0), // gone: -EINVAL
            Swapon(1),
        ],
    );
}

#[test]
fn an_armed_fault_may_fail_a_duplicate_and_takes_no_reference() {
    // Armed at the first continuation page: in 6.12 the 63rd mapping needs one, and
    // swap_duplicate reports -ENOMEM. The spec allows that while armed (and not after).
    let e = entry(0, 1);
    let mut calls = vec![Swapon(1), Alloc(0, 0), Fault(Site::ContPage, 1)];
    calls.extend(std::iter::repeat_n(SwapDup(e), 70));
    calls.extend([SwpCount(e), Cont(e)]);
    run_agreeing(&mut Model::new(), &mut Spec::new(), &calls);
}
