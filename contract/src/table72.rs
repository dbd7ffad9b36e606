//! The 7.x swap-table entry, decoded from its documented layout (mm/swap_table.h, "Swap table
//! entry type and bits layouts"), for the configuration swapdiff builds: arm64, 4K pages,
//! 48-bit physical addresses. There `SWAP_CACHE_PFN_BITS` is 48 - 12 = 36, the PFN and its
//! two mark bits take 38 bits, so the flags field is min(5, 64 - 38) = 5 bits wide at the top,
//! the zero flag fits inline (26 spare bits > 2) and is the lowest flag bit, and the count is
//! the other 4: `SWP_TB_COUNT_MAX` = 15, the value that says "the count is in the cluster's
//! extend table".
//!
//! This is an independent reading of the layout, not the kernel's accessors: the 7.2
//! encoding check compares what it decodes from the C build's table with the spec's counts.

/// Width of the flags field (count and zero flag) at the top of a shadow or PFN entry.
pub const TB_FLAGS_BITS: u32 = 5;
/// Width of the count: the flags without the zero flag.
pub const TB_COUNT_BITS: u32 = TB_FLAGS_BITS - 1;
/// A table count of this value means the real count is in the extend table.
pub const TB_COUNT_MAX: u32 = (1 << TB_COUNT_BITS) - 1;
const COUNT_SHIFT: u32 = 64 - TB_COUNT_BITS;
const ZERO_FLAG: u64 = 1 << (64 - TB_FLAGS_BITS);
const FLAGS_MASK: u64 = !(!0u64 >> TB_FLAGS_BITS);
/// The bad-slot entry: all ones above the `0b1000` marker.
pub const TB_BAD: u64 = !0u64 << 3;

/// One slot as its table entry says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot72 {
    /// All zero: free.
    Free,
    /// The header, a hole, or the masked tail of the last cluster.
    Bad,
    /// Swapped out, not cached (`...|1`): the count, the zero flag, the shadow value bits.
    Shadow { count: u32, zero: bool, shadow: u64 },
    /// Cached (`...|10`): the count, the zero flag, the folio's PFN.
    Folio { count: u32, zero: bool, pfn: u64 },
    /// A marker the layout does not define (`...|100` is reserved): a corrupt entry.
    Unknown(u64),
}

impl Slot72 {
    pub fn decode(tb: u64) -> Slot72 {
        let count = (tb >> COUNT_SHIFT) as u32;
        let zero = tb & ZERO_FLAG != 0;
        if tb == 0 {
            Slot72::Free
        } else if tb == TB_BAD {
            Slot72::Bad
        } else if tb & 1 == 1 {
            Slot72::Shadow { count, zero, shadow: tb & !FLAGS_MASK & !1 }
        } else if tb & 0b11 == 0b10 {
            Slot72::Folio { count, zero, pfn: (tb & !FLAGS_MASK) >> 2 }
        } else {
            Slot72::Unknown(tb)
        }
    }

    /// The count field (0 for free, bad and unknown entries).
    pub fn table_count(self) -> u32 {
        match self {
            Slot72::Shadow { count, .. } | Slot72::Folio { count, .. } => count,
            _ => 0,
        }
    }

    /// The slot's real count: the table's, or `extend` when the table says
    /// [`TB_COUNT_MAX`].
    pub fn count_with(self, extend: u32) -> u32 {
        match self.table_count() {
            TB_COUNT_MAX => extend,
            c => c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_of_the_header_comment_decodes() {
        // NULL, BAD: the two fixed values.
        assert_eq!(Slot72::decode(0), Slot72::Free);
        assert_eq!(Slot72::decode(TB_BAD), Slot72::Bad);
        // An empty shadow (xa_mk_value(0) = 1) with count 3: 3 << 60 | 1.
        assert_eq!(Slot72::decode(3 << 60 | 1), Slot72::Shadow { count: 3, zero: false, shadow: 0 });
        // PFN 0x20 cached, count 1, zero flag (bit 59): 1 << 60 | 1 << 59 | 0x20 << 2 | 0b10.
        assert_eq!(
            Slot72::decode(1 << 60 | 1 << 59 | 0x20 << 2 | 0b10),
            Slot72::Folio { count: 1, zero: true, pfn: 0x20 }
        );
        // The pointer marker 0b100 is reserved.
        assert!(matches!(Slot72::decode(0x1000 | 0b100), Slot72::Unknown(_)));
    }

    #[test]
    fn a_table_count_of_max_defers_to_the_extend_table() {
        let overflowed = Slot72::decode(u64::from(TB_COUNT_MAX) << 60 | 1);
        assert_eq!(overflowed.table_count(), 15);
        assert_eq!(overflowed.count_with(40), 40);
        assert_eq!(Slot72::decode(14 << 60 | 1).count_with(40), 14);
    }
}
