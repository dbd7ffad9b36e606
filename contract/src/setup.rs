//! TEST SUPPORT: the states scenario tests start from, built through the [`Engine`] calls
//! alone, so one helper serves the model's unit tests, the kernel's and the suite run on
//! both. Each one asserts the results the kernel's code gives on a fresh device (they are
//! preconditions: a scenario must not start from a state it did not ask for).

use crate::{entry, Engine, Event, SWAPFILE_CLUSTER, TAG_BYTES};

/// The offsets 6.12's allocator hands out, in order, to order-0 requests on type 0 of a
/// fresh device (nothing allocated, freed or marked since swapon):
/// - an SSD with free clusters: `cluster_alloc_swap_entry` takes `free_clusters` first (clusters
///   1.. in order; cluster 0 holds the header, so `setup_clusters` filed it on
///   `nonfull_clusters[0]`), and `next[0]` walks each one to its end; then cluster 0 from 1;
/// - a one-cluster SSD: no free cluster, so `nonfull_clusters[0]`'s cluster 0, from 1;
/// - a rotational device: `scan_swap_map_slots` from `cluster_next` (1 after swapon), upwards
///   (511 slots at most here: after that the rotational scan searches for a free cluster).
pub fn fresh_offsets<E: Engine + ?Sized>(e: &E, n: u64) -> Vec<u64> {
    let max = u64::from(e.device_max(0));
    let cluster = u64::from(SWAPFILE_CLUSTER);
    let order: Vec<u64> = if e.device_has_clusters(0) {
        (cluster..max).chain(1..cluster.min(max)).collect()
    } else {
        (1..cluster.min(max)).collect()
    };
    assert!(n <= order.len() as u64, "{n} slots: more than this helper knows the order of");
    order[..n as usize].to_vec()
}

/// Allocates `n` order-0 slots on type 0 of a fresh device, asserting the offsets
/// [`fresh_offsets`] gives, each left `SWAP_HAS_CACHE` (the swap cache's reference); returns them.
pub fn alloc_n<E: Engine + ?Sized>(e: &mut E, n: u64) -> Vec<u64> {
    let offsets = fresh_offsets(e, n);
    for &off in &offsets {
        assert_eq!(e.alloc_swap(0, 0), Ok(entry(0, off)));
    }
    offsets
}

/// `n` fresh slots of type 0 (those of [`alloc_n`]) with `count` map references and no cache
/// flag: allocate (0x40), take `count` references, then drop the cache flag with
/// `swapcache_clear`. Returns the offsets.
pub fn counted<E: Engine + ?Sized>(e: &mut E, n: u64, count: u32) -> Vec<u64> {
    let offsets = alloc_n(e, n);
    for &off in &offsets {
        for _ in 0..count {
            assert_eq!(e.swap_duplicate(entry(0, off)), 0);
        }
    }
    // swapcache_clear takes a run inside one cluster per call (at most SWAPFILE_CLUSTER slots).
    let cluster = u64::from(SWAPFILE_CLUSTER);
    let mut i = 0;
    while i < offsets.len() {
        let first = offsets[i];
        let mut len = 1;
        while i + len < offsets.len()
            && offsets[i + len] == first + len as u64
            && !(first + len as u64).is_multiple_of(cluster)
        {
            len += 1;
        }
        assert_eq!(e.swapcache_clear(entry(0, first), len as i32), 0);
        i += len;
    }
    assert_eq!(e.take_events(), Vec::<Event>::new());
    offsets
}

/// Map bytes of type 0 at `offsets`.
pub fn bytes<E: Engine + ?Sized>(e: &E, offsets: std::ops::RangeInclusive<u64>) -> Vec<u8> {
    offsets.map(|o| e.map_byte(entry(0, o)).expect("in range")).collect()
}

/// A page's tags, every byte `v`.
pub fn tags(v: u8) -> [u8; TAG_BYTES] {
    [v; TAG_BYTES]
}
