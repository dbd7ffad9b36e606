//! AFL++ target `swap_counts` (see fuzz/fuzz_targets/swap_counts.rs for the libFuzzer twin).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        swapdiff::harness::fuzz_one(data, swapdiff::program::Family::Counts);
    });
}
