//! One scenario suite, two engines: each scenario is written once against `dyn Engine`,
//! with the expected values the kernel's code implies (and why, in its comments), and runs
//! on the model, on the kernel C, and then the two end states are compared in full (every
//! slot, cluster, counter, folio, the tag store and live allocations, at the raw level),
//! so a scenario also catches a difference it does not assert.

mod env;

use swapdiff::compare::{state, Level, Touch};
use swapdiff::engine::{entry, Engine, Event, KernelEngine, ModelEngine, TAG_BYTES};
use swapdiff_contract::SWAPFILE_CLUSTER;

/// Runs `scenario` on the model and on the kernel, then compares their end states and the
/// events neither side took.
pub fn on_both(scenario: fn(&mut dyn Engine)) {
    let mut model = ModelEngine::new();
    scenario(&mut model);
    let mut kernel = KernelEngine::acquire();
    scenario(&mut kernel);
    if let Some(m) = state(&model, &kernel, &Touch::everything(), Level::Raw) {
        panic!("the engines end in different states: {} (model {}, kernel {})", m.detail, m.expected, m.actual);
    }
    assert_eq!(model.take_events(), kernel.take_events(), "events left in the log");
}

/// One device of `clusters` clusters on a reset engine: type 0.
pub fn with_device(e: &mut dyn Engine, clusters: u32, cluster_info: bool) {
    assert_eq!(e.swapon(clusters, cluster_info), 0, "the first device after a reset is type 0");
}

/// Allocates `n` order-0 slots on type 0: the allocator takes offsets 1..=n in order and
/// leaves each `SWAP_HAS_CACHE` (the swap cache's reference, as the kernel's does).
pub fn alloc_n(e: &mut dyn Engine, n: u64) {
    for off in 1..=n {
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, off)));
    }
}

/// Slots 1..=n of type 0 with `count` map references and no cache flag: allocate (0x40),
/// take `count` references, then drop the cache flag with `swapcache_clear`.
pub fn counted(e: &mut dyn Engine, n: u64, count: u32) {
    alloc_n(e, n);
    for off in 1..=n {
        for _ in 0..count {
            assert_eq!(e.swap_duplicate(entry(0, off)), 0);
        }
    }
    // swapcache_clear takes at most SWAPFILE_CLUSTER slots per call.
    let mut first = 1;
    while first <= n {
        let chunk = (n + 1 - first).min(u64::from(SWAPFILE_CLUSTER));
        assert_eq!(e.swapcache_clear(entry(0, first), chunk as i32), 0);
        first += chunk;
    }
    assert_eq!(e.take_events(), Vec::<Event>::new());
}

/// Map bytes of type 0 at `offsets`.
pub fn bytes(e: &dyn Engine, offsets: std::ops::RangeInclusive<u64>) -> Vec<u8> {
    offsets.map(|o| e.map_byte(entry(0, o)).expect("in range")).collect()
}

pub fn tags(v: u8) -> [u8; TAG_BYTES] {
    [v; TAG_BYTES]
}

#[test]
fn the_end_state_comparison_sees_what_no_scenario_asserts() {
    // The control for on_both: a device on one side only is a difference in device_max
    // (512 against 0), found without any assertion of the scenario's.
    let (mut model, kernel) = (ModelEngine::new(), KernelEngine::acquire());
    with_device(&mut model, 1, true);
    assert!(state(&model, &kernel, &Touch::everything(), Level::Raw).is_some());
}
