//! Splits a unified diff (`git format-patch`, `diff -u`, `git diff`) into per-file sections, so
//! that sections for files outside the extracted set can be dropped before `patch` runs.
//!
//! Hunks are walked by their line counts (`@@ -a,b +c,d @@`), not by the look of their lines:
//! a removed line that reads `-- x` appears as `--- x` and must not start a new file.

/// One file's part of a patch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The target path with its first component stripped (`patch -p1`): `mm/swapfile.c`.
    pub path: String,
    /// The section's text: its `diff`/`---`/`+++` header lines and its hunks.
    pub text: String,
    pub hunks: usize,
}

/// Sections in patch order. Text before the first section (a mail header, a commit message)
/// and after the last hunk of a section (a signature) is left out.
pub fn split(text: &str) -> Result<Vec<Section>, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = Vec::new();
    let mut header_start: Option<usize> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("diff ") {
            header_start = Some(i);
            i += 1;
            continue;
        }
        let next = lines.get(i + 1).copied().unwrap_or("");
        if !(line.starts_with("--- ") && next.starts_with("+++ ")) {
            if !is_extended_header(line) {
                header_start = None;
            }
            i += 1;
            continue;
        }
        let start = header_start.take().unwrap_or(i);
        let path = target_path(line, next).map_err(|e| format!("line {}: {e}", i + 2))?;
        i += 2;
        let mut hunks = 0;
        while let Some(h) = lines.get(i).filter(|l| l.starts_with("@@ ")) {
            let (mut old, mut new) =
                hunk_counts(h).ok_or_else(|| format!("line {}: malformed hunk header {}", i + 1, h.trim_end()))?;
            i += 1;
            hunks += 1;
            while old > 0 || new > 0 {
                let Some(l) = lines.get(i) else {
                    return Err(format!("the patch ends inside hunk #{hunks} of {path}"));
                };
                match l.as_bytes().first() {
                    Some(b' ') | Some(b'\n') | Some(b'\r') => {
                        old = old.saturating_sub(1);
                        new = new.saturating_sub(1);
                    }
                    Some(b'-') => old = old.saturating_sub(1),
                    Some(b'+') => new = new.saturating_sub(1),
                    Some(b'\\') => {}
                    _ => {
                        return Err(format!("line {}: hunk #{hunks} of {path} is shorter than its header says", i + 1))
                    }
                }
                i += 1;
            }
            // "\ No newline at end of file" after the last line of a hunk.
            while lines.get(i).is_some_and(|l| l.starts_with('\\')) {
                i += 1;
            }
        }
        if hunks == 0 {
            return Err(format!("the section for {path} has no hunks"));
        }
        out.push(Section { path, text: lines[start..i].concat(), hunks });
    }
    if out.is_empty() {
        return Err("no file sections (`--- a/FILE` / `+++ b/FILE` with hunks) found".into());
    }
    Ok(out)
}

/// Lines `git diff` puts between `diff --git` and `---`.
fn is_extended_header(line: &str) -> bool {
    [
        "index ",
        "old mode ",
        "new mode ",
        "deleted file mode ",
        "new file mode ",
        "similarity index ",
        "dissimilarity index ",
        "rename from ",
        "rename to ",
        "copy from ",
        "copy to ",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

/// The `-p1` path of a section: the `+++` name, or the `---` name for a deletion.
fn target_path(minus: &str, plus: &str) -> Result<String, String> {
    let name = |l: &str| -> String {
        let rest = l[4..].trim_end_matches(['\n', '\r']);
        // Timestamps follow a tab (`diff -u`); git quotes names with unusual characters.
        let rest = rest.split('\t').next().unwrap_or("").trim_end();
        rest.trim_matches('"').to_string()
    };
    let plus_name = name(plus);
    let chosen = if plus_name == "/dev/null" { name(minus) } else { plus_name };
    match chosen.split_once('/') {
        Some((_, rest)) if !rest.is_empty() => Ok(rest.to_string()),
        _ => Err(format!("cannot strip one directory from `{chosen}` (patches are applied with -p1)")),
    }
}

/// `@@ -l[,s] +l[,s] @@` → (old count, new count); a missing count is 1.
fn hunk_counts(h: &str) -> Option<(usize, usize)> {
    let mut parts = h.split_whitespace().skip(1);
    let count = |p: &str, sign: char| -> Option<usize> {
        let p = p.strip_prefix(sign)?;
        match p.split_once(',') {
            Some((_, n)) => n.parse().ok(),
            None => p.parse::<usize>().ok().map(|_| 1),
        }
    };
    Some((count(parts.next()?, '-')?, count(parts.next()?, '+')?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_FILES: &str = "From: someone\nSubject: [PATCH] x\n\nA commit message.\n---\n \
mm/swapfile.c | 2 +-\n\ndiff --git a/include/linux/swap.h b/include/linux/swap.h\nindex 1..2 100644\n\
--- a/include/linux/swap.h\n+++ b/include/linux/swap.h\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\
diff --git a/mm/swapfile.c b/mm/swapfile.c\n--- a/mm/swapfile.c\n+++ b/mm/swapfile.c\n\
@@ -10,3 +10,3 @@\n x\n--- removed line that looks like a header\n+++ added line that looks like one\n y\n\
@@ -20 +20 @@\n-p\n+q\n-- \n2.39.2\n";

    #[test]
    fn splits_by_file_and_counts_hunks() {
        let s = split(TWO_FILES).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].path.as_str(), s[0].hunks), ("include/linux/swap.h", 1));
        assert_eq!((s[1].path.as_str(), s[1].hunks), ("mm/swapfile.c", 2));
        // The section keeps its git header and ends at its last hunk: the signature is dropped.
        assert!(s[1].text.starts_with("diff --git a/mm/swapfile.c"));
        assert!(s[1].text.ends_with("-p\n+q\n"));
        assert!(s[1].text.contains("--- removed line that looks like a header\n"));
    }

    #[test]
    fn plain_diff_u_with_timestamps() {
        let p =
            "--- a/mm/swapfile.c\t2024-01-01 00:00:00\n+++ b/mm/swapfile.c\t2024-01-02 00:00:00\n@@ -1 +1 @@\n-a\n+b\n";
        let s = split(p).unwrap();
        assert_eq!(s[0].path, "mm/swapfile.c");
        assert_eq!(s[0].text, p);
    }

    #[test]
    fn truncated_hunk_is_an_error() {
        let p = "--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n a\n";
        assert_eq!(split(p).unwrap_err(), "the patch ends inside hunk #1 of x.c");
    }

    #[test]
    fn text_without_sections_is_an_error() {
        assert!(split("just words\n").unwrap_err().contains("no file sections"));
    }
}
