//! The state the spec knows, and its observable view.

use std::collections::BTreeMap;

use swapdiff_contract::{entry_offset, entry_type, Entry, Site, MAX_DEVICES, MAX_FOLIOS};

use crate::tags::{Folio, Saved};
use crate::{SpecMismatch, Verdict};

/// One slot as the spec keeps it. `Used` with no references and no cache never persists
/// (such a slot is free: [`Slot::settle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Free,
    Bad,
    /// `shmem`: the one reference is shmem's (`refs` is then 1), which nobody may duplicate.
    Used {
        refs: u64,
        shmem: bool,
        cached: bool,
    },
}

impl Slot {
    /// A slot nobody references and the cache does not hold is free again: the contract of
    /// every release path (the last reference or the cache going makes the slot reusable).
    pub(crate) fn settle(self) -> Slot {
        match self {
            Slot::Used { refs: 0, cached: false, .. } => Slot::Free,
            s => s,
        }
    }
    pub(crate) fn cached(self) -> bool {
        matches!(self, Slot::Used { cached: true, .. })
    }
    pub(crate) fn refs(self) -> u64 {
        match self {
            Slot::Used { refs, .. } => refs,
            _ => 0,
        }
    }
    pub(crate) fn is_shmem(self) -> bool {
        matches!(self, Slot::Used { shmem: true, .. })
    }
}

/// What the harness compares with an engine's view of a slot (computed from raw state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    /// No device of that type, or past its end.
    Absent,
    Free,
    Bad,
    /// In use: `refs` references (a mapping each, or shmem's one), `cached` if the swap cache
    /// holds it.
    Used {
        refs: u64,
        cached: bool,
    },
}

/// TEST SUPPORT: rules made wrong on purpose, to show that a correct engine then disagrees
/// (the checking is real). Never use outside tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrongRule {
    /// `swap_duplicate` adds two references instead of one.
    SwapDuplicateAddsTwo,
    /// `swapcache_prepare` on a slot the cache already holds must succeed.
    PrepareOnCachedSucceeds,
    /// `arch_swap_restore` and `mte_restore_tags` expect nothing saved: they leave every
    /// page as it was.
    RestoreFindsNothingSaved,
}

/// Faults armed at the two tag-storage sites (`mte_allocate_tag_storage`'s kmalloc and
/// `xa_store`'s node), as far as the spec can tell: how many allocations a save makes is
/// the implementation's, so the spec only knows which sites may still fail, and that each
/// armed site fails at most once.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TagFaults {
    /// Per site (TagStorage, XaNode): armed and maybe not fired yet.
    maybe_armed: [bool; 2],
    /// At most this many more saves can fail.
    fires_left: u8,
}

impl TagFaults {
    pub(crate) fn arm(&mut self, site: Site, nth: u32) {
        let i = match site {
            Site::TagStorage => 0,
            Site::XaNode => 1,
            Site::ContPage => return,
        };
        let armed = |f: &TagFaults| f.maybe_armed.iter().filter(|a| **a).count() as u8;
        if nth == 0 {
            self.maybe_armed[i] = false;
            self.fires_left = self.fires_left.min(armed(self));
        } else {
            // Arming again replaces a fault that may or may not have fired: one more at most.
            self.maybe_armed[i] = true;
            self.fires_left = (self.fires_left + 1).min(armed(self));
        }
    }
    /// A save may fail for memory.
    pub(crate) fn may_fire(&self) -> bool {
        self.fires_left > 0
    }
    /// A save failed: one armed fault fired.
    pub(crate) fn fired(&mut self) {
        self.fires_left = self.fires_left.saturating_sub(1);
        if self.fires_left == 0 {
            self.maybe_armed = [false; 2];
        }
    }
}

/// The spec's model of the world (see the crate docs for the protocol).
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub(crate) devices: [Option<Vec<Slot>>; MAX_DEVICES as usize],
    /// Each device's `swapon` kind (`DEV_SSD`, `DEV_DISCARD`).
    pub(crate) kinds: [u32; MAX_DEVICES as usize],
    /// A fault is armed at the continuation-page site and has not been seen to fire: an
    /// allocation that needs memory for a count may fail. How many allocations a call makes
    /// is encoding, so the spec cannot count down `nth`; it only knows one may fail.
    pub(crate) cont_fault_armed: bool,
    pub(crate) lost: Option<String>,
    pub(crate) wrong: Option<WrongRule>,
    /// `system_supports_mte()` is false (the environment starts with MTE on).
    pub(crate) mte_off: bool,
    pub(crate) tag_faults: TagFaults,
    /// Live folios by handle.
    pub(crate) folios: [Option<Folio>; MAX_FOLIOS],
    /// The tag store: what is saved per swap entry.
    pub(crate) tags: BTreeMap<Entry, Saved>,
}

impl Spec {
    pub fn new() -> Spec {
        Spec::default()
    }

    /// TEST SUPPORT: a spec with one rule made wrong ([`WrongRule`]).
    pub fn with_wrong_rule(rule: WrongRule) -> Spec {
        Spec { wrong: Some(rule), ..Spec::default() }
    }

    /// The observable view of slot `off` of device `ty`.
    pub fn slot(&self, ty: u32, off: u64) -> SlotState {
        match self.get(ty, off) {
            None => SlotState::Absent,
            Some(Slot::Free) => SlotState::Free,
            Some(Slot::Bad) => SlotState::Bad,
            Some(Slot::Used { refs, cached, .. }) => SlotState::Used { refs, cached },
        }
    }

    /// The views of every slot of device `ty`, in offset order (none without a device): what
    /// [`Spec::slot`] answers for offsets `0..device_max(ty)`, in one pass.
    pub fn device_slots(&self, ty: u32) -> impl Iterator<Item = SlotState> + '_ {
        self.device(ty).into_iter().flatten().map(|s| match *s {
            Slot::Free => SlotState::Free,
            Slot::Bad => SlotState::Bad,
            Slot::Used { refs, cached, .. } => SlotState::Used { refs, cached },
        })
    }

    /// The slot count of device `ty` (0 without one).
    pub fn device_max(&self, ty: u32) -> u32 {
        self.device(ty).map_or(0, |d| d.len() as u32)
    }

    /// Why the spec no longer knows the state (a call outside the contract may have changed
    /// it), or None. While lost, every call is [`Verdict::Unpromised`] and the view must not
    /// be compared.
    pub fn lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    pub(crate) fn device(&self, ty: u32) -> Option<&Vec<Slot>> {
        self.devices.get(ty as usize)?.as_ref()
    }

    pub(crate) fn get(&self, ty: u32, off: u64) -> Option<Slot> {
        self.device(ty)?.get(usize::try_from(off).ok()?).copied()
    }

    /// The slots `entry .. entry + nr` when they all lie on one device.
    pub(crate) fn range(&self, entry: Entry, nr: u64) -> Option<&[Slot]> {
        let d = self.device(entry_type(entry))?;
        let lo = usize::try_from(entry_offset(entry)).ok()?;
        let hi = lo.checked_add(usize::try_from(nr).ok()?)?;
        d.get(lo..hi)
    }

    pub(crate) fn range_mut(&mut self, entry: Entry, nr: u64) -> Option<&mut [Slot]> {
        let d = self.devices.get_mut(entry_type(entry) as usize)?.as_mut()?;
        let lo = usize::try_from(entry_offset(entry)).ok()?;
        let hi = lo.checked_add(usize::try_from(nr).ok()?)?;
        d.get_mut(lo..hi)
    }

    /// A call outside what the spec can follow that may have changed state: lost.
    pub(crate) fn lose(&mut self, call: String, why: &'static str) -> Verdict {
        self.lost.get_or_insert(format!("{call}: {why}"));
        Verdict::Unpromised(why)
    }

    /// `Agrees` when `observed` is one of `allowed`, else the mismatch.
    pub(crate) fn expect(call: impl FnOnce() -> String, what: &'static str, allowed: &[i64], observed: i64) -> Verdict {
        if allowed.contains(&observed) {
            return Verdict::Agrees;
        }
        let allowed = allowed.iter().map(|v| ret_name(*v)).collect::<Vec<_>>().join(" or ");
        Verdict::Disagrees(SpecMismatch { call: call(), what, allowed, observed: ret_name(observed) })
    }
}

/// An entry point's return value as a reader names it.
pub(crate) fn ret_name(v: i64) -> String {
    use swapdiff_contract::*;
    match v {
        TRAPPED => "TRAPPED".into(),
        REFUSED => "REFUSED".into(),
        v if v == -i64::from(ENOENT) => "-ENOENT".into(),
        v if v == -i64::from(ENOMEM) => "-ENOMEM".into(),
        v if v == -i64::from(EBUSY) => "-EBUSY".into(),
        v if v == -i64::from(EEXIST) => "-EEXIST".into(),
        v if v == -i64::from(EINVAL) => "-EINVAL".into(),
        v if v == -i64::from(ENOSPC) => "-ENOSPC".into(),
        v => v.to_string(),
    }
}

/// `type:offset` of an entry.
pub(crate) fn at(entry: Entry) -> String {
    format!("{}:{}", entry_type(entry), entry_offset(entry))
}
