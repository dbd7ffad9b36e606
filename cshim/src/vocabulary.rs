//! The small vocabulary both engines share by shape (not by type): sites,
//! events, the sentinel return values and the entry encoding.

use crate::ffi;

/// An allocation site with fault injection and a live counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// alloc_page() in add_swap_count_continuation.
    ContPage,
    /// kmalloc() in mte_allocate_tag_storage.
    TagStorage,
    /// A new key in the mte_pages xarray.
    XaNode,
}

impl Site {
    pub const ALL: [Site; 3] = [Site::ContPage, Site::TagStorage, Site::XaNode];

    pub(crate) fn to_c(self) -> i32 {
        let site = match self {
            Site::ContPage => ffi::sd_site_SD_SITE_CONT_PAGE,
            Site::TagStorage => ffi::sd_site_SD_SITE_TAG_STORAGE,
            Site::XaNode => ffi::sd_site_SD_SITE_XA_NODE,
        };
        site as i32
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
    /// None for a kind this crate does not know (a newer C side).
    pub(crate) fn from_c(kind: i32) -> Option<EventKind> {
        match u32::try_from(kind).ok()? {
            ffi::sd_event_kind_SD_EV_WARN => Some(EventKind::Warn),
            ffi::sd_event_kind_SD_EV_BUG => Some(EventKind::Bug),
            ffi::sd_event_kind_SD_EV_HANG => Some(EventKind::Hang),
            ffi::sd_event_kind_SD_EV_LOG => Some(EventKind::Log),
            _ => None,
        }
    }
}

/// One recorded event: `func` is the kernel function that raised it,
/// `text` the stringified condition or the formatted log message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Event {
    pub kind: EventKind,
    pub func: String,
    pub text: String,
}

/// A call that hit BUG() or a hang (SD_TRAPPED).
pub const TRAPPED: i64 = -100_000;
/// A call the argument guards refused (SD_REFUSED).
pub const REFUSED: i64 = -100_001;
/// Tag bytes per 4K page (MTE_PAGE_TAG_STORAGE).
pub const TAG_BYTES: usize = 128;

const _: () = assert!(TRAPPED == ffi::SD_TRAPPED as i64 && REFUSED == ffi::SD_REFUSED as i64);
const _: () = assert!(TAG_BYTES == ffi::SD_MTE_PAGE_TAG_STORAGE as usize);

/// Bits of a swap entry below the type (swapops.h, 64-bit generic layout).
pub const SWP_TYPE_SHIFT: u32 = ffi::SD_SWP_TYPE_SHIFT;
const OFFSET_MASK: u64 = (1 << SWP_TYPE_SHIFT) - 1;

/// The swap entry of slot `offset` on device `ty` (type << 58 | offset;
/// like swp_entry(), bits that do not fit are dropped).
pub fn entry(ty: u32, offset: u64) -> u64 {
    (u64::from(ty) << SWP_TYPE_SHIFT) | (offset & OFFSET_MASK)
}

pub fn entry_type(entry: u64) -> u32 {
    (entry >> SWP_TYPE_SHIFT) as u32
}

pub fn entry_offset(entry: u64) -> u64 {
    entry & OFFSET_MASK
}
