//! AFL++ target `mte_tags` (see fuzz/fuzz_targets/mte_tags.rs for the libFuzzer twin).
fn main() {
    // The level is read once, before the fork server starts: a bad
    // SWAPDIFF_LEVEL stops here with a message instead of in every child.
    swapdiff::harness::init();
    afl::fuzz!(|data: &[u8]| {
        swapdiff::harness::fuzz_one(data, swapdiff::program::Family::Mte);
    });
}
