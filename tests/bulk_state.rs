//! The swap map read as one region (`swap_map`) against the slot-by-slot view
//! (`map_byte`), on both engines, and the region comparison's report: the first
//! differing slot by offset, with the class and values a byte walk gives.

use swapdiff::compare::{state, Level, Touch};
use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, KernelEngine, ModelEngine, CLUSTER};
use swapdiff_contract::setup::counted;
use swapdiff_contract::{COUNT_CONTINUED, SWAP_HAS_CACHE, SWAP_MAP_BAD, SWAP_MAP_MAX};

/// A device with every kind of byte: the header (BAD), cached slots, counted slots, a
/// continued slot (SWAP_MAP_MAX + 1 = 63 references) and free slots.
fn varied<E: Engine + ?Sized>(e: &mut E) {
    // Rotational: the HDD scan hands out 1, 2, 3, ... in order (an SSD of two clusters
    // would start in free cluster 1, at 512).
    assert_eq!(e.swapon(2, 0), 0);
    counted(e, 4, 2);
    alloc_n_from(e, 5, 3);
    let continued = entry(0, 1);
    for _ in 2..=SWAP_MAP_MAX {
        assert_eq!(e.swap_duplicate(continued), 0);
    }
    e.take_events();
}

/// Allocates `n` more order-0 slots; the allocator hands out `first..first + n` in order
/// after `counted` took 1..first (the lowest free slot first, cf. tests/scenarios/env.rs).
fn alloc_n_from<E: Engine + ?Sized>(e: &mut E, first: u64, n: u64) {
    for off in first..first + n {
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, off)));
    }
}

fn region_agrees_with_bytes<E: Engine + ?Sized>(e: &mut E) {
    assert!(e.swap_map(0).is_empty(), "no device, no map");
    varied(e);
    let map = e.swap_map(0).to_vec();
    // Two clusters of CLUSTER slots each: si->max, header included.
    assert_eq!(map.len(), 2 * CLUSTER as usize);
    assert_eq!(map.len(), e.device_max(0) as usize);
    for (off, &byte) in map.iter().enumerate() {
        assert_eq!(e.map_byte(entry(0, off as u64)), Some(byte), "slot {off}");
    }
    // What the set-up wrote, as 6.12 encodes it: the header is BAD; slot 1 has 2 + 61 =
    // 63 references, one past SWAP_MAP_MAX, so __swap_duplicate's carry made its byte
    // COUNT_CONTINUED with the low digit wrapped to 0 (the continuation digit 1 counts
    // SWAP_MAP_MAX + 1); 2..=4 keep 2 references; 5..=7 are allocated and only cached;
    // the rest are free.
    assert_eq!(map[0], SWAP_MAP_BAD);
    assert_eq!(map[1], COUNT_CONTINUED);
    assert_eq!(&map[2..5], &[2, 2, 2]);
    assert_eq!(&map[5..8], &[SWAP_HAS_CACHE; 3]);
    assert!(map[8..].iter().all(|&b| b == 0));
    // Another type has no device.
    assert!(e.swap_map(1).is_empty());
    assert_eq!(e.swapoff(0), 0);
    assert!(e.swap_map(0).is_empty(), "swapoff frees the map");
}

#[test]
fn the_model_region_is_its_bytes() {
    region_agrees_with_bytes(&mut ModelEngine::new());
}

#[test]
fn the_kernel_region_is_its_bytes() {
    region_agrees_with_bytes(&mut KernelEngine::acquire());
}

#[test]
fn the_region_comparison_reports_the_first_differing_slot() {
    let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
    varied(&mut model);
    varied(&mut kernel);
    assert!(state(&model, &kernel, &Touch::everything(), Level::Raw).is_none(), "same calls, same state");
    // Two more references on the model's slot 3 and one on the kernel's slot 6 (cached,
    // so 0x41): no counter or cluster changes, and the report names 0:3, the lower
    // offset, with the model's 4 references against the kernel's 2.
    assert_eq!(model.swap_duplicate(entry(0, 3)), 0);
    assert_eq!(model.swap_duplicate(entry(0, 3)), 0);
    assert_eq!(kernel.swap_duplicate(entry(0, 6)), 0);
    let mut touch = Touch::default();
    touch.slots(0, 0, 2 * u64::from(CLUSTER));
    let m = state(&model, &kernel, &touch, Level::Raw).expect("the maps differ");
    assert_eq!((m.class, m.detail.as_str()), ("map", "swap_map byte of 0:3"));
    assert_eq!((m.expected.as_str(), m.actual.as_str()), ("0x04", "0x02"));
    // At the logical level the same slot differs in its references.
    let m = state(&model, &kernel, &touch, Level::Logical).expect("the counts differ");
    assert_eq!((m.class, m.detail.as_str()), ("count", "references to 0:3"));
    assert_eq!((m.expected.as_str(), m.actual.as_str()), ("4 references, cache false", "2 references, cache false"));
}
