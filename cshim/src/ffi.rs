//! The bindgen output for swapdiff.h (SD_* constants, the types, `struct sd_api` and the
//! builds' tables `sd_api_<n>`; no functions: they are reached through the tables).
//! Only the wrapper modules of this crate call into it.

#![allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code)]

include!(concat!(env!("OUT_DIR"), "/swapdiff_bindings.rs"));
