//! A C tokenizer that is just precise enough to split a kernel source file into top-level items.
//!
//! It knows where comments, string and character literals and preprocessor directives begin and
//! end (the places where a brace or a quote does not mean what it seems to mean), and it splices
//! backslash-newline continuations. It does not expand macros: a directive is one token that
//! carries its own inner tokens.
//!
//! The lexer works on bytes, not `str`: kernel files are not guaranteed to be UTF-8 (old comments
//! carry Latin-1 names), and the extract must reproduce them byte for byte.

/// What a token is. Punctuators are kept coarse: only `->`, `...` and `##` are joined, because
/// the scanner needs `->` to recognise member names and nothing else cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ident,
    Number,
    Str,
    Char,
    Punct,
    /// A whole preprocessor line (`#` to the end of the logical line); see [`Directive`].
    Directive,
}

#[derive(Clone, Debug)]
pub struct Directive {
    /// `define`, `ifdef`, `include`, ...; empty for the null directive `#`.
    pub name: String,
    /// The tokens after the directive name (never contains another directive).
    pub tokens: Vec<Token>,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub kind: Kind,
    /// Byte span in the source.
    pub start: usize,
    pub end: usize,
    /// 1-based line of the first byte.
    pub line: u32,
    /// 1-based line of the last byte.
    pub end_line: u32,
    pub directive: Option<Box<Directive>>,
}

impl Token {
    pub fn text<'a>(&self, src: &'a [u8]) -> &'a [u8] {
        &src[self.start..self.end]
    }

    pub fn is(&self, src: &[u8], text: &str) -> bool {
        self.text(src) == text.as_bytes()
    }

    /// The identifier text (identifiers are ASCII by construction).
    pub fn ident<'a>(&self, src: &'a [u8]) -> Option<&'a str> {
        if self.kind == Kind::Ident {
            std::str::from_utf8(self.text(src)).ok()
        } else {
            None
        }
    }
}

/// Tokenizes a whole file. Never fails: unterminated literals and comments end at the end of
/// their line or of the file, which is what a compiler would report as an error anyway; the item
/// splitter reports structural problems (unbalanced braces) with line numbers.
pub fn tokenize(src: &[u8]) -> Vec<Token> {
    let mut lx = Lexer { src, pos: 0, line: 1, at_line_start: true };
    let mut out = Vec::new();
    while let Some(tok) = lx.next_token(false) {
        out.push(tok);
    }
    out
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
    /// Only whitespace (or comments) since the last newline: a `#` here starts a directive.
    at_line_start: bool,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

fn is_ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

impl<'a> Lexer<'a> {
    fn peek(&self, off: usize) -> u8 {
        self.src.get(self.pos + off).copied().unwrap_or(0)
    }

    /// Length of a backslash-newline splice at `pos` (0 if there is none). `\r\n` counts.
    fn splice_len(&self, pos: usize) -> usize {
        let s = self.src;
        if s.get(pos) != Some(&b'\\') {
            return 0;
        }
        match (s.get(pos + 1), s.get(pos + 2)) {
            (Some(b'\n'), _) => 2,
            (Some(b'\r'), Some(b'\n')) => 3,
            _ => 0,
        }
    }

    /// Skips a `/* */` comment starting at `pos` (which points at `/`).
    fn skip_block_comment(&mut self) {
        self.pos += 2;
        while self.pos < self.src.len() {
            if self.src[self.pos] == b'*' && self.peek(1) == b'/' {
                self.pos += 2;
                return;
            }
            if self.src[self.pos] == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
    }

    /// Skips a `//` comment up to (not including) its newline; a trailing backslash continues
    /// the comment onto the next line, as in C translation phase 2.
    fn skip_line_comment(&mut self) {
        while self.pos < self.src.len() {
            let n = self.splice_len(self.pos);
            if n > 0 {
                self.pos += n;
                self.line += 1;
                continue;
            }
            if self.src[self.pos] == b'\n' {
                return;
            }
            self.pos += 1;
        }
    }

    /// Skips a quoted literal whose opening quote is at `pos`. Escapes skip the next byte (a
    /// newline included, which is a continuation). An unescaped newline ends an unterminated
    /// literal; returns false in that case.
    fn skip_quoted(&mut self, quote: u8) -> bool {
        self.pos += 1;
        while self.pos < self.src.len() {
            match self.src[self.pos] {
                b'\\' => {
                    let n = self.splice_len(self.pos);
                    if n > 0 {
                        self.line += 1;
                        self.pos += n;
                    } else {
                        self.pos += 2;
                    }
                }
                b'\n' => return false,
                c if c == quote => {
                    self.pos += 1;
                    return true;
                }
                _ => self.pos += 1,
            }
        }
        self.pos = self.src.len();
        false
    }

    fn token(&self, kind: Kind, start: usize, line: u32) -> Token {
        Token { kind, start, end: self.pos, line, end_line: self.line, directive: None }
    }

    /// The next token. In directive mode an unescaped newline ends the stream (the newline is
    /// left unconsumed); otherwise only the end of the file does.
    fn next_token(&mut self, in_directive: bool) -> Option<Token> {
        loop {
            let c = *self.src.get(self.pos)?;
            match c {
                b'\n' => {
                    if in_directive {
                        return None;
                    }
                    self.pos += 1;
                    self.line += 1;
                    self.at_line_start = true;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'\\' if self.splice_len(self.pos) > 0 => {
                    self.pos += self.splice_len(self.pos);
                    self.line += 1;
                }
                b'/' if self.peek(1) == b'*' => self.skip_block_comment(),
                b'/' if self.peek(1) == b'/' => self.skip_line_comment(),
                b'#' if self.at_line_start && !in_directive => return Some(self.directive()),
                _ => {
                    self.at_line_start = false;
                    return Some(self.plain_token(c, in_directive));
                }
            }
        }
    }

    fn plain_token(&mut self, c: u8, in_directive: bool) -> Token {
        let start = self.pos;
        let line = self.line;
        if is_ident_start(c) {
            while self.pos < self.src.len() && is_ident_continue(self.src[self.pos]) {
                self.pos += 1;
            }
            // Encoding prefixes: L"..", u"..", U"..", u8".." and the same for characters.
            let word = &self.src[start..self.pos];
            let q = self.peek(0);
            if matches!(word, b"L" | b"u" | b"U" | b"u8") && (q == b'"' || q == b'\'') {
                return self.literal(q, start, line, in_directive);
            }
            return self.token(Kind::Ident, start, line);
        }
        if c.is_ascii_digit() || (c == b'.' && self.peek(1).is_ascii_digit()) {
            // A preprocessing number: digits, letters, dots, and signs after an exponent.
            self.pos += 1;
            while self.pos < self.src.len() {
                let d = self.src[self.pos];
                let prev = self.src[self.pos - 1];
                let sign = (d == b'+' || d == b'-') && matches!(prev, b'e' | b'E' | b'p' | b'P');
                if is_ident_continue(d) || d == b'.' || sign {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            return self.token(Kind::Number, start, line);
        }
        if c == b'"' || c == b'\'' {
            return self.literal(c, start, line, in_directive);
        }
        if c >= 0x80 {
            // A run of non-ASCII bytes (only legal inside comments and literals, but never split
            // a multi-byte character).
            while self.pos < self.src.len() && self.src[self.pos] >= 0x80 {
                self.pos += 1;
            }
            return self.token(Kind::Punct, start, line);
        }
        let rest = &self.src[self.pos..];
        let len = if rest.starts_with(b"->") || rest.starts_with(b"##") {
            2
        } else if rest.starts_with(b"...") {
            3
        } else {
            1
        };
        self.pos += len;
        self.token(Kind::Punct, start, line)
    }

    /// A string or character literal whose quote is at `pos` (`start` may point at a prefix).
    fn literal(&mut self, quote: u8, start: usize, line: u32, in_directive: bool) -> Token {
        let save = self.pos;
        let terminated = self.skip_quoted(quote);
        if !terminated && quote == b'\'' && in_directive {
            // `#error don't` is free text, not a character literal: the quote is punctuation.
            self.pos = save + 1;
            return self.token(Kind::Punct, start, line);
        }
        let kind = if quote == b'"' { Kind::Str } else { Kind::Char };
        self.token(kind, start, line)
    }

    /// A directive: `#` at the start of a line up to the end of its logical line.
    fn directive(&mut self) -> Token {
        let start = self.pos;
        let line = self.line;
        self.pos += 1;
        self.at_line_start = false;
        let mut tokens = Vec::new();
        while let Some(tok) = self.next_token(true) {
            tokens.push(tok);
        }
        let mut name = String::new();
        if tokens.first().map(|t| t.kind) == Some(Kind::Ident) {
            let t = tokens.remove(0);
            name = String::from_utf8_lossy(t.text(self.src)).into_owned();
        }
        // The span runs to the newline so that trailing comments stay with the directive.
        let tok = Token {
            kind: Kind::Directive,
            start,
            end: self.pos,
            line,
            end_line: self.line,
            directive: Some(Box::new(Directive { name, tokens })),
        };
        self.at_line_start = true;
        tok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        tokenize(src.as_bytes()).iter().map(|t| String::from_utf8_lossy(t.text(src.as_bytes())).into_owned()).collect()
    }

    #[test]
    fn comments_hide_braces_and_quotes() {
        let src = "a /* { \" ' */ b // } ' \"\nc";
        assert_eq!(texts(src), ["a", "b", "c"]);
    }

    #[test]
    fn strings_and_chars_with_escapes() {
        let src = r#"x = "a\"{" ; c = '{' ; d = '\'' ; e = "}\\" ;"#;
        let toks = tokenize(src.as_bytes());
        let strs: Vec<_> = toks
            .iter()
            .filter(|t| matches!(t.kind, Kind::Str | Kind::Char))
            .map(|t| String::from_utf8_lossy(t.text(src.as_bytes())).into_owned())
            .collect();
        assert_eq!(strs, [r#""a\"{""#, "'{'", r"'\''", r#""}\\""#]);
        assert!(!toks
            .iter()
            .any(|t| t.kind == Kind::Punct && (t.is(src.as_bytes(), "{") || t.is(src.as_bytes(), "}"))));
    }

    #[test]
    fn directive_spans_continuations_and_counts_lines() {
        let src = "#define M(a) \\\n  do { a; } while (0)\nint x;\n";
        let toks = tokenize(src.as_bytes());
        assert_eq!(toks[0].kind, Kind::Directive);
        let d = toks[0].directive.as_ref().unwrap();
        assert_eq!(d.name, "define");
        assert_eq!((toks[0].line, toks[0].end_line), (1, 2));
        assert_eq!(toks[1].line, 3);
        assert!(toks[1].is(src.as_bytes(), "int"));
    }

    #[test]
    fn hash_inside_a_line_is_not_a_directive() {
        let src = "a # b\n  # if X\n";
        let toks = tokenize(src.as_bytes());
        assert_eq!(toks.iter().filter(|t| t.kind == Kind::Directive).count(), 1);
        assert_eq!(toks.last().unwrap().directive.as_ref().unwrap().name, "if");
    }

    #[test]
    fn block_comment_inside_directive_extends_it() {
        let src = "#endif /* a\n b */\nint y;";
        let toks = tokenize(src.as_bytes());
        assert_eq!(toks[0].end_line, 2);
        assert_eq!(toks[1].line, 3);
    }

    #[test]
    fn apostrophe_in_error_directive_is_punctuation() {
        let src = "#error don't do this\nint z;";
        let toks = tokenize(src.as_bytes());
        assert_eq!(toks.len(), 4, "directive, int, z and ; -> got {:?}", texts(src));
    }

    #[test]
    fn line_comment_continued_by_backslash() {
        let src = "// a \\\n still comment {\nint w;";
        assert_eq!(texts(src), ["int", "w", ";"]);
    }
}
