//! What the spec knows of folios, their pages and the tag store, and the views of them the
//! harness compares with an engine's `page_get` and `tag_store`.
//!
//! Where a call's contract leaves the outcome open (a failed `arch_prepare_to_swap` may or
//! may not have dropped tags saved before it), the spec keeps the alternatives and the
//! difference functions settle them on what the engine shows, as long as it is one of them.

use std::collections::btree_map::Entry as MapEntry;
use std::fmt;

use swapdiff_contract::prelude::*;
use swapdiff_contract::{Entry, MAX_FOLIOS, MAX_FOLIO_ORDER, TAG_BYTES};

use crate::state::at;
use crate::Spec;

/// 128 tag bytes of one page (`MTE_PAGE_TAG_STORAGE`).
pub type Tags = [u8; TAG_BYTES];

/// The call that last decided a saved key or a page, so that a difference names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    FolioNew(u32),
    PageSet(u32, u32),
    Prepare(u32),
    Save(u32, u32),
    Restore(Entry, u32),
    RestoreTags(Entry, u32, u32),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Origin::FolioNew(h) => write!(f, "folio_new (f{h})"),
            Origin::PageSet(h, i) => write!(f, "page_set(f{h}, {i})"),
            Origin::Prepare(h) => write!(f, "arch_prepare_to_swap(f{h})"),
            Origin::Save(h, i) => write!(f, "mte_save_tags(f{h}, {i})"),
            Origin::Restore(e, h) => write!(f, "arch_swap_restore({}, f{h})", at(e)),
            Origin::RestoreTags(e, h, i) => write!(f, "mte_restore_tags({}, f{h}, {i})", at(e)),
        }
    }
}

/// What is saved under one entry (an entry with nothing saved is not in the map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Saved {
    /// These tags, put there by the call named.
    Tags(Tags, Origin),
    /// These tags or nothing: the call named failed, and its contract lets it drop what was
    /// saved for its entries before it.
    TagsOrNone(Tags, Origin),
    /// Something or nothing: saved from a page whose content the spec does not know.
    Unknown(Origin),
}

/// One page as the spec keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageState {
    Known {
        tags: Tags,
        flags: u32,
        origin: Origin,
    },
    /// Restored from an entry whose saved tags the spec did not know.
    Unknown(Origin),
}

/// One folio: its pages, `folio->swap`, and where the swap cache holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folio {
    pub(crate) order: u32,
    pub(crate) swap: Entry,
    /// `folio->swap` when it was added to the swap cache, while the cache holds it.
    pub(crate) cache_base: Option<Entry>,
    pub(crate) mapped: bool,
    pub(crate) pages: Vec<PageState>,
}

impl Folio {
    pub(crate) fn nr(&self) -> u32 {
        1 << self.order
    }
}

/// A folio as callers see it ([`Spec::folio`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolioState {
    pub order: u32,
    /// `folio->swap` (0: none).
    pub swap: Entry,
    /// The swap cache holds the folio.
    pub in_cache: bool,
    pub mapped: bool,
}

/// `swap_cache_index()`: the environment's swap cache is indexed by the offset's low 14
/// bits within a type (ENVIRONMENT.md, "Details the shim settles").
pub(crate) fn cache_index(entry: Entry) -> u64 {
    swapdiff_contract::entry_offset(entry) & ((1 << 14) - 1)
}

/// Short form of a page's tags for a message: the first eight bytes.
fn show(t: &Tags) -> String {
    let head: String = t[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("tags {head}..")
}

impl Spec {
    /// The live folio `handle` (handles are the environment's, 0..MAX_FOLIOS).
    pub fn folio(&self, handle: u32) -> Option<FolioState> {
        self.folio_ref(handle).map(|f| FolioState {
            order: f.order,
            swap: f.swap,
            in_cache: f.cache_base.is_some(),
            mapped: f.mapped,
        })
    }

    /// The tags the spec knows are saved for `entry`. None when nothing is saved, and also
    /// when the contract leaves it open ([`Spec::tags_known`] is then false).
    pub fn saved_tags(&self, entry: Entry) -> Option<Tags> {
        match self.tags.get(&entry) {
            Some(Saved::Tags(t, _)) => Some(*t),
            _ => None,
        }
    }

    /// Whether [`Spec::saved_tags`] is the contract's answer for `entry` (false after a
    /// failed `arch_prepare_to_swap` that may have dropped them, until a difference check
    /// settles it on the engine's).
    pub fn tags_known(&self, entry: Entry) -> bool {
        matches!(self.tags.get(&entry), None | Some(Saved::Tags(..)))
    }

    /// The tag store, ascending by entry like `Inspect::tag_store`, of the keys the spec
    /// knows. Equal to an engine's only when every key is known; compare with
    /// [`Spec::tag_store_difference`], which knows the open ones.
    pub fn tag_store(&self) -> Vec<(Entry, Tags)> {
        self.tags
            .iter()
            .filter_map(|(e, s)| match s {
                Saved::Tags(t, _) => Some((*e, *t)),
                _ => None,
            })
            .collect()
    }

    /// A page's tags and `PG_*` flags, like `Inspect::page_get`: None for a bad handle or
    /// index, and also for a page whose content the spec does not know
    /// ([`Spec::page_known`] is then false).
    pub fn page(&self, folio: u32, idx: u32) -> Option<(Tags, u32)> {
        match self.page_ref(folio, idx)? {
            PageState::Known { tags, flags, .. } => Some((*tags, *flags)),
            PageState::Unknown(_) => None,
        }
    }

    /// Whether [`Spec::page`] is the contract's answer (false only for a page restored from
    /// an entry whose saved tags were open).
    pub fn page_known(&self, folio: u32, idx: u32) -> bool {
        !matches!(self.page_ref(folio, idx), Some(PageState::Unknown(_)))
    }

    /// The first key where an engine's tag store (ascending, as `Inspect::tag_store` gives
    /// it) differs from every outcome the contract allows, or None. Where the spec had
    /// alternatives it takes the engine's, so later checks are exact. Nothing while lost.
    pub fn tag_store_difference(&mut self, engine: &[(Entry, Tags)]) -> Option<String> {
        if self.lost.is_some() {
            return None;
        }
        let mut first = None;
        let mut note = |d: String| {
            first.get_or_insert(d);
        };
        for (e, t) in engine {
            match self.tags.entry(*e) {
                MapEntry::Vacant(_) => note(format!("tag store {}: spec none, engine {}", at(*e), show(t))),
                MapEntry::Occupied(mut o) => match *o.get() {
                    Saved::Tags(s, origin) if s != *t => {
                        note(format!("tag store {}: spec {} (from {origin}), engine {}", at(*e), show(&s), show(t)))
                    }
                    Saved::TagsOrNone(s, origin) if s != *t => note(format!(
                        "tag store {}: spec {} or none (after {origin}), engine {}",
                        at(*e),
                        show(&s),
                        show(t)
                    )),
                    Saved::Tags(..) => {}
                    Saved::TagsOrNone(_, origin) | Saved::Unknown(origin) => {
                        o.insert(Saved::Tags(*t, origin));
                    }
                },
            }
        }
        let engine_has = |e: &Entry| engine.binary_search_by_key(e, |x| x.0).is_ok();
        let mut gone = Vec::new();
        for (e, s) in &self.tags {
            if engine_has(e) {
                continue;
            }
            match s {
                Saved::Tags(t, origin) => {
                    note(format!("tag store {}: spec {} (from {origin}), engine none", at(*e), show(t)))
                }
                Saved::TagsOrNone(..) | Saved::Unknown(_) => gone.push(*e),
            }
        }
        for e in gone {
            self.tags.remove(&e);
        }
        first
    }

    /// How an engine's view of one page (`Inspect::page_get`) differs from the spec's, or
    /// None. A page the spec does not know takes the engine's content.
    pub fn page_difference(&mut self, folio: u32, idx: u32, engine: Option<(Tags, u32)>) -> Option<String> {
        if self.lost.is_some() {
            return None;
        }
        let Some(page) = self.page_mut(folio, idx) else {
            return engine.map(|_| format!("page f{folio}[{idx}]: spec no such page, engine has one"));
        };
        let Some((t, fl)) = engine else {
            return Some(format!("page f{folio}[{idx}]: spec has it, engine no such page"));
        };
        match *page {
            PageState::Unknown(origin) => {
                *page = PageState::Known { tags: t, flags: fl, origin };
                None
            }
            PageState::Known { tags, flags, origin } if (tags, flags) != (t, fl) => Some(format!(
                "page f{folio}[{idx}]: spec {} flags {flags} (from {origin}), engine {} flags {fl}",
                show(&tags),
                show(&t)
            )),
            PageState::Known { .. } => None,
        }
    }

    /// [`Spec::tag_store_difference`] and [`Spec::page_difference`] of every page, against
    /// an engine's Inspect views: the first difference, or None. Asks the engine for each
    /// page of the spec's live folios, one index past the last, and page 0 of every other
    /// handle (which must have none), so a folio the engine has and the spec has not, or of
    /// another size, shows too.
    pub fn tag_view_difference<E: Inspect + ?Sized>(&mut self, engine: &E) -> Option<String> {
        let mut first = self.tag_store_difference(&engine.tag_store());
        for h in 0..MAX_FOLIOS as u32 {
            let pages = self.folio_ref(h).map_or(1, |f| f.nr() + 1).min(1 << MAX_FOLIO_ORDER);
            for i in 0..pages {
                let d = self.page_difference(h, i, engine.page_get(h, i));
                if first.is_none() {
                    first = d;
                }
            }
        }
        first
    }

    pub(crate) fn folio_ref(&self, handle: u32) -> Option<&Folio> {
        self.folios.get(handle as usize)?.as_ref()
    }

    pub(crate) fn folio_mut(&mut self, handle: u32) -> Option<&mut Folio> {
        self.folios.get_mut(handle as usize)?.as_mut()
    }

    pub(crate) fn page_ref(&self, folio: u32, idx: u32) -> Option<&PageState> {
        self.folio_ref(folio)?.pages.get(idx as usize)
    }

    pub(crate) fn page_mut(&mut self, folio: u32, idx: u32) -> Option<&mut PageState> {
        self.folio_mut(folio)?.pages.get_mut(idx as usize)
    }

    /// A slot the counts family freed (its last reference and the cache gone): the release
    /// path invalidates its tags (`swap_range_free` -> `arch_swap_invalidate_page`), which
    /// does nothing on a system without MTE.
    pub(crate) fn slot_freed(&mut self, entry: Entry) {
        if !self.mte_off {
            self.tags.remove(&entry);
        }
    }

    /// Every key of swap type `ty` goes (the type's low six bits, as `swp_entry` keeps them).
    pub(crate) fn drop_type_tags(&mut self, ty: u32) {
        let ty = ty & 63;
        self.tags.retain(|e, _| swapdiff_contract::entry_type(*e) != ty);
    }
}
