//! The per-slot state machine: one `swap_map` byte, what it means and how each kind of
//! reference changes it.
//!
//! A byte is `HAS_CACHE (0x40) | count`, where `count` is the slot's number of map
//! references in a two-level encoding:
//!
//! ```text
//!   0x00            free (no references, not cached)
//!   0x40            cache only: the swap cache holds the slot, no map references
//!   0x01..=0x3e     1..=62 references (SWAP_MAP_MAX is the largest low digit)
//!   0x80 | l        COUNT_CONTINUED: low digit l (0..=62) plus higher digits in the
//!                   continuation pages of the map page (see `continuation`)
//!   0x3f            SWAP_MAP_BAD: never usable (the header slot, bad blocks)
//!   0xbf            SWAP_MAP_SHMEM: shmem's one reference (BAD | CONTINUED)
//!   | 0x40          any of the above can additionally carry HAS_CACHE
//! ```
//!
//! The transitions live here as pure functions of the byte, so the decisions the kernel
//! makes (`__swap_duplicate`'s two passes, `__swap_entry_free_locked`) are testable without
//! a device; the device applies them and runs continuation carries and borrows when a
//! transition asks for one.
//!
//! Bytes outside the table (e.g. `0x7f`, `0xc0`) are reachable: `__swap_duplicate` passes
//! any `usage` byte through and adds it with 8-bit wrap-around. The functions below give
//! such bytes exactly the kernel's treatment, they never "normalise" them.

use crate::kernel::{COUNT_CONTINUED, SWAP_HAS_CACHE, SWAP_MAP_BAD, SWAP_MAP_MAX, SWAP_MAP_SHMEM};

/// One `swap_map` byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotByte(pub u8);

impl SlotByte {
    pub const FREE: SlotByte = SlotByte(0);

    /// The byte has `SWAP_HAS_CACHE`.
    pub fn has_cache(self) -> bool {
        self.0 & SWAP_HAS_CACHE != 0
    }

    /// `swap_count()`: the byte without `SWAP_HAS_CACHE`; may include `COUNT_CONTINUED`.
    pub fn count(self) -> u8 {
        self.0 & !SWAP_HAS_CACHE
    }

    /// The count without `COUNT_CONTINUED`: the digit the map itself holds.
    pub fn low_digit(self) -> u8 {
        self.count() & !COUNT_CONTINUED
    }

    /// The count has `COUNT_CONTINUED`.
    pub fn continued(self) -> bool {
        self.0 & COUNT_CONTINUED != 0
    }
}

/// The `usage` argument of `__swap_duplicate`: the cache flag, or a number of map
/// references to add (1 normally, `SWAP_MAP_SHMEM` for shmem, any other byte passed
/// through as the kernel would take it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    Cache,
    Map(u8),
}

impl Usage {
    pub fn from_byte(usage: u8) -> Usage {
        if usage == SWAP_HAS_CACHE {
            Usage::Cache
        } else {
            Usage::Map(usage)
        }
    }
}

/// Why `__swap_duplicate`'s first pass rejects a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DupError {
    /// -ENOENT: a bad slot, or a free one.
    NoEntry,
    /// -EEXIST: the cache flag was asked for and is already set.
    Exists,
    /// -EINVAL: the low digit is beyond SWAP_MAP_MAX (SHMEM, or BAD with CONTINUED).
    Invalid,
}

impl DupError {
    pub fn errno(self) -> i32 {
        use crate::kernel::{EEXIST, EINVAL, ENOENT};
        match self {
            DupError::NoEntry => ENOENT,
            DupError::Exists => EEXIST,
            DupError::Invalid => EINVAL,
        }
    }
}

/// First pass of `__swap_duplicate`: may this slot take the reference?
///
/// A BAD low count (with or without the cache flag) is -ENOENT before anything else; a
/// free byte is -ENOENT; a cache request on a cached slot is -EEXIST; a map reference on a
/// low digit above SWAP_MAP_MAX is -EINVAL. Note that the BAD test compares the whole
/// count, so `SWAP_MAP_SHMEM` (BAD | CONTINUED) is not "bad" here but -EINVAL for map
/// references, and a cache request on it succeeds.
pub fn dup_check(byte: SlotByte, usage: Usage) -> Result<(), DupError> {
    if byte.count() == SWAP_MAP_BAD {
        return Err(DupError::NoEntry);
    }
    if byte.count() == 0 && !byte.has_cache() {
        return Err(DupError::NoEntry);
    }
    match usage {
        Usage::Cache if byte.has_cache() => Err(DupError::Exists),
        Usage::Cache => Ok(()),
        Usage::Map(_) if byte.low_digit() > SWAP_MAP_MAX => Err(DupError::Invalid),
        Usage::Map(_) => Ok(()),
    }
}

/// Second pass of `__swap_duplicate` for one slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DupStep {
    /// Write this byte.
    Write(SlotByte),
    /// The low digit is full: carry one into the continuation pages (passing `count`,
    /// the byte without the cache flag); on success write `COUNT_CONTINUED | cache`.
    Carry { count: u8, cached: bool },
}

/// The commit decision of `__swap_duplicate` for one slot that passed [`dup_check`].
///
/// A map reference adds `usage` to the whole count with 8-bit wrap-around while the low
/// digit is below SWAP_MAP_MAX: `usage` 1 is the normal case, but shmem's 0xbf and any
/// other byte are added as numbers too (the kernel mirrors no check). At SWAP_MAP_MAX the
/// slot carries by one, whatever `usage` was.
pub fn dup_commit(byte: SlotByte, usage: Usage) -> DupStep {
    let cached = byte.has_cache();
    let count = byte.count();
    match usage {
        Usage::Cache => DupStep::Write(SlotByte(count | SWAP_HAS_CACHE)),
        Usage::Map(n) if count & !COUNT_CONTINUED < SWAP_MAP_MAX => {
            DupStep::Write(SlotByte(count.wrapping_add(n) | cache_bit(cached)))
        }
        Usage::Map(_) => DupStep::Carry { count, cached },
    }
}

/// What kind of reference `__swap_entry_free_locked` drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// `SWAP_HAS_CACHE`: the swap cache lets go.
    Cache,
    /// 1: one map reference goes.
    Ref,
}

/// The decision of `__swap_entry_free_locked` for one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutStep {
    /// The cache flag was to be dropped but is not set: `VM_BUG_ON(!has_cache)`.
    NotCached,
    /// The new count and cache flag are known.
    Settled { count: u8, cached: bool },
    /// The count is exactly COUNT_CONTINUED: borrow from the continuation pages; the new
    /// count is `SWAP_MAP_MAX | COUNT_CONTINUED` if they still hold more, else SWAP_MAP_MAX.
    Borrow { cached: bool },
}

/// Drop one reference of the given kind.
///
/// Kernel behaviour mirrored on purpose:
/// - a `SWAP_MAP_SHMEM` count drops straight to 0 (shmem's single reference);
/// - a count of 0 (a cache-only byte, or a free byte reached inside a multi-slot free)
///   is decremented anyway and wraps to 0xff: the byte becomes 0xff (count 0xbf plus the
///   cache bit), i.e. `SWAP_MAP_SHMEM | SWAP_HAS_CACHE`;
/// - a low digit above SWAP_MAP_MAX (BAD) is left alone, so a BAD slot never frees.
pub fn put_ref(byte: SlotByte, release: Release) -> PutStep {
    let cached = byte.has_cache();
    let count = byte.count();
    match release {
        Release::Cache if !cached => PutStep::NotCached,
        Release::Cache => PutStep::Settled { count, cached: false },
        Release::Ref if count == SWAP_MAP_SHMEM => PutStep::Settled { count: 0, cached },
        Release::Ref if count & !COUNT_CONTINUED > SWAP_MAP_MAX => PutStep::Settled { count, cached },
        Release::Ref if count == COUNT_CONTINUED => PutStep::Borrow { cached },
        Release::Ref => PutStep::Settled { count: count.wrapping_sub(1), cached },
    }
}

/// The end of `__swap_entry_free_locked`: the byte to write and the usage to return.
/// A slot with nothing left is pinned to `SWAP_HAS_CACHE` (not 0) until `free_swap_slot`
/// releases it, and the function reports 0 so the caller does that.
pub fn settle(count: u8, cached: bool) -> (SlotByte, u8) {
    let usage = count | cache_bit(cached);
    let written = if usage == 0 { SWAP_HAS_CACHE } else { usage };
    (SlotByte(written), usage)
}

fn cache_bit(cached: bool) -> u8 {
    if cached {
        SWAP_HAS_CACHE
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dup_check_orders_its_errors_like_the_kernel() {
        // swap_count(0x7f) == SWAP_MAP_BAD: -ENOENT even for a cache request.
        assert_eq!(dup_check(SlotByte(0x7f), Usage::Cache), Err(DupError::NoEntry));
        // A free byte: -ENOENT for any usage.
        assert_eq!(dup_check(SlotByte(0), Usage::Map(1)), Err(DupError::NoEntry));
        // Cache asked on a cached slot: -EEXIST.
        assert_eq!(dup_check(SlotByte(0x41), Usage::Cache), Err(DupError::Exists));
        // SHMEM's low digit 0x3f > SWAP_MAP_MAX: -EINVAL for a map reference ...
        assert_eq!(dup_check(SlotByte(0xbf), Usage::Map(1)), Err(DupError::Invalid));
        // ... but a cache request on SHMEM passes (it is not "BAD": the count is 0xbf).
        assert_eq!(dup_check(SlotByte(0xbf), Usage::Cache), Ok(()));
        // A continued count with room in the low digit takes a reference.
        assert_eq!(dup_check(SlotByte(0xbe), Usage::Map(1)), Ok(()));
    }

    #[test]
    fn dup_commit_adds_usage_with_wraparound_and_carries_at_max() {
        assert_eq!(dup_commit(SlotByte(0x40), Usage::Map(1)), DupStep::Write(SlotByte(0x41)));
        // shmem on a fresh cached slot: 0 + 0xbf, cache kept -> 0xff.
        assert_eq!(dup_commit(SlotByte(0x40), Usage::Map(0xbf)), DupStep::Write(SlotByte(0xff)));
        // 1 + 0xbf = 0xc0 as a count: the cache bit of the sum is kept as is.
        assert_eq!(dup_commit(SlotByte(0x01), Usage::Map(0xbf)), DupStep::Write(SlotByte(0xc0)));
        // 0x80 + 0x80 wraps to 0: with no cache flag the slot looks free afterwards.
        assert_eq!(dup_commit(SlotByte(0x80), Usage::Map(0x80)), DupStep::Write(SlotByte(0)));
        assert_eq!(dup_commit(SlotByte(0x7e), Usage::Map(1)), DupStep::Carry { count: 0x3e, cached: true });
        assert_eq!(dup_commit(SlotByte(0xbe), Usage::Map(5)), DupStep::Carry { count: 0xbe, cached: false });
        assert_eq!(dup_commit(SlotByte(0x3e), Usage::Cache), DupStep::Write(SlotByte(0x7e)));
    }

    #[test]
    fn put_ref_mirrors_shmem_underflow_and_bad() {
        assert_eq!(put_ref(SlotByte(0x3e), Release::Cache), PutStep::NotCached);
        assert_eq!(put_ref(SlotByte(0x7e), Release::Cache), PutStep::Settled { count: 0x3e, cached: false });
        assert_eq!(put_ref(SlotByte(0xff), Release::Ref), PutStep::Settled { count: 0, cached: true });
        // Underflow: a cache-only slot losing a map reference becomes count 0xff.
        assert_eq!(put_ref(SlotByte(0x40), Release::Ref), PutStep::Settled { count: 0xff, cached: true });
        assert_eq!(settle(0xff, true), (SlotByte(0xff), 0xff));
        assert_eq!(put_ref(SlotByte(0x3f), Release::Ref), PutStep::Settled { count: 0x3f, cached: false });
        assert_eq!(put_ref(SlotByte(0xc0), Release::Ref), PutStep::Borrow { cached: true });
        assert_eq!(put_ref(SlotByte(0x85), Release::Ref), PutStep::Settled { count: 0x84, cached: false });
    }

    #[test]
    fn settle_pins_an_empty_slot_to_has_cache() {
        // Nothing left: the byte stays SWAP_HAS_CACHE and 0 tells the caller to free it.
        assert_eq!(settle(0, false), (SlotByte(0x40), 0));
        assert_eq!(settle(0, true), (SlotByte(0x40), 0x40));
        assert_eq!(settle(3, false), (SlotByte(3), 3));
    }
}
