//! The text corpus on disk: seeds, regressions and known bugs as programs.

use crate::caller::CallerProgram;
use crate::program::{encode, parse, Program};
use std::path::{Path, PathBuf};

/// Where the op-level fuzz targets' seeds come from (`make seeds`, `swapdiff seeds`).
pub const SEED_DIRS: [&str; 2] = ["corpus/seeds", "corpus/regressions"];

/// Where the caller-level targets' seeds come from (their text form, src/caller/program.rs).
pub const CALLER_SEED_DIR: &str = "corpus/callers";

/// Whether `text` is a caller-level program: its first line that is not a comment says
/// `clusters N` (an op-level program never starts so).
pub fn is_caller_text(text: &str) -> bool {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.split_whitespace().next() == Some("clusters"))
}

/// The seeds under `dir`, each file in the form it is written in: op-level programs and
/// caller-level ones, each sorted by path. An unparsable file is an error naming it.
#[allow(clippy::type_complexity)]
pub fn seed_programs(dir: &Path) -> Result<(Vec<(PathBuf, Program)>, Vec<(PathBuf, CallerProgram)>), String> {
    let mut files = vec![];
    collect(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    files.sort();
    let (mut ops, mut callers) = (vec![], vec![]);
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        if is_caller_text(&text) {
            callers.push((f.clone(), CallerProgram::parse(&text).map_err(|e| format!("{}: {e}", f.display()))?));
        } else {
            ops.push((f.clone(), parse(&text).map_err(|e| format!("{}:{}: {}", f.display(), e.line, e.message))?));
        }
    }
    Ok((ops, callers))
}

/// Writes each caller-level program as a binary seed of every caller-level target, in
/// `out/<target>/`. A program the byte form cannot hold is an error: a seed must reach the
/// fuzzer as written.
pub fn write_caller_seeds(
    programs: &[(PathBuf, CallerProgram)],
    out: &Path,
) -> Result<Vec<(&'static str, usize)>, String> {
    let mut counts = vec![];
    for (target, _) in crate::harness::CALLER_TARGETS {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (path, p) in programs {
            let bytes = p.to_bytes().ok_or_else(|| {
                format!("{}: the byte form cannot hold this program (a count of 0, or over 64 ops)", path.display())
            })?;
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("seed");
            let file = dir.join(format!("{stem}.bin"));
            std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        }
        counts.push((target, programs.len()));
    }
    Ok(counts)
}

/// The text programs every fuzz target's seeds are encoded from, under the
/// repository `root`: what a fresh clone fuzzes from, whatever earlier runs
/// added to `fuzz/corpus`.
pub fn stock_programs(root: &Path) -> Result<Vec<(PathBuf, Program)>, String> {
    let mut programs = vec![];
    for dir in SEED_DIRS {
        programs.extend(text_programs(&root.join(dir))?);
    }
    Ok(programs)
}

/// Every target's stock seeds in `out/<target>/`: the op-level ones from [`SEED_DIRS`], the
/// caller-level ones from [`CALLER_SEED_DIR`] (what `make seeds` writes).
pub fn write_stock_seeds(root: &Path, out: &Path) -> Result<Vec<(&'static str, usize)>, String> {
    let mut counts = write_binary_seeds(&stock_programs(root)?, out)?;
    let (ops, callers) = seed_programs(&root.join(CALLER_SEED_DIR))?;
    if !ops.is_empty() {
        return Err(format!("{}: {} holds an op-level program", ops[0].0.display(), CALLER_SEED_DIR));
    }
    counts.extend(write_caller_seeds(&callers, out)?);
    Ok(counts)
}

/// Every `*.txt` program under `dir` (recursively), sorted by path.
pub fn text_programs(dir: &Path) -> Result<Vec<(PathBuf, Program)>, String> {
    let mut files = vec![];
    collect(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            let p = parse(&text).map_err(|e| format!("{}:{}: {}", f.display(), e.line, e.message))?;
            Ok((f, p))
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes each text program that fits a target's family as a binary seed in
/// `out/<target>/`. Returns (target, seeds written) per target.
pub fn write_binary_seeds(programs: &[(PathBuf, Program)], out: &Path) -> Result<Vec<(&'static str, usize)>, String> {
    let mut counts = vec![];
    for (target, family) in crate::harness::TARGETS {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut n = 0;
        for (path, p) in programs {
            let Ok(bytes) = encode(p, family) else { continue };
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("seed");
            let file = dir.join(format!("{stem}.bin"));
            std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
            n += 1;
        }
        counts.push((target, n));
    }
    Ok(counts)
}
