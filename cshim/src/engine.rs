//! `Kernel` as an [`Engine`](swapdiff_contract::Engine): each method one call of its
//! `sd_*` function, in the contract's families: environment setup (ENVIRONMENT.md), the
//! kernel entry points (duplicate, free, count, MTE), then inspection.
//!
//! Entry points return the kernel function's value (0 for void, 0/1 for bool), TRAPPED
//! after a BUG or hang, REFUSED where the argument guards of ENVIRONMENT.md apply. The sd_*
//! function checks its own arguments, so every call below is sound for any input.
//! Inspection reads the C state, never changes it, never records events (take_events
//! excepted: it returns and clears the log).

use std::ffi::CStr;
use std::os::raw::c_char;

use swapdiff_contract::families::*;
use swapdiff_contract::{
    Arg, Entry, Event, EventKind, Site, MAX_CLUSTERS, MAX_CONT_PAGES, MAX_EVENT_ARGS, NR_LISTS, SWAP_BATCH, TAG_BYTES,
};

use crate::builds::sd;
use crate::ffi;
use crate::kernel::{c_int, Kernel};
use crate::vocabulary::{kind_from_c, site_to_c};

/// Owned copy of a C string from the event log; "" for NULL.
pub(crate) fn c_text(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: non-NULL event strings are NUL-terminated and stay valid until
    // the log is cleared, which cannot happen while we hold &mut Kernel; the
    // version string is a static literal.
    unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
}

impl Environment for Kernel {
    fn env_reset(&mut self) {
        // SAFETY: we hold the kernel lock; sd_env_reset takes no arguments.
        unsafe { sd!(self.build => sd_env_reset()) }
    }

    fn set_mte(&mut self, on: bool) {
        // SAFETY: we hold the kernel lock; any bool is valid.
        unsafe { sd!(self.build => sd_set_mte(on)) }
    }

    /// The new device's type, or -EINVAL / -EBUSY.
    fn swapon(&mut self, nr_clusters: u32, kind: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates size and kind.
        unsafe { sd!(self.build => sd_swapon(c_int(nr_clusters), kind)) }
    }

    fn swapoff(&mut self, ty: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { sd!(self.build => sd_swapoff(c_int(ty))) }
    }

    fn mark_bad(&mut self, entry: Entry) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the entry.
        unsafe { sd!(self.build => sd_mark_bad(entry)) }
    }

    /// The allocated entry, or -EINVAL / -ENOSPC.
    fn alloc_swap(&mut self, ty: u32, order: u32) -> Result<Entry, i32> {
        let mut entry = 0u64;
        // SAFETY: we hold the kernel lock; `entry` is a valid u64 for the
        // duration of the call; the C side validates type and order.
        let ret = unsafe { sd!(self.build => sd_alloc_swap(c_int(ty), c_int(order), &mut entry)) };
        if ret == 0 {
            Ok(entry)
        } else {
            Err(ret)
        }
    }

    fn flush_work(&mut self) -> i64 {
        // SAFETY: we hold the kernel lock; no arguments.
        unsafe { sd!(self.build => sd_flush_work()) }
    }

    fn fault_arm(&mut self, site: Site, nth: u32) {
        // SAFETY: we hold the kernel lock; the site is one of the C enum's.
        unsafe { sd!(self.build => sd_fault_arm(site_to_c(site), nth)) }
    }

    /// A folio handle, or -EINVAL / -ENOSPC.
    fn folio_new(&mut self, order: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the order.
        unsafe { sd!(self.build => sd_folio_new(c_int(order))) }
    }

    fn folio_free(&mut self, folio: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { sd!(self.build => sd_folio_free(c_int(folio))) }
    }

    fn folio_set_swap(&mut self, folio: u32, entry: Entry) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { sd!(self.build => sd_folio_set_swap(c_int(folio), entry)) }
    }

    fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES], flags: u32) -> i32 {
        // SAFETY: we hold the kernel lock; `tags` points to the 128 bytes the
        // C side reads; it validates handle and index before reading.
        unsafe { sd!(self.build => sd_page_set(c_int(folio), c_int(idx), tags.as_ptr(), flags)) }
    }

    fn swapcache_add(&mut self, folio: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { sd!(self.build => sd_swapcache_add(c_int(folio))) }
    }

    fn swapcache_del(&mut self, folio: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { sd!(self.build => sd_swapcache_del(c_int(folio))) }
    }

    fn folio_set_mapped(&mut self, folio: u32, mapped: bool) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { sd!(self.build => sd_folio_set_mapped(c_int(folio), mapped)) }
    }
}

impl Allocate for Kernel {
    fn get_swap_pages(&mut self, n_goal: i32, order: u32) -> (i64, Vec<Entry>) {
        let mut entries = [0u64; SWAP_BATCH];
        // SAFETY: we hold the kernel lock; `entries` has the SD_SWAP_BATCH slots C may
        // fill, and C refuses an n_goal above that before writing any.
        let n = unsafe { sd!(self.build => sd_get_swap_pages(n_goal, c_int(order), entries.as_mut_ptr())) };
        let filled = usize::try_from(n).map_or(0, |n| n.min(SWAP_BATCH));
        (n, entries[..filled].to_vec())
    }
}

impl Duplicate for Kernel {
    fn __swap_duplicate(&mut self, entry: Entry, usage: u8, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { sd!(self.build => sd___swap_duplicate(entry, usage, nr)) }
    }

    fn swap_duplicate(&mut self, entry: Entry) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, guarded in C.
        unsafe { sd!(self.build => sd_swap_duplicate(entry)) }
    }

    fn swapcache_prepare(&mut self, entry: Entry, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { sd!(self.build => sd_swapcache_prepare(entry, nr)) }
    }

    fn swap_shmem_alloc(&mut self, entry: Entry, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { sd!(self.build => sd_swap_shmem_alloc(entry, nr)) }
    }

    fn add_swap_count_continuation(&mut self, entry: Entry) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, checked by the kernel.
        unsafe { sd!(self.build => sd_add_swap_count_continuation(entry)) }
    }
}

impl Free for Kernel {
    fn swapcache_clear(&mut self, entry: Entry, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { sd!(self.build => sd_swapcache_clear(entry, nr)) }
    }

    fn swap_free_nr(&mut self, entry: Entry, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { sd!(self.build => sd_swap_free_nr(entry, nr)) }
    }

    fn put_swap_folio(&mut self, entry: Entry, order: u32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { sd!(self.build => sd_put_swap_folio(entry, c_int(order))) }
    }

    fn swapcache_free_entries(&mut self, entries: &[Entry]) -> i64 {
        // A slice longer than i32::MAX becomes i32::MAX, which the C guard
        // (n > 64) refuses without reading the array.
        let n = i32::try_from(entries.len()).unwrap_or(i32::MAX);
        // SAFETY: we hold the kernel lock; the pointer is valid for
        // entries.len() >= n reads and C copies at most n <= 64 of them.
        unsafe { sd!(self.build => sd_swapcache_free_entries(entries.as_ptr(), n)) }
    }

    fn free_swap_and_cache_nr(&mut self, entry: Entry, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { sd!(self.build => sd_free_swap_and_cache_nr(entry, nr)) }
    }
}

impl Count for Kernel {
    fn __swap_count(&mut self, entry: Entry) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, guarded in C.
        unsafe { sd!(self.build => sd___swap_count(entry)) }
    }

    fn swap_swapcount(&mut self, entry: Entry) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, guarded in C.
        unsafe { sd!(self.build => sd_swap_swapcount(entry)) }
    }

    fn swp_swapcount(&mut self, entry: Entry) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, checked by the kernel.
        unsafe { sd!(self.build => sd_swp_swapcount(entry)) }
    }
}

impl Mte for Kernel {
    fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { sd!(self.build => sd_arch_prepare_to_swap(c_int(folio))) }
    }

    fn arch_swap_restore(&mut self, entry: Entry, folio: u32) -> i64 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { sd!(self.build => sd_arch_swap_restore(entry, c_int(folio))) }
    }

    fn mte_save_tags(&mut self, folio: u32, idx: u32) -> i64 {
        // SAFETY: we hold the kernel lock; the C side validates handle and index.
        unsafe { sd!(self.build => sd_mte_save_tags(c_int(folio), c_int(idx))) }
    }

    fn mte_restore_tags(&mut self, entry: Entry, folio: u32, idx: u32) -> i64 {
        // SAFETY: we hold the kernel lock; the C side validates handle and index.
        unsafe { sd!(self.build => sd_mte_restore_tags(entry, c_int(folio), c_int(idx))) }
    }

    fn mte_invalidate_tags(&mut self, ty: u32, offset: u64) -> i64 {
        // SAFETY: we hold the kernel lock; any type/offset only names xarray keys.
        unsafe { sd!(self.build => sd_mte_invalidate_tags(c_int(ty), offset)) }
    }

    fn mte_invalidate_tags_area(&mut self, ty: u32) -> i64 {
        // SAFETY: we hold the kernel lock; any type only names xarray keys.
        unsafe { sd!(self.build => sd_mte_invalidate_tags_area(c_int(ty))) }
    }

    fn arch_swap_invalidate_page(&mut self, ty: u32, offset: u64) -> i64 {
        // SAFETY: we hold the kernel lock; any type/offset only names xarray keys.
        unsafe { sd!(self.build => sd_arch_swap_invalidate_page(c_int(ty), offset)) }
    }

    fn arch_swap_invalidate_area(&mut self, ty: u32) -> i64 {
        // SAFETY: we hold the kernel lock; any type only names xarray keys.
        unsafe { sd!(self.build => sd_arch_swap_invalidate_area(c_int(ty))) }
    }
}

impl Inspect for Kernel {
    fn device_max(&self, ty: u32) -> u32 {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { sd!(self.build => sd_device_max(c_int(ty))) }
    }

    fn device_has_clusters(&self, ty: u32) -> bool {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { sd!(self.build => sd_device_has_clusters(c_int(ty))) }
    }

    fn device_inuse_pages(&self, ty: u32) -> u32 {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { sd!(self.build => sd_device_inuse_pages(c_int(ty))) }
    }

    /// The raw swap_map byte; None without a device or past its end.
    fn map_byte(&self, entry: Entry) -> Option<u8> {
        // SAFETY: we hold the kernel lock; the C side validates the entry.
        let byte = unsafe { sd!(self.build => sd_map_byte(entry)) };
        u8::try_from(byte).ok()
    }

    fn swap_map(&self, ty: u32) -> &[u8] {
        let mut len = 0u64;
        // SAFETY: we hold the kernel lock; the C side validates the type and
        // writes `len` before returning.
        let ptr = unsafe { sd!(self.build => sd_swap_map(c_int(ty), &mut len)) };
        if ptr.is_null() {
            return &[];
        }
        // SAFETY: `ptr` is si->swap_map, `len` (si->max) bytes long. Only
        // calls through `&mut self` change or free it (swapoff, reset, the
        // entry points), and the returned borrow of `self` rules them out
        // while the slice lives; no other thread runs kernel code (Kernel is
        // neither Send nor Sync, the watchdog never touches swap state).
        unsafe { std::slice::from_raw_parts(ptr, len as usize) }
    }

    /// The byte at the entry's offset in each page of its continuation
    /// list, head first (at most SD_MAX_CONT_PAGES of them).
    fn cont_digits(&self, entry: Entry) -> Vec<u8> {
        let mut digits = [0u8; MAX_CONT_PAGES];
        // SAFETY: we hold the kernel lock; `digits` has room for the
        // MAX_CONT_PAGES bytes C may write.
        let n = unsafe { sd!(self.build => sd_cont_digits(entry, digits.as_mut_ptr(), MAX_CONT_PAGES as i32)) };
        let n = usize::try_from(n).unwrap_or(0).min(MAX_CONT_PAGES);
        digits[..n].to_vec()
    }

    /// (count, flags) of cluster `idx`; None without cluster_info.
    fn cluster(&self, ty: u32, idx: u32) -> Option<(u32, u32)> {
        let (mut count, mut flags) = (0u32, 0u32);
        // SAFETY: we hold the kernel lock; both out-pointers are valid u32s.
        let ret = unsafe { sd!(self.build => sd_cluster(c_int(ty), c_int(idx), &mut count, &mut flags)) };
        (ret == 0).then_some((count, flags))
    }

    fn nr_swap_pages(&self) -> i64 {
        // SAFETY: we hold the kernel lock; no arguments.
        unsafe { sd!(self.build => sd_nr_swap_pages()) }
    }

    fn total_swap_pages(&self) -> i64 {
        // SAFETY: we hold the kernel lock; no arguments.
        unsafe { sd!(self.build => sd_total_swap_pages()) }
    }

    fn live_allocs(&self, site: Site) -> u64 {
        // SAFETY: we hold the kernel lock; the site is one of the C enum's.
        unsafe { sd!(self.build => sd_live_allocs(site_to_c(site))) }
    }

    /// The mte_pages xarray, ascending by key.
    fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])> {
        // SAFETY: we hold the kernel lock; no arguments.
        let n = unsafe { sd!(self.build => sd_tags_count()) };
        (0..n)
            .filter_map(|i| {
                let (mut key, mut tags) = (0u64, [0u8; TAG_BYTES]);
                // SAFETY: we hold the kernel lock; `key` and the 128-byte
                // `tags` are valid for the writes C makes; i < count.
                let ret = unsafe { sd!(self.build => sd_tags_get(i, &mut key, tags.as_mut_ptr())) };
                (ret == 0).then_some((key, tags))
            })
            .collect()
    }

    /// A page's tags and SD_PG_* flags; None for a bad handle or index.
    fn page_get(&self, folio: u32, idx: u32) -> Option<([u8; TAG_BYTES], u32)> {
        let (mut tags, mut flags) = ([0u8; TAG_BYTES], 0u32);
        // SAFETY: we hold the kernel lock; `tags` has the 128 bytes and
        // `flags` the u32 that C writes after validating handle and index.
        let ret = unsafe { sd!(self.build => sd_page_get(c_int(folio), c_int(idx), tags.as_mut_ptr(), &mut flags)) };
        (ret == 0).then_some((tags, flags))
    }

    fn work_queued(&self, ty: u32) -> u32 {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { sd!(self.build => sd_work_queued(c_int(ty))) }
    }

    fn cluster_list(&self, ty: u32, list: u32) -> Vec<u32> {
        if list >= NR_LISTS {
            return Vec::new();
        }
        // A list holds each cluster at most once; one more slot shows a list C reports
        // longer than the device (a cycle left by a trapped call) without overrunning.
        let mut idx = [0u32; MAX_CLUSTERS as usize + 1];
        // SAFETY: we hold the kernel lock; `idx` has room for the `max` indices C writes.
        let n =
            unsafe { sd!(self.build => sd_cluster_list(c_int(ty), c_int(list), idx.as_mut_ptr(), idx.len() as i32)) };
        let n = usize::try_from(n).unwrap_or(0).min(idx.len());
        idx[..n].to_vec()
    }

    fn percpu_next(&self, ty: u32, order: u32) -> u32 {
        // SAFETY: we hold the kernel lock; the C side validates type and order.
        unsafe { sd!(self.build => sd_percpu_next(c_int(ty), c_int(order))) }
    }

    fn frag_cluster_nr(&self, ty: u32, order: u32) -> u32 {
        // SAFETY: we hold the kernel lock; the C side validates type and order.
        unsafe { sd!(self.build => sd_frag_cluster_nr(c_int(ty), c_int(order))) }
    }

    fn device_bits(&self, ty: u32) -> [u32; 4] {
        let mut out = [0u32; 4];
        // SAFETY: we hold the kernel lock; `out` has the four u32s C writes.
        let ret = unsafe { sd!(self.build => sd_device_bits(c_int(ty), out.as_mut_ptr())) };
        if ret == 0 {
            out
        } else {
            [0; 4]
        }
    }

    fn cluster_order(&self, ty: u32, idx: u32) -> u32 {
        // SAFETY: we hold the kernel lock; the C side validates type and index.
        unsafe { sd!(self.build => sd_cluster_order(c_int(ty), c_int(idx))) }
    }

    /// The events recorded since the last call, oldest first; clears them.
    /// Nothing is formatted: a message comes as its format and arguments.
    fn take_events(&mut self) -> Vec<Event> {
        let build = self.build;
        collect_events(
            &mut self.strings,
            // SAFETY (the three calls): we hold the kernel lock; `raw` is valid for the write.
            || unsafe { sd!(build => sd_events_count()) },
            |i, raw| unsafe { sd!(build => sd_event_raw_get(i, raw)) },
            || unsafe { sd!(build => sd_events_clear()) },
        )
    }
}

/// The event log of one build as values, oldest first, then cleared: `count`, `get` and
/// `clear` are that build's sd_events_count, sd_event_raw_get and sd_events_clear (both
/// series share the log's C code, src/c/events.c).
pub(crate) fn collect_events(
    strings: &mut crate::intern::EventStrings,
    count: impl Fn() -> i32,
    get: impl Fn(i32, &mut ffi::sd_event_raw) -> i32,
    clear: impl Fn(),
) -> Vec<Event> {
    let n = count();
    if n <= 0 {
        return Vec::new();
    }
    let mut events = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    for i in 0..n {
        // SAFETY: sd_event_raw is plain C data (ints and pointers); all zeroes is a valid
        // value, which the get call overwrites.
        let mut raw: ffi::sd_event_raw = unsafe { std::mem::zeroed() };
        if get(i, &mut raw) != 0 {
            continue;
        }
        // An unknown kind would come from a newer C side: report it as a BUG rather than
        // drop it.
        let kind = kind_from_c(raw.kind).unwrap_or(EventKind::Bug);
        let nargs = usize::try_from(raw.nargs).unwrap_or(0).min(MAX_EVENT_ARGS);
        let mut args = [Arg::Int(0); MAX_EVENT_ARGS];
        for (arg, c) in args.iter_mut().zip(&raw.args[..nargs]) {
            *arg = if c.is_str != 0 { Arg::Str(strings.copy(c.str_)) } else { Arg::Int(c.value) };
        }
        let (func, text) = (strings.literal(raw.func), strings.literal(raw.text));
        events.push(Event::message_of(kind, func, text, &args[..nargs]));
    }
    clear();
    events
}
