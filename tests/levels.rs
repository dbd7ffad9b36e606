//! Comparison levels. The SWAP_MAP_SHMEM-removal RFC (see shared/seeds) makes
//! swap_shmem_alloc() take an ordinary reference (usage 1) instead of the
//! SWAP_MAP_SHMEM marker: for one slot the encoding changes (0xff → 0x41,
//! both "one reference, cached") but nothing a caller can observe; for a
//! large folio it trips VM_WARN_ON(usage == 1 && nr > 1) in __swap_duplicate.
//! `raw` must flag both, `logical` only the second.

use swapdiff::compare::Level;
use swapdiff::engine::prelude::*;
use swapdiff::engine::{Delegate, ModelEngine};
use swapdiff::harness::fuzz_with;
use swapdiff::program::{decode, encode, parse, Family};
use swapdiff::runner::{differential, Options};

/// The model with the RFC's swap_shmem_alloc: an ordinary reference (usage 1).
struct Patched(ModelEngine);
impl Delegate for Patched {
    type Inner = ModelEngine;
    fn inner(&self) -> &ModelEngine {
        &self.0
    }
    fn inner_mut(&mut self) -> &mut ModelEngine {
        &mut self.0
    }
    fn swap_shmem_alloc(&mut self, e: u64, nr: i32) -> i64 {
        self.0.__swap_duplicate(e, 1, nr);
        0
    }
}

fn first_divergence(src: &str, level: Level) -> Option<String> {
    let (mut model, mut rfc) = (ModelEngine::new(), Patched(ModelEngine::new()));
    let p = parse(src).unwrap();
    differential(&mut model, &mut rfc, &p, Options { level, ..Options::default() }).divergence.map(|d| d.signature())
}

const ONE_SLOT: &str = "swapon 1\nalloc_swap 0 order=0\nswap_shmem_alloc 0:1 nr=1\nswp_swapcount 0:2\nput_swap_folio 0:1 order=0\nswap_free_nr 0:1 nr=1\n";
// Two clusters: the order-2 run comes from free cluster 1 (0:512); cluster 0, the header's,
// serves order 0 only (cluster_alloc_swap_entry).
const LARGE_FOLIO: &str = "swapon 2\nalloc_swap 0 order=2\nswap_shmem_alloc 0:512 nr=4\n";

#[test]
fn raw_flags_the_changed_encoding() {
    // swap_map byte: SWAP_MAP_SHMEM | SWAP_HAS_CACHE (0xff) against 1 | SWAP_HAS_CACHE (0x41).
    assert_eq!(first_divergence(ONE_SLOT, Level::Raw).as_deref(), Some("swap_shmem_alloc/map/swap_shmem_alloc"));
}

#[test]
fn logical_accepts_the_same_counts_in_another_encoding() {
    // One reference, cached, in both; freeing it leaves the cache only in both.
    assert_eq!(first_divergence(ONE_SLOT, Level::Logical), None);
}

#[test]
fn logical_still_flags_the_warning_for_large_folios() {
    assert_eq!(
        first_divergence(LARGE_FOLIO, Level::Logical).as_deref(),
        Some("swap_shmem_alloc/events/__swap_duplicate")
    );
}

/// `fuzz_with` (what `fuzz_one` runs at the process's `SWAPDIFF_LEVEL`) on
/// the RFC engine, for the one-slot program as a fuzzer input: `Ok` when
/// nothing diverged, else the panic message.
fn fuzz_at(level: Level) -> Result<(), String> {
    let p = parse(ONE_SLOT).unwrap();
    let data = encode(&p, Family::All).unwrap();
    assert_eq!(decode(&data, Family::All).ops, p.ops, "the input decodes to the program");
    let (mut model, mut rfc) = (ModelEngine::new(), Patched(ModelEngine::new()));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fuzz_with(&mut model, &mut rfc, &data, Family::All, level)
    }))
    .map_err(|e| e.downcast_ref::<String>().cloned().unwrap_or_default())
}

#[test]
fn the_fuzz_entry_panics_on_an_encoding_change_at_raw_only() {
    // The same divergence as raw_flags_the_changed_encoding, through the fuzz
    // entry: the fuzzer's crash, whose first line is the signature.
    let raw = fuzz_at(Level::Raw).unwrap_err();
    assert!(raw.starts_with("swapdiff divergence: swap_shmem_alloc/map/swap_shmem_alloc\n"), "{raw}");
    assert!(raw.ends_with("(compared at the raw level)"), "{raw}");
    // At the logical level the counts agree: no panic, no crash.
    assert_eq!(fuzz_at(Level::Logical), Ok(()));
}
