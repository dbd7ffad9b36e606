//! `swapdiff report --mail FINDING`: a finding as a plain-text mail body a reviewer pastes
//! into a reply on the list. Everything comes from the finding's own files (about.txt,
//! program.txt, state.txt), so a finding mails the same on any machine.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Text lines are wrapped here, as mail to the kernel lists is.
const WIDTH: usize = 72;

fn read(dir: &Path, name: &str) -> Result<String, String> {
    std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
}

/// `key: value` lines of about.txt.
fn about(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = read(dir, "about.txt").map_err(|e| {
        format!("{e}\n  (not a swapdiff finding, or one filed before findings had about.txt: file its input again with `swapdiff report`)")
    })?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(": ").or_else(|| l.strip_suffix(':').map(|k| (k, ""))))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect())
}

/// Words of `text` in lines of at most [`WIDTH`] columns (a longer word keeps its line).
fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > WIDTH {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
    out
}

fn indented(text: &str) -> String {
    text.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("    {l}\n") }).collect()
}

/// The mail body of the finding in `dir`.
pub fn body(dir: &Path) -> Result<String, String> {
    let facts = about(dir)?;
    let get = |k: &str| facts.get(k).map(String::as_str).unwrap_or("");
    let signature = get("signature");
    if signature.is_empty() {
        return Err(format!("{}: about.txt names no signature", dir.display()));
    }
    // The program without its `#` header: what a reader saves and replays.
    let program: String =
        read(dir, "program.txt")?.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    let state = read(dir, "state.txt").unwrap_or_default();
    let (sentence, table) = state.split_once("\n\n").unwrap_or((state.as_str(), ""));
    let verdict = get("verdict");
    // The subject names the kernel and patches; the body has the patch-set key.
    let build = if get("patches").is_empty() {
        format!("{} (stock)", get("kernel"))
    } else {
        format!("{} + {}", get("kernel"), get("patches"))
    };

    let mut m = String::new();
    let what = if verdict.is_empty() { String::new() } else { format!("{verdict}: ") };
    let _ = writeln!(m, "Subject: [swapdiff] {what}{signature} on {build}\n");
    if !sentence.trim().is_empty() {
        m.push_str(&wrap(&format!("swapdiff finds that {}", lower_first(sentence.trim())), ""));
        m.push('\n');
    }
    if !get("verdict-line").is_empty() {
        m.push_str(&wrap(&format!("Verdict: {}", get("verdict-line")), ""));
        m.push('\n');
    }
    let _ = writeln!(m, "Signature:   {signature}");
    let _ = writeln!(m, "Kernel:      {} (source hash {})", get("kernel"), get("source-hash"));
    let patches = if get("patches").is_empty() { "none (stock)" } else { get("patches") };
    let _ = writeln!(m, "Patches:     {patches}");
    let _ = writeln!(m, "Patch set:   {}", get("patch-set"));
    let _ = writeln!(m, "Compared at: the {} level\n", get("level"));
    let ops = get("ops");
    let _ = writeln!(m, "The minimal program ({ops} ops; swapdiff's op language, one kernel call per line):\n");
    m.push_str(&indented(&program));
    if !table.trim().is_empty() {
        let _ =
            writeln!(m, "\nThe state around the op that differs, on each side (* marks where\nthe sides differ):\n");
        m.push_str(&indented(table));
    }
    let _ = writeln!(m, "\nTo reproduce: save the program as program.txt and run");
    let _ = writeln!(m, "`swapdiff replay program.txt` in a swapdiff built for the same kernel");
    let _ = writeln!(m, "and patches (`swapdiff check-patch` builds one). Without swapdiff:");
    let _ = writeln!(m, "`swapdiff export FINDING -o repro` writes a directory with the calls");
    let _ = writeln!(m, "as C over the extracted kernel code; `make && ./repro` there.");
    if !get("patches").is_empty() {
        let _ = writeln!(m, "It carries the stock build too: `make compare` diffs the two outputs.");
    }
    Ok(m)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // A side's name ("stock 6.12.117") starts lower case; a kernel identifier keeps its case.
        Some(f) if f.is_ascii_uppercase() && c.clone().next().is_some_and(|n| n.is_ascii_lowercase()) => {
            f.to_ascii_lowercase().to_string() + c.as_str()
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_lines_within_the_mail_width_and_every_word() {
        let text = "word ".repeat(40);
        let out = wrap(&text, "  ");
        assert!(out.lines().all(|l| l.len() <= WIDTH), "{out}");
        assert_eq!(out.split_whitespace().count(), 40);
    }

    #[test]
    fn a_directory_without_about_txt_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("swapdiff-mail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = body(&dir).unwrap_err();
        assert!(err.contains("about.txt") && err.contains("swapdiff report"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
