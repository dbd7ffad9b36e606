//! The two bugs of the MTE THP review thread (`../shared/seeds/004_*`), planted in the 6.12
//! model: the spec disagrees with each and names the call, while the unchanged model agrees
//! on the same program.

use rust_impl::Model;
use swapdiff_contract::prelude::*;
use swapdiff_contract::{Delegate, Entry};
use swapdiff_spec::{Spec, Verdict};

use crate::common::{first_difference, run_agreeing, step, swap_out, Call, Call::*};

/// The model whose `arch_prepare_to_swap` returns after saving page 0 (the `return` inside
/// the loop of the reviewed patch).
struct PrepareFirstPageOnly(Model);

impl Delegate for PrepareFirstPageOnly {
    type Inner = Model;
    fn inner(&self) -> &Model {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut Model {
        &mut self.0
    }
    fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        self.0.mte_save_tags(folio, 0)
    }
}

/// The model whose `arch_swap_restore` gives every page the tags of `entry` itself (the
/// entry not advanced per page).
struct RestoreSameEntry(Model);

impl Delegate for RestoreSameEntry {
    type Inner = Model;
    fn inner(&self) -> &Model {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut Model {
        &mut self.0
    }
    fn arch_swap_restore(&mut self, entry: Entry, folio: u32) -> i64 {
        if self.0.page_get(folio, 0).is_none() {
            return self.0.arch_swap_restore(entry, folio);
        }
        let mut i = 0;
        while self.0.page_get(folio, i).is_some() {
            self.0.mte_restore_tags(entry, folio, i);
            i += 1;
        }
        0
    }
}

/// Runs `calls` on `e` with the spec; the first step whose view differs, with the difference.
fn first_view_difference<E: Engine>(e: &mut E, calls: &[Call]) -> Option<(usize, String)> {
    let mut spec = Spec::new();
    e.env_reset();
    for (i, c) in calls.iter().enumerate() {
        assert_eq!(step(e, &mut spec, c), Verdict::Agrees, "step {i} {c:?}");
        if let Some(d) = first_difference(&mut spec, &*e) {
            return Some((i, d));
        }
    }
    None
}

#[test]
fn prepare_saving_only_the_first_page_is_caught_at_the_prepare() {
    let calls = swap_out();
    // The model saves all four pages: the spec agrees throughout.
    run_agreeing(&mut Model::new(), &mut Spec::new(), &calls);
    // The bug returns 0 like a good prepare, so the return agrees; the tag store does not:
    // pages 1..=3 are tagged, so their tags belong under entry + 1..=3, which the bug
    // never saves.
    let (at, d) = first_view_difference(&mut PrepareFirstPageOnly(Model::new()), &calls).expect("caught");
    assert_eq!(at, calls.len() - 1, "at the prepare");
    assert!(d.starts_with("tag store 0:") && d.ends_with("engine none"), "{d}");
    assert!(d.contains("from arch_prepare_to_swap(f0)"), "names the call: {d}");
}

#[test]
fn restore_from_the_first_entry_for_every_page_is_caught_at_the_restore() {
    // Swap the folio back in: a fresh order-2 folio (f1) restored from the folio's entry.
    let mut calls = swap_out();
    calls.push(FolioNew(2));
    let folio_entry = {
        let mut m = Model::new();
        run_agreeing(&mut m, &mut Spec::new(), &calls);
        m.tag_store()[0].0
    };
    calls.push(SwapRestore(folio_entry, 1));
    run_agreeing(&mut Model::new(), &mut Spec::new(), &calls);
    // The bug gives page 1 page 0's tags: the page view differs, and names the restore.
    let (at, d) = first_view_difference(&mut RestoreSameEntry(Model::new()), &calls).expect("caught");
    assert_eq!(at, calls.len() - 1, "at the restore");
    assert!(d.starts_with("page f1[1]:"), "{d}");
    assert!(d.contains(&format!("from arch_swap_restore({}, f1)", at_name(folio_entry))), "names the call: {d}");
}

fn at_name(e: Entry) -> String {
    format!("{}:{}", swapdiff_contract::entry_type(e), swapdiff_contract::entry_offset(e))
}

/// The model whose `arch_prepare_to_swap` stops at the first error without invalidating the
/// pages it already saved (the review's second point: "you will need to remove the pages
/// that you already added successfully").
struct PrepareNoRollback(Model);

impl Delegate for PrepareNoRollback {
    type Inner = Model;
    fn inner(&self) -> &Model {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut Model {
        &mut self.0
    }
    fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        let mut i = 0;
        while self.0.page_get(folio, i).is_some() {
            let r = self.0.mte_save_tags(folio, i);
            if r != 0 {
                return r;
            }
            i += 1;
        }
        0
    }
}

#[test]
fn prepare_that_keeps_its_saves_after_failing_is_caught_at_the_prepare() {
    // The third tag buffer cannot be had: pages 0 and 1 are saved, page 2 fails. The
    // contract allows -ENOMEM (a fault is armed) but then none of this call's saves may
    // remain; entries 512 and 513 held nothing before, so they must hold nothing after.
    let mut calls = swap_out();
    calls.insert(calls.len() - 1, Fault(swapdiff_contract::Site::TagStorage, 3));
    run_agreeing(&mut Model::new(), &mut Spec::new(), &calls);
    let (at, d) = first_view_difference(&mut PrepareNoRollback(Model::new()), &calls).expect("caught");
    assert_eq!(at, calls.len() - 1, "at the prepare");
    assert!(d.starts_with("tag store 0:512: spec none, engine tags"), "{d}");
}
