//! Constants of the modelled kernel configuration (6.12, 4K pages, `CONFIG_THP_SWAP`,
//! arm64 MTE), named as the kernel names them so a reader can grep both sides.

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

/// `PAGE_SIZE`: one swap_map page covers this many slots; continuation pages have this size.
pub const PAGE_SIZE: usize = 4096;
/// `SWAPFILE_CLUSTER` with `CONFIG_THP_SWAP` on 4K pages.
pub const SWAPFILE_CLUSTER: u64 = 512;
/// `BITS_PER_LONG`: `cluster_swap_free_nr` works in batches of this many slots.
pub const BITS_PER_LONG: usize = 64;
/// `MAX_SWAPFILES` of the modelled config: types at or above it are "non-swap" entries.
pub const MAX_SWAPFILES: u32 = 27;

/// Swap types 0..MAX_DEVICES may hold a device (SD_MAX_DEVICES).
pub const MAX_DEVICES: usize = 4;
/// A device spans 1..=MAX_CLUSTERS clusters (SD_MAX_CLUSTERS).
pub const MAX_CLUSTERS: u32 = 4;
/// Folios have 1 << 0 ..= 1 << MAX_FOLIO_ORDER pages (SD_MAX_FOLIO_ORDER).
pub const MAX_FOLIO_ORDER: u32 = 4;
/// Live folio handles at once (SD_MAX_FOLIOS).
pub const MAX_FOLIOS: usize = 8;
/// Continuation list pages reported by inspection (SD_MAX_CONT_PAGES).
pub const MAX_CONT_PAGES: usize = 8;
/// Fill byte of a fresh continuation page (SD_PAGE_POISON).
pub const PAGE_POISON: u8 = 0x6b;
/// Largest batch `swapcache_free_entries` accepts through the API (the slot cache size).
pub const MAX_FREE_ENTRIES: usize = 64;

/// Cluster flags (`CLUSTER_FLAG_*`).
pub const CLUSTER_FLAG_FREE: u8 = 1;
pub const CLUSTER_FLAG_NONFULL: u8 = 2;
pub const CLUSTER_FLAG_FRAG: u8 = 4;
pub const CLUSTER_FLAG_FULL: u8 = 8;

/// Page flags as the API shows them (SD_PG_*).
pub const PG_MTE_TAGGED: u32 = 1;
pub const PG_MTE_LOCK: u32 = 2;

/// errno values returned negated, as the kernel does.
pub const ENOENT: i32 = 2;
pub const ENOMEM: i32 = 12;
pub const EBUSY: i32 = 16;
pub const EEXIST: i32 = 17;
pub const EINVAL: i32 = 22;
pub const ENOSPC: i32 = 28;
