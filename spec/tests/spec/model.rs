//! Hand-written contract-respecting sequences on the 6.12 model (the MTE ones on stock 6.12
//! C too): the spec accepts every return and its views equal the engine's after every step.

use rust_impl::Model;
use swapdiff_contract::prelude::*;
use swapdiff_contract::{entry, Entry, Site, PG_MTE_LOCK, PG_MTE_TAGGED, SWAP_HAS_CACHE, SWAP_MAP_SHMEM};
use swapdiff_spec::{Spec, Verdict};

use crate::common::{first_difference, run_agreeing, step, tags, Call, Call::*};

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
    let e4 = entry(0, 512);
    run_agreeing(
        &mut Model::new(),
        &mut Spec::new(),
        &[
            Swapon(2),
            Alloc(0, 2),  // 512..=515: free cluster 1 (cluster 0, the header's, serves order 0)
            Alloc(0, 0),  // 1: no free cluster left, cluster 0 from nonfull[0] to frag[0]
            Alloc(0, 0),  // 2
            Shmem(e4, 2), // 512, 513: shmem's single reference each
            Count(e4),    // non-zero
            Dup(entry(0, 514), 1, 1),
            Dup(entry(0, 515), SWAP_MAP_SHMEM, 1),
            Dup(entry(0, 514), SWAP_HAS_CACHE, 2), // cached: -EEXIST
            Clear(e4, 4),
            SwapCount(entry(0, 514)),
            FreeNr(e4, 2), // shmem's references go: 512, 513 free
            FreeEntries(vec![entry(0, 2), entry(0, 1)]),
            Prepare(e4, 4), // 512, 513 free: -ENOENT, nothing claimed
            MarkBad(entry(0, 600)),
            MarkBad(entry(0, 600)),   // not free any more: -EBUSY
            SwapCount(entry(0, 515)), // shmem: non-zero
            FreeAndCache(entry(0, 514), 2),
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

/// The runner's `swap_out` composite (src/runner.rs), for a folio of `order` at handle 0
/// on a fresh device of type 0, whose allocator gives `first` (cluster_alloc_swap_entry: a
/// one-cluster SSD gives order 0 at 1, past the header; a larger one takes free cluster 1
/// first, at 512, for any order).
fn composite_swap_out(order: u32, seed: u8, first: u64) -> (Vec<Call>, Entry) {
    let nr = 1u32 << order;
    let e = entry(0, first);
    let mut calls = vec![FolioNew(order)];
    calls.extend((0..nr).map(|i| PageSet(0, i, seed, 1)));
    calls.extend([AllocFolio(0, order, 0), CacheAdd(0), PrepareToSwap(0)]);
    calls.extend((0..u64::from(nr)).map(|i| SwapDup(e + i)));
    calls.extend([CacheDel(0), PutFolio(e, order), FolioFree(0)]);
    (calls, e)
}

/// The runner's `swap_in` composite into handle 0.
fn composite_swap_in(e: Entry, order: u32) -> Vec<Call> {
    let nr = 1i32 << order;
    vec![FolioNew(order), Prepare(e, nr), SetSwap(0, e), CacheAdd(0), SwapRestore(e, 0)]
}

#[test]
fn a_tagged_large_folio_goes_out_and_comes_back_page_by_page_on_model_and_stock_c() {
    let (mut calls, e) = composite_swap_out(2, 9, 512);
    calls.insert(0, Swapon(2));
    calls.extend(composite_swap_in(e, 2));
    let tail = [FreeNr(e, 4), CacheDel(0), PutFolio(e, 2), FolioFree(0)];
    for engine in [&mut Model::new() as &mut dyn Engine, &mut cshim::Kernel::acquire()] {
        let mut spec = Spec::new();
        run_agreeing(engine, &mut spec, &calls);
        // The swap-in folio's page i has the swapped-out page i's tags (the composite's
        // pages were tagged without the lock; the restore takes it and marks them tagged).
        for i in 0..4 {
            assert_eq!(spec.page(0, i), Some((tags(9, i), PG_MTE_TAGGED | PG_MTE_LOCK)));
            assert_eq!(spec.saved_tags(e + u64::from(i)), Some(tags(9, i)));
        }
        // The references move to the folio, the cache goes: the slots are free, and so
        // nothing stays saved for them.
        for (i, c) in tail.iter().enumerate() {
            assert_eq!(step(engine, &mut spec, c), Verdict::Agrees, "{c:?}");
            assert_eq!(first_difference(&mut spec, &*engine), None, "tail step {i} {c:?}");
        }
        assert!(spec.tag_store().is_empty());
        assert!(engine.tag_store().is_empty());
    }
}

#[test]
fn swapoff_drops_the_tags_and_the_cache_of_its_type_only() {
    let (mut calls, _) = composite_swap_out(0, 3, 1);
    // Device 1 has two clusters: its order-1 folio comes from free cluster 1 (1:512).
    calls.splice(0..0, [Swapon(1), Swapon(2)]);
    // A second folio on device 1, left in the swap cache with its tags saved.
    calls.extend([FolioNew(1), PageSet(0, 0, 4, 3), PageSet(0, 1, 4, 3), AllocFolio(1, 1, 0)]);
    calls.extend([CacheAdd(0), PrepareToSwap(0), Swapoff(0)]);
    for engine in [&mut Model::new() as &mut dyn Engine, &mut cshim::Kernel::acquire()] {
        let mut spec = Spec::new();
        run_agreeing(engine, &mut spec, &calls);
        assert_eq!(spec.tag_store().len(), 2, "type 1's two pages stay");
        assert!(spec.folio(0).expect("live").in_cache, "device 1's folio stays cached");
        assert_eq!(step(engine, &mut spec, &Swapoff(1)), Verdict::Agrees);
        assert_eq!(first_difference(&mut spec, &*engine), None);
        assert!(spec.tag_store().is_empty());
        assert!(!spec.folio(0).expect("live").in_cache);
    }
}

#[test]
fn invalidation_names_a_type_by_its_low_six_bits_as_swp_entry_keeps_them() {
    // Tags saved under 1:5 and 63:5 (a folio's entry may be any value). swp_entry keeps a
    // type's low six bits: type 65 is type 1, u32::MAX (-1 as the C int) is type 63, and
    // the area of type 63 ends at the top of the key space.
    let mut calls = vec![FolioNew(0), PageSet(0, 0, 1, 3), SetSwap(0, entry(1, 5)), SaveTags(0, 0)];
    calls.extend([SetSwap(0, entry(63, 5)), SaveTags(0, 0), InvalArea(u32::MAX)]);
    for engine in [&mut Model::new() as &mut dyn Engine, &mut cshim::Kernel::acquire()] {
        let mut spec = Spec::new();
        run_agreeing(engine, &mut spec, &calls);
        assert_eq!(spec.tag_store(), vec![(entry(1, 5), tags(1, 0))]);
        assert_eq!(step(engine, &mut spec, &InvalTags(65, 5)), Verdict::Agrees);
        assert_eq!(first_difference(&mut spec, &*engine), None);
        assert!(spec.tag_store().is_empty());
    }
}
