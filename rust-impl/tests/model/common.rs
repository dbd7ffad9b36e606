//! Shared set-up for the model's property tests: a device, slots with known counts, tags.

pub use rust_impl::kernel::*;
pub use rust_impl::{entry, Model, Site, TAG_BYTES};
/// The family traits the model's calls belong to.
pub use swapdiff_contract::prelude::*;

/// A model with one device of `clusters` clusters (type 0).
pub fn with_device(clusters: u32, cluster_info: bool) -> Model {
    let mut m = Model::new();
    assert_eq!(m.swapon(clusters, if cluster_info { swapdiff_contract::DEV_SSD } else { 0 }), 0);
    m
}

pub use swapdiff_contract::setup::{counted, tags};
