//! cargo-fuzz target `callers_7x`: caller-level programs through the 7.x C (7.2 by default), judged by the caller-level spec; stock against patched when the build has patches
//! (src/harness.rs `fuzz_callers`, src/caller).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    swapdiff::harness::fuzz_callers(data, "7.x");
});
