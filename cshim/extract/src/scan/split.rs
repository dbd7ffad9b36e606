//! Splits a token stream into top-level spans: one per directive line that stands between
//! declarations, and one per declaration or function definition.
//!
//! A declaration ends at a `;` outside any bracket; a function definition ends at the `}` that
//! closes its body. Directives met while a declaration is in progress belong to it (a `#ifdef`
//! inside a parameter list or an initializer). A span whose own `#if`/`#endif` do not balance is
//! widened to the whole conditional group, so that emitting a span never emits half a
//! conditional.

use super::lexer::{Kind, Token};
use super::words::{is_attribute, is_storage_or_qualifier};
use super::ScanError;

/// A span of tokens `[lo, hi)`; `fn_body` marks function definitions.
#[derive(Clone, Debug)]
pub struct RawItem {
    pub lo: usize,
    pub hi: usize,
    pub fn_body: bool,
    /// Ended by [`ends_macro_line`] rather than by `;` or `}`.
    pub macro_line: bool,
}

impl RawItem {
    fn new(lo: usize, hi: usize, fn_body: bool) -> Self {
        RawItem { lo, hi, fn_body, macro_line: false }
    }
}

pub fn split(src: &[u8], toks: &[Token]) -> Result<Vec<RawItem>, ScanError> {
    let mut items = split_spans(src, toks)?;
    merge_unbalanced_conditionals(toks, &mut items)?;
    Ok(items)
}

fn punct<'a>(src: &'a [u8], t: &Token) -> &'a [u8] {
    if t.kind == Kind::Punct {
        t.text(src)
    } else {
        b""
    }
}

/// Where the splitter stands; snapshotted at `#if` so that each branch of a conditional starts
/// from the same place.
#[derive(Clone, Default)]
struct State {
    /// First token of the declaration in progress.
    cur: Option<usize>,
    paren: i32,
    bracket: i32,
    brace: i32,
    fn_body: bool,
    open_parens: Vec<usize>,
}

/// Branches of a conditional may open or close brackets differently (`#ifdef X` / `for (..) {`
/// / `#else` / `while (..) {` / `#endif`). Like ctags, the splitter starts every branch from
/// the state at the `#if` and continues after `#endif` from the end of the first branch; when
/// the branches agree (almost always) this changes nothing.
struct Conditional {
    at_if: State,
    first_end: Option<State>,
}

fn split_spans(src: &[u8], toks: &[Token]) -> Result<Vec<RawItem>, ScanError> {
    let mut items: Vec<RawItem> = Vec::new();
    let mut st = State::default();
    let mut conds: Vec<Conditional> = Vec::new();

    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if let Some(d) = &t.directive {
            if st.cur.is_none() {
                push_item(&mut items, RawItem::new(i, i + 1, false));
            }
            match d.name.as_str() {
                "if" | "ifdef" | "ifndef" => conds.push(Conditional { at_if: st.clone(), first_end: None }),
                "elif" | "else" | "elifdef" | "elifndef" => {
                    if let Some(c) = conds.last_mut() {
                        if c.first_end.is_none() {
                            c.first_end = Some(st.clone());
                        }
                        st = c.at_if.clone();
                    }
                }
                "endif" => {
                    if let Some(Conditional { first_end: Some(first), .. }) = conds.pop() {
                        st = first;
                    }
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        let mut lo = *st.cur.get_or_insert(i);
        let at_top = st.paren == 0 && st.bracket == 0 && st.brace == 0;
        let mut end_here = false;
        match punct(src, t) {
            b"(" => {
                st.paren += 1;
                st.open_parens.push(i);
            }
            b")" => {
                st.paren -= 1;
                let open = st.open_parens.pop();
                if st.paren < 0 {
                    return Err(ScanError::at(t.line, "')' without a matching '('"));
                }
                if st.paren == 0 && st.bracket == 0 && st.brace == 0 {
                    if let Some(open) = open {
                        end_here = ends_macro_line(src, toks, lo, open, i);
                    }
                }
            }
            b"[" => st.bracket += 1,
            b"]" => {
                st.bracket -= 1;
                if st.bracket < 0 {
                    return Err(ScanError::at(t.line, "']' without a matching '['"));
                }
            }
            b"{" => {
                if at_top {
                    if lo == i {
                        // A body with nothing before it: the head was taken for a stand-alone
                        // macro invocation (`SYSCALL_DEFINE1(..)` / `#endif` / `{`), or is an
                        // old-style (K&R) parameter list, which the `;`s split into pieces.
                        lo = merge_macro_head(toks, &mut items)
                            .or_else(|| merge_knr_head(src, toks, &mut items))
                            .ok_or_else(|| ScanError::at(t.line, "'{' at file scope follows no declaration"))?;
                        st.cur = Some(lo);
                        st.fn_body = true;
                    } else {
                        st.fn_body = is_function_body(src, toks, lo, i);
                    }
                }
                st.brace += 1;
            }
            b"}" => {
                st.brace -= 1;
                if st.brace < 0 {
                    return Err(ScanError::at(t.line, "'}' without a matching '{'"));
                }
                if st.brace == 0 && st.paren == 0 && st.bracket == 0 && st.fn_body {
                    end_here = true;
                }
            }
            b";" if at_top => end_here = true,
            _ => {}
        }
        if end_here {
            let macro_line = !st.fn_body && punct(src, t) == b")";
            push_item(&mut items, RawItem { lo, hi: i + 1, fn_body: st.fn_body, macro_line });
            st.cur = None;
            st.fn_body = false;
        }
        i += 1;
    }
    if let Some(lo) = st.cur {
        if st.paren != 0 || st.bracket != 0 || st.brace != 0 {
            return Err(ScanError::at(
                toks[lo].line,
                "the declaration starting here is not closed at the end of the file (unbalanced brackets)",
            ));
        }
        // A last declaration without `;` (a macro invocation): directives after it are items of
        // their own, not part of it.
        let last = (lo..toks.len()).rev().find(|&k| toks[k].kind != Kind::Directive).unwrap_or(lo);
        push_item(&mut items, RawItem::new(lo, last + 1, st.fn_body));
        for k in last + 1..toks.len() {
            push_item(&mut items, RawItem::new(k, k + 1, false));
        }
    }
    Ok(items)
}

/// Appends an item. A declaration that began before a conditional and ends in each of its
/// branches ends twice (`int x =` / `#ifdef A` / `1;` / `#else` / `2;` / `#endif`): the later
/// end absorbs the spans it overlaps.
fn push_item(items: &mut Vec<RawItem>, mut item: RawItem) {
    while let Some(last) = items.last() {
        if last.hi <= item.lo {
            break;
        }
        item.lo = item.lo.min(last.lo);
        item.fn_body |= last.fn_body;
        items.pop();
    }
    items.push(item);
}

/// Non-directive token indices of `[lo, hi)`.
fn plain(toks: &[Token], lo: usize, hi: usize) -> impl Iterator<Item = usize> + '_ {
    (lo..hi).filter(move |&k| toks[k].kind != Kind::Directive)
}

/// A macro invocation standing alone without a `;` (`DEFINE_FOO(x)` or `subsys_initcall(f)` on
/// its own line) ends at its `)` when the next token starts a new declaration on a later line,
/// or at the end of the file. Without this, the invocation would swallow what follows.
fn ends_macro_line(src: &[u8], toks: &[Token], lo: usize, open: usize, close: usize) -> bool {
    let head: Vec<usize> = plain(toks, lo, open).collect();
    let Some((&name, before)) = head.split_last() else { return false };
    let Some(w) = toks[name].ident(src) else { return false };
    if !super::words::is_macro_like(w) && super::words::registration_kind(w).is_none() {
        return false;
    }
    if !before.iter().all(|&k| toks[k].ident(src).is_some_and(is_storage_or_qualifier)) {
        return false;
    }
    let Some(next) = plain(toks, close + 1, toks.len()).next() else { return true };
    let nt = &toks[next];
    nt.line > toks[close].end_line && nt.kind == Kind::Ident && !nt.ident(src).is_some_and(is_attribute)
}

/// Decides, at a `{` outside any bracket, whether it opens a function body (the item then ends
/// at the matching `}`) or a struct/enum body or an initializer (the item ends at the next `;`).
fn is_function_body(src: &[u8], toks: &[Token], lo: usize, brace: usize) -> bool {
    let mut depth = 0i32;
    let mut has_params = false;
    let mut last_top: Option<usize> = None;
    let mut prev_top: Option<usize> = None;
    let mut tag_kw = false;
    for k in plain(toks, lo, brace) {
        let t = &toks[k];
        let p = punct(src, t);
        if depth == 0 {
            if p == b"=" {
                return false; // an initializer
            }
            if p == b"(" {
                let attr = last_top.and_then(|j| toks[j].ident(src)).is_some_and(is_attribute);
                if !attr {
                    has_params = true;
                }
            }
            if matches!(t.ident(src), Some("struct" | "union" | "enum")) {
                tag_kw = true;
            }
            prev_top = last_top;
            last_top = Some(k);
        }
        match p {
            b"(" | b"[" => depth += 1,
            b")" | b"]" => depth -= 1,
            _ => {}
        }
    }
    // `struct tag {` or `struct {`: a type body.
    let is_tag_kw = |j: Option<usize>| matches!(j.and_then(|j| toks[j].ident(src)), Some("struct" | "union" | "enum"));
    if tag_kw && (is_tag_kw(last_top) || (toks[last_top.unwrap_or(lo)].kind == Kind::Ident && is_tag_kw(prev_top))) {
        return false;
    }
    has_params
}

/// Reopens the last declaration when it was ended as a stand-alone macro invocation, with only
/// directive lines after it; returns its first token.
fn merge_macro_head(toks: &[Token], items: &mut Vec<RawItem>) -> Option<usize> {
    let j = items.iter().rposition(|it| !(it.hi - it.lo == 1 && toks[it.lo].kind == Kind::Directive))?;
    if !items[j].macro_line {
        return None;
    }
    let lo = items[j].lo;
    items.truncate(j);
    Some(lo)
}

/// Old-style definitions `int f(a, b) int a; int b; { ... }` reach the `{` as separate
/// `;`-terminated spans. Finds the head (a declarator with an identifier list followed by more
/// tokens) among the preceding spans, removes the pieces and returns the head's first token.
fn merge_knr_head(src: &[u8], toks: &[Token], items: &mut Vec<RawItem>) -> Option<usize> {
    for j in (0..items.len()).rev().take(32) {
        let it = &items[j];
        if it.fn_body || toks[it.lo].kind == Kind::Directive {
            return None;
        }
        if is_knr_head(src, toks, it.lo, it.hi) {
            let lo = it.lo;
            items.truncate(j);
            return Some(lo);
        }
    }
    None
}

fn is_knr_head(src: &[u8], toks: &[Token], lo: usize, hi: usize) -> bool {
    let idx: Vec<usize> = plain(toks, lo, hi).collect();
    let Some(open) = idx.iter().position(|&k| punct(src, &toks[k]) == b"(") else { return false };
    if open == 0 || toks[idx[open - 1]].kind != Kind::Ident {
        return false;
    }
    // Inside: ident (, ident)* then ')'.
    let mut k = open + 1;
    let mut expect_ident = true;
    loop {
        let Some(&ti) = idx.get(k) else { return false };
        let t = &toks[ti];
        if expect_ident {
            if t.kind != Kind::Ident {
                return false;
            }
        } else if punct(src, t) == b")" {
            break;
        } else if punct(src, t) != b"," {
            return false;
        }
        expect_ident = !expect_ident;
        k += 1;
    }
    // More than just `;` after the list: `int a;` declarations follow.
    idx.len() > k + 2
}

/// Widens spans so that every conditional group (`#if` .. `#endif`) that has a directive inside
/// a declaration lies entirely inside one span.
fn merge_unbalanced_conditionals(toks: &[Token], items: &mut Vec<RawItem>) -> Result<(), ScanError> {
    // Owner span of each token.
    let mut owner = vec![0usize; toks.len()];
    for (n, it) in items.iter().enumerate() {
        for o in &mut owner[it.lo..it.hi] {
            *o = n;
        }
    }
    // Conditional groups: first and last owning span, and whether a declaration takes part.
    let mut stack: Vec<(usize, usize, bool, u32)> = Vec::new(); // (first, last, in_decl, line)
    let mut intervals: Vec<(usize, usize)> = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        let Some(d) = &t.directive else { continue };
        let n = owner[k];
        let in_decl = items[n].hi - items[n].lo > 1;
        match d.name.as_str() {
            "if" | "ifdef" | "ifndef" => stack.push((n, n, in_decl, t.line)),
            "elif" | "else" | "elifdef" | "elifndef" | "endif" => {
                let Some(top) = stack.last_mut() else {
                    return Err(ScanError::at(t.line, format!("#{} without a matching #if", d.name)));
                };
                top.1 = n;
                top.2 |= in_decl;
                if d.name == "endif" {
                    let (first, last, decl, _) = stack.pop().unwrap_or_default();
                    if decl && first != last {
                        intervals.push((first, last));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(&(_, _, _, line)) = stack.last() {
        return Err(ScanError::at(line, "#if without a matching #endif"));
    }
    if intervals.is_empty() {
        return Ok(());
    }
    intervals.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in intervals {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut out = Vec::with_capacity(items.len());
    let mut n = 0;
    for (a, b) in merged {
        out.extend_from_slice(&items[n..a]);
        let fn_body = items[a..=b].iter().any(|it| it.fn_body);
        out.push(RawItem::new(items[a].lo, items[b].hi, fn_body));
        n = b + 1;
    }
    out.extend_from_slice(&items[n..]);
    *items = out;
    Ok(())
}
