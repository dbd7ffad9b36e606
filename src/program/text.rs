//! The text form: one op per line, `#` starts a comment, `mode raw|contract`
//! as an optional first statement. [`print()`] writes the canonical form, which
//! [`parse`] reads back to the same program.

use super::op::Slot;
use super::Op;
use super::{Mode, Program, MAX_OPS};
use std::collections::HashMap;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

pub fn print(p: &Program) -> String {
    let mut s = String::new();
    if p.mode != Mode::Contract {
        let _ = writeln!(s, "mode {}", p.mode.name());
    }
    for op in &p.ops {
        let _ = writeln!(s, "{}", print_op(op));
    }
    s
}

pub fn print_op(op: &Op) -> String {
    let mut s = op.kind().to_string();
    op.print_fields(&mut s);
    s
}

/// Reads a program. Errors name the line and say what was expected.
pub fn parse(src: &str) -> Result<Program, ParseError> {
    let mut p = Program::default();
    let mut seen_op = false;
    for (i, raw) in src.lines().enumerate() {
        let line = i + 1;
        let code = raw.split('#').next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        let err = |message: String| ParseError { line, message };
        let mut words = code.split_whitespace();
        let kind = words.next().unwrap_or_default();
        let args = TextArgs::split(kind, words).map_err(err)?;
        if kind == "mode" {
            if seen_op {
                return Err(err("`mode` must come before the first op".into()));
            }
            p.mode = match args.positional.as_slice() {
                ["raw"] => Mode::Raw,
                ["steered"] => Mode::Steered,
                ["contract"] => Mode::Contract,
                _ => return Err(err("expected `mode contract`, `mode raw` or `mode steered`".into())),
            };
            continue;
        }
        seen_op = true;
        if p.ops.len() == MAX_OPS {
            return Err(err(format!("a program holds at most {MAX_OPS} ops")));
        }
        let op = parse_op(kind, args).map_err(err)?;
        p.ops.push(op);
    }
    Ok(p)
}

/// The words after the op name: positionals, `key=value` pairs and an `xN`
/// repeat, taken by the field codecs one by one; whatever is left over is an
/// error.
pub struct TextArgs<'a> {
    kind: &'a str,
    positional: Vec<&'a str>,
    next: usize,
    named: HashMap<&'a str, &'a str>,
    times: Option<&'a str>,
}

impl<'a> TextArgs<'a> {
    fn split(kind: &'a str, words: impl Iterator<Item = &'a str>) -> Result<Self, String> {
        let mut a = TextArgs { kind, positional: vec![], next: 0, named: HashMap::new(), times: None };
        for w in words {
            if let Some((k, v)) = w.split_once('=') {
                if a.named.insert(k, v).is_some() {
                    return Err(format!("`{k}=` given twice"));
                }
            } else if let Some(t) = w.strip_prefix('x').filter(|t| t.starts_with(|c: char| c.is_ascii_digit())) {
                a.times = Some(t);
            } else {
                a.positional.push(w);
            }
        }
        Ok(a)
    }
    /// The op's name, for messages.
    pub fn kind(&self) -> &'a str {
        self.kind
    }
    /// The next positional word; `what` says what it should be.
    pub fn pos(&mut self, what: &str) -> Result<&'a str, String> {
        let v = self.positional.get(self.next).copied().ok_or_else(|| format!("`{}` needs {what}", self.kind))?;
        self.next += 1;
        Ok(v)
    }
    pub fn has_positional(&self) -> bool {
        self.next < self.positional.len()
    }
    /// Takes the next positional word if it is `word`.
    pub fn take_word(&mut self, word: &str) -> bool {
        let here = self.positional.get(self.next) == Some(&word);
        self.next += usize::from(here);
        here
    }
    pub fn key<T: TryFrom<u64> + Into<u64> + Copy>(&mut self, key: &str, d: (T, T)) -> Result<T, String> {
        let v = self.named.remove(key).ok_or_else(|| format!("`{}` needs `{key}=`", self.kind))?;
        ranged(key, v, d)
    }
    pub fn take_times(&mut self) -> Option<&'a str> {
        self.times.take()
    }
    fn finish(self) -> Result<(), String> {
        if let Some(extra) = self.positional.get(self.next) {
            return Err(format!("unexpected `{extra}` after `{}`", self.kind));
        }
        if let Some(k) = self.named.keys().next() {
            return Err(format!("`{}` takes no `{k}=`", self.kind));
        }
        if self.times.is_some() {
            return Err(format!("`{}` takes no repeat count", self.kind));
        }
        Ok(())
    }
}

fn number(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("`{s}` is not a number"))
}

pub(super) fn ranged<T: TryFrom<u64> + Into<u64> + Copy>(what: &str, s: &str, (lo, hi): (T, T)) -> Result<T, String> {
    let v = number(s)?;
    if v < lo.into() || v > hi.into() {
        return Err(format!("{what} {v} is outside {}..={}", lo.into(), hi.into()));
    }
    T::try_from(v).map_err(|_| format!("{what} {v} is too large"))
}

pub(super) fn parse_slot(s: &str) -> Result<Slot, String> {
    let (t, o) = s.split_once(':').ok_or_else(|| format!("expected a slot TYPE:OFFSET, got `{s}`"))?;
    Ok(Slot { ty: ranged("swap type", t, (0u8, Slot::MAX_TYPE))?, off: ranged("offset", o, (0u16, Slot::MAX_OFF))? })
}

fn parse_op(kind: &str, mut args: TextArgs<'_>) -> Result<Op, String> {
    let op = Op::parse_fields(kind, &mut args)
        .ok_or_else(|| format!("unknown op `{kind}` (known: {})", super::KINDS.join(", ")))??;
    args.finish()?;
    Ok(op)
}
