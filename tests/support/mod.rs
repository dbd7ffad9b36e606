//! Planted engines more than one integration test uses (each test file that needs them says
//! `mod support;`).
#![allow(dead_code)]

use swapdiff::engine::prelude::*;
use swapdiff::engine::{Delegate, ModelEngine};

/// The THP review bug (`corpus/known-bugs/mte-restore-same-entry`): every page of the folio
/// restored from the first entry, `e`, instead of page i from entry e + i. Returns 0 as
/// `arch_swap_restore` does.
pub fn restore_every_page_from_first_entry(m: &mut ModelEngine, e: u64, folio: u32) -> i64 {
    let pages = (0..16).take_while(|&i| m.page_get(folio, i).is_some()).count() as u32;
    for i in 0..pages {
        m.mte_restore_tags(e, folio, i);
    }
    0
}

/// The model with the THP review bug: against the real kernel, every multi-page restore of
/// tagged pages differs, with the kernel's values as the "actual" side.
pub struct ThpRestoreBug(pub ModelEngine);

impl ThpRestoreBug {
    pub fn new() -> ThpRestoreBug {
        ThpRestoreBug(ModelEngine::new())
    }
}

impl Delegate for ThpRestoreBug {
    type Inner = ModelEngine;
    fn inner(&self) -> &ModelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut ModelEngine {
        &mut self.0
    }
    fn arch_swap_restore(&mut self, e: u64, folio: u32) -> i64 {
        restore_every_page_from_first_entry(&mut self.0, e, folio)
    }
}
