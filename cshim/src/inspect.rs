//! Inspection: reads the C state, never changes it, never records events
//! (take_events excepted: it returns and clears the log).

use std::ffi::CStr;
use std::os::raw::c_char;

use crate::ffi;
use crate::kernel::{c_int, Kernel};
use crate::vocabulary::{Event, EventKind, Site, TAG_BYTES};

/// How many continuation pages cont_digits reports (SD_MAX_CONT_PAGES).
const MAX_CONT_PAGES: usize = ffi::SD_MAX_CONT_PAGES as usize;

/// Owned copy of a C string from the event log; "" for NULL.
fn c_text(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: non-NULL event strings are NUL-terminated and stay valid until
    // the log is cleared, which cannot happen while we hold &mut Kernel.
    unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
}

impl Kernel {
    pub fn device_max(&self, ty: u32) -> u32 {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { ffi::sd_device_max(c_int(ty)) }
    }

    pub fn device_has_clusters(&self, ty: u32) -> bool {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { ffi::sd_device_has_clusters(c_int(ty)) }
    }

    pub fn device_inuse_pages(&self, ty: u32) -> u32 {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { ffi::sd_device_inuse_pages(c_int(ty)) }
    }

    /// The raw swap_map byte; None without a device or past its end.
    pub fn map_byte(&self, entry: u64) -> Option<u8> {
        // SAFETY: we hold the kernel lock; the C side validates the entry.
        let byte = unsafe { ffi::sd_map_byte(entry) };
        u8::try_from(byte).ok()
    }

    /// The byte at the entry's offset in each page of its continuation
    /// list, head first (at most SD_MAX_CONT_PAGES of them).
    pub fn cont_digits(&self, entry: u64) -> Vec<u8> {
        let mut digits = [0u8; MAX_CONT_PAGES];
        // SAFETY: we hold the kernel lock; `digits` has room for the
        // MAX_CONT_PAGES bytes C may write.
        let n = unsafe { ffi::sd_cont_digits(entry, digits.as_mut_ptr(), MAX_CONT_PAGES as i32) };
        let n = usize::try_from(n).unwrap_or(0).min(MAX_CONT_PAGES);
        digits[..n].to_vec()
    }

    /// (count, flags) of cluster `idx`; None without cluster_info.
    pub fn cluster(&self, ty: u32, idx: u32) -> Option<(u32, u32)> {
        let (mut count, mut flags) = (0u32, 0u32);
        // SAFETY: we hold the kernel lock; both out-pointers are valid u32s.
        let ret = unsafe { ffi::sd_cluster(c_int(ty), c_int(idx), &mut count, &mut flags) };
        (ret == 0).then_some((count, flags))
    }

    pub fn nr_swap_pages(&self) -> i64 {
        // SAFETY: we hold the kernel lock; no arguments.
        unsafe { ffi::sd_nr_swap_pages() }
    }

    pub fn total_swap_pages(&self) -> i64 {
        // SAFETY: we hold the kernel lock; no arguments.
        unsafe { ffi::sd_total_swap_pages() }
    }

    pub fn live_allocs(&self, site: Site) -> u64 {
        // SAFETY: we hold the kernel lock; the site is one of the C enum's.
        unsafe { ffi::sd_live_allocs(site.to_c()) }
    }

    /// The mte_pages xarray, ascending by key.
    pub fn tag_store(&self) -> Vec<(u64, [u8; TAG_BYTES])> {
        // SAFETY: we hold the kernel lock; no arguments.
        let n = unsafe { ffi::sd_tags_count() };
        (0..n)
            .filter_map(|i| {
                let (mut key, mut tags) = (0u64, [0u8; TAG_BYTES]);
                // SAFETY: we hold the kernel lock; `key` and the 128-byte
                // `tags` are valid for the writes C makes; i < count.
                let ret = unsafe { ffi::sd_tags_get(i, &mut key, tags.as_mut_ptr()) };
                (ret == 0).then_some((key, tags))
            })
            .collect()
    }

    /// A page's tags and SD_PG_* flags; None for a bad handle or index.
    pub fn page_get(&self, folio: u32, idx: u32) -> Option<([u8; TAG_BYTES], u32)> {
        let (mut tags, mut flags) = ([0u8; TAG_BYTES], 0u32);
        // SAFETY: we hold the kernel lock; `tags` has the 128 bytes and
        // `flags` the u32 that C writes after validating handle and index.
        let ret = unsafe { ffi::sd_page_get(c_int(folio), c_int(idx), tags.as_mut_ptr(), &mut flags) };
        (ret == 0).then_some((tags, flags))
    }

    /// The events recorded since the last call, oldest first; clears them.
    pub fn take_events(&mut self) -> Vec<Event> {
        // SAFETY: we hold the kernel lock; no arguments.
        let n = unsafe { ffi::sd_events_count() };
        let mut events = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
        for i in 0..n {
            let mut raw = ffi::sd_event { kind: 0, func: std::ptr::null(), text: std::ptr::null(), line: 0 };
            // SAFETY: we hold the kernel lock; `raw` is valid for the write
            // and i < count.
            if unsafe { ffi::sd_event_get(i, &mut raw) } != 0 {
                continue;
            }
            // An unknown kind would come from a newer C side: report it as
            // a BUG rather than drop it.
            let kind = EventKind::from_c(raw.kind).unwrap_or(EventKind::Bug);
            events.push(Event { kind, func: c_text(raw.func), text: c_text(raw.text) });
        }
        // SAFETY: we hold the kernel lock; the strings were copied above.
        unsafe { ffi::sd_events_clear() };
        events
    }
}

/// The version string compiled into the C side (sd_kernel_version).
pub fn c_kernel_version() -> String {
    // SAFETY: sd_kernel_version returns a static NUL-terminated literal and
    // touches no state, so it needs no lock.
    c_text(unsafe { ffi::sd_kernel_version() })
}
