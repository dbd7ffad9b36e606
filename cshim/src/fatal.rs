//! The fatal-error note (ENVIRONMENT.md "Fatal errors"): a process that
//! dies of SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT or a sanitizer report
//! first writes one line to stderr,
//!
//! ```text
//! swapdiff-fatal: cause=<SIGSEGV|SIGBUS|SIGFPE|SIGILL|SIGABRT|sanitizer> program=<n|-> entry=<kernel entry point|-> build=<build name|->
//! ```
//!
//! then dies as it would have (previous handlers run, the exit status still
//! names the signal). `entry` is the kernel entry point whose trampoline was
//! running (on the dying thread first, else on any), `build` the
//! [`Build::name`](crate::Build) it belongs to; both `-` outside kernel code.
//! One line per process however many builds are linked. The parent that reads the worker's
//! stderr finds the line with [`LINE_PREFIX`].

use std::sync::Once;

use crate::builds::{builds, sd};

/// How the note's line starts.
pub const LINE_PREFIX: &str = "swapdiff-fatal: ";

static INSTALL: Once = Once::new();

/// Installs the handlers (idempotent; from any thread). Chains to handlers
/// installed before it (a sanitizer's, Rust's stack-overflow check). With a
/// sanitizer runtime linked it also sets the sanitizer death callback,
/// except under libFuzzer, which owns that callback (its crash report names
/// the input).
pub fn install_reporter() {
    // Every build joins the first one's hub: one set of handlers, one note,
    // naming whichever build was in a call.
    INSTALL.call_once(|| {
        let mut hub = std::ptr::null_mut();
        for build in builds() {
            // SAFETY: sd_fatal_install only calls sigaction and the sanitizer
            // callback setter (the first build) and registers the build with
            // the hub; `hub` is NULL or the pointer the first build returned,
            // a static of its TU. The Once keeps it to one call per build.
            hub = unsafe { sd!(build => sd_fatal_install(hub)) };
        }
    });
}

/// The index of the program in flight (`None`: `program=-`), in every build.
/// Relaxed atomic stores: cheap enough per program, callable from any thread.
pub fn set_program(program: Option<u64>) {
    for build in builds() {
        // SAFETY: two relaxed atomic stores on the C side; any value is valid.
        unsafe { sd!(build => sd_fatal_set_program(program.is_some(), program.unwrap_or(0))) }
    }
}
