//! Shared by the kernel-only cshim integration tests (the scenarios that run on
//! both engines are in the root crate's tests/scenarios): the contract's constants
//! they use (checked against swapdiff.h at compile time), errno values negated as
//! the calls return them, small setup helpers and the child-process tools.
#![allow(dead_code, unused_imports)]

use cshim::{Event, EventKind, Kernel};
use swapdiff_contract::prelude::*;

pub use cshim::contract::{PG_MTE_TAGGED, SWAP_HAS_CACHE};

/// `-errno` as an entry point returns it.
const fn neg(errno: i32) -> i64 {
    -(errno as i64)
}
pub const EEXIST: i64 = neg(cshim::contract::EEXIST);
pub const EBUSY: i64 = neg(cshim::contract::EBUSY);

/// A kernel with one device of `clusters` clusters (with cluster_info);
/// the device is type 0 because acquire() reset everything.
pub fn kernel_with_device(clusters: u32) -> Kernel {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(clusters, swapdiff_contract::DEV_SSD), 0, "the first device after a reset is type 0");
    k
}

/// One freshly allocated slot: its byte is SWAP_HAS_CACHE (the allocator
/// hands slots out with the swap cache's reference, as the kernel's does).
pub fn alloc_one(k: &mut Kernel, ty: u32) -> u64 {
    let e = k.alloc_swap(ty, 0).expect("a free slot");
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE));
    e
}

/// An event as a reader sees it: kind, function, and the condition or the
/// formatted message (a message is recorded as format and arguments).
pub type Seen = (EventKind, String, String);

pub fn event(kind: EventKind, func: &str, text: &str) -> Seen {
    (kind, func.to_string(), text.to_string())
}

pub fn seen_one(e: &Event) -> Seen {
    (e.kind, e.func.to_string(), e.message().into_owned())
}

pub fn seen(events: Vec<Event>) -> Vec<Seen> {
    events.iter().map(seen_one).collect()
}

/// Sets the process-wide call timeout until dropped, then restores the
/// default, also when a test fails halfway (a zero timeout left behind
/// would let a later spin test run for ever instead of failing).
pub struct Timeout;

pub fn timeout(t: std::time::Duration) -> Timeout {
    cshim::set_call_timeout(t);
    Timeout
}

impl Drop for Timeout {
    fn drop(&mut self) {
        cshim::set_call_timeout(cshim::DEFAULT_CALL_TIMEOUT);
    }
}

/// Runs this test binary again as a child, executing only the ignored test
/// `child_test` with `var=case` in its environment: how the tests watch a
/// process die (a fatal signal or a sanitizer report ends the whole process).
pub fn rerun_child(child_test: &str, var: &str, case: &str) -> std::process::Output {
    std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--ignored", "--exact", child_test, "--nocapture", "--test-threads=1"])
        .env(var, case)
        .output()
        .expect("the test binary runs")
}

/// The fatal-error note lines (`swapdiff-fatal: ...`) on a child's stderr.
pub fn notes(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with(cshim::fatal::LINE_PREFIX))
        .map(str::to_string)
        .collect()
}

/// The extract is built with AddressSanitizer.
pub fn sanitized() -> bool {
    cshim::build_flags().contains("-fsanitize=address")
}
