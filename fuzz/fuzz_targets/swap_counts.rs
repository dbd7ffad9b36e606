//! cargo-fuzz target `swap_counts`: programs from the Counts family, contract or raw
//! mode as the input's header says, through the kernel C and the Rust model.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    swapdiff::harness::fuzz_one(data, swapdiff::program::Family::Counts);
});
