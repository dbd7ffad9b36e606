//! cargo-fuzz target `callers_612`: caller-level programs through 6.12's C, judged by the caller-level spec
//! (src/harness.rs `fuzz_callers`, src/caller).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    swapdiff::harness::fuzz_callers(data, "6.12");
});
