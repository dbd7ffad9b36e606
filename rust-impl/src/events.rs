//! The event log and the catalogue of every diagnostic the model can produce.
//!
//! Each [`Check`] names the kernel function that holds the macro and the condition exactly
//! as the C preprocessor stringifies it (`#cond`: macro names unexpanded, source spacing),
//! so the harness can compare model and kernel events as strings. A BUG or hang abandons
//! the call: the code returns `Err(Trapped)` and `?` carries it to the entry point, so
//! state changed before the check stays and nothing after it happens.

use crate::continuation::ContBug;
use swapdiff_contract::{Arg, Event, EventKind};

/// A call was abandoned at a BUG or hang (already recorded in the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trapped;

/// The result of kernel code that may hit BUG().
pub type Flow<T> = Result<T, Trapped>;

/// One diagnostic site in the kernel source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub kind: EventKind,
    pub func: &'static str,
    pub text: &'static str,
}

const fn warn(func: &'static str, text: &'static str) -> Check {
    Check { kind: EventKind::Warn, func, text }
}

const fn bug(func: &'static str, text: &'static str) -> Check {
    Check { kind: EventKind::Bug, func, text }
}

// __swap_duplicate
pub const DUP_NO_DEVICE: Check = warn("__swap_duplicate", "!si");
pub const DUP_CROSSES_CLUSTER: Check = warn("__swap_duplicate", "nr > SWAPFILE_CLUSTER - offset % SWAPFILE_CLUSTER");
pub const DUP_BATCHED_REF: Check = warn("__swap_duplicate", "usage == 1 && nr > 1");
// __swap_entries_free: a slot in the range is already free.
pub const ENTRIES_FREE_ZERO: Check = warn("__swap_entries_free", "1");
// free_swap_and_cache_nr
pub const RANGE_PAST_MAX: Check = warn("free_swap_and_cache_nr", "end_offset > si->max");
// mte_save_tags: xa_store failed.
pub const XA_STORE_FAILED: Check = warn("mte_save_tags", "xa_is_err(ret)");

pub const HAS_CACHE_MISSING: Check = bug("swap_is_has_cache", "!(*map & SWAP_HAS_CACHE)");
pub const FREE_LOCKED_NOT_CACHED: Check = bug("__swap_entry_free_locked", "!has_cache");
pub const RANGE_FREE_NOT_CACHE_ONLY: Check = bug("swap_entry_range_free", "*map != SWAP_HAS_CACHE");
pub const CLUSTER_COUNT_SHORT: Check = bug("dec_cluster_info_page", "ci->count < nr_pages");
pub const CLUSTER_ALREADY_FREE: Check = bug("dec_cluster_info_page", "cluster_is_free(ci)");
pub const SWAPCOUNT_NOT_CONTINUED: Check = bug("swp_swapcount", "page_private(page) != SWP_CONTINUED");
pub const ADD_CONT_ALREADY_CONTINUED: Check = bug("add_swap_count_continuation", "count & COUNT_CONTINUED");

// The allocator and the cluster lists.
pub const ALLOC_FREE_CLUSTER_FAILED: Check = bug("cluster_alloc_swap_entry", "(si->flags & SWP_WRITEOK) && !found");
pub const ALLOC_RANGE_FULL_UNLISTED: Check =
    bug("cluster_alloc_range", "!(ci->flags & (CLUSTER_FLAG_FREE | CLUSTER_FLAG_NONFULL | CLUSTER_FLAG_FRAG))");
pub const SCHEDULE_DISCARD_FREE: Check = bug("swap_cluster_schedule_discard", "ci->flags & CLUSTER_FLAG_FREE");
/// lib/plist.c's `WARN_ON(!plist_node_empty(node))`: ENVIRONMENT.md has it do nothing else.
pub const PLIST_ADD_LISTED: Check = warn("plist_add", "!plist_node_empty(n)");

/// The hang of `try_page_mte_tagging` (ENVIRONMENT.md).
pub const MTE_TAGGING_SPIN: Check =
    Check { kind: EventKind::Hang, func: "try_page_mte_tagging", text: "PG_mte_lock set, PG_mte_tagged clear" };

/// Model-only: `swp_swapcount`'s digit walk would wrap to the map page and never end.
/// Unreachable through kernel operations (see `ContList::total`); never seen in practice.
pub const SWAPCOUNT_ENDLESS_WALK: Check =
    Check { kind: EventKind::Hang, func: "swp_swapcount", text: "continuation walk wraps to the swap_map page" };

impl From<ContBug> for Check {
    fn from(b: ContBug) -> Check {
        bug("swap_count_continued", b.text())
    }
}

/// The `%s` prefixes of the swapfile.c error messages.
pub const BAD_FILE: &str = "Bad swap file entry ";
pub const UNUSED_OFFSET: &str = "Unused swap offset entry ";
pub const BAD_OFFSET: &str = "Bad swap offset entry ";

/// The format of swapfile.c's `pr_err("%s: %s%08lx\n", __func__, what, entry.val)`.
const ENTRY_MESSAGE: &str = "%s: %s%08lx\n";
/// The format of `pr_err_ratelimited("%s%08lx\n", what, entry.val)` (no function prefix).
const BARE_MESSAGE: &str = "%s%08lx\n";

/// `blkdev_issue_discard()`'s event: `discard type:first page+pages` (INTERFACES-17 section 4).
const DISCARD_MESSAGE: &str = "discard %u:%lu+%lu\n";
/// `get_swap_pages`' WARNs on a listed device it cannot use.
pub const LISTED_NO_HIGHEST_BIT: &str = "swap_info %d in list but !highest_bit\n";

/// Events since the last `take`: values, nothing formatted.
#[derive(Debug, Default)]
pub struct EventLog {
    events: Vec<Event>,
}

impl EventLog {
    /// Record a WARN (or any non-trapping check).
    pub fn fire(&mut self, check: Check) {
        self.events.push(Event::new(check.kind, check.func, check.text));
    }

    /// Record a BUG or hang; the caller returns the result with `?`/`Err`.
    pub fn trap(&mut self, check: Check) -> Trapped {
        self.fire(check);
        Trapped
    }

    /// `pr_err("%s: %s%08lx\n", __func__, what, entry.val)` from `func`.
    pub fn log_entry(&mut self, func: &'static str, what: &'static str, entry: u64) {
        let args = [Arg::Str(func), Arg::Str(what), Arg::Int(entry)];
        self.events.push(Event::message_of(EventKind::Log, func, ENTRY_MESSAGE, &args));
    }

    /// `pr_err("%s%08lx\n", what, entry.val)` from `func` (no function prefix).
    pub fn log_bare(&mut self, func: &'static str, what: &'static str, entry: u64) {
        let args = [Arg::Str(what), Arg::Int(entry)];
        self.events.push(Event::message_of(EventKind::Log, func, BARE_MESSAGE, &args));
    }

    /// A DISCARD of pages `first .. first + nr` of device `ty`, issued by `func`.
    pub fn discard(&mut self, func: &'static str, ty: u32, first: u64, nr: u64) {
        let args = [Arg::Int(u64::from(ty)), Arg::Int(first), Arg::Int(nr)];
        self.events.push(Event::message_of(EventKind::Discard, func, DISCARD_MESSAGE, &args));
    }

    /// `WARN(cond, format, type)` from `func`.
    pub fn warn_type(&mut self, func: &'static str, format: &'static str, ty: u32) {
        self.events.push(Event::message_of(EventKind::Warn, func, format, &[Arg::Int(u64::from(ty))]));
    }

    pub fn take(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    pub fn clear(&mut self) {
        self.events.clear();
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_formats_like_pr_err_with_08lx() {
        let mut log = EventLog::default();
        log.log_entry("_swap_info_get", UNUSED_OFFSET, 5);
        // %08lx pads to 8 hex digits and widens past them for a type in the high bits.
        log.log_bare("__swap_duplicate", BAD_FILE, 5u64 << 58 | 1);
        let ev = log.take();
        assert_eq!(ev[0].message(), "_swap_info_get: Unused swap offset entry 00000005");
        assert_eq!(ev[0].func, "_swap_info_get");
        assert_eq!(ev[1].message(), "Bad swap file entry 1400000000000001");
        assert_eq!(ev[1].kind, EventKind::Log);
        assert!(log.is_empty());
    }
}
