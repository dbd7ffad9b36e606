//! A message's text from its printf format and the values recorded for it:
//! what the kernel's `vsnprintf` prints for the conversions its swap and MTE
//! messages use (`d i u x X o c s p`, flags `-0+ #`, width, precision, length
//! `hh h l ll z j t`). Used only to show an event; events are compared by
//! format and values (`Event`). The C side's `sd_event_get` formats the same
//! way for the standalone reproducers.
//!
//! Past the recorded values (a conversion the C side could not read, or more
//! than it keeps) the format is copied as is, `%%` as `%`, like the C side's.

use crate::vocab::Arg;
use std::fmt::Write;

/// `format` applied to `args`, without one trailing newline.
pub fn format(format: &str, args: &[Arg]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut args = args.iter();
    let mut rest = format;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
            continue;
        }
        let Some(spec) = Spec::parse(rest) else { break };
        let Some(arg) = args.next() else { break };
        spec.apply(*arg, &mut out);
        rest = &rest[spec.len..];
    }
    // What is left: copied, `%%` read as `%`.
    out.push_str(&rest.replace("%%", "%"));
    if out.ends_with('\n') {
        out.pop();
    }
    out
}

/// One conversion, from its `%` to its letter.
#[derive(Debug, Default)]
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
    /// Bits of the argument's C type (`hh` 8, `h` 16, none 32, `l` and wider 64).
    bits: u32,
    conv: char,
    /// Bytes of the format it spans.
    len: usize,
}

impl Spec {
    fn parse(s: &str) -> Option<Spec> {
        let b = s.as_bytes();
        let mut i = 1;
        let mut spec = Spec { bits: 32, ..Spec::default() };
        while let Some(&c) = b.get(i) {
            match c {
                b'-' => spec.left = true,
                b'0' => spec.zero = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'#' => spec.alt = true,
                _ => break,
            }
            i += 1;
        }
        let digits = |i: &mut usize| {
            let mut n = 0usize;
            while let Some(d) = b.get(*i).filter(|d| d.is_ascii_digit()) {
                n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
                *i += 1;
            }
            n
        };
        spec.width = digits(&mut i);
        if b.get(i) == Some(&b'.') {
            i += 1;
            spec.precision = Some(digits(&mut i));
        }
        let mut h = 0;
        while let Some(&c) = b.get(i) {
            match c {
                b'h' => h += 1,
                b'l' | b'z' | b'j' | b't' => spec.bits = 64,
                _ => break,
            }
            i += 1;
        }
        if spec.bits != 64 {
            spec.bits = match h {
                0 => 32,
                1 => 16,
                _ => 8,
            };
        }
        let conv = *b.get(i)?;
        if !b"diuxXocps".contains(&conv) {
            return None;
        }
        spec.conv = char::from(conv);
        spec.len = i + 1;
        Some(spec)
    }

    fn apply(&self, arg: Arg, out: &mut String) {
        let body = match (self.conv, arg) {
            ('s', Arg::Str(s)) => {
                let s = match self.precision {
                    Some(p) => s.char_indices().nth(p).map_or(s, |(at, _)| &s[..at]),
                    None => s,
                };
                return self.pad(out, "", s, false);
            }
            ('s', Arg::Int(v)) => return self.pad(out, "", &format!("{v:#x}"), false),
            (_, Arg::Str(s)) => return self.pad(out, "", s, false),
            ('c', Arg::Int(v)) => return self.pad(out, "", &char::from(v as u8).to_string(), false),
            ('p', Arg::Int(v)) => return self.pad(out, "", &format!("{v:#x}"), false),
            (_, Arg::Int(v)) => v,
        };
        let mask = if self.bits == 64 { u64::MAX } else { (1u64 << self.bits) - 1 };
        let (sign, magnitude) = match self.conv {
            'd' | 'i' => {
                let shift = 64 - self.bits;
                let v = ((body << shift) as i64) >> shift;
                let sign = if v < 0 {
                    "-"
                } else if self.plus {
                    "+"
                } else if self.space {
                    " "
                } else {
                    ""
                };
                (sign, v.unsigned_abs())
            }
            _ => ("", body & mask),
        };
        let mut digits = match self.conv {
            'x' => format!("{magnitude:x}"),
            'X' => format!("{magnitude:X}"),
            'o' => format!("{magnitude:o}"),
            _ => magnitude.to_string(),
        };
        if let Some(p) = self.precision {
            if p == 0 && magnitude == 0 {
                digits.clear();
            }
            while digits.len() < p {
                digits.insert(0, '0');
            }
        }
        let prefix = match (self.alt, self.conv) {
            (true, 'x') if magnitude != 0 => "0x",
            (true, 'X') if magnitude != 0 => "0X",
            (true, 'o') if !digits.starts_with('0') => "0",
            _ => "",
        };
        let mut lead = String::from(sign);
        lead.push_str(prefix);
        self.pad(out, &lead, &digits, self.zero && !self.left && self.precision.is_none());
    }

    /// `lead` (sign, radix prefix) and `body` within the field width.
    fn pad(&self, out: &mut String, lead: &str, body: &str, zeros: bool) {
        let len = lead.len() + body.chars().count();
        let fill = self.width.saturating_sub(len);
        if self.left {
            let _ = write!(out, "{lead}{body}{:fill$}", "");
        } else if zeros {
            let _ = write!(out, "{lead}{:0>fill$}{body}", "");
        } else {
            let _ = write!(out, "{:fill$}{lead}{body}", "");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Arg::{Int, Str};

    // Each expected string is what C's printf prints for the same format
    // and value (checked against glibc: `printf '%08lx' 5` and friends).
    #[test]
    fn the_kernels_swap_messages_print_as_printk_prints_them() {
        let f = format("%s: %s%08lx\n", &[Str("_swap_info_get"), Str("Bad swap offset entry "), Int(0x7ff)]);
        assert_eq!(f, "_swap_info_get: Bad swap offset entry 000007ff");
        // Wider than eight digits: %08lx is a minimum, not a cut.
        assert_eq!(
            format("%s%08lx\n", &[Str("Bad swap file entry "), Int(5 << 58 | 1)]),
            "Bad swap file entry 1400000000000001"
        );
        assert_eq!(format("no return within %lu ms", &[Int(1000)]), "no return within 1000 ms");
    }

    #[test]
    fn integers_follow_their_c_type_sign_and_flags() {
        // -1 read by %d is an int: the C side sign-extended it.
        assert_eq!(format("%d", &[Int(-1i64 as u64)]), "-1");
        // The same bits through %u and %x are the 32-bit unsigned int.
        assert_eq!(format("%u %x", &[Int(-1i64 as u64), Int(-1i64 as u64)]), "4294967295 ffffffff");
        assert_eq!(format("%ld %lx", &[Int(-2i64 as u64), Int(255)]), "-2 ff");
        assert_eq!(format("%hhx %hd", &[Int(0x1ff), Int(0x18000)]), "ff -32768");
        assert_eq!(
            format("[%5d|%-5d|%05d|%+d|% d]", &[Int(42), Int(42), Int(-42i64 as u64), Int(7), Int(7)]),
            "[   42|42   |-0042|+7| 7]"
        );
        assert_eq!(format("%#x %#o %#x %.3d %.0d|", &[Int(255), Int(8), Int(0), Int(5), Int(0)]), "0xff 010 0 005 |");
    }

    #[test]
    fn strings_chars_and_what_cannot_be_read() {
        assert_eq!(format("[%5s|%-5s|%.2s]", &[Str("ab"), Str("ab"), Str("abc")]), "[   ab|ab   |ab]");
        assert_eq!(format("%c%c", &[Int(u64::from(b'o')), Int(u64::from(b'k'))]), "ok");
        assert_eq!(format("100%% of %d", &[Int(3)]), "100% of 3");
        // Fewer values than conversions (the C side stopped capturing): the rest as is.
        assert_eq!(format("%d and %d%%\n", &[Int(1)]), "1 and %d%");
        // A '*' width is not captured on the C side: shown as is from there.
        assert_eq!(format("%*d", &[Int(3)]), "%*d");
    }
}
