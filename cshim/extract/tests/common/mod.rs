//! Fixtures: a scratch directory per test, and a small made-up "kernel tree" (our own C, shaped
//! like a kernel file) with a manifest for it.

#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};

use swapdiff_extract::{prepare, Error, Extracted, Request};

/// A fresh directory under the system temp dir, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("swapdiff-extract-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create scratch dir");
        Scratch(p)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub const MAKEFILE: &str =
    "# made-up top Makefile\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 9\nEXTRAVERSION =\nNAME = Test\n";

/// Our own C, laid out like a kernel file: includes, a forward prototype, macro-style and plain
/// globals, a config-dependent macro, a used and an unused helper, two entry points, an export
/// and an initcall. Line numbers matter to the tests: keep the layout.
pub const TABLE_C: &str = "\
// SPDX-License-Identifier: GPL-2.0-only
/* Made up for swapdiff-extract's tests. */
#include <linux/stub.h>

#define HAS_CACHE 0x40
#define UNUSED_FLAG 0x01

static int count_of(unsigned char b);

static DEFINE_SPINLOCK(table_lock);
static unsigned char table[16];
static int untouched_global;

#ifdef CONFIG_WIDE
#define WIDTH 512
#else
#define WIDTH 256
#endif

static int count_of(unsigned char b)
{
\treturn b & ~HAS_CACHE;
}

static int unused_helper(void)
{
\treturn untouched_global + UNUSED_FLAG;
}

int table_get(int i)
{
\tint v;

\tspin_lock(&table_lock);
\tv = count_of(table[i % WIDTH]);
\tspin_unlock(&table_lock);
\treturn v;
}
EXPORT_SYMBOL(table_get);

int table_put(int i, int v)
{
\ttable[i] = v;
\treturn provided_by_shim(i);
}
late_initcall(table_init);
";

pub const WHOLE_C: &str = "#include <asm/stub.h>\n\nint whole_fn(void)\n{\n\treturn 7;\n}\n";

/// Writes the tree under `scratch/tree` and returns its path.
pub fn fake_tree(scratch: &Scratch) -> PathBuf {
    scratch.write("tree/Makefile", MAKEFILE);
    scratch.write("tree/mm/table.c", TABLE_C);
    scratch.write("tree/arch/x/whole.c", WHOLE_C);
    scratch.path("tree")
}

/// Writes a manifest for the fake tree; fingerprints are those of the stock TABLE_C.
pub fn fake_manifest(scratch: &Scratch, roots: &[&str], exclude: &[&str]) -> PathBuf {
    let file = swapdiff_extract::scan::scan(TABLE_C.as_bytes()).expect("scan TABLE_C");
    let hashes = swapdiff_extract::fnhash::function_hashes(TABLE_C.as_bytes(), &file);
    let list = |v: &[&str]| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    let mut text = format!(
        "format = 1\n[[series.\"6.12\".file]]\npath = \"mm/table.c\"\nmode = \"functions\"\nroots = [{}]\nexclude = [{}]\n[series.\"6.12\".file.hashes]\n",
        list(roots),
        list(exclude)
    );
    for (name, h) in &hashes {
        text.push_str(&format!("{name} = \"{h}\"\n"));
    }
    text.push_str("[[series.\"6.12\".file]]\npath = \"arch/x/whole.c\"\nmode = \"whole\"\n");
    scratch.write("kernel.toml", &text)
}

pub fn request(scratch: &Scratch, source: &Path, manifest: &Path, patches: &[PathBuf]) -> Request {
    Request {
        source: Some(source.to_path_buf()),
        patches: patches.to_vec(),
        manifest: manifest.to_path_buf(),
        cache_dir: scratch.path("cache"),
    }
}

pub fn must(r: Result<Extracted, Error>) -> Extracted {
    r.unwrap_or_else(|e| panic!("prepare failed: {e}"))
}

pub fn prepare_tree(scratch: &Scratch, patches: &[PathBuf]) -> Result<Extracted, Error> {
    let tree = fake_tree(scratch);
    let manifest = fake_manifest(scratch, &["table_get"], &[]);
    prepare(&request(scratch, &tree, &manifest, patches))
}

pub fn output_of(ex: &Extracted, kernel_path: &str) -> String {
    let f = ex.files.iter().find(|f| f.kernel_path == kernel_path).expect("file in extract");
    std::fs::read_to_string(&f.output).expect("read output")
}

/// Checks that every `#line N "path"` in `out` is followed by line N of `src` (the item text
/// starts there; text before it on that line is replaced by blanks). Returns how many were
/// checked.
pub fn check_line_directives(out: &str, src: &str, kernel_path: &str) -> usize {
    let src_lines: Vec<&str> = src.lines().collect();
    let out_lines: Vec<&str> = out.lines().collect();
    let prefix = "#line ";
    let mut checked = 0;
    for (k, l) in out_lines.iter().enumerate() {
        let Some(rest) = l.strip_prefix(prefix) else { continue };
        let (n, path) = rest.split_once(' ').expect("#line N \"path\"");
        assert_eq!(path, format!("\"{kernel_path}\""), "{l}");
        let n: usize = n.parse().expect("line number");
        let emitted = out_lines.get(k + 1).copied().unwrap_or("");
        let original = src_lines[n - 1];
        let col = emitted.len() - emitted.trim_start().len();
        let text = emitted.trim_start();
        assert!(!text.is_empty(), "nothing after `{l}`");
        assert!(
            original.get(col..).is_some_and(|o| o.starts_with(text)),
            "output line after `{l}` is {emitted:?}, kernel line {n} is {original:?}"
        );
        checked += 1;
    }
    checked
}
