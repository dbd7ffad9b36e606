//! Shared set-up for the model tests: devices with slots in known states, and event
//! constructors.

#![allow(dead_code)]

pub use rust_impl::kernel::*;
pub use rust_impl::{entry, Event, EventKind, Model, Site, REFUSED, TAG_BYTES, TRAPPED};

/// A model with one device of `clusters` clusters (type 0).
pub fn with_device(clusters: u32, cluster_info: bool) -> Model {
    let mut m = Model::new();
    assert_eq!(m.swapon(clusters, cluster_info), 0);
    m
}

/// Allocate `n` order-0 slots on type 0: the allocator takes offsets 1..=n in order and
/// leaves each `SWAP_HAS_CACHE`.
pub fn alloc_n(m: &mut Model, n: u64) {
    for off in 1..=n {
        assert_eq!(m.alloc_swap(0, 0), Ok(entry(0, off)));
    }
}

/// Slots 1..=n of type 0 with `count` map references and no cache flag: allocate (0x40),
/// take `count` references, then drop the cache flag with `swapcache_clear`.
pub fn counted(m: &mut Model, n: u64, count: u32) {
    alloc_n(m, n);
    for off in 1..=n {
        for _ in 0..count {
            assert_eq!(m.swap_duplicate(entry(0, off)), 0);
        }
    }
    // swapcache_clear takes at most SWAPFILE_CLUSTER slots per call.
    let mut first = 1;
    while first <= n {
        let chunk = (n + 1 - first).min(SWAPFILE_CLUSTER);
        assert_eq!(m.swapcache_clear(entry(0, first), chunk as i32), 0);
        first += chunk;
    }
    assert_eq!(m.take_events(), vec![]);
}

pub fn warn(func: &str, text: &str) -> Event {
    Event { kind: EventKind::Warn, func: func.into(), text: text.into() }
}

pub fn bug(func: &str, text: &str) -> Event {
    Event { kind: EventKind::Bug, func: func.into(), text: text.into() }
}

pub fn hang(func: &str, text: &str) -> Event {
    Event { kind: EventKind::Hang, func: func.into(), text: text.into() }
}

pub fn log(func: &str, text: &str) -> Event {
    Event { kind: EventKind::Log, func: func.into(), text: text.into() }
}

/// Map bytes of type 0 at `offsets`.
pub fn bytes(m: &Model, offsets: std::ops::RangeInclusive<u64>) -> Vec<u8> {
    offsets.map(|o| m.map_byte(entry(0, o)).expect("in range")).collect()
}

pub fn tags(v: u8) -> [u8; TAG_BYTES] {
    [v; TAG_BYTES]
}
