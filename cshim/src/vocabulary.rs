//! The contract's vocabulary in swapdiff.h's terms: sites and event kinds to and from the
//! C enums, and compile-time proof that every contract constant the header also defines
//! has the header's value (a drift fails the build, not a test run).

use swapdiff_contract as contract;
use swapdiff_contract::{EventKind, Site};

use crate::ffi;

/// The `enum sd_site` value of `site`.
pub(crate) fn site_to_c(site: Site) -> i32 {
    let c = match site {
        Site::ContPage => ffi::sd_site_SD_SITE_CONT_PAGE,
        Site::TagStorage => ffi::sd_site_SD_SITE_TAG_STORAGE,
        Site::XaNode => ffi::sd_site_SD_SITE_XA_NODE,
    };
    c as i32
}

/// None for a kind the contract does not know (a newer C side).
pub(crate) fn kind_from_c(kind: i32) -> Option<EventKind> {
    match u32::try_from(kind).ok()? {
        ffi::sd_event_kind_SD_EV_WARN => Some(EventKind::Warn),
        ffi::sd_event_kind_SD_EV_BUG => Some(EventKind::Bug),
        ffi::sd_event_kind_SD_EV_HANG => Some(EventKind::Hang),
        ffi::sd_event_kind_SD_EV_LOG => Some(EventKind::Log),
        ffi::sd_event_kind_SD_EV_DISCARD => Some(EventKind::Discard),
        _ => None,
    }
}

// The sentinels and the entry encoding.
const _: () = assert!(contract::TRAPPED == ffi::SD_TRAPPED as i64);
const _: () = assert!(contract::REFUSED == ffi::SD_REFUSED as i64);
const _: () = assert!(contract::SWP_TYPE_SHIFT == ffi::SD_SWP_TYPE_SHIFT);
const _: () = assert!(contract::SWP_OFFSET_MASK == ffi::SD_SWP_OFFSET_MASK);

// The configuration and the environment's limits.
const _: () = assert!(contract::PAGE_SIZE == ffi::SD_PAGE_SIZE as usize);
const _: () = assert!(contract::SWAPFILE_CLUSTER == ffi::SD_SWAPFILE_CLUSTER);
const _: () = assert!(contract::TAG_BYTES == ffi::SD_MTE_PAGE_TAG_STORAGE as usize);
const _: () = assert!(contract::MAX_DEVICES == ffi::SD_MAX_DEVICES);
const _: () = assert!(contract::MAX_CLUSTERS == ffi::SD_MAX_CLUSTERS);
const _: () = assert!(contract::MAX_FOLIO_ORDER == ffi::SD_MAX_FOLIO_ORDER);
const _: () = assert!(contract::MAX_FOLIOS == ffi::SD_MAX_FOLIOS as usize);
const _: () = assert!(contract::MAX_CONT_PAGES == ffi::SD_MAX_CONT_PAGES as usize);
const _: () = assert!(contract::PAGE_POISON as u32 == ffi::SD_PAGE_POISON);
const _: () = assert!(contract::PG_MTE_TAGGED == ffi::SD_PG_MTE_TAGGED);
const _: () = assert!(contract::PG_MTE_LOCK == ffi::SD_PG_MTE_LOCK);
const _: () = assert!(contract::MAX_EVENT_ARGS == ffi::SD_EVENT_MAX_ARGS as usize);

// Device kinds, the allocator's lists and the work bits.
const _: () = assert!(contract::DEV_SSD == ffi::SD_DEV_SSD);
const _: () = assert!(contract::DEV_DISCARD == ffi::SD_DEV_DISCARD);
const _: () = assert!(contract::NR_ORDERS == ffi::SD_NR_ORDERS);
const _: () = assert!(contract::SWAP_BATCH == ffi::SD_SWAP_BATCH as usize);
const _: () = assert!(contract::WORK_DISCARD == ffi::SD_WORK_DISCARD);
const _: () = assert!(contract::WORK_RECLAIM == ffi::SD_WORK_RECLAIM);
const _: () = assert!(contract::LIST_FREE == ffi::SD_LIST_FREE);
const _: () = assert!(contract::LIST_FULL == ffi::SD_LIST_FULL);
const _: () = assert!(contract::LIST_DISCARD == ffi::SD_LIST_DISCARD);
// SD_LIST_NONFULL(o) is 3 + o and SD_LIST_FRAG(o) 3 + SD_NR_ORDERS + o (function-like
// macros bindgen cannot see): their bases and the count, through the list count.
const _: () = assert!(contract::list_nonfull(0) == ffi::SD_LIST_DISCARD + 1);
const _: () = assert!(contract::list_frag(0) == contract::list_nonfull(ffi::SD_NR_ORDERS));
const _: () = assert!(contract::NR_LISTS == contract::list_frag(ffi::SD_NR_ORDERS));

// Site::index() is the C enum value, for every site, and there are no others.
const _: () = assert!(Site::ContPage.index() == ffi::sd_site_SD_SITE_CONT_PAGE as usize);
const _: () = assert!(Site::TagStorage.index() == ffi::sd_site_SD_SITE_TAG_STORAGE as usize);
const _: () = assert!(Site::XaNode.index() == ffi::sd_site_SD_SITE_XA_NODE as usize);
const _: () = assert!(Site::ALL.len() == ffi::sd_site_SD_NR_SITES as usize);
