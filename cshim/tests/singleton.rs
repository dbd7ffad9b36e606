//! The process-wide C environment is handed out one Kernel at a time.
//!
//! Kernel only (the two-engine scenarios are in the root crate's tests/scenarios):
//! the model is a plain value with no process-wide state to hand out.

use std::thread;
use swapdiff_contract::prelude::*;

use cshim::{entry, Kernel};

#[test]
fn threads_never_interleave() {
    let workers: Vec<_> = (0..4)
        .map(|_| {
            thread::spawn(|| {
                for _ in 0..50 {
                    let mut k = Kernel::acquire();
                    // acquire() reset the environment: type 0, slot 1 are
                    // ours unless another thread got in between.
                    assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
                    let e = k.alloc_swap(0, 0).unwrap();
                    assert_eq!(e, entry(0, 1));
                    for n in 1..=70 {
                        assert_eq!(k.swap_duplicate(e), 0);
                        assert_eq!(k.swp_swapcount(e), n);
                    }
                    thread::yield_now();
                    assert_eq!(k.device_inuse_pages(0), 1);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
}

#[test]
fn a_panic_while_holding_the_kernel_does_not_wedge_it() {
    let result = thread::spawn(|| {
        let mut k = Kernel::acquire();
        assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
        panic!("test panic while the lock is held");
    })
    .join();
    assert!(result.is_err());
    let k = Kernel::acquire();
    assert_eq!(k.device_max(0), 0, "reset after the poisoned lock");
}

#[test]
fn version_and_build_information() {
    // The C string (sd_kernel_version) and the Rust constant come from the
    // same extraction.
    assert_eq!(cshim::c_kernel_version(), cshim::kernel_version());
    assert!(cshim::kernel_version().starts_with("6.12."), "{}", cshim::kernel_version());
    assert!(!cshim::source_hash().is_empty());
    assert!(cshim::build_flags().contains("-std=gnu11"), "{}", cshim::build_flags());
}
