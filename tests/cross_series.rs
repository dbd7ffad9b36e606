//! The caller-level run across kernel series (src/caller): one program through 6.12's C and
//! 7.2's C, each mapped as its callers do, compared and judged by the caller-level spec. The
//! planted slips show each check can fail: a series wrapper that changes one caller's use of
//! the swap code must be caught by the spec, in that series only.

use cshim::kernel72::Kernel72;
use swapdiff::caller::v612::Caller612;
use swapdiff::caller::v72::Caller72;
use swapdiff::caller::{run_cross, run_one, CallerProgram, Finding};
use swapdiff_contract::caller::Series;
use swapdiff_contract::{Entry, Event, TAG_BYTES};

/// Both series' engines, 6.12 first. Every test takes them in this order: the tests of this
/// binary run on parallel threads, and each engine holds its build's lock while it lives, so
/// two tests taking them in opposite orders would wait for each other forever.
fn both() -> (Caller612<cshim::Kernel>, Caller72) {
    let a = Caller612::new(cshim::Kernel::acquire());
    (a, Caller72::new(Kernel72::acquire()))
}

fn program(text: &str) -> CallerProgram {
    CallerProgram::parse(text).expect("a valid program")
}

/// Every op kind, on paths both series take alike: faults (tagged, large), swap-out with and
/// without the cache, fork of swap PTEs, swap-in from the cache and from the device, shmem
/// out and in and truncation, zap, free_cache, swapoff.
const EVERY_OP: &str = "clusters 4
fault mm=0 pte=0 order=2 tagged=1
fault mm=0 pte=4 order=0 tagged=1
swap_out mm=0 pte=0 keep_cache=0
swap_out mm=0 pte=4 keep_cache=1
fork
swap_in mm=1 pte=1
swap_in mm=0 pte=4
free_cache mm=0 pte=4
shmem_new slot=0 order=0
shmem_swap_out slot=0
shmem_swap_in slot=0
shmem_swap_out slot=0
shmem_truncate slot=0
zap mm=1 pte=0 nr=16
swap_in mm=0 pte=2
swapoff
fault mm=0 pte=8 order=3 tagged=0
swap_out mm=0 pte=8 keep_cache=0
zap mm=0 pte=0 nr=16
";

#[test]
fn both_series_keep_the_promises_through_every_op() {
    let (mut a, mut b) = both();
    let p = program(EVERY_OP);
    let found = run_cross(&p, &mut [&mut a, &mut b]);
    assert_eq!(found, None, "{}", found.as_ref().map(|f| f.describe(&p)).unwrap_or_default());
}

#[test]
fn an_order_one_swap_out_6_12_refuses_and_7_2_serves_is_a_change_not_a_bug() {
    // 6.12 (cluster_alloc_swap_entry): the order-0 swap-out takes free cluster 1 as its
    // per-CPU cluster, so no free or order-1 cluster is left on a 2-cluster device and the
    // order-1 swap-out fails (-ENOMEM). 7.2 takes the order-0 slot from the header's nonfull
    // cluster 0 and keeps cluster 1 free for the order-1 folio. Both keep the spec: a swap-out
    // may fail for want of space of that order.
    let p = program(
        "clusters 2
fault mm=1 pte=11 order=0 tagged=0
fault mm=1 pte=1 order=1 tagged=0
swap_out mm=1 pte=11 keep_cache=1
swap_out mm=1 pte=0 keep_cache=0
",
    );
    let (mut a, mut b) = both();
    let found = run_cross(&p, &mut [&mut a, &mut b]).expect("the series differ");
    let Finding::Divergence { step, ref views } = found else { panic!("{found:?}") };
    assert_eq!(step, 3);
    assert!(!found.breaks_spec(), "{}", found.describe(&p));
    assert!(views[0].1.contains("result -12") && views[1].1.contains("result 0"), "{views:?}");
}

#[test]
fn an_entry_freed_and_handed_out_again_belongs_to_its_new_slot_only() {
    // The zap frees page 7 of the order-3 folio's slot (its only PTE goes); 6.12's allocator
    // then gives that very entry to the next swap-out (the order-0 per-CPU cluster's next
    // slot), 7.2's another. The world must not count the new folio's cache and PTE against
    // the old slot's page: that was a false "6.12 breaks the spec" of the 10-minute run.
    let p = program(
        "clusters 2
fault mm=1 pte=8 order=3 tagged=0
shmem_new slot=7 order=0
shmem_swap_out slot=7
shmem_truncate slot=7
swap_out mm=1 pte=10 keep_cache=0
fault mm=1 pte=2 order=0 tagged=1
zap mm=1 pte=15 nr=8
swap_out mm=1 pte=2 keep_cache=1
",
    );
    let (mut a, mut b) = both();
    let found = run_cross(&p, &mut [&mut a, &mut b]);
    assert_eq!(found, None, "{}", found.as_ref().map(|f| f.describe(&p)).unwrap_or_default());
}

/// A series with one caller's use of the swap code changed: `dup_pte` (fork) takes no
/// reference, or swap-in restores no tags.
struct Planted<S: Series> {
    inner: S,
    skip_dup: bool,
    skip_restore: bool,
}

impl<S: Series> Series for Planted<S> {
    fn series(&self) -> &'static str {
        self.inner.series()
    }
    fn kernel_version(&self) -> String {
        self.inner.kernel_version()
    }
    fn start(&mut self, clusters: u32) -> i32 {
        self.inner.start(clusters)
    }
    fn folio_new(&mut self, order: u32) -> Result<u32, i32> {
        self.inner.folio_new(order)
    }
    fn folio_free(&mut self, folio: u32) {
        self.inner.folio_free(folio)
    }
    fn page_tag(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES]) {
        self.inner.page_tag(folio, idx, tags)
    }
    fn page_tags(&self, folio: u32, idx: u32) -> ([u8; TAG_BYTES], bool) {
        self.inner.page_tags(folio, idx)
    }
    fn folio_set_mapped(&mut self, folio: u32, mapped: bool) {
        self.inner.folio_set_mapped(folio, mapped)
    }
    fn swap_out(&mut self, folio: u32, ptes: &[u32], keep_cache: bool) -> Result<Entry, i32> {
        self.inner.swap_out(folio, ptes, keep_cache)
    }
    fn shmem_swap_out(&mut self, folio: u32) -> Result<Entry, i32> {
        self.inner.shmem_swap_out(folio)
    }
    fn dup_pte(&mut self, entry: Entry) -> i64 {
        if self.skip_dup {
            0
        } else {
            self.inner.dup_pte(entry)
        }
    }
    fn zap_ptes(&mut self, entry: Entry, nr: u32) -> i64 {
        self.inner.zap_ptes(entry, nr)
    }
    fn cached_folio(&mut self, entry: Entry) -> Option<u32> {
        self.inner.cached_folio(entry)
    }
    fn swap_in(&mut self, entry: Entry) -> Result<(u32, u32), i32> {
        let (h, idx) = self.inner.swap_in(entry)?;
        if self.skip_restore {
            // The restore undone: the page's tags cleared.
            self.inner.page_tag(h, idx, &[0; TAG_BYTES]);
        }
        Ok((h, idx))
    }
    fn shmem_swap_in(&mut self, entry: Entry) -> Result<(u32, u32), i32> {
        self.inner.shmem_swap_in(entry)
    }
    fn shmem_free_swap(&mut self, entry: Entry) -> i64 {
        self.inner.shmem_free_swap(entry)
    }
    fn free_cache(&mut self, folio: u32) -> i64 {
        self.inner.free_cache(folio)
    }
    fn folio_free_swap(&mut self, folio: u32) -> i64 {
        self.inner.folio_free_swap(folio)
    }
    fn release_folio(&mut self, folio: u32) -> bool {
        self.inner.release_folio(folio)
    }
    fn swapoff_and_on(&mut self) -> i32 {
        self.inner.swapoff_and_on()
    }
    fn swap_count(&mut self, entry: Entry) -> i64 {
        self.inner.swap_count(entry)
    }
    fn free_pages(&self) -> i64 {
        self.inner.free_pages()
    }
    fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])> {
        self.inner.tag_store()
    }
    fn take_events(&mut self) -> Vec<Event> {
        self.inner.take_events()
    }
    fn encoding_check(&self, entry: Entry, expected: u32) -> Option<String> {
        self.inner.encoding_check(entry, expected)
    }
}

const FORK_OF_A_SWAPPED_PAGE: &str = "clusters 1
fault mm=0 pte=0 order=0 tagged=1
swap_out mm=0 pte=0 keep_cache=0
fork
swap_in mm=1 pte=0
";

#[test]
fn a_fork_that_takes_no_reference_breaks_the_count_in_that_series_only() {
    let p = program(FORK_OF_A_SWAPPED_PAGE);
    let (mut a, b) = both();
    let mut b = Planted { inner: b, skip_dup: true, skip_restore: false };
    let found = run_cross(&p, &mut [&mut a, &mut b]).expect("the planted fork is caught");
    // After the fork two PTEs hold the slot, but 7.2's count stayed 1: the observation
    // differs (count 2 against 1) and 7.2's spec check fails at that op, 6.12's holds.
    let Finding::Divergence { step, ref views } = found else { panic!("{}", found.describe(&p)) };
    assert_eq!(step, 2);
    assert_eq!((views[0].0, views[0].2), ("6.12", true));
    assert_eq!((views[1].0, views[1].2), ("7.2", false));
    assert_eq!(found.signature(&p), "divergence/fork/spec-broken-in:7.2");
}

#[test]
fn a_swap_in_without_the_tags_is_caught_by_the_spec_alone() {
    let p = program(FORK_OF_A_SWAPPED_PAGE);
    let (mut a, b) = both();
    let mut b = Planted { inner: b, skip_dup: false, skip_restore: true };
    let found = run_one(&p, &mut b).expect("the lost tags are caught");
    let Finding::Spec { step, series, ref why } = found else { panic!("{}", found.describe(&p)) };
    assert_eq!((step, series), (3, "7.2"));
    assert!(why.contains("does not carry the tags"), "{why}");
    // Without the plant, 6.12 and 7.2 each restore them.
    assert_eq!(run_one(&p, &mut a), None);
    assert_eq!(run_one(&p, &mut b.inner), None);
}

#[test]
fn the_7_2_encoding_check_reads_the_count_from_the_table_and_the_extend_table() {
    // Fifteen forks' worth of references is past SWP_TB_COUNT_MAX - 1 = 14: the count moves
    // into the extend table. The check decodes the table entry itself (count field 15 = "see
    // the extend table") and the extend table, and must find the callers' 16.
    let (_a, mut k) = both();
    assert_eq!(k.start(1), 0);
    let f = k.folio_new(0).unwrap();
    let e = k.swap_out(f, &[1], false).unwrap();
    for _ in 0..15 {
        assert_eq!(k.dup_pte(e), 0);
    }
    assert_eq!(k.swap_count(e), 16);
    assert_eq!(k.encoding_check(e, 16), None);
    let wrong = k.encoding_check(e, 15).expect("a wrong expectation is reported");
    assert!(wrong.contains("says count 16, callers hold 15"), "{wrong}");
}
