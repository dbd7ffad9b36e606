//! Applies one patch to the working copy with the `patch` program: a dry run first, so a patch
//! that does not apply changes nothing, then the real run.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, HunkFailure};

/// Applies `patch_file` (already reduced to the extracted files) in `dir`. `name` is the
/// user's patch path, for messages. Returns notes about hunks applied with fuzz.
pub fn apply(name: &Path, patch_file: &Path, dir: &Path) -> Result<Vec<String>, Error> {
    let dry = run(patch_file, dir, true)?;
    if !dry.0 {
        return Err(Error::PatchFailed { patch: name.to_path_buf(), failures: failures(&dry.1), output: dry.1 });
    }
    let real = run(patch_file, dir, false)?;
    if !real.0 {
        // The dry run passed, so this would be a `patch` bug; report it the same way.
        return Err(Error::PatchFailed { patch: name.to_path_buf(), failures: failures(&real.1), output: real.1 });
    }
    Ok(fuzz_notes(name, &real.1))
}

/// Runs `patch -p1` and returns (success, stdout + stderr).
fn run(patch_file: &Path, dir: &Path, dry: bool) -> Result<(bool, String), Error> {
    let mut cmd = Command::new("patch");
    // -f: never ask questions, and never guess that a patch is reversed (a reversed or
    // already applied patch must fail, not be silently undone).
    cmd.args(["-p1", "-f", "--no-backup-if-mismatch", "--reject-file=-"]);
    if dry {
        cmd.arg("--dry-run");
    }
    cmd.arg("-d").arg(dir).arg("-i").arg(patch_file);
    cmd.env("QUOTING_STYLE", "literal").env("LC_ALL", "C").stdin(Stdio::null());
    let out = cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::ToolMissing { tool: "patch", package: "patch" },
        _ => Error::PatchUnreadable { patch: patch_file.to_path_buf(), detail: format!("cannot run patch: {e}") },
    })?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), text))
}

/// `Hunk #2 FAILED at 1402.` lines, attributed to the file named by the `checking file` /
/// `patching file` line before them.
pub fn failures(output: &str) -> Vec<HunkFailure> {
    let mut file = String::new();
    let mut out = Vec::new();
    for line in output.lines() {
        if let Some(f) = line.strip_prefix("checking file ").or_else(|| line.strip_prefix("patching file ")) {
            file = f.trim().to_string();
        } else if let Some(rest) = line.strip_prefix("Hunk #") {
            let Some((num, tail)) = rest.split_once(' ') else { continue };
            let Some(at) = tail.strip_prefix("FAILED at ") else { continue };
            let digits: String = at.chars().take_while(char::is_ascii_digit).collect();
            if let (Ok(hunk), Ok(line)) = (num.parse(), digits.parse()) {
                out.push(HunkFailure { file: file.clone(), hunk, line });
            }
        }
    }
    out
}

fn fuzz_notes(name: &Path, output: &str) -> Vec<String> {
    let mut file = String::new();
    let mut out = Vec::new();
    for line in output.lines() {
        if let Some(f) = line.strip_prefix("patching file ") {
            file = f.trim().to_string();
        } else if line.starts_with("Hunk #") && (line.contains("with fuzz") || line.contains("offset")) {
            let short =
                name.file_name().map_or_else(|| name.display().to_string(), |n| n.to_string_lossy().into_owned());
            out.push(format!("patch {short}: {file}: {}", line.trim_end_matches('.')));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_lines_are_attributed_to_their_file() {
        let out = "checking file mm/swapfile.c\nHunk #1 succeeded at 10 (offset 2 lines).\n\
                   Hunk #2 FAILED at 1402.\nHunk #3 FAILED at 1500 (different line endings).\n\
                   2 out of 3 hunks FAILED\nchecking file arch/arm64/mm/mteswap.c\nHunk #1 FAILED at 7.\n";
        let f = failures(out);
        let want = [("mm/swapfile.c", 2, 1402), ("mm/swapfile.c", 3, 1500), ("arch/arm64/mm/mteswap.c", 1, 7)];
        assert_eq!(f.len(), want.len());
        for (got, (file, hunk, line)) in f.iter().zip(want) {
            assert_eq!((got.file.as_str(), got.hunk, got.line), (file, hunk, line));
        }
    }
}
