//! A BUG or hang that both sides hit alike ends the program, and what the
//! trapped call left behind is compared like the state after a last op: the
//! whole end state (every slot, cluster, folio, the tag store) at the
//! program's level, then the teardown leak check.
//!
//! The programs below reach the 6.12 trap sites one by one. For each, the
//! kernel's own state right after the trap is read on the C side (`single`
//! runs one engine and stops at the trap, no teardown) and checked against
//! what the kernel's statement order implies; the model must leave the same.
//! Then the differential run, which compares everything after the trap and
//! runs the teardown, must agree. The mutants at the end prove that a
//! difference left by a trapped call is caught in the End phase, and a leak
//! in the Teardown phase, which before issue 10 were never compared.

use swapdiff::engine::prelude::*;
use swapdiff::engine::{entry, Delegate, Engine, EventKind, KernelEngine, ModelEngine, Site, TRAPPED};
use swapdiff::features::Feature;
use swapdiff::program::{parse, tags_from_seed};
use swapdiff::runner::{differential, single, End, Options, Phase, Run};

/// The first BUG or HANG of the run's last step, as `KIND func: text`.
fn trap_of(run: &Run) -> String {
    let last = run.steps.last().expect("the program ran");
    let out = last.expected.as_ref().expect("recorded");
    assert_eq!(out.ret(), TRAPPED, "the last step trapped");
    let e = out.events().find(|e| matches!(e.kind, EventKind::Bug | EventKind::Hang)).expect("a trap event");
    format!("{} {}: {}", e.kind.name(), e.func, e.text)
}

// Raw-mode programs: the spec judges contract and steered ones only (Mode::judged).
const RECORD: Options = Options { record: true, level: swapdiff::compare::Level::Raw, spec: true };

/// Runs `src` on the kernel alone (state left as the trap left it), checks the
/// trap, runs `check` on the kernel and on the model, then the differential
/// run (end state and teardown after the trap) must find nothing.
fn after_trap(src: &str, trap: &str, check: impl Fn(&dyn Engine)) -> KernelEngine {
    let p = parse(src).unwrap();
    let mut kernel = KernelEngine::acquire();
    let run = single(&mut kernel, &p, RECORD);
    assert_eq!(trap_of(&run), trap);
    check(&kernel);
    let mut model = ModelEngine::new();
    single(&mut model, &p, RECORD);
    check(&model);
    let run = differential(&mut model, &mut kernel, &p, RECORD);
    assert!(run.divergence.is_none(), "{}", swapdiff::render::divergence(&run, run.divergence.as_ref().unwrap()));
    assert_eq!(run.end, End::Trapped);
    assert!(run.trapped && run.features.has(Feature::ComparedAfterTrap));
    kernel
}

#[test]
fn swapcache_clear_bug_leaves_the_earlier_slot_pinned() {
    // cluster_swap_free_nr(): for slot 1, __swap_entry_free_locked drops the
    // cache flag, the count is 0, so it writes SWAP_HAS_CACHE (the "pinned"
    // byte) and returns 0 (bit set in to_free); for slot 2 (0x01, no cache)
    // VM_BUG_ON(!has_cache) fires before the batch's free_swap_slot loop, so
    // slot 1 stays 0x40 and is never released: inuse_pages stays 3.
    let src = "mode raw\nswapon 1\nalloc_swap 0 order=0\nalloc_swap 0 order=0\nalloc_swap 0 order=0\n\
               swap_duplicate 0:2\nput_swap_folio 0:2 order=0\nswapcache_clear 0:1 nr=2\n";
    after_trap(src, "BUG __swap_entry_free_locked: !has_cache", |e| {
        assert_eq!(e.map_byte(entry(0, 1)), Some(0x40));
        assert_eq!(e.map_byte(entry(0, 2)), Some(0x01));
        assert_eq!(e.map_byte(entry(0, 3)), Some(0x40));
        assert_eq!(e.device_inuse_pages(0), 3);
    });
}

#[test]
fn add_swap_count_continuation_bug_leaks_its_page_past_teardown() {
    // 0x40 + 61 references = 0x7d; usage 0x81 is added as it is (count 0x3d <
    // SWAP_MAP_MAX): 0x3d + 0x81 = 0xbe, i.e. SWAP_MAP_MAX | COUNT_CONTINUED
    // with no continuation list. add_swap_count_continuation() calls
    // alloc_page() first, then, as the head page has no private flag,
    // BUG_ON(count & COUNT_CONTINUED): the page is neither on a list nor
    // freed (the __free_page after `outer:` is never reached).
    let src = "mode raw\nswapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x61\n\
               __swap_duplicate 0:1 usage=0x81 nr=1\nadd_swap_count_continuation 0:1\n";
    let kernel = after_trap(src, "BUG add_swap_count_continuation: count & COUNT_CONTINUED", |e| {
        assert_eq!(e.live_allocs(Site::ContPage), 1);
        assert_eq!(e.map_byte(entry(0, 1)), Some(0xfe));
    });
    // The teardown ran after the trap: swapoff's free_swap_count_continuations
    // frees only pages on a list, so the leaked page is still live after it.
    assert_eq!(kernel.device_max(0), 0, "teardown swapped the device off");
    assert_eq!(kernel.live_allocs(Site::ContPage), 1);
}

#[test]
fn cluster_count_short_bug_leaves_the_range_zeroed() {
    // Every slot of a two-cluster SSD taken cache-only: 16 calls of 64 order-0 entries
    // (cluster_alloc_swap_entry fills free cluster 1 first, 512..1023, then cluster 0 from
    // nonfull/frag, 1..511; the last call gets what is left). put_swap_folio 0:504 order=4 is
    // cache-only across the cluster boundary: swap_entry_range_free charges all 16 to
    // cluster 0 (dec_cluster_info_page on the first slot's cluster). After 1..495 went back,
    // cluster 0 holds 1 (bad slot 0) + 16 (496..511) - 16 = 1. Then put_swap_folio 0:496
    // order=3: swap_entry_range_free zeroes the 8 bytes (its do-while runs before
    // dec_cluster_info_page), then VM_BUG_ON(ci->count < nr_pages) fires before
    // `ci->count -= nr_pages` and before swap_range_free: the bytes are 0, the cluster keeps
    // count 1, the slots are still counted in inuse_pages (496..503, and 520..1023 of
    // cluster 1: 512 in all).
    let mut src = String::from("mode raw\nswapon 2\n");
    src += &"get_swap_pages nr=64 order=0\n".repeat(16);
    src += "swapcache_clear 0:1 nr=15\n";
    for i in 1..31 {
        src += &format!("put_swap_folio 0:{} order=4\n", 16 * i);
    }
    src += "put_swap_folio 0:504 order=4\nput_swap_folio 0:496 order=3\n";
    after_trap(&src, "BUG dec_cluster_info_page: ci->count < nr_pages", |e| {
        assert_eq!(e.map_byte(entry(0, 496)), Some(0));
        assert_eq!(e.map_byte(entry(0, 503)), Some(0));
        assert_eq!(e.map_byte(entry(0, 520)), Some(0x40));
        assert_eq!(e.cluster(0, 0).map(|c| c.0), Some(1));
        assert_eq!(e.device_inuse_pages(0), 512);
    });
}

#[test]
fn borrow_from_a_zero_digit_bug_keeps_the_map_byte() {
    // 63 references carry once (digit 1 of the first continuation page, map
    // count COUNT_CONTINUED); one free borrows it back (digit 0, count 62,
    // 0x7e); 62 more frees leave the cache only (0x40). Usage 0x80 makes the
    // byte 0xc0: COUNT_CONTINUED over a stale digit 0. The next free reaches
    // swap_count_continued's decrement, whose BUG_ON(*map == 0) comes before
    // `*map -= 1` and before __swap_entry_free_locked writes the byte.
    let src = "mode raw\nswapon 1\nalloc_swap 0 order=0\nswap_duplicate 0:1 x63\nswap_free_nr 0:1 nr=1\n\
               swap_free_nr 0:1 nr=1 x62\n__swap_duplicate 0:1 usage=0x80 nr=1\nswap_free_nr 0:1 nr=1\n";
    after_trap(src, "BUG swap_count_continued: *map == 0", |e| {
        assert_eq!(e.map_byte(entry(0, 1)), Some(0xc0));
        assert_eq!(e.cont_digits(entry(0, 1)), vec![0]);
    });
}

#[test]
fn restore_hang_keeps_the_pages_restored_before_it() {
    // arch_swap_restore() restores page by page: page 0 gets its tags and
    // PG_mte_tagged (try_page_mte_tagging wins PG_mte_lock, then
    // set_page_mte_tagged); page 1 is locked but untagged, so
    // try_page_mte_tagging spins (a HANG) and its tags stay as they were.
    // Two clusters: the order-1 swap-out takes free cluster 1 (0:512, 0:513).
    let src = "mode raw\nswapon 2\nswap_out 0 order=1 seed=12\nfolio_new order=1\n\
               page_set f0 page=1 seed=0 flags=2\narch_swap_restore 0:512 f0\n";
    after_trap(src, "HANG try_page_mte_tagging: PG_mte_lock set, PG_mte_tagged clear", |e| {
        assert_eq!(e.page_get(0, 0), Some((tags_from_seed(12, 0), 3)));
        assert_eq!(e.page_get(0, 1).map(|p| p.1), Some(2));
    });
}

/// The model with one planted difference, for the phases after a trap.
struct Mutant<const BUG: u8> {
    model: ModelEngine,
    swapped_off: bool,
}

const NEIGHBOUR_WRITE: u8 = 1;
const LEAK_AFTER_SWAPOFF: u8 = 2;

impl<const BUG: u8> Mutant<BUG> {
    fn new() -> Self {
        Mutant { model: ModelEngine::new(), swapped_off: false }
    }
}

impl<const BUG: u8> Delegate for Mutant<BUG> {
    type Inner = ModelEngine;
    fn inner(&self) -> &ModelEngine {
        &self.model
    }
    fn inner_mut(&mut self) -> &mut ModelEngine {
        &mut self.model
    }
    fn env_reset(&mut self) {
        self.swapped_off = false;
        self.model.env_reset();
    }
    /// A stray write before the BUG: a patched swapcache_clear that also takes
    /// a reference to slot 1:1, on another device. The step compares only the
    /// clusters of the range it was given, so only the end state sees it.
    fn swapcache_clear(&mut self, e: u64, nr: i32) -> i64 {
        if BUG == NEIGHBOUR_WRITE {
            self.model.swap_duplicate(entry(1, 1));
        }
        self.model.swapcache_clear(e, nr)
    }
    fn swapoff(&mut self, ty: u32) -> i32 {
        self.swapped_off = true;
        self.model.swapoff(ty)
    }
    /// A continuation page that outlives swapoff: visible only in teardown.
    fn live_allocs(&self, site: Site) -> u64 {
        let extra = BUG == LEAK_AFTER_SWAPOFF && self.swapped_off && site == Site::ContPage;
        self.model.live_allocs(site) + u64::from(extra)
    }
}

const CLEAR_BUG: &str = "mode raw\nswapon 1\nswapon 1\nalloc_swap 1 order=0\nalloc_swap 0 order=0\n\
                         alloc_swap 0 order=0\nalloc_swap 0 order=0\n\
                         swap_duplicate 0:2\nput_swap_folio 0:2 order=0\nswapcache_clear 0:1 nr=2\n";

fn against_model<K: Engine>(mut planted: K) -> Run {
    differential(&mut ModelEngine::new(), &mut planted, &parse(CLEAR_BUG).unwrap(), RECORD)
}

#[test]
fn a_write_left_by_a_trapped_call_is_caught_in_the_end_phase() {
    let run = against_model(Mutant::<NEIGHBOUR_WRITE>::new());
    let d = run.divergence.as_ref().expect("the planted write is found");
    // Slot 1:1 was 0x40 (allocated, cache only); the planted reference makes
    // it 0x41 on the mutant's side. Nothing else differs.
    assert_eq!((d.phase, d.signature().as_str()), (Phase::End, "end/map/end"));
    assert_eq!(d.mismatch.detail, "swap_map byte of 1:1");
    assert_eq!((d.mismatch.expected.as_str(), d.mismatch.actual.as_str()), ("0x40", "0x41"));
    assert!(run.trapped && run.end == End::Diverged);
}

#[test]
fn a_leak_after_a_trapped_call_is_caught_in_the_teardown_phase() {
    let run = against_model(Mutant::<LEAK_AFTER_SWAPOFF>::new());
    let d = run.divergence.as_ref().expect("the planted leak is found");
    assert_eq!((d.phase, d.signature().as_str()), (Phase::Teardown, "teardown/allocs/teardown"));
    assert!(run.trapped);
}

#[test]
fn the_faithful_wrapper_agrees_after_the_trap() {
    // The control: the same wrapper, nothing planted.
    let run = against_model(Mutant::<0>::new());
    assert!(run.divergence.is_none());
    assert_eq!(run.end, End::Trapped);
}
