//! The values ops carry (slots, devices) and their domains. The ops
//! themselves are the rows of `table.rs`.
//!
//! Parameter domains are fixed here and shared by the text form and the byte
//! decoder, so every program either form can express is a program the other
//! can express too.

/// A swap slot: swap type and offset, as a page table entry carries them.
///
/// Types run over all 5 bits of the encoding (0..=31), past `MAX_SWAPFILES`
/// (27): raw mode hands the kernel entries a corrupted page table would, so
/// the bounds checks that defend against them run. Only 0..=3 can hold a
/// device; contract mode keeps to [`Slot::MAX_CALLER_TYPE`]. Offsets run to
/// twice the largest device, so past-the-end offsets are common.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    pub ty: u8,
    pub off: u16,
}

impl Slot {
    pub const MAX_TYPE: u8 = 31;
    /// The types contract mode keeps to (steering folds the rest into them):
    /// below `MAX_SWAPFILES`, the types a caller's entries can carry.
    pub const MAX_CALLER_TYPE: u8 = 7;
    pub const MAX_OFF: u16 = 4095;
    pub fn entry(self) -> u64 {
        crate::engine::entry(u32::from(self.ty), u64::from(self.off))
    }
}

/// Domains of the numeric parameters (inclusive bounds).
pub mod domain {
    /// Pages per batched call (`nr`): a whole cluster at most.
    pub const NR: (u16, u16) = (1, 512);
    /// Folio orders 0..=4 (1..=16 pages).
    pub const ORDER: (u8, u8) = (0, 4);
    /// Repeat count of bulk ops: enough to pass 62 + 63 * 127 references.
    pub const TIMES: (u16, u16) = (1, 20_000);
    /// Clusters per device.
    pub const CLUSTERS: (u8, u8) = (1, 4);
    /// Folio handles.
    pub const FOLIO: (u8, u8) = (0, 7);
    /// Page index in a folio.
    pub const PAGE: (u8, u8) = (0, 15);
    /// Nth allocation that fails (0 disarms).
    pub const NTH: (u8, u8) = (0, 32);
    /// Entries passed to `swapcache_free_entries`.
    pub const ENTRIES: (usize, usize) = (1, 8);
}

/// The `usage` byte of `__swap_duplicate`: the three the kernel passes, or any.
pub const USAGE_MAP: u8 = 1;
pub use swapdiff_contract::{SWAP_HAS_CACHE, SWAP_MAP_SHMEM};

/// A device `swapon` adds: clusters (1..=4), whether it is an SSD (`DEV_SSD`: it has
/// cluster_info; without, rotational) and whether it discards (`DEV_DISCARD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Device {
    pub clusters: u8,
    pub cluster_info: bool,
    pub discard: bool,
}

impl Device {
    /// The `swapon` kind bits (`DEV_SSD`, `DEV_DISCARD`).
    pub fn kind(&self) -> u32 {
        use swapdiff_contract::{DEV_DISCARD, DEV_SSD};
        (if self.cluster_info { DEV_SSD } else { 0 }) | if self.discard { DEV_DISCARD } else { 0 }
    }
}

/// Which ops a fuzz target draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// The swap-count machine only.
    Counts,
    /// MTE tag save/restore with just enough swap to give folios entries.
    Mte,
    /// Everything.
    All,
}

/// The 128 tag bytes a `seed` stands for: distinct per seed and per granule,
/// so a page restored from the wrong entry never passes for the right one.
pub fn tags_from_seed(seed: u8, page: u8) -> [u8; crate::engine::TAG_BYTES] {
    let mut t = [0u8; crate::engine::TAG_BYTES];
    for (i, b) in t.iter_mut().enumerate() {
        // Two 4-bit tags per byte; mix seed, page and position.
        let x = (seed as usize).wrapping_mul(31) ^ (page as usize).wrapping_mul(131) ^ i.wrapping_mul(7);
        *b = (x as u8).wrapping_add(seed);
    }
    t
}
