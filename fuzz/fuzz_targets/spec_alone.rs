//! cargo-fuzz target `spec_alone`: programs from the All family through the kernel C
//! alone, judged by the spec (no model, no second build): a finding is a promise the
//! kernel build itself breaks (src/harness.rs `fuzz_alone`). Raw-mode inputs are run but
//! not judged: the spec promises nothing for arguments outside the contracts.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: {
        swapdiff::harness::init();
    },
    |data: &[u8]| {
        swapdiff::harness::fuzz_alone(data, swapdiff::program::Family::All);
    }
);
