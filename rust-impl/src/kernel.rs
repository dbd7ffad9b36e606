//! Constants of the modelled kernel configuration, named as the kernel names them so a
//! reader can grep both sides. Their values are declared once, in swapdiff-contract (and
//! checked there against swapdiff.h by cshim); a few appear here in the type the model
//! computes with, and two are the model's own.

use swapdiff_contract as contract;

pub use swapdiff_contract::{
    COUNT_CONTINUED, EBUSY, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC, MAX_CLUSTERS, MAX_CONT_PAGES, MAX_FOLIOS,
    MAX_FOLIO_ORDER, MAX_FREE_ENTRIES, PAGE_POISON, PAGE_SIZE, PG_MTE_LOCK, PG_MTE_TAGGED, SWAP_CONT_MAX,
    SWAP_HAS_CACHE, SWAP_MAP_BAD, SWAP_MAP_MAX, SWAP_MAP_SHMEM,
};

/// `SWAPFILE_CLUSTER`, in the u64 that offsets are computed in.
pub const SWAPFILE_CLUSTER: u64 = contract::SWAPFILE_CLUSTER as u64;
/// Swap types `0..MAX_DEVICES` may hold a device: the bound of the model's device table.
pub const MAX_DEVICES: usize = contract::MAX_DEVICES as usize;
/// Cluster flags (`CLUSTER_FLAG_*`) in the byte a model cluster keeps them in.
pub const CLUSTER_FLAG_FREE: u8 = contract::CLUSTER_FLAG_FREE as u8;
pub const CLUSTER_FLAG_NONFULL: u8 = contract::CLUSTER_FLAG_NONFULL as u8;

/// `BITS_PER_LONG`: `cluster_swap_free_nr` works in batches of this many slots.
pub const BITS_PER_LONG: usize = 64;
/// `MAX_SWAPFILES` of the modelled config: types at or above it are "non-swap" entries.
pub const MAX_SWAPFILES: u32 = 27;
pub const CLUSTER_FLAG_FRAG: u8 = contract::CLUSTER_FLAG_FRAG as u8;
pub const CLUSTER_FLAG_FULL: u8 = contract::CLUSTER_FLAG_FULL as u8;

/// `SWAP_NR_ORDERS` (`PMD_ORDER + 1`): percpu `next[]`, `nonfull_clusters[]`,
/// `frag_clusters[]` and `frag_cluster_nr[]` have this many entries.
pub const NR_ORDERS: usize = contract::NR_ORDERS as usize;
/// `PMD_ORDER` on 4K pages: an order-9 allocation is a whole cluster.
pub const PMD_ORDER: u32 = 9;
/// `LATENCY_LIMIT` of `scan_swap_map_slots`.
pub const LATENCY_LIMIT: i32 = 256;

/// The cluster lists, numbered as the inspection API numbers them (`SD_LIST_*`).
pub const LIST_FREE: u8 = contract::LIST_FREE as u8;
pub const LIST_FULL: u8 = contract::LIST_FULL as u8;
pub const LIST_DISCARD: u8 = contract::LIST_DISCARD as u8;
pub const fn list_nonfull(order: u32) -> u8 {
    contract::list_nonfull(order) as u8
}
pub const fn list_frag(order: u32) -> u8 {
    contract::list_frag(order) as u8
}

/// `swapon` kind bits (`SD_DEV_*`).
pub use swapdiff_contract::{DEV_DISCARD, DEV_SSD, WORK_DISCARD, WORK_RECLAIM};
