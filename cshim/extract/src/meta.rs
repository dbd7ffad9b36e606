//! `meta.toml` of a cached variant: everything `prepare` returns except what depends on the
//! request (inputs), so that a cache hit needs neither the source files nor the scanner.

use std::path::Path;

use toml::{Table, Value};

use crate::cache::{cache_err, write_file};
use crate::error::Error;
use crate::{Extracted, ExtractedFile};

const FORMAT: i64 = 1;
pub const FILE_NAME: &str = "meta.toml";

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::String(s.clone())).collect())
}

pub fn write(dir: &Path, ex: &Extracted) -> Result<(), Error> {
    let mut t = Table::new();
    t.insert("format".into(), Value::Integer(FORMAT));
    t.insert("version".into(), Value::String(ex.version.clone()));
    t.insert("series".into(), Value::String(ex.series.clone()));
    t.insert("source_hash".into(), Value::String(ex.source_hash.clone()));
    t.insert("variant_key".into(), Value::String(ex.variant_key.clone()));
    t.insert("patches".into(), strings(&ex.patches));
    t.insert("changed_functions".into(), strings(&ex.changed_functions));
    t.insert("notes".into(), strings(&ex.notes));
    let files = ex
        .files
        .iter()
        .map(|f| {
            let mut ft = Table::new();
            ft.insert("kernel_path".into(), Value::String(f.kernel_path.clone()));
            ft.insert("functions".into(), strings(&f.functions));
            Value::Table(ft)
        })
        .collect();
    t.insert("file".into(), Value::Array(files));
    write_file(&dir.join(FILE_NAME), t.to_string().as_bytes())
}

/// The cached result in `dir`, or None when there is no complete entry (outputs are checked to
/// exist, so a hand-deleted file is rebuilt rather than handed to the compiler as missing).
pub fn read(dir: &Path) -> Result<Option<Extracted>, Error> {
    let path = dir.join(FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cache_err(&path, e)),
    };
    let Ok(t) = text.parse::<Table>() else { return Ok(None) };
    if t.get("format").and_then(Value::as_integer) != Some(FORMAT) {
        return Ok(None);
    }
    let s = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
    let list = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let (Some(version), Some(series), Some(source_hash), Some(variant_key)) =
        (s("version"), s("series"), s("source_hash"), s("variant_key"))
    else {
        return Ok(None);
    };
    let mut files = Vec::new();
    for f in t.get("file").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
        let Some(kernel_path) = f.get("kernel_path").and_then(Value::as_str) else { return Ok(None) };
        let output = dir.join(kernel_path);
        if !output.is_file() {
            return Ok(None);
        }
        files.push(ExtractedFile { kernel_path: kernel_path.to_string(), output, functions: list(f.get("functions")) });
    }
    Ok(Some(Extracted {
        version,
        series,
        source_hash,
        variant_key,
        patches: list(t.get("patches")),
        files,
        changed_functions: list(t.get("changed_functions")),
        notes: list(t.get("notes")),
        inputs: Vec::new(),
    }))
}
