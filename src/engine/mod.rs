//! The one interface both implementations answer to.
//!
//! The runner, the comparison and everything above them see only [`Engine`]:
//! [`kernel`] adapts the extracted kernel C (cshim), [`model`] the Rust
//! reimplementation (rust-impl). Method names are the kernel's own, so a
//! kernel entry point's three faces (C wrapper `sd_K`, model method `K`,
//! op `K`) are found by one search.

mod kernel;
mod forward;
mod model;

pub use kernel::{kernel_version, patches_applied, KernelEngine};
pub use model::ModelEngine;

/// A raw `swp_entry_t` value: `type << 58 | offset`.
pub type Entry = u64;

/// Bits of an entry below the type (generic swapops.h encoding).
pub const SWP_TYPE_SHIFT: u32 = 58;
/// Returned by an entry point that hit BUG() or hung (`SD_TRAPPED`).
pub const TRAPPED: i64 = -100_000;
/// Returned when the argument guards refused the call (`SD_REFUSED`).
pub const REFUSED: i64 = -100_001;
/// Tag bytes per 4K page (`MTE_PAGE_TAG_STORAGE`).
pub const TAG_BYTES: usize = 128;
/// Swap types that may hold a device.
pub const MAX_DEVICES: u32 = 4;
/// Slots per cluster (`SWAPFILE_CLUSTER` with `CONFIG_THP_SWAP`).
pub const CLUSTER: u32 = 512;

pub fn entry(ty: u32, offset: u64) -> Entry {
    (u64::from(ty) << SWP_TYPE_SHIFT) | offset
}
pub fn entry_type(e: Entry) -> u32 {
    (e >> SWP_TYPE_SHIFT) as u32
}
pub fn entry_offset(e: Entry) -> u64 {
    e & ((1 << SWP_TYPE_SHIFT) - 1)
}

/// Allocation sites with fault injection and live counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    ContPage,
    TagStorage,
    XaNode,
}

impl Site {
    pub const ALL: [Site; 3] = [Site::ContPage, Site::TagStorage, Site::XaNode];
    pub fn name(self) -> &'static str {
        match self {
            Site::ContPage => "cont_page",
            Site::TagStorage => "tag_storage",
            Site::XaNode => "xa_node",
        }
    }
    pub fn from_name(s: &str) -> Option<Site> {
        Site::ALL.into_iter().find(|x| x.name() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    Warn,
    Bug,
    Hang,
    Log,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Warn => "WARN",
            EventKind::Bug => "BUG",
            EventKind::Hang => "HANG",
            EventKind::Log => "LOG",
        }
    }
}

/// A warning, BUG, hang or log line: where (`func`) and what (`text`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Event {
    pub kind: EventKind,
    pub func: String,
    pub text: String,
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in {}: {}", self.kind.name(), self.func, self.text)
    }
}

/// The environment services and kernel entry points of `cshim/include/swapdiff.h`.
///
/// Return values follow the header: entry points return the kernel's value
/// (0 for void), [`TRAPPED`] after a BUG or hang, [`REFUSED`] when guarded.
#[allow(clippy::too_many_arguments)]
pub trait Engine {
    /// A short name for reports ("kernel", "model").
    fn name(&self) -> &'static str;

    // environment
    fn env_reset(&mut self);
    fn set_mte(&mut self, on: bool);
    fn swapon(&mut self, nr_clusters: u32, with_cluster_info: bool) -> i32;
    fn swapoff(&mut self, ty: u32) -> i32;
    fn mark_bad(&mut self, entry: Entry) -> i32;
    fn alloc_swap(&mut self, ty: u32, order: u32) -> Result<Entry, i32>;
    fn fault_arm(&mut self, site: Site, nth: u32);
    fn folio_new(&mut self, order: u32) -> i32;
    fn folio_free(&mut self, folio: u32) -> i32;
    fn folio_set_swap(&mut self, folio: u32, entry: Entry) -> i32;
    fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES], flags: u32) -> i32;
    fn swapcache_add(&mut self, folio: u32) -> i32;
    fn swapcache_del(&mut self, folio: u32) -> i32;
    fn folio_set_mapped(&mut self, folio: u32, mapped: bool) -> i32;

    // kernel entry points
    fn __swap_duplicate(&mut self, entry: Entry, usage: u8, nr: i32) -> i64;
    fn swap_duplicate(&mut self, entry: Entry) -> i64;
    fn swapcache_prepare(&mut self, entry: Entry, nr: i32) -> i64;
    fn swap_shmem_alloc(&mut self, entry: Entry, nr: i32) -> i64;
    fn swapcache_clear(&mut self, entry: Entry, nr: i32) -> i64;
    fn add_swap_count_continuation(&mut self, entry: Entry) -> i64;
    fn swap_free_nr(&mut self, entry: Entry, nr: i32) -> i64;
    fn put_swap_folio(&mut self, entry: Entry, order: u32) -> i64;
    fn swapcache_free_entries(&mut self, entries: &[Entry]) -> i64;
    fn free_swap_and_cache_nr(&mut self, entry: Entry, nr: i32) -> i64;
    fn __swap_count(&mut self, entry: Entry) -> i64;
    fn swap_swapcount(&mut self, entry: Entry) -> i64;
    fn swp_swapcount(&mut self, entry: Entry) -> i64;
    fn arch_prepare_to_swap(&mut self, folio: u32) -> i64;
    fn arch_swap_restore(&mut self, entry: Entry, folio: u32) -> i64;
    fn mte_save_tags(&mut self, folio: u32, idx: u32) -> i64;
    fn mte_restore_tags(&mut self, entry: Entry, folio: u32, idx: u32) -> i64;
    fn mte_invalidate_tags(&mut self, ty: u32, offset: u64) -> i64;
    fn mte_invalidate_tags_area(&mut self, ty: u32) -> i64;
    fn arch_swap_invalidate_page(&mut self, ty: u32, offset: u64) -> i64;
    fn arch_swap_invalidate_area(&mut self, ty: u32) -> i64;

    // inspection
    fn device_max(&self, ty: u32) -> u32;
    fn device_has_clusters(&self, ty: u32) -> bool;
    fn device_inuse_pages(&self, ty: u32) -> u32;
    fn map_byte(&self, entry: Entry) -> Option<u8>;
    fn cont_digits(&self, entry: Entry) -> Vec<u8>;
    fn cluster(&self, ty: u32, idx: u32) -> Option<(u32, u32)>;
    fn nr_swap_pages(&self) -> i64;
    fn total_swap_pages(&self) -> i64;
    fn live_allocs(&self, site: Site) -> u64;
    fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])>;
    fn page_get(&self, folio: u32, idx: u32) -> Option<([u8; TAG_BYTES], u32)>;
    fn take_events(&mut self) -> Vec<Event>;
}
