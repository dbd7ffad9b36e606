//! AFL++ target `callers_7x` (see fuzz/fuzz_targets/callers_7x.rs for the libFuzzer twin).
fn main() {
    // The engines are taken (and a bad series reported) once, before the fork server starts:
    // the empty program runs nothing but the setup.
    swapdiff::harness::fuzz_callers(&[], "7.x");
    afl::fuzz!(|data: &[u8]| {
        swapdiff::harness::fuzz_callers(data, "7.x");
    });
}
