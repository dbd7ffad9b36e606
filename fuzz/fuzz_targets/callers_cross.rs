//! cargo-fuzz target `callers_cross`: caller-level programs through 6.12's and 7.x's C in one process, compared with each other at the logical level and judged by the caller-level spec
//! (src/harness.rs `fuzz_callers`, src/caller).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    swapdiff::harness::fuzz_callers(data, "6.12,7.x");
});
