//! What stays model-only: property tests of the count machine's and the tag store's
//! invariants over random well-formed operation sequences. Random sequences on both
//! engines, compared, are the differential runner's and the fuzz targets' job; the
//! scenarios, with their expected values, are written once in the root crate's
//! tests/scenarios and run on the model and on the kernel C, end states compared.

mod alloc;
mod common;
mod props;
