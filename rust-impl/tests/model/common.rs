//! Shared set-up for the model's property tests: a device, slots with known counts, tags.

pub use rust_impl::kernel::*;
pub use rust_impl::{entry, Model, Site, TAG_BYTES};
/// The family traits the model's calls belong to.
pub use swapdiff_contract::prelude::*;

/// A model with one device of `clusters` clusters (type 0) of kind `kind` (`DEV_*` bits).
pub fn with_device(clusters: u32, kind: u32) -> Model {
    let mut m = Model::new();
    assert_eq!(m.swapon(clusters, kind), 0);
    m
}

pub use swapdiff_contract::setup::{counted, tags};
