//! Behaviour of `rust_impl::Model` through its public API, one file per group of entry
//! points. Every expected value is explained by the kernel code that makes it so.

mod common;
mod counts;
mod duplicate;
mod free;
mod guards;
mod mte;
mod props;
