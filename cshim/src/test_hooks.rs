//! TEST HOOKS, for cshim's own tests of the call bounds and the fatal note:
//! misbehaving functions of ours run through the same trampoline as the
//! kernel entry points (C side: src/c/test_hooks.c). Stock 6.12 never
//! hangs or crashes through the guarded API, so without these only a
//! patched build could show the mechanisms work. Not part of the API; do
//! not call them outside tests (some kill the process on purpose).

use crate::builds::sd;
use crate::ffi;
use crate::kernel::Kernel;

/// Runs test hook `which` in `k`'s build.
fn hook(k: &Kernel, which: u32, arg: u64) -> i64 {
    // SAFETY: sd_test_hook validates `which`; every hook either returns or
    // ends the process (the fault hooks), and the callers below hold the
    // build's lock through `&mut Kernel`.
    unsafe { sd!(k.build => sd_test_hook(which as i32, arg as std::os::raw::c_ulong)) }
}

impl Kernel {
    /// A call spinning without reaching a hook: TRAPPED once the watchdog
    /// fires (HANG in `sd_test_spin`, "no return within N ms").
    #[doc(hidden)]
    pub fn test_hook_spin(&mut self) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_SPIN, 0)
    }

    /// A call locking and unlocking forever: TRAPPED at the work budget
    /// (HANG in `sd_test_hook_loop`, "work budget exceeded in sd_test_hook_loop").
    #[doc(hidden)]
    pub fn test_hook_hook_loop(&mut self) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_HOOK_LOOP, 0)
    }

    /// A call that WARNs forever: TRAPPED at the per-call event budget.
    #[doc(hidden)]
    pub fn test_hook_warn_loop(&mut self) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_WARN_LOOP, 0)
    }

    /// `ms` milliseconds in environment code, then a spin. Returns TRAPPED
    /// and whether the environment part ran to its end (the watchdog must
    /// not cut it short).
    #[doc(hidden)]
    pub fn test_hook_env_then_spin(&mut self, ms: u64) -> (i64, bool) {
        let ret = hook(self, ffi::sd_test_hook_SD_TEST_ENV_THEN_SPIN, ms);
        (ret, hook(self, ffi::sd_test_hook_SD_TEST_ENV_DONE, 0) == 1)
    }

    /// Forks; the child runs [`Kernel::test_hook_spin`] with no watchdog
    /// thread of its own yet. 0 when the child's call was trapped as a HANG,
    /// otherwise its exit code (or 128 + signal).
    #[doc(hidden)]
    pub fn test_hook_fork_spin(&mut self) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_FORK_SPIN, 0)
    }

    #[doc(hidden)]
    /// Queues test work items (no kernel code): `requeuer` one that queues itself again on every
    /// run, else one that BUGs followed by one that only counts. 0, or -EBUSY if queued already.
    pub fn test_hook_queue_work(&mut self, requeuer: bool) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_QUEUE_WORK, u64::from(!requeuer))
    }

    #[doc(hidden)]
    /// How many times the test work items have run since the last reset.
    pub fn test_hook_work_runs(&self) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_WORK_RUNS, 0)
    }

    /// Raises SIGSEGV inside a call (entry `sd_test_sigsegv`): the process dies, except on a
    /// simulated CPU of an interleaved run, where it is that CPU's oops (a BUG, the call
    /// TRAPPED).
    #[doc(hidden)]
    pub fn test_hook_sigsegv_in_call(&mut self) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_SIGSEGV_IN_CALL, 0)
    }

    /// Raises SIGSEGV outside any call: the process dies.
    #[doc(hidden)]
    pub fn test_hook_sigsegv_outside(&mut self) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_SIGSEGV_OUTSIDE, 0)
    }

    /// In an ASan build, a heap-buffer-overflow inside a call (entry
    /// `sd_test_heap_overflow`): the process dies with ASan's report.
    /// Elsewhere returns -ENOSYS and does nothing.
    #[doc(hidden)]
    pub fn test_hook_heap_overflow_in_call(&mut self) -> i64 {
        hook(self, ffi::sd_test_hook_SD_TEST_HEAP_OVERFLOW_IN_CALL, 0)
    }

    /// Watchdog signals that found the thread in environment code and were
    /// retried, since the process started.
    #[doc(hidden)]
    pub fn test_hook_watchdog_deferrals(&self) -> u64 {
        // SAFETY: a relaxed atomic load on the C side.
        unsafe { sd!(self.build => sd_watchdog_deferrals()) }
    }
}

impl Kernel {
    /// The pending events' texts as the C side formats them (`sd_event_get`,
    /// what the standalone reproducers print), oldest first; the log is left
    /// as it is. For the test that the Rust rendering of a message is the C
    /// one.
    #[doc(hidden)]
    pub fn test_c_event_texts(&self) -> Vec<String> {
        // SAFETY: we hold the kernel lock; no arguments.
        let n = unsafe { sd!(self.build => sd_events_count()) };
        (0..n)
            .filter_map(|i| {
                let mut raw = ffi::sd_event { kind: 0, func: std::ptr::null(), text: std::ptr::null(), line: 0 };
                // SAFETY: we hold the kernel lock; `raw` is valid for the
                // write and i < count.
                (unsafe { sd!(self.build => sd_event_get(i, &mut raw)) } == 0).then(|| crate::engine::c_text(raw.text))
            })
            .collect()
    }
}
