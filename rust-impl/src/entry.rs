//! Swap entry values: `type << 58 | offset`, the generic `swp_entry_t` encoding
//! (MAX_SWAPFILES_SHIFT 5, BITS_PER_XA_VALUE 63).

/// SWP_TYPE_SHIFT.
pub const TYPE_SHIFT: u32 = 58;
/// SWP_OFFSET_MASK.
pub const OFFSET_MASK: u64 = (1u64 << TYPE_SHIFT) - 1;

/// `swp_entry(type, offset)`. Type bits that do not fit are dropped, as the C shift does.
pub fn entry(ty: u32, offset: u64) -> u64 {
    (u64::from(ty) << TYPE_SHIFT) | (offset & OFFSET_MASK)
}

/// `swp_type(entry)`: 0..=63.
pub fn entry_type(entry: u64) -> u32 {
    (entry >> TYPE_SHIFT) as u32
}

/// `swp_offset(entry)`.
pub fn entry_offset(entry: u64) -> u64 {
    entry & OFFSET_MASK
}

/// `swp_entry()` as reached from a kernel function whose `type` parameter is a C `int`
/// (`mte_invalidate_tags`, `mte_invalidate_tags_area`, `arch_swap_invalidate_*`): the
/// API's unsigned type becomes an `int` and is then sign-extended to `unsigned long`.
pub(crate) fn entry_from_int_type(ty: i32, offset: u64) -> u64 {
    ((i64::from(ty) as u64) << TYPE_SHIFT) | (offset & OFFSET_MASK)
}
