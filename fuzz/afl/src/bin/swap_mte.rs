//! AFL++ target `swap_mte` (see fuzz/fuzz_targets/swap_mte.rs for the libFuzzer twin).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        swapdiff::harness::fuzz_one(data, swapdiff::program::Family::All);
    });
}
