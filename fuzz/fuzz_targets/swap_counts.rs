//! cargo-fuzz target `swap_counts`: programs from the Counts family, contract or raw
//! mode as the input's header says, through stock C and the patched C when
//! both are linked (SWAPDIFF_PATCHES), else the kernel C and the 6.12 model,
//! compared at the level `SWAPDIFF_LEVEL` selects (read once at start; raw
//! by default), the spec judging contract-mode inputs (src/harness.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: {
        swapdiff::harness::init();
    },
    |data: &[u8]| {
        swapdiff::harness::fuzz_one(data, swapdiff::program::Family::Counts);
    }
);
