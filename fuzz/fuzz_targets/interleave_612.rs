//! cargo-fuzz target `interleave_612`: concurrent programs on 6.12's C, the fuzzer's bytes
//! choosing the ops and the schedule, each run checked for linearizability against the spec
//! (src/harness.rs `fuzz_interleave`, src/interleave).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    swapdiff::harness::fuzz_interleave(data);
});
