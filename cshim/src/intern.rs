//! The C event log's strings as `&'static str`, so a recorded event is a
//! plain value (the contract's `Event`) that outlives the C log, at the cost
//! of a pointer compare per string once the log's strings have been seen.
//!
//! Two kinds of string come out of the log (swapdiff.h "sd_event_raw"):
//! - func and text are string literals of the C image (the shim's macros
//!   accept nothing else): they are read in place, once per address.
//! - a `%s` argument is a copy in a log record that the next program
//!   reuses: it is kept by content, in a pool where each distinct string is
//!   stored once for the life of the process. The kernel code's messages
//!   pass a handful (function names, the swapfile.c prefixes).

use std::collections::HashSet;
use std::ffi::{c_char, CStr};
use std::sync::Mutex;

static POOL: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);

/// The pooled copy of `s`.
pub(crate) fn intern(s: &str) -> &'static str {
    // A panic while holding the lock leaves the pool valid (an insert is
    // all or nothing), so a poisoned lock is taken as is.
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    let pool = pool.get_or_insert_with(HashSet::new);
    if let Some(&kept) = pool.get(s) {
        return kept;
    }
    let kept: &'static str = Box::leak(s.to_owned().into_boxed_str());
    pool.insert(kept);
    kept
}

/// The pooled copy of `bytes` as text, invalid sequences replaced (as
/// `to_string_lossy` does).
fn pooled(bytes: &[u8]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(s) => intern(s),
        Err(_) => intern(&String::from_utf8_lossy(bytes)),
    }
}

/// `bytes` as text: itself when it is UTF-8 (it is `'static`), else pooled.
fn text(bytes: &'static [u8]) -> &'static str {
    std::str::from_utf8(bytes).unwrap_or_else(|_| pooled(bytes))
}

const LITERAL_SLOTS: usize = 256;
const RECENT_COPIES: usize = 8;

/// The strings of one kernel handle's event log: literals by address, and
/// the copies it saw last.
pub(crate) struct EventStrings {
    /// Direct-mapped by address: (address, its text).
    literals: Box<[(usize, &'static str); LITERAL_SLOTS]>,
    /// Pooled copies, most recent first: a message's `%s` values repeat.
    recent: [&'static str; RECENT_COPIES],
}

impl Default for EventStrings {
    fn default() -> Self {
        EventStrings { literals: Box::new([(0, ""); LITERAL_SLOTS]), recent: [""; RECENT_COPIES] }
    }
}

impl EventStrings {
    /// The text of a literal at `ptr` ("" for NULL).
    pub(crate) fn literal(&mut self, ptr: *const c_char) -> &'static str {
        if ptr.is_null() {
            return "";
        }
        let addr = ptr as usize;
        let slot = &mut self.literals[(addr ^ addr >> 8) % LITERAL_SLOTS];
        if slot.0 == addr {
            return slot.1;
        }
        // SAFETY: func and text of a recorded event point to string literals
        // of the C image (swapdiff.h, enforced by the shim's macros): static
        // storage, NUL-terminated, never written, alive until the process
        // ends.
        let c: &'static CStr = unsafe { CStr::from_ptr(ptr) };
        *slot = (addr, text(c.to_bytes()));
        slot.1
    }

    /// The pooled copy of the C string at `ptr`, a record's copy of a `%s`
    /// value ("" for NULL).
    pub(crate) fn copy(&mut self, ptr: *const c_char) -> &'static str {
        if ptr.is_null() {
            return "";
        }
        // SAFETY: the log hands out NUL-terminated copies that stay valid
        // until it is cleared, which cannot happen while the caller holds
        // &mut Kernel; the bytes are compared or pooled before this returns.
        let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
        if let Some(i) = self.recent.iter().position(|s| s.as_bytes() == bytes) {
            self.recent[..=i].rotate_right(1);
            return self.recent[0];
        }
        let kept = pooled(bytes);
        self.recent.rotate_right(1);
        self.recent[0] = kept;
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_copies_share_one_string_whatever_their_address() {
        let a = String::from("Bad swap offset entry ");
        let b = String::from("Bad swap offset entry ");
        let (x, y) = (intern(&a), intern(&b));
        assert_eq!(x, "Bad swap offset entry ");
        assert!(std::ptr::eq(x, y), "one copy per content");
        // A reused record buffer with new content is a new string, not the
        // old one: copies are never known by address.
        let mut strings = EventStrings::default();
        let mut buf = *b"abc\0";
        let first = strings.copy(buf.as_ptr().cast());
        buf[0] = b'x';
        assert_eq!((first, strings.copy(buf.as_ptr().cast())), ("abc", "xbc"));
        // More distinct copies than the recent list holds: each still right.
        let many: Vec<String> = (0..2 * RECENT_COPIES).map(|i| format!("s{i}\0")).collect();
        for round in 0..2 {
            for s in &many {
                assert_eq!(strings.copy(s.as_ptr().cast()), s.trim_end_matches('\0'), "round {round}");
            }
        }
        assert_eq!(strings.copy(std::ptr::null()), "");
    }

    #[test]
    fn a_literal_is_read_once_per_address() {
        static A: &[u8] = b"!si\0";
        static B: &[u8] = b"usage == 1 && nr > 1\0";
        let mut strings = EventStrings::default();
        for _ in 0..3 {
            assert_eq!(strings.literal(A.as_ptr().cast()), "!si");
            assert_eq!(strings.literal(B.as_ptr().cast()), "usage == 1 && nr > 1");
        }
        assert_eq!(strings.literal(std::ptr::null()), "");
    }
}
