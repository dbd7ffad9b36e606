//! Reading a finding's input: a text program, or the raw bytes a fuzzer
//! saved (libFuzzer `crash-*`, AFL `id:*`), decoded with the family of the
//! target that found it.

use crate::harness::{target_family, TARGETS};
use crate::program::{decode, parse, Family, Program};
use std::path::Path;

#[derive(Debug, Clone)]
pub struct Input {
    pub program: Program,
    /// The fuzzer bytes, for binary inputs.
    pub bytes: Option<Vec<u8>>,
    pub family: Family,
}

/// A file that cannot be used, with a message naming it (and the line).
#[derive(Debug, Clone)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text when the file is printable UTF-8 (then it must parse); fuzzer bytes
/// otherwise. `family` overrides the one guessed from the path
/// (`.../swap_counts/...` → the swap_counts target's), which defaults to
/// everything (swap_mte).
pub fn load(path: &Path, family: Option<Family>) -> Result<Input, BadInput> {
    let data = std::fs::read(path).map_err(|e| BadInput(format!("{}: cannot read: {e}", path.display())))?;
    let family = family.or_else(|| family_from_path(path)).unwrap_or(Family::All);
    if let Some(text) = as_text(&data) {
        let program = parse(text).map_err(|e| BadInput(format!("{}:{}: {}", path.display(), e.line, e.message)))?;
        return Ok(Input { program, bytes: None, family });
    }
    Ok(Input { program: decode(&data, family), bytes: Some(data), family })
}

fn as_text(data: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(data).ok()?;
    let printable = text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    (printable && !text.trim().is_empty()).then_some(text)
}

/// The target whose name is a component of the path, if any.
pub fn family_from_path(path: &Path) -> Option<Family> {
    path.components().rev().find_map(|c| target_family(c.as_os_str().to_str()?))
}

/// The target name of a family (for file names and messages).
pub fn target_name(family: Family) -> &'static str {
    TARGETS.iter().find(|(_, f)| *f == family).map_or("swap_mte", |(n, _)| n)
}
