//! Constants of the modelled kernel configuration (6.12, 4K pages, `CONFIG_THP_SWAP`, arm64
//! MTE) and of the swapdiff.h API, named as the kernel (or the header, without `SD_`)
//! names them so a reader can grep every side. cshim asserts at compile time that each one
//! swapdiff.h defines has the header's value.

// swap_map bytes (include/linux/swap.h)

/// `SWAP_HAS_CACHE`: the swap cache holds the slot (a flag, not a count).
pub const SWAP_HAS_CACHE: u8 = 0x40;
/// `COUNT_CONTINUED`: higher digits of the count live in continuation pages.
pub const COUNT_CONTINUED: u8 = 0x80;
/// `SWAP_MAP_MAX`: the largest low digit kept in the map byte itself.
pub const SWAP_MAP_MAX: u8 = 0x3e;
/// `SWAP_MAP_BAD`: the slot is unusable (the header, or a bad block).
pub const SWAP_MAP_BAD: u8 = 0x3f;
/// `SWAP_MAP_SHMEM`: shmem's single reference (`SWAP_MAP_BAD | COUNT_CONTINUED`).
pub const SWAP_MAP_SHMEM: u8 = 0xbf;
/// `SWAP_CONT_MAX`: the largest digit a continuation page holds.
pub const SWAP_CONT_MAX: u8 = 0x7f;

// cluster_info flags (mm/swapfile.c `CLUSTER_FLAG_*`), as `Engine::cluster` reports them

pub const CLUSTER_FLAG_FREE: u32 = 1;
pub const CLUSTER_FLAG_NONFULL: u32 = 2;
pub const CLUSTER_FLAG_FRAG: u32 = 4;
pub const CLUSTER_FLAG_FULL: u32 = 8;

// the configuration

/// `PAGE_SIZE`: one swap_map page covers this many slots; continuation pages have this size.
pub const PAGE_SIZE: usize = 4096;
/// `SWAPFILE_CLUSTER` with `CONFIG_THP_SWAP` on 4K pages: slots per cluster.
pub const SWAPFILE_CLUSTER: u32 = 512;
/// `MTE_PAGE_TAG_STORAGE`: the 4-bit tags of a page's 256 granules of 16 bytes.
pub const TAG_BYTES: usize = 128;

// the API's environment (swapdiff.h, ENVIRONMENT.md)

/// Swap types `0..MAX_DEVICES` may hold a device.
pub const MAX_DEVICES: u32 = 4;
/// A device spans `1..=MAX_CLUSTERS` clusters.
pub const MAX_CLUSTERS: u32 = 4;
/// Folios have `1 << 0 ..= 1 << MAX_FOLIO_ORDER` pages.
pub const MAX_FOLIO_ORDER: u32 = 4;
/// Live folio handles at once.
pub const MAX_FOLIOS: usize = 8;
/// Continuation list pages `Engine::cont_digits` reports at most.
pub const MAX_CONT_PAGES: usize = 8;
/// Fill byte of a fresh continuation page.
pub const PAGE_POISON: u8 = 0x6b;
/// Largest batch `swapcache_free_entries` accepts (the slot cache's size); larger is refused.
pub const MAX_FREE_ENTRIES: usize = 64;
/// Page flags as `Engine::page_get` and `Engine::page_set` show them (`SD_PG_*`).
pub const PG_MTE_TAGGED: u32 = 1;
pub const PG_MTE_LOCK: u32 = 2;

// device kinds (`swapon`'s `kind` bits, `SD_DEV_*`)

/// `bdev_nonrot()`: `SWP_SOLIDSTATE` and cluster_info; without it the device is rotational.
pub const DEV_SSD: u32 = 1;
/// Swapon with `SWAP_FLAG_DISCARD`: `SWP_DISCARDABLE | SWP_AREA_DISCARD | SWP_PAGE_DISCARD`.
pub const DEV_DISCARD: u32 = 2;

// the allocator and queued work (`SD_*`)

/// `SWAP_NR_ORDERS` (`PMD_ORDER + 1`): per-order lists and per-CPU cluster slots.
pub const NR_ORDERS: u32 = 10;
/// `SWAP_BATCH`: the most entries one `get_swap_pages` call returns.
pub const SWAP_BATCH: usize = 64;
/// `Inspect::work_queued` bits: the device's discard_work / reclaim_work is queued.
pub const WORK_DISCARD: u32 = 1;
pub const WORK_RECLAIM: u32 = 2;
/// List ids of `Inspect::cluster_list`.
pub const LIST_FREE: u32 = 0;
pub const LIST_FULL: u32 = 1;
pub const LIST_DISCARD: u32 = 2;
/// `nonfull_clusters[order]`.
pub const fn list_nonfull(order: u32) -> u32 {
    3 + order
}
/// `frag_clusters[order]`.
pub const fn list_frag(order: u32) -> u32 {
    3 + NR_ORDERS + order
}
/// How many list ids there are (`0..NR_LISTS`).
pub const NR_LISTS: u32 = 3 + 2 * NR_ORDERS;

// errno values (include/uapi/asm-generic/errno-base.h), returned negated as the kernel does

pub const ENOENT: i32 = 2;
pub const ENOMEM: i32 = 12;
pub const EBUSY: i32 = 16;
pub const EEXIST: i32 = 17;
pub const EINVAL: i32 = 22;
pub const ENOSPC: i32 = 28;
