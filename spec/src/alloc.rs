//! What the allocator (`alloc_swap`, `get_swap_pages`) and the queued workers promise.
//!
//! An entry handed out is a naturally aligned run of `1 << order` slots on a present
//! device, past the header, each free before (or cache-only and reclaimed on the way: when
//! swap is more than half full the allocator may reclaim a cache-only slot whose folio can
//! be dropped and reuse it), and cache-only after. When it may find nothing is exactly what
//! 6.12 keeps and no more: order 0 always finds a free slot if the device has one (every
//! cluster with a free slot is on a list an order-0 request reaches, and the HDD scan
//! covers `lowest_bit..=highest_bit`); a rotational device never gives order > 0; an SSD
//! gives order > 0 only from a free cluster or a nonfull/frag cluster of that order, so the
//! only promise is that a device with a cluster whose every slot is free (a free cluster,
//! or one waiting for its discard, which the allocator then runs) does not fail it.
//!
//! A worker changes no reference count: a discard frees nothing the spec does not already
//! count free (its slots are free once its cluster's last slot went; meanwhile they read as
//! bad, see [`Spec::pending_discard`]), and reclaim may drop only cache-only slots whose
//! folio the swap cache can let go (all its slots cache-only), the folio leaving the cache.

use swapdiff_contract::{
    entry as swp_entry, entry_offset, entry_type, Entry, DEV_DISCARD, DEV_SSD, EINVAL, ENOSPC, MAX_DEVICES, MAX_FOLIOS,
    MAX_FOLIO_ORDER, REFUSED, SWAPFILE_CLUSTER,
};

use crate::state::{at, ret_name, Slot, SlotState};
use crate::tags::cache_index;
use crate::{Spec, SpecMismatch, Verdict};

const CACHE_ONLY: Slot = Slot::Used { refs: 0, shmem: false, cached: true };
const CLUSTER: usize = SWAPFILE_CLUSTER as usize;

impl Spec {
    /// Slot `off` of `ty` may read as bad while the spec counts it free: a discarding SSD
    /// turns the slots of a cluster whose last slot was released into bad ones until the
    /// discard has run (never cluster 0, which holds the header).
    pub fn pending_discard(&self, ty: u32, off: u64) -> bool {
        let kind = self.kinds.get(ty as usize).copied().unwrap_or(0);
        let Some(d) = self.device(ty) else { return false };
        let c = off as usize / CLUSTER;
        kind & (DEV_SSD | DEV_DISCARD) == DEV_SSD | DEV_DISCARD
            && c > 0
            && d.get(c * CLUSTER..(c + 1) * CLUSTER).is_some_and(|r| r.iter().all(|s| *s == Slot::Free))
    }

    /// Whether an allocation of `order` on device `ty` must succeed (see the module doc).
    fn must_find(&self, ty: u32, order: u32) -> bool {
        let Some(d) = self.device(ty) else { return false };
        if order == 0 {
            return d.iter().skip(1).any(|s| *s == Slot::Free);
        }
        self.kinds[ty as usize] & DEV_SSD != 0 && d.chunks(CLUSTER).any(|c| c.iter().all(|s| *s == Slot::Free))
    }

    /// Swap may be more than half full during a call that takes `taking` pages first
    /// (`vm_swap_full()` after `get_swap_pages`' subtraction): the allocator may reclaim.
    fn may_reclaim(&self, taking: u64) -> bool {
        let (mut free, mut total) = (0u64, 0u64);
        for d in self.devices.iter().flatten() {
            for s in d.iter() {
                total += u64::from(*s != Slot::Bad);
                free += u64::from(*s == Slot::Free);
            }
        }
        free.saturating_sub(taking) * 2 < total
    }

    /// A cached folio over cache-only slots exists (something reclaim could drop).
    fn reclaimable_folio(&self) -> bool {
        self.folios
            .iter()
            .flatten()
            .filter_map(|f| f.cache_base.map(|b| (b, f.nr())))
            .any(|(b, n)| self.range(b, u64::from(n)).is_some_and(|r| r.iter().all(|s| *s == CACHE_ONLY)))
    }

    /// `alloc_swap(ty, order)` (see the module doc).
    pub fn alloc_swap(
        &mut self,
        ty: u32,
        order: u32,
        observed: Result<Entry, i32>,
        view: impl Fn(u32, u64) -> SlotState,
    ) -> Verdict {
        let call = || format!("alloc_swap({ty}, {order})");
        let mismatch = |what, allowed: &str| {
            let observed = match observed {
                Ok(e) => at(e),
                Err(r) => ret_name(i64::from(r)),
            };
            Verdict::Disagrees(SpecMismatch { call: call(), what, allowed: allowed.into(), observed })
        };
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        if self.device(ty).is_none() || order > MAX_FOLIO_ORDER {
            return match observed {
                Err(r) if r == -EINVAL => Verdict::Agrees,
                _ => mismatch("return", "-EINVAL"),
            };
        }
        let n = 1u64 << order;
        match observed {
            Err(r) if r == -ENOSPC => {
                if self.must_find(ty, order) {
                    return mismatch("return", "an entry (the device has room the allocator always finds)");
                }
            }
            Ok(e) => {
                let off = entry_offset(e);
                let run = self.range(e, n).filter(|_| entry_type(e) == ty && off >= 1 && off.is_multiple_of(n));
                let Some(run) = run else {
                    return mismatch("entry", "an aligned run past the header on the device");
                };
                let held = |o: u64| self.cache_holder(ty, cache_index(swp_entry(ty, o))).is_some();
                if !run.iter().zip(off..).all(|(s, o)| *s == Slot::Free || (*s == CACHE_ONLY && held(o))) {
                    return mismatch("entry", "a run of free (or reclaimable cache-only) slots");
                }
                // Slots reused from a reclaimed folio: that folio left the swap cache. Each
                // cache-only slot of the run was held above; one no longer held belonged to a
                // folio this loop already took out (a large folio's other pages).
                for o in off..off + n {
                    let still_held = self.cache_holder(ty, cache_index(swp_entry(ty, o))).is_some();
                    if self.get(ty, o) == Some(CACHE_ONLY) && still_held {
                        if let Some(v) = self.reclaim_holder(ty, o, &view, &call) {
                            return v;
                        }
                    }
                }
                for s in self.range_mut(e, n).expect("checked") {
                    *s = CACHE_ONLY;
                }
            }
            Err(_) => return mismatch("return", "an entry or -ENOSPC"),
        }
        self.reclaimed(&view, &call)
    }

    /// `get_swap_pages(n, order)`: REFUSED outside `1..=64` or above the largest folio
    /// order; else at most `n` entries, new cache-only slots in aligned runs, and none only
    /// when no device must give one (order > 0: only the first device with room is tried).
    pub fn get_swap_pages(
        &mut self,
        n: i32,
        order: u32,
        observed: i64,
        view: impl Fn(u32, u64) -> SlotState,
    ) -> Verdict {
        let call = || format!("get_swap_pages({n}, {order})");
        if !(1..=64).contains(&n) || order > MAX_FOLIO_ORDER {
            return Spec::expect(call, "return", &[REFUSED], observed);
        }
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        if !(0..=i64::from(n)).contains(&observed) {
            return Spec::expect(call, "return", &[0, i64::from(n)], observed);
        }
        let size = 1u64 << order;
        if self.may_reclaim(n as u64 * size) && self.reclaimable_folio() {
            // Which cached folio it reclaimed, and reused, is not visible in the slots.
            return self.lose(call(), "the allocator may have reclaimed a cached folio");
        }
        if observed == 0 {
            let first = (0..MAX_DEVICES).find(|&t| self.device(t).is_some_and(|d| d.contains(&Slot::Free)));
            let must = match first {
                Some(t) if order == 0 => self.must_find(t, 0),
                Some(t) => self.must_find(t, order),
                None => false,
            };
            if must {
                return Spec::expect(call, "return", &[1, i64::from(n)], observed);
            }
        }
        // The new entries: slots free before and cache-only now, in aligned runs.
        let mut taken = 0u64;
        for ty in 0..MAX_DEVICES {
            let Some(max) = self.device(ty).map(|d| d.len() as u64) else { continue };
            let mut off = 0;
            while off + size <= max {
                let new: Vec<bool> = (off..off + size)
                    .map(|o| {
                        self.get(ty, o) == Some(Slot::Free)
                            && view(ty, o) == (SlotState::Used { refs: 0, cached: true })
                    })
                    .collect();
                if new.iter().any(|&b| b) {
                    if !new.iter().all(|&b| b) || off == 0 {
                        return Verdict::Disagrees(SpecMismatch {
                            call: call(),
                            what: "entries",
                            allowed: "naturally aligned runs of free slots past the header".into(),
                            observed: format!("a partial run at {}", at(swp_entry(ty, off))),
                        });
                    }
                    taken += 1;
                    for s in self.range_mut(swp_entry(ty, off), size).expect("in range") {
                        *s = CACHE_ONLY;
                    }
                }
                off += size;
            }
        }
        if taken != observed as u64 {
            return Verdict::Disagrees(SpecMismatch {
                call: call(),
                what: "entries",
                allowed: format!("{observed} new cache-only runs"),
                observed: format!("{taken}"),
            });
        }
        self.reclaimed(&view, &call)
    }

    /// `flush_work()`: 0, and what the workers may have done (module doc).
    pub fn flush_work(&mut self, observed: i64, view: impl Fn(u32, u64) -> SlotState) -> Verdict {
        let call = || "flush_work()".to_string();
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v != Verdict::Agrees {
            return v;
        }
        self.reclaimed(&view, &call)
    }

    /// Cache-only slots the engine now shows free were reclaimed: each must belong to a
    /// cached folio all of whose slots are cache-only; that folio leaves the swap cache
    /// (`folio->swap` 0) and its slots are free.
    fn reclaimed(&mut self, view: &impl Fn(u32, u64) -> SlotState, call: &impl Fn() -> String) -> Verdict {
        for ty in 0..MAX_DEVICES {
            let Some(max) = self.device(ty).map(|d| d.len() as u64) else { continue };
            for o in 0..max {
                if self.get(ty, o) == Some(CACHE_ONLY) && view(ty, o) == SlotState::Free {
                    if let Some(v) = self.reclaim_holder(ty, o, view, call) {
                        return v;
                    }
                }
            }
        }
        Verdict::Agrees
    }

    /// The folio caching slot `o` of `ty` was reclaimed: check it could be, take it out of
    /// the cache, and free its slots the engine shows free (the others were reused).
    fn reclaim_holder(
        &mut self,
        ty: u32,
        o: u64,
        view: &impl Fn(u32, u64) -> SlotState,
        call: &impl Fn() -> String,
    ) -> Option<Verdict> {
        let bad = |why: &str| {
            Some(Verdict::Disagrees(SpecMismatch {
                call: call(),
                what: "reclaim",
                allowed: "only cache-only slots of a cached folio whose slots are all cache-only".into(),
                observed: format!("slot {} reclaimed: {why}", at(swp_entry(ty, o))),
            }))
        };
        let Some(h) = self.cache_holder(ty, cache_index(swp_entry(ty, o))) else {
            return bad("no folio in the swap cache holds it");
        };
        debug_assert!((h as usize) < MAX_FOLIOS);
        let f = self.folio_ref(h).expect("holder is live");
        let (base, nr) = (f.swap, u64::from(f.nr()));
        if !self.range(base, nr).is_some_and(|r| r.iter().all(|s| *s == CACHE_ONLY)) {
            return bad("its folio's slots are not all cache-only");
        }
        let f = self.folio_mut(h).expect("live");
        f.cache_base = None;
        f.swap = 0;
        for i in 0..nr {
            let e = base + i;
            if view(entry_type(e), entry_offset(e)) == SlotState::Free {
                self.range_mut(e, 1).expect("in range")[0] = Slot::Free;
                self.slot_freed(e);
            }
        }
        None
    }
}
