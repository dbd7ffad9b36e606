//! Swap entry values: the generic 64-bit `swp_entry_t` encoding of swapops.h
//! (`type << SWP_TYPE_SHIFT | offset`; MAX_SWAPFILES_SHIFT 5, BITS_PER_XA_VALUE 63).

/// A raw `swp_entry_t` value.
pub type Entry = u64;

/// `SWP_TYPE_SHIFT`: the bits of an entry below its type.
pub const SWP_TYPE_SHIFT: u32 = 58;
/// `SWP_OFFSET_MASK`.
pub const SWP_OFFSET_MASK: u64 = (1 << SWP_TYPE_SHIFT) - 1;

/// `swp_entry(type, offset)`. Like the C (`(type << SWP_TYPE_SHIFT) | (offset &
/// SWP_OFFSET_MASK)`), offset bits that reach into the type are dropped, and so are type
/// bits shifted out of the word.
pub fn entry(ty: u32, offset: u64) -> Entry {
    (u64::from(ty) << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK)
}

/// `swp_type(entry)`: 0..=63.
pub fn entry_type(entry: Entry) -> u32 {
    (entry >> SWP_TYPE_SHIFT) as u32
}

/// `swp_offset(entry)`.
pub fn entry_offset(entry: Entry) -> u64 {
    entry & SWP_OFFSET_MASK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_and_offset_round_trip() {
        // Type 1, slot 5: 1 << 58 | 5; both halves read back unchanged.
        let e = entry(1, 5);
        assert_eq!(e, 0x0400_0000_0000_0005);
        assert_eq!((entry_type(e), entry_offset(e)), (1, 5));
        // The largest type and offset the encoding holds.
        let e = entry(63, SWP_OFFSET_MASK);
        assert_eq!(e, u64::MAX);
        assert_eq!((entry_type(e), entry_offset(e)), (63, SWP_OFFSET_MASK));
    }

    #[test]
    fn an_offset_too_large_is_masked_not_merged_into_the_type() {
        // swp_entry() masks the offset with SWP_OFFSET_MASK: bit 58 of an offset must
        // not turn type 0 into type 1 (the unmasked encoding gave entry(1, 5) here).
        let e = entry(0, (1 << SWP_TYPE_SHIFT) | 5);
        assert_eq!(e, entry(0, 5));
        assert_eq!(entry_type(e), 0);
    }

    #[test]
    fn type_bits_shifted_out_of_the_word_are_dropped() {
        // The C shift of an unsigned long by 58 keeps the type's low 6 bits.
        assert_eq!(entry(64 + 2, 7), entry(2, 7));
    }
}
