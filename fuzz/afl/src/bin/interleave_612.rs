//! AFL++ target `interleave_612` (see fuzz/fuzz_targets/interleave_612.rs for the libFuzzer
//! twin).
fn main() {
    // The build is taken once, before the fork server starts.
    swapdiff::harness::fuzz_interleave(&[]);
    afl::fuzz!(|data: &[u8]| {
        swapdiff::harness::fuzz_interleave(data);
    });
}
