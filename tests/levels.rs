//! Comparison levels. The SWAP_MAP_SHMEM-removal RFC (see shared/seeds) makes
//! swap_shmem_alloc() take an ordinary reference (usage 1) instead of the
//! SWAP_MAP_SHMEM marker: for one slot the encoding changes (0xff → 0x41,
//! both "one reference, cached") but nothing a caller can observe; for a
//! large folio it trips VM_WARN_ON(usage == 1 && nr > 1) in __swap_duplicate.
//! `raw` must flag both, `logical` only the second.

use std::ops::{Deref, DerefMut};
use swapdiff::compare::Level;
use swapdiff::engine::ModelEngine;
use swapdiff::program::parse;
use swapdiff::runner::{differential, Options};

struct Rfc(ModelEngine);
impl Deref for Rfc {
    type Target = ModelEngine;
    fn deref(&self) -> &ModelEngine {
        &self.0
    }
}
impl DerefMut for Rfc {
    fn deref_mut(&mut self) -> &mut ModelEngine {
        &mut self.0
    }
}
impl Rfc {
    fn swap_shmem_alloc(&mut self, e: u64, nr: i32) -> i64 {
        use swapdiff::engine::Engine;
        self.0.__swap_duplicate(e, 1, nr);
        0
    }
}
struct Patched(Rfc);
swapdiff::forward_engine!(Patched, "rfc", |s| s, |e| e);

fn first_divergence(src: &str, level: Level) -> Option<String> {
    let (mut model, mut rfc) = (ModelEngine::new(), Patched(Rfc(ModelEngine::new())));
    let p = parse(src).unwrap();
    differential(&mut model, &mut rfc, &p, Options { level, ..Options::default() }).divergence.map(|d| d.signature())
}

const ONE_SLOT: &str = "swapon 1\nalloc_swap 0 order=0\nswap_shmem_alloc 0:1 nr=1\nswp_swapcount 0:2\nput_swap_folio 0:1 order=0\nswap_free_nr 0:1 nr=1\n";
const LARGE_FOLIO: &str = "swapon 1\nalloc_swap 0 order=2\nswap_shmem_alloc 0:4 nr=4\n";

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
