//! The caller-level contract every kernel series answers to: what mm/vmscan.c, mm/memory.c and
//! mm/shmem.c ask of the swap code, in words that do not depend on the series' entry points.
//! One program of [`CallerOp`]s runs on 6.12 and on 7.2; each series maps an op onto its own
//! API the way its callers do (the adapters in the root crate's `caller` module), and the spec
//! of what callers are promised judges them all.
//!
//! A [`Series`] speaks in its own folio handles and swap entries; the harness's world (the
//! page tables, the shmem file) keeps which of them stands for which of its own objects, so
//! two series are compared by what their answers mean, never by the offsets their allocators
//! chose.

use crate::{Entry, Event, TAG_BYTES};

/// The ops of a caller-level program. `mm` is 0 or 1 (a process and its child), `pte` an index
/// into that process's page table of [`NR_PTES`] entries, `slot` an index into the shmem file
/// of [`NR_SHMEM`] pages. Every op is defined for every state: an op whose precondition does
/// not hold (no folio there, nothing swapped) does nothing, in every series alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerOp {
    /// An anonymous fault maps a new folio of `1 << order` pages at `pte` (aligned down to the
    /// folio's size), tagged with MTE tags when `tagged`.
    Fault { mm: u8, pte: u8, order: u8, tagged: bool },
    /// Reclaim swaps out the folio mapped at `pte`: allocate swap, unmap every PTE of it in both
    /// processes, write it out; `keep_cache`: it stays in the swap cache (reclaim stopped before
    /// removing the mapping), else it leaves the cache and is freed.
    SwapOut { mm: u8, pte: u8, keep_cache: bool },
    /// Fork: the child's page table becomes a copy of the parent's (present pages are shared,
    /// swap PTEs duplicated). Only when the child's table is empty.
    Fork,
    /// `n` more processes share the page at `pte` (forked children that kept only it): each
    /// holds a copy of the PTE, a swap entry duplicated or a present page mapped. Counts past
    /// 14 (7.2's extend table) and 62 (6.12's continuation pages) are reached this way.
    Clone { mm: u8, pte: u8, n: u8 },
    /// The `n` sharers added last exit: their copies are zapped one by one.
    Exit { n: u8 },
    /// Zap `nr` PTEs from `pte`: present pages are unmapped, swap entries put.
    Zap { mm: u8, pte: u8, nr: u8 },
    /// A fault on a swap PTE: the swap cache's folio if it has one, else a new order-0 folio
    /// read in; the PTE maps it and its swap count is put.
    SwapIn { mm: u8, pte: u8 },
    /// The shmem file gets a new folio of `1 << order` pages at `slot` (aligned down).
    ShmemNew { slot: u8, order: u8 },
    /// shmem writeout swaps out the folio at `slot`.
    ShmemSwapOut { slot: u8 },
    /// shmem reads the page at `slot` back in.
    ShmemSwapIn { slot: u8 },
    /// Truncating the shmem file at `slot`: its page, or its swap entry, goes.
    ShmemTruncate { slot: u8 },
    /// `free_swap_cache` of the folio mapped at `pte` (what unmapping the last mapping does).
    FreeCache { mm: u8, pte: u8 },
    /// Swapoff: every swapped page comes back in (try_to_unuse), the device goes, and a new one
    /// of the same size is swapped on.
    Swapoff,
}

/// Entries of each process's page table.
pub const NR_PTES: usize = 16;
/// Pages of the shmem file.
pub const NR_SHMEM: usize = 8;
/// Processes: the parent and its child.
pub const NR_MMS: usize = 2;
/// The most sharers [`CallerOp::Clone`] adds in one op, and holds in all.
pub const MAX_CLONE: usize = 80;

/// What a series answers a caller-level step with: its own handles and entries. Every method
/// is one caller's use of the swap code, mapped by the series' adapter as that series' callers
/// do; a method returns the errno the caller sees (0 on success), or
/// [`TRAPPED`](crate::TRAPPED) when the kernel hit a BUG or hang, after which the harness stops
/// the program.
pub trait Series {
    /// "6.12", "7.2".
    fn series(&self) -> &'static str;
    /// The kernel version of the build (e.g. "7.2.13").
    fn kernel_version(&self) -> String;
    /// A fresh environment with one SSD of `clusters` clusters: 0, or the errno.
    fn start(&mut self, clusters: u32) -> i32;
    /// A new anonymous or shmem folio; its handle, or the errno.
    fn folio_new(&mut self, order: u32) -> Result<u32, i32>;
    fn folio_free(&mut self, folio: u32);
    /// Sets page `idx`'s MTE tags (and marks it tagged).
    fn page_tag(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES]);
    /// Page `idx`'s tags, and whether it is tagged.
    fn page_tags(&self, folio: u32, idx: u32) -> ([u8; TAG_BYTES], bool);
    /// Whether any PTE still maps the folio (the harness keeps mapcounts; reclaim reads it).
    fn folio_set_mapped(&mut self, folio: u32, mapped: bool);

    /// Anonymous reclaim of `folio`, mapped by `ptes[i]` PTEs at page `i`: the folio's first
    /// swap entry (its pages have consecutive entries), or the errno (the folio stays as it
    /// was). `keep_cache`: it stays in the swap cache.
    fn swap_out(&mut self, folio: u32, ptes: &[u32], keep_cache: bool) -> Result<Entry, i32>;
    /// shmem writeout of `folio`: the first entry, or the errno.
    fn shmem_swap_out(&mut self, folio: u32) -> Result<Entry, i32>;
    /// Fork copies one swap PTE: 0 or the errno.
    fn dup_pte(&mut self, entry: Entry) -> i64;
    /// Zap of `nr` consecutive swap PTEs (entries in one cluster).
    fn zap_ptes(&mut self, entry: Entry, nr: u32) -> i64;
    /// The swap cache's folio of `entry`, if any (not a reference: a handle).
    fn cached_folio(&mut self, entry: Entry) -> Option<u32>;
    /// A swap-in fault on a PTE of `entry`: the folio now mapping it (from the cache, or new
    /// and order 0), the page of it the PTE maps, or the errno.
    fn swap_in(&mut self, entry: Entry) -> Result<(u32, u32), i32>;
    /// shmem's swap-in of `entry`: as [`Series::swap_in`], for the file.
    fn shmem_swap_in(&mut self, entry: Entry) -> Result<(u32, u32), i32>;
    /// shmem truncation of a swapped page.
    fn shmem_free_swap(&mut self, entry: Entry) -> i64;
    /// `free_swap_cache(folio)`: an unmapped folio leaves the cache if no entry of it is
    /// still counted.
    fn free_cache(&mut self, folio: u32) -> i64;
    /// `folio_free_swap(folio)` (swapoff's try_to_unuse, mapped or not): 1 if it left the cache.
    fn folio_free_swap(&mut self, folio: u32) -> i64;
    /// Unmapping the folio's last PTE: what zap_pte_range does with it (free_swap_cache first,
    /// then the folio goes unless the swap cache keeps it). Whether it is gone.
    fn release_folio(&mut self, folio: u32) -> bool;
    /// Swapoff of the device, every slot free already: 0 or the errno, then the device is
    /// swapped on again with the same size.
    fn swapoff_and_on(&mut self) -> i32;

    /// Inspection. The swap count of `entry` (what `swp_swapcount` returns).
    fn swap_count(&mut self, entry: Entry) -> i64;
    /// Free swap pages (`nr_swap_pages`).
    fn free_pages(&self) -> i64;
    /// The tag store, by entry.
    fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])>;
    /// Events since the last call.
    fn take_events(&mut self) -> Vec<Event>;
    /// A series-specific check of the slot's encoding against `expected` (its count): None when
    /// it holds, else what is wrong. 7.2 decodes its table entry and extend table.
    fn encoding_check(&self, entry: Entry, expected: u32) -> Option<String>;
}

impl CallerOp {
    /// The op's name in programs and signatures.
    pub fn kind(&self) -> &'static str {
        match self {
            CallerOp::Fault { .. } => "fault",
            CallerOp::SwapOut { .. } => "swap_out",
            CallerOp::Fork => "fork",
            CallerOp::Zap { .. } => "zap",
            CallerOp::Clone { .. } => "clone",
            CallerOp::Exit { .. } => "exit",
            CallerOp::SwapIn { .. } => "swap_in",
            CallerOp::ShmemNew { .. } => "shmem_new",
            CallerOp::ShmemSwapOut { .. } => "shmem_swap_out",
            CallerOp::ShmemSwapIn { .. } => "shmem_swap_in",
            CallerOp::ShmemTruncate { .. } => "shmem_truncate",
            CallerOp::FreeCache { .. } => "free_cache",
            CallerOp::Swapoff => "swapoff",
        }
    }
}

/// The text form: the kind, then `name=value` per field (`fault mm=0 pte=3 order=2 tagged=1`).
impl std::fmt::Display for CallerOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.kind())?;
        match *self {
            CallerOp::Fault { mm, pte, order, tagged } => {
                write!(f, " mm={mm} pte={pte} order={order} tagged={}", u8::from(tagged))
            }
            CallerOp::SwapOut { mm, pte, keep_cache } => {
                write!(f, " mm={mm} pte={pte} keep_cache={}", u8::from(keep_cache))
            }
            CallerOp::Zap { mm, pte, nr } => write!(f, " mm={mm} pte={pte} nr={nr}"),
            CallerOp::Clone { mm, pte, n } => write!(f, " mm={mm} pte={pte} n={n}"),
            CallerOp::Exit { n } => write!(f, " n={n}"),
            CallerOp::SwapIn { mm, pte } | CallerOp::FreeCache { mm, pte } => write!(f, " mm={mm} pte={pte}"),
            CallerOp::ShmemNew { slot, order } => write!(f, " slot={slot} order={order}"),
            CallerOp::ShmemSwapOut { slot } | CallerOp::ShmemSwapIn { slot } | CallerOp::ShmemTruncate { slot } => {
                write!(f, " slot={slot}")
            }
            CallerOp::Fork | CallerOp::Swapoff => Ok(()),
        }
    }
}
