//! Writes the generated C: kept items in file order, each behind a `#line` directive naming the
//! kernel file and line, so that compiler diagnostics, sanitizer reports and coverage point at
//! the real kernel source.

use crate::scan::ScannedFile;

/// The extract of the items `kept` (indices in file order). `header` is a C comment placed
/// first (our text, not the kernel's).
pub fn emit_items(src: &[u8], file: &ScannedFile, kept: &[usize], kernel_path: &str, header: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len() / 2);
    out.extend_from_slice(header.as_bytes());
    for &n in kept {
        let it = &file.items[n];
        out.extend_from_slice(line_directive(it.line, kernel_path).as_bytes());
        out.extend_from_slice(&column_padding(src, it.start));
        out.extend_from_slice(&src[it.start..it.end]);
        out.push(b'\n');
    }
    out
}

/// The whole file, verbatim, behind one `#line 1`.
pub fn emit_whole(src: &[u8], kernel_path: &str, header: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len() + 256);
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(line_directive(1, kernel_path).as_bytes());
    out.extend_from_slice(src);
    if !src.ends_with(b"\n") {
        out.push(b'\n');
    }
    out
}

fn line_directive(line: u32, kernel_path: &str) -> String {
    // Kernel paths are plain relative paths (the manifest checks them), nothing to escape.
    format!("#line {line} \"{kernel_path}\"\n")
}

/// Blanks standing for the text before `start` on its line, so columns match the kernel file
/// (tabs stay tabs, so that tab-expanded columns match as well).
fn column_padding(src: &[u8], start: usize) -> Vec<u8> {
    let line_start = src[..start].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
    src[line_start..start].iter().map(|&c| if c == b'\t' { b'\t' } else { b' ' }).collect()
}

/// Number of lines of an emitted text (for reports).
pub fn count_lines(text: &[u8]) -> usize {
    text.iter().filter(|&&c| c == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::scan;

    #[test]
    fn each_item_follows_a_line_directive_with_its_own_line() {
        let src = b"int a;\n\n/* c */ int b;\nint f(void)\n{\n\treturn b;\n}\n";
        let f = scan(src).unwrap();
        let out = emit_items(src, &f, &[1, 2], "x/y.c", "/* h */\n");
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "/* h */\n#line 3 \"x/y.c\"\n        int b;\n#line 4 \"x/y.c\"\nint f(void)\n{\n\treturn b;\n}\n"
        );
    }
}
