//! AFL++ target `interleave_7x` (see fuzz/fuzz_targets/interleave_7x.rs for the libFuzzer
//! twin).
fn main() {
    // The build is taken once, before the fork server starts.
    swapdiff::harness::fuzz_interleave72(&[]);
    afl::fuzz!(|data: &[u8]| {
        swapdiff::harness::fuzz_interleave72(data);
    });
}
