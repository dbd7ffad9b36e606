//! The runner's bookkeeping of folio handles: which exist, their order, the
//! swap entry they were given and whether they sit in the swap cache. The
//! engines keep the truth; this is what steering and composites need to pick
//! arguments, updated from the reference engine's results.

use crate::engine::Engine;
use crate::exec::Outcome;
use crate::program::{domain, Op};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolioShadow {
    pub order: u8,
    pub swap: Option<u64>,
    pub in_cache: bool,
}

impl FolioShadow {
    pub fn nr(&self) -> u32 {
        1 << self.order
    }
}

#[derive(Debug, Clone, Default)]
pub struct Shadow {
    folios: [Option<FolioShadow>; domain::FOLIO.1 as usize + 1],
}

impl Shadow {
    pub fn folio(&self, f: u8) -> Option<FolioShadow> {
        self.folios.get(usize::from(f)).copied().flatten()
    }

    pub fn live(&self) -> impl Iterator<Item = (u8, FolioShadow)> + '_ {
        self.folios.iter().enumerate().filter_map(|(i, f)| f.map(|f| (i as u8, f)))
    }

    /// A folio in the swap cache covers slot `e`: its cache reference is the folio's, and
    /// only deleting the folio from the swap cache first lets a caller drop it.
    pub fn cached_by_folio(&self, e: u64) -> bool {
        self.live().any(|(_, f)| f.in_cache && f.swap.is_some_and(|s| (s..s + u64::from(f.nr())).contains(&e)))
    }

    /// Applies a primitive op's effect, as the reference engine reported it.
    pub fn update<E: Engine + ?Sized>(&mut self, op: &Op, out: &Outcome, reference: &E) {
        let ok = out.ret() == 0;
        let slot = |f: &u8| self_index(*f);
        match op {
            Op::folio_new { order } => {
                if let Ok(h) = usize::try_from(out.ret()) {
                    if h < self.folios.len() {
                        self.folios[h] = Some(FolioShadow { order: *order, swap: None, in_cache: false });
                    }
                }
            }
            Op::folio_free { folio } if ok => self.folios[slot(folio)] = None,
            Op::folio_set_swap { folio, slot: s } if ok => {
                if let Some(f) = &mut self.folios[slot(folio)] {
                    f.swap = Some(s.entry());
                }
            }
            Op::swapcache_add { folio } if ok => {
                if let Some(f) = &mut self.folios[slot(folio)] {
                    f.in_cache = true;
                }
            }
            Op::swapcache_del { folio } if ok => {
                if let Some(f) = &mut self.folios[slot(folio)] {
                    f.in_cache = false;
                }
            }
            // delete_from_swap_cache() clears folio->swap after putting the
            // slots: a cached folio whose first slot is now free was reclaimed.
            Op::free_swap_and_cache_nr { .. } => {
                for f in self.folios.iter_mut().flatten() {
                    if let (true, Some(e)) = (f.in_cache, f.swap) {
                        if reference.map_byte(e) == Some(0) {
                            f.in_cache = false;
                            f.swap = None;
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn self_index(f: u8) -> usize {
    usize::from(f.min(domain::FOLIO.1))
}
