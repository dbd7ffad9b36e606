//! TEST SUPPORT: the states scenario tests start from, built through the [`Engine`] calls
//! alone, so one helper serves the model's unit tests, the kernel's and the suite run on
//! both. Each one asserts the results the kernel's code gives on a fresh device (they are
//! preconditions: a scenario must not start from a state it did not ask for).

use crate::{entry, Engine, Event, SWAPFILE_CLUSTER, TAG_BYTES};

/// Allocates `n` order-0 slots on type 0 of a fresh device: the allocator takes offsets
/// 1..=n in order and leaves each `SWAP_HAS_CACHE` (the swap cache's reference).
pub fn alloc_n<E: Engine + ?Sized>(e: &mut E, n: u64) {
    for off in 1..=n {
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, off)));
    }
}

/// Slots 1..=n of type 0 with `count` map references and no cache flag: allocate (0x40),
/// take `count` references, then drop the cache flag with `swapcache_clear`.
pub fn counted<E: Engine + ?Sized>(e: &mut E, n: u64, count: u32) {
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
pub fn bytes<E: Engine + ?Sized>(e: &E, offsets: std::ops::RangeInclusive<u64>) -> Vec<u8> {
    offsets.map(|o| e.map_byte(entry(0, o)).expect("in range")).collect()
}

/// A page's tags, every byte `v`.
pub fn tags(v: u8) -> [u8; TAG_BYTES] {
    [v; TAG_BYTES]
}
