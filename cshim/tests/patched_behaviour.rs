//! Behaviour that tests/patches/eexist-to-ebusy.patch changes. This test
//! runs in every build: stock builds expect the kernel's -EEXIST, a build
//! with that patch in SWAPDIFF_PATCHES expects -EBUSY. tests/patches.rs
//! runs it in a patched build and sets SWAPDIFF_EXPECT_PATCHES so that a
//! patch silently left out fails here instead of passing as stock.
//!
//! Kernel only (the two-engine scenarios are in the root crate's tests/scenarios):
//! the patch changes the kernel's answer on purpose; the model keeps stock 6.12's.

mod common;
use common::*;
use swapdiff_contract::prelude::*;

const PATCH: &str = "eexist-to-ebusy.patch";

#[test]
fn expected_patches_are_applied() {
    if let Ok(expected) = std::env::var("SWAPDIFF_EXPECT_PATCHES") {
        assert_eq!(cshim::PATCHES_APPLIED, expected);
    }
}

#[test]
fn swapcache_prepare_on_a_cached_slot() {
    let mut k = kernel_with_device(1);
    let e = alloc_one(&mut k, 0);
    // The allocator left SWAP_HAS_CACHE: __swap_duplicate's "has_cache"
    // branch sets err = -EEXIST (-EBUSY with the patch).
    let expected = if cshim::patches_applied().contains(&PATCH) { EBUSY } else { EEXIST };
    assert_eq!(k.swapcache_prepare(e, 1), expected);
}
