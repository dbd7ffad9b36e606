//! A declaration seen as a sequence of elements: single tokens, and bracket groups taken whole.
//! Directive tokens inside a declaration are skipped here: they do not change its shape.

use super::lexer::{Kind, Token};

#[derive(Clone, Copy, Debug)]
pub enum Elem {
    Tok(usize),
    /// `open` and `close` are token indices of the brackets; `kind` is `(`, `[` or `{`.
    Group {
        open: usize,
        close: usize,
        kind: u8,
    },
}

pub struct View<'a> {
    pub src: &'a [u8],
    pub toks: &'a [Token],
}

impl<'a> View<'a> {
    /// Elements of the tokens `[lo, hi)`. Unbalanced input (not produced by the splitter) ends a
    /// group at `hi`.
    pub fn elements(&self, lo: usize, hi: usize) -> Vec<Elem> {
        let mut out = Vec::new();
        let mut k = lo;
        while k < hi {
            let t = &self.toks[k];
            if t.kind == Kind::Directive {
                k += 1;
                continue;
            }
            let open = self.punct(k);
            if let Some(close_ch) = match open {
                b"(" => Some(b")"),
                b"[" => Some(b"]"),
                b"{" => Some(b"}"),
                _ => None,
            } {
                let close = self.matching(k, hi, open, close_ch);
                out.push(Elem::Group { open: k, close, kind: open[0] });
                k = close + 1;
            } else {
                out.push(Elem::Tok(k));
                k += 1;
            }
        }
        out
    }

    fn matching(&self, open: usize, hi: usize, o: &[u8], c: &[u8]) -> usize {
        let mut depth = 0;
        for k in open..hi {
            let p = self.punct(k);
            if p == o {
                depth += 1;
            } else if p == c {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
        }
        hi.saturating_sub(1).max(open)
    }

    pub fn punct(&self, k: usize) -> &'a [u8] {
        let t = &self.toks[k];
        if t.kind == Kind::Punct {
            t.text(self.src)
        } else {
            b""
        }
    }

    pub fn ident(&self, e: Elem) -> Option<&'a str> {
        match e {
            Elem::Tok(k) => self.toks[k].ident(self.src),
            Elem::Group { .. } => None,
        }
    }

    pub fn is_punct(&self, e: Elem, p: &str) -> bool {
        matches!(e, Elem::Tok(k) if self.punct(k) == p.as_bytes())
    }

    pub fn inner(&self, e: Elem) -> Vec<Elem> {
        match e {
            Elem::Group { open, close, .. } => self.elements(open + 1, close),
            Elem::Tok(_) => Vec::new(),
        }
    }

    /// Splits elements at top-level commas.
    pub fn split_commas(&self, elems: &[Elem]) -> Vec<Vec<Elem>> {
        let mut out = vec![Vec::new()];
        for &e in elems {
            if self.is_punct(e, ",") {
                out.push(Vec::new());
            } else if let Some(last) = out.last_mut() {
                last.push(e);
            }
        }
        out
    }
}

pub fn is_group(e: Elem, kind: u8) -> bool {
    matches!(e, Elem::Group { kind: k, .. } if k == kind)
}
