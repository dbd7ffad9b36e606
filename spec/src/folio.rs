//! The environment's folio and swap-cache services (swapdiff.h, cshim/ENVIRONMENT.md). They
//! are the harness's, identical for every kernel, so each return is the one the environment
//! defines: no choice. None of them touches a slot's count or the tag store.

use swapdiff_contract::{entry_type, Entry, EBUSY, EEXIST, EINVAL, ENOENT, ENOSPC, MAX_FOLIO_ORDER, TAG_BYTES};
use swapdiff_contract::{PG_MTE_LOCK, PG_MTE_TAGGED};

use crate::state::at;
use crate::tags::{cache_index, Folio, Origin, PageState};
use crate::{Spec, Verdict};

impl Spec {
    /// A folio of `1 << order` pages at the lowest free handle, every page with tags 0 and
    /// flags 0, `folio->swap` 0, not in the swap cache, not mapped. -EINVAL for an order
    /// above MAX_FOLIO_ORDER, -ENOSPC when every handle is live.
    pub fn folio_new(&mut self, order: u32, observed: i32) -> Verdict {
        let call = || format!("folio_new({order})");
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let free = self.folios.iter().position(Option::is_none);
        let want = match free {
            _ if order > MAX_FOLIO_ORDER => -EINVAL,
            None => -ENOSPC,
            Some(h) => h as i32,
        };
        let v = Spec::expect(call, "return", &[i64::from(want)], i64::from(observed));
        if v == Verdict::Agrees && want >= 0 {
            let origin = Origin::FolioNew(want as u32);
            let blank = PageState::Known { tags: [0; TAG_BYTES], flags: 0, origin };
            self.folios[want as usize] =
                Some(Folio { order, swap: 0, cache_base: None, mapped: false, pages: vec![blank; 1 << order] });
        }
        v
    }

    /// The folio goes (out of the swap cache with it); -EINVAL for a bad handle.
    pub fn folio_free(&mut self, folio: u32, observed: i32) -> Verdict {
        let v = self.service(|| format!("folio_free(f{folio})"), folio, observed, |_| 0);
        if v == Verdict::Agrees && observed == 0 {
            self.folios[folio as usize] = None;
        }
        v
    }

    /// `folio->swap` = `entry` (any value); -EBUSY while the swap cache holds the folio (the
    /// kernel never re-points a cached folio), -EINVAL for a bad handle.
    pub fn folio_set_swap(&mut self, folio: u32, entry: Entry, observed: i32) -> Verdict {
        let call = || format!("folio_set_swap(f{folio}, {})", at(entry));
        let v = self.service(call, folio, observed, |f| if f.cache_base.is_some() { -EBUSY } else { 0 });
        if v == Verdict::Agrees && observed == 0 {
            self.folio_mut(folio).expect("checked").swap = entry;
        }
        v
    }

    /// One page's tags and flags; only the two `PG_*` bits of `flags` are kept. -EINVAL for
    /// a bad handle or index.
    pub fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES], flags: u32, observed: i32) -> Verdict {
        let call = || format!("page_set(f{folio}, {idx}, {flags})");
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let want = if self.page_ref(folio, idx).is_some() { 0 } else { -EINVAL };
        let v = Spec::expect(call, "return", &[i64::from(want)], i64::from(observed));
        if v == Verdict::Agrees && want == 0 {
            let flags = flags & (PG_MTE_TAGGED | PG_MTE_LOCK);
            *self.page_mut(folio, idx).expect("checked") =
                PageState::Known { tags: *tags, flags, origin: Origin::PageSet(folio, idx) };
        }
        v
    }

    /// The swap cache holds the folio at `folio->swap .. + nr_pages` (as it is now, whatever
    /// `folio->swap` becomes later). -EINVAL for a bad handle or `folio->swap` 0; -EEXIST
    /// when a cached folio (this one included) covers one of those entries already. Cache
    /// entries are compared by type and `swap_cache_index` (offset modulo 2^14).
    pub fn swapcache_add(&mut self, folio: u32, observed: i32) -> Verdict {
        let call = || format!("swapcache_add(f{folio})");
        let covered = |s: &Spec, f: &Folio| {
            let (ty, first) = (entry_type(f.swap), cache_index(f.swap));
            (0..u64::from(f.nr())).any(|i| s.cache_holder(ty, first + i).is_some())
        };
        let want = match self.folio_ref(folio) {
            Some(f) if f.swap == 0 => -EINVAL,
            Some(f) if covered(self, f) => -EEXIST,
            _ => 0,
        };
        let v = self.service(call, folio, observed, |_| want);
        if v == Verdict::Agrees && observed == 0 {
            let f = self.folio_mut(folio).expect("checked");
            f.cache_base = Some(f.swap);
        }
        v
    }

    /// The swap cache lets go of the folio (no count changes, `folio->swap` kept); -ENOENT
    /// when it does not hold it, -EINVAL for a bad handle.
    pub fn swapcache_del(&mut self, folio: u32, observed: i32) -> Verdict {
        let call = || format!("swapcache_del(f{folio})");
        let v = self.service(call, folio, observed, |f| if f.cache_base.is_none() { -ENOENT } else { 0 });
        if v == Verdict::Agrees && observed == 0 {
            self.folio_mut(folio).expect("checked").cache_base = None;
        }
        v
    }

    /// `folio_mapped()` from now on; -EINVAL for a bad handle.
    pub fn folio_set_mapped(&mut self, folio: u32, mapped: bool, observed: i32) -> Verdict {
        let v = self.service(|| format!("folio_set_mapped(f{folio}, {mapped})"), folio, observed, |_| 0);
        if v == Verdict::Agrees && observed == 0 {
            self.folio_mut(folio).expect("checked").mapped = mapped;
        }
        v
    }

    /// The handle of the cached folio covering cache index `index` of type `ty`.
    pub(crate) fn cache_holder(&self, ty: u32, index: u64) -> Option<u32> {
        self.folios
            .iter()
            .position(|f| {
                f.as_ref().and_then(|f| f.cache_base.map(|b| (b, f.nr()))).is_some_and(|(b, nr)| {
                    let first = cache_index(b);
                    entry_type(b) == ty && index >= first && index - first < u64::from(nr)
                })
            })
            .map(|h| h as u32)
    }

    /// A service on folio `folio`: -EINVAL for a bad handle, else what `want` says.
    fn service(
        &mut self,
        call: impl FnOnce() -> String,
        folio: u32,
        observed: i32,
        want: impl FnOnce(&Folio) -> i32,
    ) -> Verdict {
        if self.lost.is_some() {
            return Verdict::Unpromised("spec lost");
        }
        let want = self.folio_ref(folio).map_or(-EINVAL, want);
        Spec::expect(call, "return", &[i64::from(want)], i64::from(observed))
    }
}
