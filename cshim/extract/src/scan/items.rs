//! The top-level items of a C file: what each one is, what it defines, what it mentions.

use std::collections::BTreeSet;

use super::classify::classify;
use super::elements::View;
use super::lexer::{tokenize, Kind, Token};
use super::split::split;
use super::words::is_keyword;
use super::ScanError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A function definition (with its body).
    Function,
    /// A function declaration without a body.
    Prototype,
    /// A variable definition or declaration, including macro-style ones
    /// (`static DEFINE_SPINLOCK(swap_lock);` defines `swap_lock`).
    Global,
    /// A struct/union/enum definition or a bare tag declaration.
    Type,
    Typedef,
    /// `#define`.
    Define,
    /// `#undef`.
    Undef,
    /// `#if`, `#ifdef`, `#ifndef`, `#elif`, `#else`, `#endif`.
    Conditional,
    /// `#include`.
    Include,
    /// `#pragma`, `#error`, `#warning` and other directives.
    OtherDirective,
    /// `EXPORT_SYMBOL*(x);`
    Export,
    /// `*_initcall(x);`, `module_init(x);`
    Initcall,
    /// A lower-case macro invocation at file scope that defines nothing (`__setup(..);`).
    MacroCall,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub kind: ItemKind,
    /// File-scope names this item defines (a function, variables, a tag and its enumerators,
    /// a macro).
    pub names: Vec<String>,
    /// Identifiers the item mentions outside comments and literals, minus member names (after
    /// `.` or `->`), keywords, its own names and macro parameters.
    pub refs: BTreeSet<String>,
    /// Byte span `[start, end)` of the item in the file.
    pub start: usize,
    pub end: usize,
    /// 1-based first and last line.
    pub line: u32,
    pub end_line: u32,
    /// Token index range `[tok_lo, tok_hi)`.
    pub tok_lo: usize,
    pub tok_hi: usize,
}

impl Item {
    pub fn name(&self) -> Option<&str> {
        self.names.first().map(String::as_str)
    }
}

pub struct ScannedFile {
    pub tokens: Vec<Token>,
    pub items: Vec<Item>,
}

/// Splits a C file into its top-level items.
pub fn scan(src: &[u8]) -> Result<ScannedFile, ScanError> {
    let tokens = tokenize(src);
    let raws = split(src, &tokens)?;
    let view = View { src, toks: &tokens };
    let items = raws
        .iter()
        .map(|raw| {
            let c = classify(&view, raw);
            let first = &tokens[raw.lo];
            let last = &tokens[raw.hi - 1];
            let mut refs = references(&view, raw.lo, raw.hi, &c.member_tokens);
            for n in c.names.iter().chain(&c.hidden) {
                refs.remove(n);
            }
            Item {
                kind: c.kind,
                names: c.names,
                refs,
                start: first.start,
                end: last.end,
                line: first.line,
                end_line: last.end_line,
                tok_lo: raw.lo,
                tok_hi: raw.hi,
            }
        })
        .collect();
    Ok(ScannedFile { tokens, items })
}

/// Identifiers of tokens `[lo, hi)` (directive bodies included) that can refer to file-scope
/// definitions.
fn references(v: &View, lo: usize, hi: usize, skip: &[usize]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut collect = |toks: &[Token]| {
        let mut member = false;
        for t in toks {
            if let Some(w) = t.ident(v.src) {
                if !member && !is_keyword(w) {
                    out.insert(w.to_string());
                }
            }
            member = t.kind == Kind::Punct && (t.is(v.src, ".") || t.is(v.src, "->"));
        }
    };
    let mut plain = Vec::new();
    for (k, t) in v.toks.iter().enumerate().take(hi).skip(lo) {
        match &t.directive {
            Some(d) => collect(&d.tokens),
            None if skip.contains(&k) => {}
            None => plain.push(t.clone()),
        }
    }
    collect(&plain);
    out
}
