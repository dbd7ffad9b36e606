//! The bounds on one kernel call (ENVIRONMENT.md "Bounded calls"): a
//! deterministic work budget counted at the shim's hooks, and a wall-clock
//! timeout enforced by a watchdog thread. A call past either is trapped as a
//! HANG and returns TRAPPED, like a BUG.

use std::sync::Once;
use std::time::Duration;

use crate::builds::{builds, primary, sd};

/// The default wall-clock bound of one call.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_millis(1000);
/// Overrides [`DEFAULT_CALL_TIMEOUT`] (milliseconds, 0 = no wall-clock
/// bound); read once, at the first `Kernel::acquire()` or
/// [`set_call_timeout`].
pub const CALL_TIMEOUT_ENV: &str = "SWAPDIFF_CALL_TIMEOUT_MS";

static FROM_ENV: Once = Once::new();

/// Applies SWAPDIFF_CALL_TIMEOUT_MS, once per process. A value that is not
/// a whole number of milliseconds is reported and ignored (the default
/// stays): a typo must not silently disable the bound, nor abort a run.
pub(crate) fn init_from_env() {
    FROM_ENV.call_once(|| {
        let Some(raw) = std::env::var_os(CALL_TIMEOUT_ENV) else {
            return;
        };
        match raw.to_str().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(ms) => set_raw(ms),
            None => eprintln!(
                "swapdiff: {CALL_TIMEOUT_ENV}={raw:?} is not a whole number of milliseconds; \
                 keeping the default call timeout of {} ms",
                DEFAULT_CALL_TIMEOUT.as_millis()
            ),
        }
    });
}

/// Every build has its own watchdog; all get the same bound.
fn set_raw(ms: u64) {
    for build in builds() {
        // SAFETY: a relaxed atomic store on the C side; any value is valid
        // (0 disables the wall-clock bound) and any thread may call it.
        unsafe { sd!(build => sd_set_call_timeout_ms(ms as std::os::raw::c_ulong)) }
    }
}

/// Sets the wall-clock bound of every kernel call from now on, for the
/// whole process (all threads and builds, the next call included). `Duration::ZERO`
/// disables it; the work budget still applies. Below a millisecond rounds
/// up to 1 ms. Overrides SWAPDIFF_CALL_TIMEOUT_MS.
pub fn set_call_timeout(timeout: Duration) {
    init_from_env();
    let ms = timeout.as_nanos().div_ceil(1_000_000);
    set_raw(u64::try_from(ms).unwrap_or(u64::MAX));
}

/// The wall-clock bound in force (`Duration::ZERO`: none).
pub fn call_timeout() -> Duration {
    init_from_env();
    // SAFETY: a relaxed atomic load on the C side. set_raw keeps the builds equal.
    Duration::from_millis(unsafe { sd!(primary() => sd_call_timeout_ms()) })
}

/// Work units a call may spend at shim hooks (SD_WORK_BUDGET).
pub fn work_budget() -> u64 {
    // SAFETY: returns a constant (the same in every build: one shim).
    unsafe { sd!(primary() => sd_work_budget()) }
}
