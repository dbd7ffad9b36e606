//! The fatal-error note (ENVIRONMENT.md "Fatal errors"): a process that
//! dies of SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT or a sanitizer report
//! first writes one line to stderr,
//!
//! ```text
//! swapdiff-fatal: cause=<SIGSEGV|SIGBUS|SIGFPE|SIGILL|SIGABRT|sanitizer> program=<n|-> entry=<kernel entry point|->
//! ```
//!
//! then dies as it would have (previous handlers run, the exit status still
//! names the signal). `entry` is the kernel entry point whose trampoline was
//! running, `-` outside kernel code. The parent that reads the worker's
//! stderr finds the line with [`LINE_PREFIX`].

use std::sync::Once;

use crate::ffi;

/// How the note's line starts.
pub const LINE_PREFIX: &str = "swapdiff-fatal: ";

static INSTALL: Once = Once::new();

/// Installs the handlers (idempotent; from any thread). Chains to handlers
/// installed before it (a sanitizer's, Rust's stack-overflow check). With a
/// sanitizer runtime linked it also sets the sanitizer death callback,
/// except under libFuzzer, which owns that callback (its crash report names
/// the input).
pub fn install_reporter() {
    // SAFETY: sd_fatal_install only calls sigaction and the sanitizer
    // callback setter; the Once keeps it to one call (it is also idempotent
    // on the C side).
    INSTALL.call_once(|| unsafe { ffi::sd_fatal_install() });
}

/// The index of the program in flight (`None`: `program=-`). A relaxed
/// atomic store: cheap enough per program, callable from any thread.
pub fn set_program(program: Option<u64>) {
    // SAFETY: two relaxed atomic stores on the C side; any value is valid.
    unsafe { ffi::sd_fatal_set_program(program.is_some(), program.unwrap_or(0)) }
}
