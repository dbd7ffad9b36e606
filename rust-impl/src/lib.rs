#![forbid(unsafe_code)]
//! Reimplementation of the swap-count machine (work in progress).
