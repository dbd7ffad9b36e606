//! Rough cost of a call through the wrapper (FFI, trampoline, kernel code).
//! Ignored: it measures, it does not check. Run with
//! `cargo test -p cshim --release --test timing -- --ignored --nocapture`.
//!
//! Kernel only: what it measures is the FFI path.

use std::time::Instant;
use swapdiff_contract::prelude::*;

use cshim::{Kernel, Site};

#[test]
#[ignore = "measurement"]
fn one_million_swap_duplicate_calls() {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
    let e = k.alloc_swap(0, 0).unwrap();
    let n = 1_000_000;
    let start = Instant::now();
    for _ in 0..n {
        k.swap_duplicate(e);
    }
    let dup = start.elapsed();
    // 1e6 < 62 + 127*63 + 127*63*128 = 1032191: two continuation pages.
    assert_eq!(k.swp_swapcount(e), n);
    assert_eq!(k.live_allocs(Site::ContPage), 2);
    let start = Instant::now();
    for _ in 0..n {
        k.swap_free_nr(e, 1);
    }
    let free = start.elapsed();
    let start = Instant::now();
    for _ in 0..n {
        k.__swap_count(e);
    }
    let count = start.elapsed();
    println!(
        "swap_duplicate {:.0} ns/call, swap_free_nr {:.0} ns/call, __swap_count {:.0} ns/call",
        dup.as_nanos() as f64 / n as f64,
        free.as_nanos() as f64 / n as f64,
        count.as_nanos() as f64 / n as f64
    );
}
