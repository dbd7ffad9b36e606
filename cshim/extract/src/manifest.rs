//! Reads `cshim/manifest/kernel.toml`: per kernel series, which files to extract and how.
//! The format is described in a comment at the top of that file.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The root functions and what they need from the same file.
    Functions,
    /// The file verbatim.
    Whole,
}

#[derive(Clone, Debug)]
pub struct FileSpec {
    /// Path inside the kernel tree, e.g. `mm/swapfile.c`.
    pub path: String,
    pub mode: Mode,
    pub roots: Vec<String>,
    pub exclude: Vec<String>,
    /// Expected fingerprints (see `fnhash`) of functions of this file.
    pub hashes: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
pub struct Series {
    pub files: Vec<FileSpec>,
}

#[derive(Clone, Debug)]
pub struct Manifest {
    pub series: BTreeMap<String, Series>,
}

impl Manifest {
    /// Every file path of every series (what one tar pass fetches).
    pub fn all_paths(&self) -> Vec<String> {
        let mut v: Vec<String> = self.series.values().flat_map(|s| s.files.iter().map(|f| f.path.clone())).collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn parse(text: &str, path: &Path) -> Result<Manifest, Error> {
        let err = |detail: String| Error::Manifest { path: path.to_path_buf(), detail };
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| err(e.to_string()))?;
        check_keys(&table, &["format", "series"], "the top level").map_err(err)?;
        match table.get("format").and_then(|v| v.as_integer()) {
            Some(1) => {}
            _ => return Err(err("`format = 1` is required (the only format this extractor reads)".into())),
        }
        let mut series = BTreeMap::new();
        let Some(st) = table.get("series").and_then(|v| v.as_table()) else {
            return Err(err("no [series.\"X.Y\"] sections".into()));
        };
        for (name, body) in st {
            let where_ = format!("series \"{name}\"");
            if !is_series_name(name) {
                return Err(err(format!("{where_}: a series is named VERSION.PATCHLEVEL, like \"6.12\"")));
            }
            let body = body.as_table().ok_or_else(|| err(format!("{where_} must be a table")))?;
            check_keys(body, &["file", "hashes_from"], &where_).map_err(err)?;
            let files = body
                .get("file")
                .and_then(|v| v.as_array())
                .ok_or_else(|| err(format!("{where_} has no [[series.\"{name}\".file]] entries")))?;
            let mut specs = Vec::new();
            for (n, f) in files.iter().enumerate() {
                let where_ = format!("{where_}, file #{}", n + 1);
                let f = f.as_table().ok_or_else(|| err(format!("{where_} must be a table")))?;
                specs.push(parse_file(f, &where_).map_err(err)?);
            }
            series.insert(name.clone(), Series { files: specs });
        }
        Ok(Manifest { series })
    }
}

fn is_series_name(s: &str) -> bool {
    let mut parts = s.split('.');
    let ok = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

fn check_keys(t: &toml::Table, allowed: &[&str], where_: &str) -> Result<(), String> {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("{where_}: unknown key `{k}` (known: {})", allowed.join(", ")));
        }
    }
    Ok(())
}

fn strings(t: &toml::Table, key: &str, where_: &str) -> Result<Vec<String>, String> {
    let Some(v) = t.get(key) else { return Ok(Vec::new()) };
    let arr = v.as_array().ok_or_else(|| format!("{where_}: `{key}` must be an array of strings"))?;
    arr.iter()
        .map(|x| x.as_str().map(str::to_string).ok_or_else(|| format!("{where_}: `{key}` must hold strings")))
        .collect()
}

/// Kernel paths are relative, without `..`, and made of characters that need no quoting in a
/// `tar` wildcard or a `#line` directive.
fn valid_kernel_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
        && p.bytes().all(|c| c.is_ascii_alphanumeric() || b"_-./+,".contains(&c))
}

fn parse_file(f: &toml::Table, where_: &str) -> Result<FileSpec, String> {
    check_keys(f, &["path", "mode", "roots", "exclude", "hashes"], where_)?;
    let path = f
        .get("path")
        .and_then(|v| v.as_str())
        .ok_or_else(|| format!("{where_}: `path` (a string) is required"))?
        .to_string();
    let where_ = format!("{where_} ({path})");
    if !valid_kernel_path(&path) {
        return Err(format!("{where_}: `path` must be a relative path inside the kernel tree"));
    }
    let mode = match f.get("mode").and_then(|v| v.as_str()) {
        Some("functions") => Mode::Functions,
        Some("whole") => Mode::Whole,
        _ => return Err(format!("{where_}: `mode` must be \"functions\" or \"whole\"")),
    };
    let roots = strings(f, "roots", &where_)?;
    let exclude = strings(f, "exclude", &where_)?;
    match mode {
        Mode::Functions if roots.is_empty() => {
            return Err(format!("{where_}: mode \"functions\" needs a non-empty `roots`"))
        }
        Mode::Whole if !roots.is_empty() || !exclude.is_empty() => {
            return Err(format!("{where_}: mode \"whole\" takes no `roots` or `exclude`"))
        }
        _ => {}
    }
    if let Some(r) = roots.iter().find(|r| exclude.contains(r)) {
        return Err(format!("{where_}: `{r}` is both a root and excluded"));
    }
    let mut hashes = BTreeMap::new();
    if let Some(h) = f.get("hashes") {
        let h = h.as_table().ok_or_else(|| format!("{where_}: `hashes` must be a table name = \"hex\""))?;
        for (k, v) in h {
            let v = v.as_str().ok_or_else(|| format!("{where_}: hash of `{k}` must be a string"))?;
            hashes.insert(k.clone(), v.to_string());
        }
    }
    Ok(FileSpec { path, mode, roots, exclude, hashes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Manifest, String> {
        Manifest::parse(s, Path::new("k.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_a_series_with_both_modes() {
        let m = parse(
            r#"format = 1
[[series."6.12".file]]
path = "mm/swapfile.c"
mode = "functions"
roots = ["a"]
exclude = ["b"]
hashes = { a = "00" }
[[series."6.12".file]]
path = "arch/arm64/mm/mteswap.c"
mode = "whole"
"#,
        )
        .unwrap();
        let s = &m.series["6.12"];
        assert_eq!(s.files[0].roots, ["a"]);
        assert_eq!(s.files[0].hashes["a"], "00");
        assert_eq!(s.files[1].mode, Mode::Whole);
        assert_eq!(m.all_paths(), ["arch/arm64/mm/mteswap.c", "mm/swapfile.c"]);
    }

    #[test]
    fn rejects_typos_and_bad_paths() {
        let typo = parse("format = 1\n[[series.\"6.12\".file]]\npath = \"a.c\"\nmode = \"whole\"\nroot = [\"x\"]\n");
        assert!(typo.unwrap_err().contains("unknown key `root`"));
        let up = parse("format = 1\n[[series.\"6.12\".file]]\npath = \"../a.c\"\nmode = \"whole\"\n");
        assert!(up.unwrap_err().contains("relative path"));
        let both = parse("format = 1\n[[series.\"6.12\".file]]\npath = \"a.c\"\nmode = \"functions\"\nroots = [\"x\"]\nexclude = [\"x\"]\n");
        assert!(both.unwrap_err().contains("both a root and excluded"));
    }
}
