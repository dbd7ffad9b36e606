//! Symbol isolation of one build's objects: the TU is compiled with -fvisibility=hidden, its
//! table `sd_api_<n>` is the one symbol marked default, and `objcopy --localize-hidden` then
//! turns every other definition into a local symbol. Two builds' swap_info, swap_duplicate,
//! sd_* ... are thereby private to their object and never meet in the link.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The objcopy to use: $OBJCOPY, else llvm-objcopy or objcopy on PATH, else the newest
/// /usr/lib/llvm-*/bin/llvm-objcopy. Each candidate must answer `--version`.
pub fn find_objcopy() -> PathBuf {
    println!("cargo:rerun-if-env-changed=OBJCOPY");
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(explicit) = std::env::var_os("OBJCOPY").filter(|v| !v.is_empty()) {
        // An explicit choice that does not work is an error, not a reason to pick another.
        let path = PathBuf::from(explicit);
        if runs(&path) {
            return path;
        }
        panic!("\n\nswapdiff: OBJCOPY={} does not run (`--version` failed)\n\n", path.display());
    }
    candidates.push("llvm-objcopy".into());
    candidates.push("objcopy".into());
    let mut versioned: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
        .map(|dir| dir.flatten().map(|d| d.path().join("bin/llvm-objcopy")).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    versioned.sort();
    candidates.extend(versioned.into_iter().rev());
    candidates.into_iter().find(|c| runs(c)).unwrap_or_else(|| {
        panic!(
            "\n\nswapdiff: no objcopy found (tried $OBJCOPY, llvm-objcopy, objcopy, /usr/lib/llvm-*/bin/llvm-objcopy).\n  \
             It keeps the kernel builds linked into one binary apart; install binutils or llvm, or set OBJCOPY.\n\n"
        )
    })
}

fn runs(tool: &Path) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Makes every hidden symbol of `objects` local, in place.
pub fn localize_hidden(objcopy: &Path, objects: &[PathBuf]) {
    for obj in objects {
        let out = Command::new(objcopy).arg("--localize-hidden").arg(obj).output().unwrap_or_else(|err| {
            panic!("\n\nswapdiff: cannot run {} on {}: {err}\n\n", objcopy.display(), obj.display())
        });
        if !out.status.success() {
            panic!(
                "\n\nswapdiff: {} --localize-hidden {} failed:\n{}\n\n",
                objcopy.display(),
                obj.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
