//! Gives each top-level span a kind and the file-scope names it defines.

use super::elements::{is_group, Elem, View};
use super::items::ItemKind;
use super::lexer::Kind;
use super::split::RawItem;
use super::words::{
    is_attribute, is_keyword, is_macro_like, is_storage_or_qualifier, names_last_argument, registration_kind,
    takes_operand_group,
};

pub struct Classified {
    pub kind: ItemKind,
    pub names: Vec<String>,
    /// Names that must not count as references of this item (macro parameters).
    pub hidden: Vec<String>,
    /// Tokens that are no references: the declarators of struct and union members.
    pub member_tokens: Vec<usize>,
}

pub fn classify(v: &View, raw: &RawItem) -> Classified {
    let first = &v.toks[raw.lo];
    if raw.hi - raw.lo == 1 {
        if let Some(d) = &first.directive {
            return classify_directive(v, d);
        }
    }
    let mut elems = v.elements(raw.lo, raw.hi);
    if raw.fn_body {
        // The body is the last element; the head is everything before it.
        elems.pop();
        let names = match declarator(v, &elems) {
            Some((k, _)) => {
                let name = v.toks[k].ident(v.src).unwrap_or_default();
                vec![macro_defined_name(v, &elems, name).unwrap_or_else(|| name.to_string())]
            }
            None => Vec::new(),
        };
        return Classified { kind: ItemKind::Function, names, hidden: Vec::new(), member_tokens: Vec::new() };
    }
    if elems.last().is_some_and(|&e| v.is_punct(e, ";")) {
        elems.pop();
    }
    classify_declaration(v, &elems)
}

fn classify_directive(v: &View, d: &super::lexer::Directive) -> Classified {
    let plain = |kind| Classified { kind, names: Vec::new(), hidden: Vec::new(), member_tokens: Vec::new() };
    match d.name.as_str() {
        "define" => {
            let Some(name) = d.tokens.first().and_then(|t| t.ident(v.src)) else {
                return plain(ItemKind::OtherDirective);
            };
            let mut hidden = vec![name.to_string()];
            // Function-like when `(` follows the name with no space in between.
            if let Some(p) = d.tokens.get(1) {
                if p.is(v.src, "(") && p.start == d.tokens[0].end {
                    for t in d.tokens[2..].iter() {
                        if t.is(v.src, ")") {
                            break;
                        }
                        if let Some(w) = t.ident(v.src) {
                            hidden.push(w.to_string());
                        }
                    }
                }
            }
            Classified { kind: ItemKind::Define, names: vec![name.to_string()], hidden, member_tokens: Vec::new() }
        }
        "undef" => {
            let names = d.tokens.first().and_then(|t| t.ident(v.src)).map(str::to_string);
            Classified {
                kind: ItemKind::Undef,
                names: names.into_iter().collect(),
                hidden: Vec::new(),
                member_tokens: Vec::new(),
            }
        }
        "if" | "ifdef" | "ifndef" | "elif" | "else" | "endif" | "elifdef" | "elifndef" => Classified {
            kind: ItemKind::Conditional,
            names: Vec::new(),
            hidden: vec!["defined".into()],
            member_tokens: Vec::new(),
        },
        "include" | "include_next" | "import" => plain(ItemKind::Include),
        _ => plain(ItemKind::OtherDirective),
    }
}

/// For `SYSCALL_DEFINE1(swapoff, ...) {` or `static DEFINE_SPINLOCK(swap_lock);`: when the
/// declarator name is a macro invocation with nothing but storage words before it, the defined
/// name is the macro's first argument (its last for the per-cpu family, whose first is a type).
fn macro_defined_name(v: &View, elems: &[Elem], name: &str) -> Option<String> {
    if !is_macro_like(name) {
        return None;
    }
    let pos = elems.iter().position(|&e| v.ident(e) == Some(name))?;
    if !elems[..pos].iter().all(|&e| v.ident(e).is_some_and(is_storage_or_qualifier)) {
        return None;
    }
    let group = *elems.get(pos + 1)?;
    if !is_group(group, b'(') {
        return None;
    }
    let args = v.split_commas(&v.inner(group));
    let single = |arg: &Vec<Elem>| match arg.as_slice() {
        [e] => v.ident(*e).filter(|w| !is_keyword(w)).map(str::to_string),
        _ => None,
    };
    if names_last_argument(name) {
        args.last().and_then(single)
    } else {
        args.first().and_then(single).or_else(|| args.last().and_then(single))
    }
}

fn classify_declaration(v: &View, elems: &[Elem]) -> Classified {
    let mk = |kind, names| Classified { kind, names, hidden: Vec::new(), member_tokens: Vec::new() };
    // `NAME(args)` alone, after storage words: a registration line or a macro invocation.
    let start = elems.iter().position(|&e| !v.ident(e).is_some_and(is_storage_or_qualifier)).unwrap_or(elems.len());
    if let [head, group] = &elems[start..] {
        if let (Some(w), true) = (v.ident(*head), is_group(*group, b'(')) {
            if let Some(kind) = registration_kind(w) {
                return mk(kind, Vec::new());
            }
            if is_macro_like(w) {
                let names = macro_defined_name(v, elems, w).into_iter().collect();
                return mk(ItemKind::Global, names);
            }
            if !is_keyword(w) {
                // `__setup("x", f);`, `static_assert(..);`: defines nothing at file scope.
                return mk(ItemKind::MacroCall, Vec::new());
            }
        }
    }
    let is_typedef = elems.first().and_then(|&e| v.ident(e)) == Some("typedef");
    let mut names = type_body_names(v, elems);
    let mut member_tokens = Vec::new();
    member_declarators(v, elems, &mut member_tokens);
    let mut any_fn = false;
    let mut any_declarator = false;
    for (n, chunk) in v.split_commas(elems).iter().enumerate() {
        let cut = chunk.iter().position(|&e| v.is_punct(e, "=")).unwrap_or(chunk.len());
        let chunk = &chunk[..cut];
        if n == 0 && is_bare_tag(v, chunk) {
            // `struct tag;` declares the tag (kept code may need the declaration).
            let kw = chunk.iter().position(|&e| matches!(v.ident(e), Some("struct" | "union" | "enum")));
            let tag = kw.and_then(|k| chunk[k + 1..].iter().find_map(|&e| v.ident(e).filter(|w| !is_attribute(w))));
            if let Some(t) = tag.map(str::to_string).filter(|t| !names.contains(t)) {
                names.push(t);
            }
            continue;
        }
        if let Some((k, is_fn)) = declarator(v, chunk) {
            let name = v.toks[k].ident(v.src).unwrap_or_default();
            any_declarator = true;
            any_fn |= is_fn;
            let name = if n == 0 {
                macro_defined_name(v, chunk, name).unwrap_or_else(|| name.to_string())
            } else {
                name.to_string()
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let kind = if is_typedef {
        ItemKind::Typedef
    } else if !any_declarator {
        ItemKind::Type
    } else if any_fn && !is_macro_like_head(v, elems) {
        ItemKind::Prototype
    } else {
        ItemKind::Global
    };
    Classified { kind, names, hidden: Vec::new(), member_tokens }
}

/// Declarator tokens of the members of struct/union bodies among `elems` (nested ones
/// included). They are not references: `struct s { int lock; }` does not need a global `lock`,
/// while in `struct s { struct b *b; }` the type `b` still is one.
fn member_declarators(v: &View, elems: &[Elem], out: &mut Vec<usize>) {
    for (k, &e) in elems.iter().enumerate() {
        if !is_group(e, b'{') {
            continue;
        }
        let tagged = elems[..k].iter().rev().take(2).any(|&p| matches!(v.ident(p), Some("struct" | "union")));
        if !tagged {
            continue;
        }
        let inner = v.inner(e);
        for decl in inner.split(|&x| v.is_punct(x, ";")) {
            member_declarators(v, decl, out);
            for chunk in v.split_commas(decl) {
                let cut = chunk.iter().position(|&x| v.is_punct(x, ":") || v.is_punct(x, "=")).unwrap_or(chunk.len());
                if let Some((k, _)) = declarator(v, &chunk[..cut]) {
                    out.push(k);
                }
            }
        }
    }
}

fn is_macro_like_head(v: &View, elems: &[Elem]) -> bool {
    elems
        .iter()
        .find(|&&e| !v.ident(e).is_some_and(is_storage_or_qualifier))
        .and_then(|&e| v.ident(e))
        .is_some_and(is_macro_like)
}

/// `struct tag`, `struct tag { ... }`, `enum { ... }` with no declarator after it.
fn is_bare_tag(v: &View, chunk: &[Elem]) -> bool {
    let mut k = chunk
        .iter()
        .position(|&e| !v.ident(e).is_some_and(|w| is_storage_or_qualifier(w) || w == "typedef"))
        .unwrap_or(chunk.len());
    if !matches!(chunk.get(k).and_then(|&e| v.ident(e)), Some("struct" | "union" | "enum")) {
        return false;
    }
    k += 1;
    while chunk.get(k).and_then(|&e| v.ident(e)).is_some_and(is_attribute) {
        k += 1;
    }
    if chunk.get(k).and_then(|&e| v.ident(e)).is_some() {
        k += 1;
    }
    if chunk.get(k).is_some_and(|&e| is_group(e, b'{')) {
        k += 1;
    }
    k == chunk.len()
}

/// Tags of struct/union/enum bodies defined in this declaration, and enumerator names.
fn type_body_names(v: &View, elems: &[Elem]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, &e) in elems.iter().enumerate() {
        let Some(kw @ ("struct" | "union" | "enum")) = v.ident(e) else { continue };
        let mut j = k + 1;
        let mut tag = None;
        if let Some(w) = elems.get(j).and_then(|&e| v.ident(e)) {
            tag = Some(w);
            j += 1;
        }
        let Some(&body) = elems.get(j).filter(|&&e| is_group(e, b'{')) else { continue };
        if let Some(t) = tag {
            out.push(t.to_string());
        }
        if kw == "enum" {
            for chunk in v.split_commas(&v.inner(body)) {
                if let Some(w) = chunk.first().and_then(|&e| v.ident(e)) {
                    out.push(w.to_string());
                }
            }
        }
    }
    out
}

/// The name a declarator declares, and whether it declares a function. The name is the last
/// identifier before the declarator's end (`[`, `=`, `,`, `:` or the end), skipping keywords
/// and attribute macros; an identifier directly followed by a parenthesised group names a
/// function (`f(...)`); a group after anything else is a parenthesised declarator (`(*fp)(...)`,
/// `(*f(int))(void)`), searched recursively.
/// Returns the name's token index.
pub fn declarator(v: &View, elems: &[Elem]) -> Option<(usize, bool)> {
    let mut last: Option<usize> = None;
    let mut prev: Option<Elem> = None;
    let mut skip_group = false;
    for &e in elems {
        match e {
            Elem::Tok(k) => {
                let t = &v.toks[k];
                if t.kind == Kind::Ident {
                    let w = v.ident(e).unwrap_or_default();
                    if is_keyword(w) {
                        skip_group = takes_operand_group(w);
                    } else if is_attribute(w) {
                        skip_group = true;
                    } else {
                        last = Some(k);
                        skip_group = false;
                    }
                } else {
                    skip_group = false;
                    if v.is_punct(e, ":") {
                        return last.map(|w| (w, false));
                    }
                }
            }
            Elem::Group { kind: b'(', .. } => {
                if std::mem::take(&mut skip_group) {
                    prev = Some(e);
                    continue;
                }
                let after_name = matches!((prev, last), (Some(Elem::Tok(p)), Some(l)) if p == l);
                if after_name {
                    return last.map(|w| (w, true));
                }
                if let Some((w, is_fn)) = declarator(v, &v.inner(e)) {
                    return Some((w, is_fn));
                }
            }
            Elem::Group { kind: b'[', .. } => return last.map(|w| (w, false)),
            Elem::Group { .. } => {
                // A struct/enum body: the declarator, if any, comes after it.
                last = None;
                skip_group = false;
            }
        }
        prev = Some(e);
    }
    last.map(|w| (w, false))
}
