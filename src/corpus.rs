//! The text corpus on disk: seeds, regressions and known bugs as programs.

use crate::program::{encode, parse, Program};
use std::path::{Path, PathBuf};

/// Where the fuzz targets' seeds come from (`make seeds`, `swapdiff seeds`).
pub const SEED_DIRS: [&str; 2] = ["corpus/seeds", "corpus/regressions"];

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
