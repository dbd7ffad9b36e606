//! The one swap entry construction the model needs beyond the contract's `entry()`.

use swapdiff_contract::{SWP_OFFSET_MASK, SWP_TYPE_SHIFT};

/// `swp_entry()` as reached from a kernel function whose `type` parameter is a C `int`
/// (`mte_invalidate_tags`, `mte_invalidate_tags_area`, `arch_swap_invalidate_*`): the
/// API's unsigned type becomes an `int` and is then sign-extended to `unsigned long`.
pub(crate) fn entry_from_int_type(ty: i32, offset: u64) -> u64 {
    ((i64::from(ty) as u64) << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK)
}
