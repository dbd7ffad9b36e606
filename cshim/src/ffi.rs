//! The bindgen output for swapdiff.h (sd_* functions, SD_* constants).
//! Only the wrapper modules of this crate call into it.

#![allow(non_camel_case_types, non_upper_case_globals, dead_code)]

include!(concat!(env!("OUT_DIR"), "/swapdiff_bindings.rs"));
