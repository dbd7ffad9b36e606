//! AFL++ target `spec_alone` (see fuzz/fuzz_targets/spec_alone.rs for the libFuzzer twin).
fn main() {
    // The level is read once, before the fork server starts (as the other targets).
    swapdiff::harness::init();
    afl::fuzz!(|data: &[u8]| {
        swapdiff::harness::fuzz_alone(data, swapdiff::program::Family::All);
    });
}
