//! Reading counts. Nothing here changes state.

use swapdiff_contract::{entry_offset, entry_type, Entry, REFUSED};

use crate::state::{at, ret_name, Slot};
use crate::{Spec, SpecMismatch, Verdict};

/// A free slot of a cluster waiting for its discard reads as SWAP_MAP_BAD (6.12 marks the
/// cluster's slots bad so that no scan takes them): its count is not promised.
const PENDING: &str = "a free slot waiting for its cluster's discard reads as bad";

impl Spec {
    /// What callers rely on (swap-in deciding whether its mapping is the only user): 0 when
    /// nobody references the slot, 1 when exactly one mapping does, more than 1 when more
    /// do. The exact value above 1 is not promised (it is the cheap count, not the total).
    /// shmem's single reference reads as some non-zero value (no swap-in path asks about it).
    /// The harness's guard refuses a slot past the device or without one. A bad slot has no
    /// count: not promised.
    pub fn __swap_count(&mut self, entry: Entry, observed: i64) -> Verdict {
        self.cheap_count("__swap_count", entry, observed)
    }

    /// The same promise as [`Spec::__swap_count`] (the same read, under the cluster lock).
    pub fn swap_swapcount(&mut self, entry: Entry, observed: i64) -> Verdict {
        self.cheap_count("swap_swapcount", entry, observed)
    }

    /// The total number of references: exact, whatever the count's storage. 0 for a free
    /// slot or an entry of no device. A bad slot has no count: not promised. Neither is
    /// shmem's entry: the one caller (smaps' swap PSS, fs/proc/task_mmu.c) reads entries out
    /// of page tables, and shmem's entry lives in the page cache, never in a page table.
    pub fn swp_swapcount(&mut self, entry: Entry, observed: i64) -> Verdict {
        let call = || format!("swp_swapcount({})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        match self.get(entry_type(entry), entry_offset(entry)) {
            Some(Slot::Bad) => Verdict::Unpromised("a bad slot has no count"),
            Some(Slot::Free) if self.pending_discard(entry_type(entry), entry_offset(entry)) => {
                Verdict::Unpromised(PENDING)
            }
            Some(s) if s.is_shmem() => Verdict::Unpromised("shmem's entry is in no page table"),
            None | Some(Slot::Free) => Spec::expect(call, "count", &[0], observed),
            Some(s) => Spec::expect(call, "count", &[s.refs() as i64], observed),
        }
    }

    fn cheap_count(&self, name: &str, entry: Entry, observed: i64) -> Verdict {
        let call = || format!("{name}({})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let (ok, allowed): (bool, &str) = match self.get(entry_type(entry), entry_offset(entry)) {
            None => (observed == REFUSED, "REFUSED"),
            Some(Slot::Bad) => return Verdict::Unpromised("a bad slot has no count"),
            Some(Slot::Free) if self.pending_discard(entry_type(entry), entry_offset(entry)) => {
                return Verdict::Unpromised(PENDING)
            }
            Some(s) if s.is_shmem() => (observed > 0, "non-zero"),
            Some(s) => match s.refs() {
                0 => (observed == 0, "0"),
                1 => (observed == 1, "1"),
                _ => (observed > 1, "more than 1"),
            },
        };
        if ok {
            return Verdict::Agrees;
        }
        Verdict::Disagrees(SpecMismatch {
            call: call(),
            what: "count",
            allowed: allowed.into(),
            observed: ret_name(observed),
        })
    }
}
