//! The C event log's strings as `&'static str`, so a recorded event is a
//! plain value (the contract's `Event`) that outlives the C log.
//!
//! Strings are kept by content, never trusted by address: a function name or
//! a condition is a literal of the C image, but a `%s` argument is a copy in
//! a log record that the next program reuses. Each distinct string is stored
//! once for the life of the process; the kernel code's messages name a
//! handful (function names, the swapfile.c prefixes), so the pool stays tiny.

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

/// The pooled copy of the C string at `ptr` ("" for NULL; invalid UTF-8
/// replaced, as `to_string_lossy` does).
pub(crate) fn intern_c(ptr: *const c_char) -> &'static str {
    if ptr.is_null() {
        return "";
    }
    // SAFETY: the event log hands out NUL-terminated strings that stay valid
    // until the log is cleared, which cannot happen while the caller holds
    // &mut Kernel; the bytes are copied into the pool before it returns.
    let c = unsafe { CStr::from_ptr(ptr) };
    match c.to_str() {
        Ok(s) => intern(s),
        Err(_) => intern(&c.to_string_lossy()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_copy_whatever_their_address() {
        let a = String::from("Bad swap offset entry ");
        let b = String::from("Bad swap offset entry ");
        let (x, y) = (intern(&a), intern(&b));
        assert_eq!(x, "Bad swap offset entry ");
        assert!(std::ptr::eq(x, y), "one copy per content");
        // A reused buffer with new content is a new string, not the old one.
        let mut buf = *b"abc\0";
        let first = intern_c(buf.as_ptr().cast());
        buf[0] = b'x';
        assert_eq!((first, intern_c(buf.as_ptr().cast())), ("abc", "xbc"));
        assert_eq!(intern_c(std::ptr::null()), "");
    }
}
