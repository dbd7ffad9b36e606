//! cargo-fuzz target `interleave_7x`: concurrent programs on the 7.x build's C, the fuzzer's
//! bytes choosing the ops and the schedule, each run judged against the build's own sequential
//! orders (src/harness.rs `fuzz_interleave72`, src/interleave/v72.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    swapdiff::harness::fuzz_interleave72(data);
});
