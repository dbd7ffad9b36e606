//! The fatal-error note (ENVIRONMENT.md "Fatal errors"): a worker that dies
//! writes one `swapdiff-fatal:` line naming the cause, the program in flight
//! and the kernel entry point, and still dies of its signal. Each case runs
//! in a child process (this test binary, one #[ignore]d child test), since
//! the point is that the process dies. The faults come from the test hooks
//! (src/c/test_hooks.c): stock 6.12 does not crash through the guarded API;
//! tests/patches/crash-null-deref.patch shows a real one.
//!
//! Kernel only (the two-engine scenarios are in the root crate's tests/scenarios):
//! the model is safe Rust and cannot die of a signal.

use std::os::unix::process::ExitStatusExt;
use swapdiff_contract::prelude::*;
mod common;
use common::{notes, rerun_child, sanitized};

use cshim::Kernel;

const SIGSEGV: i32 = 11;
const SIGABRT: i32 = 6;

/// The child: what it does is chosen by CSHIM_FATAL_CASE.
#[test]
#[ignore = "run by the tests below in a child process; it kills itself"]
fn fatal_child() {
    let case = std::env::var("CSHIM_FATAL_CASE").expect("run by the parent tests");
    cshim::fatal::install_reporter();
    cshim::fatal::install_reporter(); // idempotent: still one line
    let mut k = Kernel::acquire();
    match case.as_str() {
        "segv-in-call" => {
            cshim::fatal::set_program(Some(42));
            k.test_hook_sigsegv_in_call();
        }
        "segv-outside" => {
            cshim::fatal::set_program(None);
            k.test_hook_sigsegv_outside();
        }
        "abort-after-call" => {
            cshim::fatal::set_program(Some(7));
            // A completed call leaves no entry behind.
            assert_eq!(k.swapon(1, swapdiff_contract::DEV_SSD), 0);
            std::process::abort();
        }
        "heap-overflow-in-call" => {
            cshim::fatal::set_program(Some(3));
            k.test_hook_heap_overflow_in_call();
        }
        other => panic!("unknown case {other}"),
    }
    println!("the child survived {case}");
}

#[test]
fn a_segfault_in_a_kernel_call_names_program_and_entry() {
    let out = child("segv-in-call");
    let log = String::from_utf8_lossy(&out.stderr);
    // The call ran in Kernel::acquire()'s build, the primary one: the note names it.
    assert_eq!(
        notes(&out),
        vec![format!("swapdiff-fatal: cause=SIGSEGV program=42 entry=sd_test_sigsegv build={}", cshim::primary().name)],
        "{log}"
    );
    // Still killed by a signal: SIGSEGV itself, or SIGABRT where ASan's
    // SEGV handler (chained after ours) ends with abort_on_error.
    let sig = out.status.signal();
    assert!(sig == Some(SIGSEGV) || (sanitized() && sig == Some(SIGABRT)), "{:?}\n{log}", out.status);
}

#[test]
fn a_segfault_outside_kernel_code_has_no_entry() {
    let out = child("segv-outside");
    let log = String::from_utf8_lossy(&out.stderr);
    // No build was in a call: neither entry nor build.
    assert_eq!(notes(&out), vec!["swapdiff-fatal: cause=SIGSEGV program=- entry=- build=-".to_string()], "{log}");
    assert!(out.status.signal().is_some(), "{:?}\n{log}", out.status);
}

#[test]
fn an_abort_is_noted_and_still_kills_with_sigabrt() {
    let out = child("abort-after-call");
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(notes(&out), vec!["swapdiff-fatal: cause=SIGABRT program=7 entry=- build=-".to_string()], "{log}");
    assert_eq!(out.status.signal(), Some(SIGABRT), "{log}");
}

#[test]
fn a_sanitizer_report_is_noted_once() {
    let out = child("heap-overflow-in-call");
    let log = String::from_utf8_lossy(&out.stderr);
    if !sanitized() {
        // Without ASan the hook does nothing (a silent overflow would prove
        // nothing): the child lives. tests/sanitize.sh runs the real case.
        assert!(out.status.success(), "{log}");
        assert!(notes(&out).is_empty(), "{log}");
        return;
    }
    assert!(log.contains("ERROR: AddressSanitizer: heap-buffer-overflow"), "{log}");
    // The death callback names the call; the abort() that follows does not
    // add a second line.
    assert_eq!(
        notes(&out),
        vec![format!(
            "swapdiff-fatal: cause=sanitizer program=3 entry=sd_test_heap_overflow build={}",
            cshim::primary().name
        )],
        "{log}"
    );
    assert!(!out.status.success(), "{log}");
}

fn child(case: &str) -> std::process::Output {
    rerun_child("fatal_child", "CSHIM_FATAL_CASE", case)
}
