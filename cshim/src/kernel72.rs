//! The 7.x builds (the swap table): `Build72`, one linked 7.x translation unit, and `Kernel72`,
//! exclusive access to one of them, with one safe method per `sd72_*` function of
//! include/swapdiff72.h. Method names are the kernel's (`folio_dup_swap`, `__swap_count`), as
//! for the 6.12 [`Kernel`](crate::Kernel). The same rules hold: one `Kernel72` per build at a
//! time (its mutex), on the acquiring thread only (neither `Send` nor `Sync`), and every C
//! function checks its own arguments, so each call below is sound for any input.

use std::marker::PhantomData;
use std::sync::{Mutex, MutexGuard, PoisonError};

use swapdiff_contract::{Entry, Event, TAG_BYTES};

use crate::builds::{KernelFile, ShimFile};
use crate::ffi;
use crate::kernel::c_int;

/// One 7.x build linked into the process (the fields mean what [`crate::Build`]'s do).
pub struct Build72 {
    pub index: usize,
    /// "7.2" or "7.3": the series of its source (7.3 compiles through 7.2's face).
    pub series: &'static str,
    pub name: &'static str,
    pub kernel_version: &'static str,
    pub source_hash: &'static str,
    pub patch_key: &'static str,
    pub patches: &'static [&'static str],
    pub standalone: &'static str,
    pub kernel_files: &'static [KernelFile],
    pub headers: &'static [(&'static str, &'static str)],
    pub shim: &'static [ShimFile],
    pub(crate) api: &'static ffi::sd72_api,
    pub(crate) lock: Mutex<()>,
}

impl std::fmt::Debug for Build72 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Build72").field("index", &self.index).field("name", &self.name).finish_non_exhaustive()
    }
}

/// Every 7.x build linked in, in link order (stock first, patched last).
pub fn builds72() -> &'static [Build72] {
    &crate::builds::BUILDS72
}

/// The 7.x build under test: the last one. build.rs links one (a companion stock build when
/// the source under test is 6.12) unless SWAPDIFF_KERNEL_SRC_72=none left 7.x out.
pub fn primary72() -> &'static Build72 {
    builds72().last().unwrap_or_else(|| {
        panic!("swapdiff: this binary has no 7.x build (it was built with SWAPDIFF_KERNEL_SRC_72=none)")
    })
}

#[cold]
pub(crate) fn not_in_table(build: &Build72, function: &str) -> ! {
    panic!("swapdiff: the entry-point table of build {} has no {function}", build.name)
}

/// `sd72!(build => sd72_foo(args))`, inside `unsafe`: the FFI call through the build's table.
macro_rules! sd72 {
    ($build:expr => $f:ident($($arg:expr),* $(,)?)) => {{
        let build: &'static $crate::kernel72::Build72 = $build;
        match build.api.$f {
            Some(f) => f($($arg),*),
            None => $crate::kernel72::not_in_table(build, stringify!($f)),
        }
    }};
}
pub(crate) use sd72;

/// The allocation sites of 7.x (swapdiff72.h `enum sd72_site`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site72 {
    TagStorage,
    XaNode,
    ExtendTable,
    SwapTable,
    SwapinFolio,
}

impl Site72 {
    pub const ALL: [Site72; 5] =
        [Site72::TagStorage, Site72::XaNode, Site72::ExtendTable, Site72::SwapTable, Site72::SwapinFolio];

    fn to_c(self) -> i32 {
        (match self {
            Site72::TagStorage => ffi::sd72_site_SD72_SITE_TAG_STORAGE,
            Site72::XaNode => ffi::sd72_site_SD72_SITE_XA_NODE,
            Site72::ExtendTable => ffi::sd72_site_SD72_SITE_EXTEND_TABLE,
            Site72::SwapTable => ffi::sd72_site_SD72_SITE_SWAP_TABLE,
            Site72::SwapinFolio => ffi::sd72_site_SD72_SITE_SWAPIN_FOLIO,
        }) as i32
    }

    pub fn name(self) -> &'static str {
        match self {
            Site72::TagStorage => "tag_storage",
            Site72::XaNode => "xa_node",
            Site72::ExtendTable => "extend_table",
            Site72::SwapTable => "swap_table",
            Site72::SwapinFolio => "swapin_folio",
        }
    }
}

/// A folio as the harness sees it (`struct sd72_folio_info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolioInfo {
    pub order: u32,
    pub swap: Entry,
    pub swapcache: bool,
    pub dirty: bool,
    pub locked: bool,
    pub refcount: i64,
}

/// One cluster (`struct sd72_cluster_info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cluster72 {
    pub count: u32,
    pub flags: u32,
    pub order: u32,
    pub has_table: bool,
    pub has_extend: bool,
}

/// Exclusive handle on one 7.x build's C environment (see [`crate::Kernel`] for why it is
/// neither `Send` nor `Sync`).
pub struct Kernel72 {
    pub(crate) build: &'static Build72,
    _guard: MutexGuard<'static, ()>,
    _not_send_sync: PhantomData<*const ()>,
    strings: crate::intern::EventStrings,
    /// The calls of a recorded run ([`Kernel72::record`]), None when not recording.
    log: Option<CallLog>,
}

/// One `sd72_*` call of a recorded run: the C function, its arguments as C expressions, and
/// what it returned (None for a `void` function). A reproducer replays these literally: the
/// run is deterministic, so handles and entries come out the same in plain C.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call72 {
    pub function: &'static str,
    pub args: String,
    pub ret: Option<i64>,
}

/// The calls recorded so far, shared with whoever started the recording (the caller adapter
/// owns the kernel while a run goes on; the reproducer reads between steps).
pub type CallLog = std::rc::Rc<std::cell::RefCell<Vec<Call72>>>;

impl Kernel72 {
    /// The 7.x build under test, reset.
    pub fn acquire() -> Kernel72 {
        Kernel72::acquire_build(primary72())
    }

    /// Waits for exclusive access to `build` and resets its environment.
    pub fn acquire_build(build: &'static Build72) -> Kernel72 {
        crate::bounds::init_from_env();
        let guard = build.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut k =
            Kernel72 { build, _guard: guard, _not_send_sync: PhantomData, strings: Default::default(), log: None };
        k.env_reset();
        k
    }

    pub fn build(&self) -> &'static Build72 {
        self.build
    }

    /// Records every state-changing call (and every count query) into `log` from now on, or
    /// stops recording (None). Read-only inspection (folio_info, table_get, nr_swap_pages...)
    /// is not recorded: it changes nothing a replay depends on. Off, the cost is one branch
    /// per call.
    pub fn record(&mut self, log: Option<CallLog>) {
        self.log = log;
    }

    fn note<R: Into<i64>>(&self, function: &'static str, args: std::fmt::Arguments<'_>, ret: Option<R>) {
        if let Some(log) = &self.log {
            log.borrow_mut().push(Call72 { function, args: args.to_string(), ret: ret.map(Into::into) });
        }
    }

    // Environment.

    pub fn env_reset(&mut self) {
        // SAFETY (every call in this impl): we hold the build's lock, so no other thread is in
        // its C; the sd72_* functions validate their arguments; pointers passed are to live
        // locals of the size C writes.
        unsafe { sd72!(self.build => sd72_env_reset()) };
        if self.log.is_some() {
            self.note("sd72_env_reset", format_args!(""), None::<i64>);
        }
    }
    pub fn set_mte(&mut self, on: bool) {
        unsafe { sd72!(self.build => sd72_set_mte(on)) };
        if self.log.is_some() {
            self.note("sd72_set_mte", format_args!("{}", on), None::<i64>);
        }
    }
    pub fn swapon(&mut self, nr_clusters: u32, kind: u32) -> i32 {
        let ret = unsafe { sd72!(self.build => sd72_swapon(c_int(nr_clusters), kind)) };
        if self.log.is_some() {
            self.note("sd72_swapon", format_args!("{}, {}", nr_clusters, kind), Some(ret));
        }
        ret
    }
    pub fn swapoff(&mut self, ty: u32) -> i32 {
        let ret = unsafe { sd72!(self.build => sd72_swapoff(c_int(ty))) };
        if self.log.is_some() {
            self.note("sd72_swapoff", format_args!("{}", ty), Some(ret));
        }
        ret
    }
    pub fn flush_work(&mut self) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_flush_work()) };
        if self.log.is_some() {
            self.note("sd72_flush_work", format_args!(""), Some(ret));
        }
        ret
    }
    pub fn fault_arm(&mut self, site: Site72, nth: u32) {
        unsafe { sd72!(self.build => sd72_fault_arm(site.to_c(), nth)) };
        if self.log.is_some() {
            self.note("sd72_fault_arm", format_args!("{}, {}", site.to_c(), nth), None::<i64>);
        }
    }
    pub fn live_allocs(&self, site: Site72) -> u64 {
        unsafe { sd72!(self.build => sd72_live_allocs(site.to_c())) }
    }
    pub fn folio_new(&mut self, order: u32) -> i32 {
        let ret = unsafe { sd72!(self.build => sd72_folio_new(c_int(order))) };
        if self.log.is_some() {
            self.note("sd72_folio_new", format_args!("{}", order), Some(ret));
        }
        ret
    }
    pub fn folio_free(&mut self, folio: u32) -> i32 {
        let ret = unsafe { sd72!(self.build => sd72_folio_free(c_int(folio))) };
        if self.log.is_some() {
            self.note("sd72_folio_free", format_args!("{}", folio), Some(ret));
        }
        ret
    }
    pub fn folio_set_mapped(&mut self, folio: u32, mapped: bool) -> i32 {
        let ret = unsafe { sd72!(self.build => sd72_folio_set_mapped(c_int(folio), mapped)) };
        if self.log.is_some() {
            self.note("sd72_folio_set_mapped", format_args!("{}, {}", folio, mapped), Some(ret));
        }
        ret
    }
    pub fn folio_info(&self, folio: u32) -> Option<FolioInfo> {
        // SAFETY: plain C data, all zeroes valid; C fills it for a valid handle.
        let mut raw: ffi::sd72_folio_info = unsafe { std::mem::zeroed() };
        let ret = unsafe { sd72!(self.build => sd72_folio_info(c_int(folio), &mut raw)) };
        (ret == 0).then_some(FolioInfo {
            order: u32::try_from(raw.order).unwrap_or(0),
            swap: raw.swap,
            swapcache: raw.swapcache,
            dirty: raw.dirty,
            locked: raw.locked,
            refcount: raw.refcount,
        })
    }
    pub fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES], flags: u32) -> i32 {
        let ret = unsafe { sd72!(self.build => sd72_page_set(c_int(folio), c_int(idx), tags.as_ptr(), flags)) };
        if self.log.is_some() {
            self.note("sd72_page_set", format_args!("{}, {}, {}, {:#x}", folio, idx, c_bytes(tags), flags), Some(ret));
        }
        ret
    }
    pub fn page_get(&self, folio: u32, idx: u32) -> Option<([u8; TAG_BYTES], u32)> {
        let (mut tags, mut flags) = ([0u8; TAG_BYTES], 0u32);
        let ret =
            unsafe { sd72!(self.build => sd72_page_get(c_int(folio), c_int(idx), tags.as_mut_ptr(), &mut flags)) };
        (ret == 0).then_some((tags, flags))
    }

    // Kernel entry points. `subpage`: None for the whole folio.

    pub fn folio_alloc_swap(&mut self, folio: u32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_folio_alloc_swap(c_int(folio))) };
        if self.log.is_some() {
            self.note("sd72_folio_alloc_swap", format_args!("{}", folio), Some(ret));
        }
        ret
    }
    pub fn folio_dup_swap(&mut self, folio: u32, subpage: Option<u32>) -> i64 {
        let sub = subpage.map_or(-1, c_int);
        let ret = unsafe { sd72!(self.build => sd72_folio_dup_swap(c_int(folio), sub)) };
        if self.log.is_some() {
            self.note("sd72_folio_dup_swap", format_args!("{}, {}", folio, sub), Some(ret));
        }
        ret
    }
    pub fn folio_put_swap(&mut self, folio: u32, subpage: Option<u32>) -> i64 {
        let sub = subpage.map_or(-1, c_int);
        let ret = unsafe { sd72!(self.build => sd72_folio_put_swap(c_int(folio), sub)) };
        if self.log.is_some() {
            self.note("sd72_folio_put_swap", format_args!("{}, {}", folio, sub), Some(ret));
        }
        ret
    }
    pub fn swap_dup_entry_direct(&mut self, entry: Entry) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_swap_dup_entry_direct(entry)) };
        if self.log.is_some() {
            self.note("sd72_swap_dup_entry_direct", format_args!("{:#x}", entry), Some(ret));
        }
        ret
    }
    pub fn swap_put_entries_direct(&mut self, entry: Entry, nr: i32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_swap_put_entries_direct(entry, nr)) };
        if self.log.is_some() {
            self.note("sd72_swap_put_entries_direct", format_args!("{:#x}, {}", entry, nr), Some(ret));
        }
        ret
    }
    pub fn folio_free_swap(&mut self, folio: u32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_folio_free_swap(c_int(folio))) };
        if self.log.is_some() {
            self.note("sd72_folio_free_swap", format_args!("{}", folio), Some(ret));
        }
        ret
    }
    pub fn swap_retry_table_alloc(&mut self, entry: Entry) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_swap_retry_table_alloc(entry)) };
        if self.log.is_some() {
            self.note("sd72_swap_retry_table_alloc", format_args!("{:#x}", entry), Some(ret));
        }
        ret
    }
    pub fn __swap_count(&mut self, entry: Entry) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72___swap_count(entry)) };
        if self.log.is_some() {
            self.note("sd72___swap_count", format_args!("{:#x}", entry), Some(ret));
        }
        ret
    }
    pub fn swp_swapcount(&mut self, entry: Entry) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_swp_swapcount(entry)) };
        if self.log.is_some() {
            self.note("sd72_swp_swapcount", format_args!("{:#x}", entry), Some(ret));
        }
        ret
    }
    pub fn swap_entry_swapped(&mut self, entry: Entry) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_swap_entry_swapped(entry)) };
        if self.log.is_some() {
            self.note("sd72_swap_entry_swapped", format_args!("{:#x}", entry), Some(ret));
        }
        ret
    }
    pub fn swap_cache_get_folio(&mut self, entry: Entry) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_swap_cache_get_folio(entry)) };
        if self.log.is_some() {
            self.note("sd72_swap_cache_get_folio", format_args!("{:#x}", entry), Some(ret));
        }
        ret
    }
    pub fn swap_cache_alloc_folio(&mut self, entry: Entry, order: u32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_swap_cache_alloc_folio(entry, c_int(order))) };
        if self.log.is_some() {
            self.note("sd72_swap_cache_alloc_folio", format_args!("{:#x}, {}", entry, order), Some(ret));
        }
        ret
    }
    pub fn swap_cache_del_folio(&mut self, folio: u32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_swap_cache_del_folio(c_int(folio))) };
        if self.log.is_some() {
            self.note("sd72_swap_cache_del_folio", format_args!("{}", folio), Some(ret));
        }
        ret
    }
    pub fn free_swap_cache(&mut self, folio: u32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_free_swap_cache(c_int(folio))) };
        if self.log.is_some() {
            self.note("sd72_free_swap_cache", format_args!("{}", folio), Some(ret));
        }
        ret
    }
    pub fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_arch_prepare_to_swap(c_int(folio))) };
        if self.log.is_some() {
            self.note("sd72_arch_prepare_to_swap", format_args!("{}", folio), Some(ret));
        }
        ret
    }
    pub fn arch_swap_restore(&mut self, entry: Entry, folio: u32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_arch_swap_restore(entry, c_int(folio))) };
        if self.log.is_some() {
            self.note("sd72_arch_swap_restore", format_args!("{:#x}, {}", entry, folio), Some(ret));
        }
        ret
    }
    pub fn mte_invalidate_tags(&mut self, ty: u32, offset: u64) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_mte_invalidate_tags(c_int(ty), offset)) };
        if self.log.is_some() {
            self.note("sd72_mte_invalidate_tags", format_args!("{}, {}", ty, offset), Some(ret));
        }
        ret
    }
    pub fn mte_invalidate_tags_area(&mut self, ty: u32) -> i64 {
        let ret = unsafe { sd72!(self.build => sd72_mte_invalidate_tags_area(c_int(ty))) };
        if self.log.is_some() {
            self.note("sd72_mte_invalidate_tags_area", format_args!("{}", ty), Some(ret));
        }
        ret
    }

    // Inspection.

    pub fn kernel_version(&self) -> String {
        crate::engine::c_text(unsafe { sd72!(self.build => sd72_kernel_version()) })
    }
    pub fn device_max(&self, ty: u32) -> u32 {
        unsafe { sd72!(self.build => sd72_device_max(c_int(ty))) }
    }
    /// `si->inuse_pages` without its off-list bit, and the bit.
    pub fn device_inuse_pages(&self, ty: u32) -> (i64, bool) {
        let mut offlist = false;
        let n = unsafe { sd72!(self.build => sd72_device_inuse_pages(c_int(ty), &mut offlist)) };
        (n, offlist)
    }
    /// The raw swap-table entry; None without a device or past its end.
    pub fn table_get(&self, entry: Entry) -> Option<u64> {
        let mut tb = 0u64;
        let ret = unsafe { sd72!(self.build => sd72_table_get(entry, &mut tb)) };
        (ret == 0).then_some(tb)
    }
    pub fn extend_get(&self, entry: Entry) -> u32 {
        unsafe { sd72!(self.build => sd72_extend_get(entry)) }
    }
    pub fn cluster(&self, ty: u32, idx: u32) -> Option<Cluster72> {
        // SAFETY: plain C data, all zeroes valid.
        let mut raw: ffi::sd72_cluster_info = unsafe { std::mem::zeroed() };
        let ret = unsafe { sd72!(self.build => sd72_cluster(c_int(ty), c_int(idx), &mut raw)) };
        (ret == 0).then_some(Cluster72 {
            count: raw.count,
            flags: raw.flags,
            order: raw.order,
            has_table: raw.has_table,
            has_extend: raw.has_extend,
        })
    }
    pub fn nr_swap_pages(&self) -> i64 {
        unsafe { sd72!(self.build => sd72_nr_swap_pages()) }
    }
    pub fn total_swap_pages(&self) -> i64 {
        unsafe { sd72!(self.build => sd72_total_swap_pages()) }
    }
    pub fn work_queued(&self, ty: u32) -> u32 {
        unsafe { sd72!(self.build => sd72_work_queued(c_int(ty))) }
    }
    pub fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])> {
        let n = unsafe { sd72!(self.build => sd72_tags_count()) };
        (0..n)
            .filter_map(|i| {
                let (mut key, mut tags) = (0u64, [0u8; TAG_BYTES]);
                let ret = unsafe { sd72!(self.build => sd72_tags_get(i, &mut key, tags.as_mut_ptr())) };
                (ret == 0).then_some((key, tags))
            })
            .collect()
    }
    /// The events recorded since the last call, oldest first; clears them.
    pub fn take_events(&mut self) -> Vec<Event> {
        let build = self.build;
        crate::engine::collect_events(
            &mut self.strings,
            || unsafe { sd72!(build => sd72_events_count()) },
            |i, raw| unsafe { sd72!(build => sd72_event_raw_get(i, raw)) },
            || unsafe { sd72!(build => sd72_events_clear()) },
        )
    }
}

/// `tags` as a C compound literal of the tag bytes.
fn c_bytes(tags: &[u8; TAG_BYTES]) -> String {
    let bytes: Vec<String> = tags.iter().map(|b| format!("{b:#04x}")).collect();
    format!("(const uint8_t[]){{{}}}", bytes.join(", "))
}

impl Drop for Kernel72 {
    fn drop(&mut self) {
        self.env_reset();
    }
}
