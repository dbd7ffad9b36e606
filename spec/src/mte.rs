//! arm64 MTE tags across swap (arch/arm64/mm/mteswap.c's contract): a page's tags are saved
//! under its own swap entry when it goes out, given back to the page that comes in for that
//! entry, and dropped when the entry is invalidated.
//!
//! Two layers, as the kernel has them: the generic hooks `arch_prepare_to_swap`,
//! `arch_swap_restore` and `arch_swap_invalidate_*` do nothing on a system without MTE
//! (`system_supports_mte()`, the `set_mte` switch) and return what their no-op returns (0);
//! the arm64 functions `mte_*` they call are only reached on an MTE system and do their job
//! whatever the switch says. A bad folio handle or page index is refused with -EINVAL by
//! the environment's guard, before either.

use swapdiff_contract::{entry, Entry, EINVAL, ENOMEM, PG_MTE_LOCK, PG_MTE_TAGGED};

use crate::state::at;
use crate::tags::{Origin, PageState, Saved};
use crate::{Spec, Verdict, WrongRule};

const EINVAL_: i64 = -(EINVAL as i64);
const ENOMEM_: i64 = -(ENOMEM as i64);

impl Spec {
    /// `system_supports_mte()` from now on.
    pub fn set_mte(&mut self, on: bool) {
        self.mte_off = !on;
    }

    /// Swap-out: the tags of EVERY tagged page of the folio are saved, page i's under its
    /// own entry `folio->swap + i` (a large folio's pages go out page by page; an untagged
    /// page has no tags to save and its entry is left alone). 0, or -ENOMEM when a tag
    /// buffer cannot be had (only while a fault is armed at a tag-storage site, and only
    /// if a page needs one): then swap-out is abandoned and none of this call's saves may
    /// be left behind. What was saved for those entries before the call is not this
    /// call's, and the contract does not say whether undoing its own saves may take that
    /// too: each such entry keeps it or has nothing. Without MTE: 0, nothing saved.
    pub fn arch_prepare_to_swap(&mut self, folio: u32, observed: i64) -> Verdict {
        let call = || format!("arch_prepare_to_swap(f{folio})");
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let Some(f) = self.folio_ref(folio) else {
            return Spec::expect(call, "return", &[EINVAL_], observed);
        };
        if self.mte_off {
            return Spec::expect(call, "return", &[0], observed);
        }
        let (base, pages) = (f.swap, f.pages.clone());
        let needs_memory =
            pages.iter().any(|p| !matches!(p, PageState::Known { flags, .. } if flags & PG_MTE_TAGGED == 0));
        let allowed: &[i64] = if needs_memory && self.tag_faults.may_fire() { &[0, ENOMEM_] } else { &[0] };
        let v = Spec::expect(call, "return", allowed, observed);
        if v != Verdict::Agrees {
            return v;
        }
        let origin = Origin::Prepare(folio);
        if observed == ENOMEM_ {
            self.tag_faults.fired();
            for i in 0..pages.len() as u64 {
                let key = base.wrapping_add(i);
                if let Some(Saved::Tags(t, _)) = self.tags.get(&key) {
                    let t = *t;
                    self.tags.insert(key, Saved::TagsOrNone(t, origin));
                }
            }
            return v;
        }
        for (i, p) in pages.iter().enumerate() {
            self.save(base.wrapping_add(i as u64), p, origin);
        }
        v
    }

    /// Swap-in: page i of the folio gets the tags saved for `entry + i` (a large folio's
    /// pages come back page by page), when tags are saved there and the page's tags are not
    /// initialised yet (its `PG_mte_lock` is free: the restore takes it and marks the page
    /// tagged). A page already tagged keeps its tags; an entry with nothing saved leaves its
    /// page alone. A void function: 0. A page whose lock is held but not tagged is being
    /// tagged by someone else: the restore would wait for it for ever (single-threaded, a
    /// hang); no caller swaps in into such a page, so that is outside the contract. Without
    /// MTE: 0, no page changes.
    pub fn arch_swap_restore(&mut self, entry: Entry, folio: u32, observed: i64) -> Verdict {
        let call = || format!("arch_swap_restore({}, f{folio})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let Some(f) = self.folio_ref(folio) else {
            return Spec::expect(call, "return", &[EINVAL_], observed);
        };
        if self.mte_off {
            return Spec::expect(call, "return", &[0], observed);
        }
        let nr = f.nr();
        if (0..nr).any(|i| self.would_wait(entry.wrapping_add(u64::from(i)), folio, i)) {
            return self.lose(call(), "restore into a page being tagged (it would wait for ever)");
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v == Verdict::Agrees {
            for i in 0..nr {
                self.restore(entry.wrapping_add(u64::from(i)), folio, i, Origin::Restore(entry, folio));
            }
        }
        v
    }

    /// One page's tags are saved under its own entry (`folio->swap + idx`) if the page is
    /// tagged, replacing what was saved there; an untagged page saves nothing. 0, or
    /// -ENOMEM (nothing changes) while a fault is armed at a tag-storage site.
    pub fn mte_save_tags(&mut self, folio: u32, idx: u32, observed: i64) -> Verdict {
        let call = || format!("mte_save_tags(f{folio}, {idx})");
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let (Some(f), Some(&page)) = (self.folio_ref(folio), self.page_ref(folio, idx)) else {
            return Spec::expect(call, "return", &[EINVAL_], observed);
        };
        let key = f.swap.wrapping_add(u64::from(idx));
        let untagged = matches!(page, PageState::Known { flags, .. } if flags & PG_MTE_TAGGED == 0);
        let allowed: &[i64] = if !untagged && self.tag_faults.may_fire() { &[0, ENOMEM_] } else { &[0] };
        let v = Spec::expect(call, "return", allowed, observed);
        if v == Verdict::Agrees {
            if observed == ENOMEM_ {
                self.tag_faults.fired();
            } else {
                self.save(key, &page, Origin::Save(folio, idx));
            }
        }
        v
    }

    /// One page gets the tags saved for `entry`, as a page of [`Spec::arch_swap_restore`]
    /// does. A void function: 0.
    pub fn mte_restore_tags(&mut self, entry: Entry, folio: u32, idx: u32, observed: i64) -> Verdict {
        let call = || format!("mte_restore_tags({}, f{folio}, {idx})", at(entry));
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        if self.page_ref(folio, idx).is_none() {
            return Spec::expect(call, "return", &[EINVAL_], observed);
        }
        if self.would_wait(entry, folio, idx) {
            return self.lose(call(), "restore into a page being tagged (it would wait for ever)");
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v == Verdict::Agrees {
            self.restore(entry, folio, idx, Origin::RestoreTags(entry, folio, idx));
        }
        v
    }

    /// Nothing is saved for `swp_entry(ty, offset)` afterwards. A void function: 0.
    pub fn mte_invalidate_tags(&mut self, ty: u32, offset: u64, observed: i64) -> Verdict {
        self.invalidate(
            || format!("mte_invalidate_tags({ty}, {offset})"),
            observed,
            |s| {
                s.tags.remove(&entry(ty, offset));
            },
        )
    }

    /// Nothing is saved for any entry of swap type `ty` afterwards (swapoff). 0.
    pub fn mte_invalidate_tags_area(&mut self, ty: u32, observed: i64) -> Verdict {
        self.invalidate(|| format!("mte_invalidate_tags_area({ty})"), observed, |s| s.drop_type_tags(ty))
    }

    /// [`Spec::mte_invalidate_tags`] on an MTE system, else nothing. 0.
    pub fn arch_swap_invalidate_page(&mut self, ty: u32, offset: u64, observed: i64) -> Verdict {
        self.invalidate(
            || format!("arch_swap_invalidate_page({ty}, {offset})"),
            observed,
            |s| {
                if !s.mte_off {
                    s.tags.remove(&entry(ty, offset));
                }
            },
        )
    }

    /// [`Spec::mte_invalidate_tags_area`] on an MTE system, else nothing. 0.
    pub fn arch_swap_invalidate_area(&mut self, ty: u32, observed: i64) -> Verdict {
        self.invalidate(
            || format!("arch_swap_invalidate_area({ty})"),
            observed,
            |s| {
                if !s.mte_off {
                    s.drop_type_tags(ty);
                }
            },
        )
    }

    fn invalidate(&mut self, call: impl FnOnce() -> String, observed: i64, apply: impl FnOnce(&mut Spec)) -> Verdict {
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let v = Spec::expect(call, "return", &[0], observed);
        if v == Verdict::Agrees {
            apply(self);
        }
        v
    }

    /// Saves `page` under `key`: a tagged page's tags replace what was there; an untagged
    /// page saves nothing; a page the spec does not know leaves the key open.
    fn save(&mut self, key: Entry, page: &PageState, origin: Origin) {
        match *page {
            PageState::Known { tags, flags, .. } if flags & PG_MTE_TAGGED != 0 => {
                self.tags.insert(key, Saved::Tags(tags, origin));
            }
            PageState::Known { .. } => {}
            PageState::Unknown(_) => {
                self.tags.insert(key, Saved::Unknown(origin));
            }
        }
    }

    /// Whether restoring `key` into the page would wait on a tagger (lock held, not tagged)
    /// because something may be saved there.
    fn would_wait(&self, key: Entry, folio: u32, idx: u32) -> bool {
        let mid_tagging = matches!(self.page_ref(folio, idx),
            Some(PageState::Known { flags, .. }) if flags & (PG_MTE_LOCK | PG_MTE_TAGGED) == PG_MTE_LOCK);
        mid_tagging && self.tags.contains_key(&key) && self.wrong != Some(WrongRule::RestoreFindsNothingSaved)
    }

    fn restore(&mut self, key: Entry, folio: u32, idx: u32, origin: Origin) {
        if self.wrong == Some(WrongRule::RestoreFindsNothingSaved) {
            return;
        }
        let saved = self.tags.get(&key).copied();
        let Some(page) = self.page_mut(folio, idx) else {
            return;
        };
        let lock_free = match *page {
            PageState::Known { flags, .. } => flags & PG_MTE_LOCK == 0,
            PageState::Unknown(_) => true,
        };
        *page = match (saved, *page) {
            (None, p) => p,
            (Some(_), p) if !lock_free => p,
            (Some(Saved::Tags(tags, _)), PageState::Known { flags, .. }) => {
                PageState::Known { tags, flags: flags | PG_MTE_LOCK | PG_MTE_TAGGED, origin }
            }
            _ => PageState::Unknown(origin),
        };
    }
}
