//! Reading swap counts out of raw state, the same way for both engines.
//!
//! The low "digit" lives in the swap_map byte (0..=SWAP_MAP_MAX); higher
//! digits live in continuation pages, each 0..=SWAP_CONT_MAX, worth
//! 63 * 128^k. COUNT_CONTINUED on a digit means the next page holds more.

pub use swapdiff_contract::{
    COUNT_CONTINUED, SWAP_CONT_MAX, SWAP_HAS_CACHE, SWAP_MAP_BAD, SWAP_MAP_MAX, SWAP_MAP_SHMEM,
};

/// What one swap_map byte says about its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotView {
    pub byte: u8,
}

impl SlotView {
    /// The count bits (everything but SWAP_HAS_CACHE; may carry COUNT_CONTINUED).
    pub fn count_bits(self) -> u8 {
        self.byte & !SWAP_HAS_CACHE
    }
    pub fn has_cache(self) -> bool {
        self.byte & SWAP_HAS_CACHE != 0
    }
    pub fn is_free(self) -> bool {
        self.byte == 0
    }
    pub fn is_bad(self) -> bool {
        self.count_bits() == SWAP_MAP_BAD
    }
    pub fn is_shmem(self) -> bool {
        self.count_bits() == SWAP_MAP_SHMEM
    }
    pub fn is_continued(self) -> bool {
        !self.is_shmem() && self.count_bits() & COUNT_CONTINUED != 0
    }
    /// Holds at least one reference (a mapping, or shmem's single one).
    pub fn has_ref(self) -> bool {
        let c = self.count_bits();
        c != 0 && c != SWAP_MAP_BAD
    }
    /// Only the swap cache holds it.
    pub fn cache_only(self) -> bool {
        self.byte == SWAP_HAS_CACHE
    }
}

/// The exact number of references: what `swp_swapcount()` computes for a
/// continued count, 1 for shmem's single reference, `None` for a bad slot.
/// `digits` are the raw bytes at the slot's offset in each continuation page.
pub fn exact_count(byte: u8, digits: &[u8]) -> Option<u64> {
    let v = SlotView { byte };
    if v.is_bad() {
        return None;
    }
    if v.is_shmem() {
        return Some(1);
    }
    let c = v.count_bits();
    if c & COUNT_CONTINUED == 0 {
        return Some(u64::from(c));
    }
    let mut total = u64::from(c & !COUNT_CONTINUED);
    let mut weight = u64::from(SWAP_MAP_MAX) + 1;
    for &d in digits {
        total += u64::from(d & !COUNT_CONTINUED) * weight;
        weight *= u64::from(SWAP_CONT_MAX) + 1;
        if d & COUNT_CONTINUED == 0 {
            break;
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_digit_only() {
        // Below SWAP_MAP_MAX the byte is the count; the cache bit is not a reference.
        assert_eq!(exact_count(0x40 | 5, &[]), Some(5));
        assert_eq!(exact_count(0, &[]), Some(0));
    }

    #[test]
    fn continued_counts_weigh_63_then_63_times_128() {
        // 62 references fill the byte; the 63rd carries: byte 0 | CONTINUED, digit 1 → 63.
        assert_eq!(exact_count(COUNT_CONTINUED, &[1]), Some(63));
        // A full first continuation digit (127) carries into a second page:
        // 62 + 63 * 127 = 8063 is the largest count one page holds.
        assert_eq!(exact_count(SWAP_MAP_MAX | COUNT_CONTINUED, &[SWAP_CONT_MAX]), Some(8063));
        assert_eq!(exact_count(COUNT_CONTINUED, &[COUNT_CONTINUED, 1]), Some(63 * 128));
        // Digits after one without COUNT_CONTINUED are stale and ignored.
        assert_eq!(exact_count(COUNT_CONTINUED | 3, &[2, 99]), Some(3 + 2 * 63));
    }

    #[test]
    fn special_bytes() {
        assert_eq!(exact_count(SWAP_MAP_SHMEM, &[]), Some(1));
        assert_eq!(exact_count(SWAP_MAP_SHMEM | SWAP_HAS_CACHE, &[]), Some(1));
        assert_eq!(exact_count(SWAP_MAP_BAD, &[]), None);
        assert!(SlotView { byte: SWAP_MAP_SHMEM }.has_ref());
        assert!(!SlotView { byte: SWAP_MAP_SHMEM }.has_cache());
        assert!(!SlotView { byte: SWAP_MAP_BAD }.has_ref());
    }
}
