//! The environment's services (devices, bad slots, fault injection), as the
//! harness's environment defines them for every kernel (cshim/ENVIRONMENT.md).

use swapdiff_contract::{entry_offset, entry_type, Entry, Site, EBUSY, EINVAL, MAX_CLUSTERS, SWAPFILE_CLUSTER};

use crate::state::{at, Slot};
use crate::{Spec, Verdict};

impl Spec {
    /// Back to no devices, no folios, nothing saved, MTE on and no armed faults; a lost
    /// spec knows the state again.
    pub fn env_reset(&mut self) {
        let wrong = self.wrong;
        *self = Spec { wrong, ..Spec::default() };
    }

    /// Fault injection: an armed continuation-page site may make a count's storage fail;
    /// an armed tag-storage site (the tag buffer, the tag store's node) may make a save fail.
    pub fn fault_arm(&mut self, site: Site, nth: u32) {
        if site == Site::ContPage {
            self.cont_fault_armed = nth > 0;
        }
        self.tag_faults.arm(site, nth);
    }

    /// A device goes to the lowest free type, `nr_clusters` clusters of slots, of which the
    /// first (the header) is never usable. -EINVAL for a size outside 1..=MAX_CLUSTERS,
    /// -EBUSY when every type holds a device. The environment decides all of it: no choice.
    pub fn swapon(&mut self, nr_clusters: u32, kind: u32, observed: i32) -> Verdict {
        let call = || format!("swapon({nr_clusters}, {kind})");
        let free = self.devices.iter().position(Option::is_none);
        let want = match free {
            _ if !(1..=MAX_CLUSTERS).contains(&nr_clusters) => -EINVAL,
            None => -EBUSY,
            Some(ty) => ty as i32,
        };
        let v = Spec::expect(call, "return", &[i64::from(want)], i64::from(observed));
        if v == Verdict::Agrees && want >= 0 {
            let mut slots = vec![Slot::Free; (nr_clusters * SWAPFILE_CLUSTER) as usize];
            slots[0] = Slot::Bad;
            self.devices[want as usize] = Some(slots);
            self.kinds[want as usize] = kind;
        }
        v
    }

    /// The device goes, whatever its slots held: later calls see no device. Its swap
    /// address space goes with it (the swap cache lets go of its folios, `folio->swap`
    /// kept), and on an MTE system nothing stays saved for its entries
    /// (`arch_swap_invalidate_area`).
    pub fn swapoff(&mut self, ty: u32, observed: i32) -> Verdict {
        let want = if self.device(ty).is_some() { 0 } else { -EINVAL };
        let v = Spec::expect(|| format!("swapoff({ty})"), "return", &[i64::from(want)], i64::from(observed));
        if v == Verdict::Agrees && want == 0 {
            self.devices[ty as usize] = None;
            if !self.mte_off {
                self.drop_type_tags(ty);
            }
            for f in self.folios.iter_mut().flatten() {
                if f.cache_base.is_some_and(|b| entry_type(b) == ty) {
                    f.cache_base = None;
                }
            }
        }
        v
    }

    /// A free slot becomes bad (a bad-block list); -EBUSY for a slot not free, -EINVAL
    /// without a device or past its end.
    pub fn mark_bad(&mut self, entry: Entry, observed: i32) -> Verdict {
        let (ty, off) = (entry_type(entry), entry_offset(entry));
        let want = match self.get(ty, off) {
            None => -EINVAL,
            Some(Slot::Free) => 0,
            Some(_) => -EBUSY,
        };
        // A free slot waiting for its cluster's discard reads as bad: busy.
        if want == 0 && observed == -EBUSY && self.pending_discard(ty, off) {
            return Verdict::Agrees;
        }
        let v = Spec::expect(|| format!("mark_bad({})", at(entry)), "return", &[i64::from(want)], i64::from(observed));
        if v == Verdict::Agrees && want == 0 {
            self.devices[ty as usize].as_mut().expect("device checked")[off as usize] = Slot::Bad;
        }
        v
    }
}
