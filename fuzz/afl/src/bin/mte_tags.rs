//! AFL++ target `mte_tags` (see fuzz/fuzz_targets/mte_tags.rs for the libFuzzer twin).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        swapdiff::harness::fuzz_one(data, swapdiff::program::Family::Mte);
    });
}
