//! `swapdiff export FINDING [-o DIR]`: a finding's reproducer as a self-contained directory
//! that builds and runs anywhere with clang and make, no Rust and no swapdiff: repro.c, the
//! extracted kernel C of the finding's build (copied from the extraction cache, at its kernel
//! paths, with its `#line` provenance), the C environment it compiles against, the generated
//! headers and a Makefile, with relative paths only ([`layout`]).
//!
//! The build exported is the one the finding was found on ([`needs`]): a binary that does not
//! link it exports nothing. When a check-patch variant binary of that patch set exists under
//! target/variants/, the export is run again through it; otherwise the message says how to
//! build one. Nothing existing is overwritten: the directory is assembled beside DIR and
//! renamed into place, and DIR must not exist or be empty.

mod layout;
pub mod needs;

use needs::Needs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Set in the environment of a variant binary the export is run through: that one must not
/// pass it on again.
const DELEGATED_ENV: &str = "SWAPDIFF_EXPORT_DELEGATED";

/// What an export wrote.
pub struct Exported {
    pub dir: PathBuf,
    /// The build's name, e.g. "6.12.117+stock".
    pub build: &'static str,
    pub files: usize,
}

/// The `export` subcommand: exit 0 when written (or the variant binary's exit code when it did
/// the export); `Err` (the CLI's exit 2) when the finding or DIR cannot be used, or this binary
/// does not link the finding's build and no variant binary does.
pub fn command(finding: &Path, out: Option<&Path>) -> Result<ExitCode, String> {
    let dest = out.map_or_else(|| finding.join("export"), Path::to_path_buf);
    check_finding(finding)?;
    let needs = needs::read(finding);
    if needs.patch_key.is_none() {
        return Err(format!(
            "{} does not record the kernel build it was found on (no `# kernel:` line in program.txt, no \
             `# patch-set:` in regression.txt)",
            finding.display()
        ));
    }
    let Some(build) = needs::linked(&needs) else { return through_variant(finding, &dest, &needs) };
    let done = export(finding, &dest, build)?;
    println!(
        "exported {} (build {}) to {}: {} files; build and run it with: cd {} && make && ./repro",
        finding.display(),
        done.build,
        done.dir.display(),
        done.files,
        done.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn check_finding(finding: &Path) -> Result<(), String> {
    if !finding.exists() {
        return Err(format!("no finding at {}", finding.display()));
    }
    if !finding.is_dir() {
        return Err(format!("{} is not a finding directory", finding.display()));
    }
    if !finding.join("program.txt").is_file() {
        return Err(format!("{} has no program.txt: not a swapdiff finding directory", finding.display()));
    }
    Ok(())
}

/// Writes the export of `finding` on `build` into `dest`.
pub fn export(finding: &Path, dest: &Path, build: &'static cshim::Build) -> Result<Exported, String> {
    check_finding(finding)?;
    check_dest(dest)?;
    let signature = signature(finding);
    let repro_path = finding.join("repro.c");
    let repro = match std::fs::read_to_string(&repro_path) {
        Ok(text) => layout::portable_repro(&text),
        // Crash, hang and sanitizer findings are filed without one.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => repro_of_program(finding, &signature, build)?,
        Err(e) => return Err(format!("{}: {e}", repro_path.display())),
    };
    let shim: Vec<(&str, &[u8])> = build.shim.iter().map(|f| (f.path, f.bytes)).collect();
    let base = match base_of(build) {
        Some(b) => Some(build_files(b)?),
        None => None,
    };
    let files = layout::files(&layout::Export {
        signature: &signature,
        repro: &repro,
        under_test: build_files(build)?,
        base,
        shim: &shim,
        semantics: build.c_semantics(),
        sanitize: sanitized(&signature),
    });
    let mut forbidden = vec![absolute(dest)?, absolute(finding)?, crate::variant::workspace(), build.shim_dir().into()];
    forbidden.extend(cshim::builds().iter().flat_map(cache_roots));
    check_portable(&files, &forbidden)?;
    let count = files.len();
    publish(dest, &files)?;
    Ok(Exported { dir: dest.to_path_buf(), build: build.name, files: count })
}

/// The build `build` was compared with when that is another kernel build: in a two-build
/// binary (check-patch), the base of the build under test. A finding of the base build itself
/// (a stock finding exported through a variant binary) was compared with the model: none.
fn base_of(build: &cshim::Build) -> Option<&'static cshim::Build> {
    let builds = cshim::builds();
    (builds.len() > 1 && build.index == builds.len() - 1).then(|| &builds[0])
}

/// A build's part of the export: its identity, its extract read from the cache, its headers.
fn build_files(build: &'static cshim::Build) -> Result<layout::BuildFiles<'static>, String> {
    Ok(layout::BuildFiles {
        name: build.name,
        version: build.kernel_version,
        source_hash: build.source_hash,
        patch_key: build.patch_key,
        patches: build.patches,
        kernel: kernel_copies(build)?,
        headers: build.headers,
    })
}

/// A memory error or undefined behaviour is only seen under the sanitizers: the export of such
/// a finding builds with them by default (`make SANITIZE=` turns them off).
fn sanitized(signature: &str) -> bool {
    matches!(signature.split('/').nth(1), Some("asan" | "ubsan"))
}

/// repro.c for a finding filed without one (a crash, hang or sanitizer finding): program.txt's
/// executed steps, as the model steers them (in raw mode, the ops themselves), made into calls.
/// The kernel C runs the same steps until the one that kills, hangs or trips a sanitizer.
fn repro_of_program(finding: &Path, signature: &str, build: &cshim::Build) -> Result<String, String> {
    let path = finding.join("program.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let program = crate::program::parse(&text).map_err(|e| format!("{}:{e}", path.display()))?;
    let mut model = crate::engine::ModelEngine::new();
    let steps = crate::runner::single(&mut model, &program, crate::runner::Options::default()).executed().ops;
    let header = format!(
        "swapdiff reproducer for {signature}\nkernel: {} ({})\nsource hash: {}\n\n\
         The kernel code crashed, hung or tripped a sanitizer in this program: the finding's README.md\n\
         and report.txt say where. The calls run up to the one that does it.\n\n{}",
        build.kernel_version,
        build.name,
        build.source_hash,
        repro_build_lines()
    );
    Ok(crate::repro::c_source(&steps, &header))
}

/// The signature from program.txt's first line (`# swapdiff finding: SIG`), else the
/// directory's name.
fn signature(finding: &Path) -> String {
    let text = std::fs::read_to_string(finding.join("program.txt")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("# swapdiff finding:").map(|s| s.trim().to_string()))
        .unwrap_or_else(|| finding.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
}

/// DIR must be new or an empty directory: an export never overwrites.
fn check_dest(dest: &Path) -> Result<(), String> {
    match std::fs::read_dir(dest) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!(
                    "{} exists and is not empty: export never overwrites; remove it or give another -o DIR",
                    dest.display()
                ));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dest.exists() => Err(format!("{} exists and is not a directory", dest.display())),
        Err(e) => Err(format!("{}: {e}", dest.display())),
    }
}

fn absolute(p: &Path) -> Result<PathBuf, String> {
    std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// One extracted file as the build records it.
struct Extract<'a> {
    kernel_path: &'a str,
    cache_path: &'a str,
    hash: &'a str,
}

fn extracts(build: &'static cshim::Build) -> Vec<Extract<'static>> {
    build
        .kernel_files
        .iter()
        .map(|f| Extract { kernel_path: f.kernel_path, cache_path: f.cache_path, hash: f.hash })
        .collect()
}

/// The build's extract, read from the cache and checked against what the build compiled.
fn kernel_copies(build: &'static cshim::Build) -> Result<Vec<layout::KernelCopy>, String> {
    read_extracts(&extracts(build), build.name)
}

fn read_extracts(files: &[Extract], build: &str) -> Result<Vec<layout::KernelCopy>, String> {
    let rebuild = "rebuild this swapdiff as it was built (e.g. `cargo build --release`, with the same SWAPDIFF_* \
                   environment): its build extracts the kernel files again; then export";
    let mut out = vec![];
    for f in files {
        let bytes = match std::fs::read(f.cache_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!(
                    "the extraction cache no longer holds {} of build {build} ({}): it was cleaned; {rebuild}",
                    f.kernel_path, f.cache_path
                ))
            }
            Err(e) => return Err(format!("{}: {e}", f.cache_path)),
        };
        if cshim_hash(&bytes) != f.hash {
            return Err(format!(
                "{} in the extraction cache ({}) is not the one build {build} compiled (its content changed); \
                 {rebuild}",
                f.kernel_path, f.cache_path
            ));
        }
        if f.kernel_path.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            return Err(format!("build {build} records an unusable kernel path `{}`", f.kernel_path));
        }
        out.push(layout::KernelCopy { kernel_path: f.kernel_path.to_string(), bytes });
    }
    Ok(out)
}

/// The hash of a build's file records: FNV-1a, 16 hex digits, as cshim/src/builds.rs
/// `content_hash` (behind `KernelFile::matches`; cshim's lib.rs, not ours, would have to export
/// it). The test `the_hash_is_cshims` holds the two together.
fn cshim_hash(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    format!("{h:016x}")
}

/// The cache directories the build's extract lives in (`<cache>/<key>/`'s parent).
fn cache_roots(build: &cshim::Build) -> Vec<PathBuf> {
    build
        .kernel_files
        .iter()
        .filter_map(|f| {
            let dir = f.cache_path.strip_suffix(f.kernel_path)?;
            Path::new(dir.trim_end_matches('/')).parent().map(Path::to_path_buf)
        })
        .collect()
}

/// No file may name an absolute path of this machine: the export, the finding, the workspace,
/// the shim's source or the cache.
fn check_portable(files: &[(String, Vec<u8>)], forbidden: &[PathBuf]) -> Result<(), String> {
    for (name, bytes) in files {
        for path in forbidden {
            let needle = path.to_string_lossy();
            if needle.len() > 1 && contains(bytes, needle.as_bytes()) {
                return Err(format!("internal error: the export's {name} names {needle}, a path of this machine"));
            }
        }
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Assembles the files in a temporary directory beside `dest` and renames it into place: a
/// reader never sees half an export, and a `dest` that gained files meanwhile makes the rename
/// fail rather than be overwritten.
fn publish(dest: &Path, files: &[(String, Vec<u8>)]) -> Result<(), String> {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let tmp = parent.join(format!(".{name}.tmp-{}", crate::findings::unique_suffix()));
    let written = write_all(&tmp, files).and_then(|()| {
        std::fs::rename(&tmp, dest)
            .map_err(|e| format!("cannot move the export into {} ({e}); it was left unchanged", dest.display()))
    });
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    written
}

fn write_all(root: &Path, files: &[(String, Vec<u8>)]) -> Result<(), String> {
    for (name, bytes) in files {
        let path = root.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// This binary does not link the finding's build: run the export through a variant binary of
/// that patch set if one was built, else say which build is needed and how to get it.
fn through_variant(finding: &Path, dest: &Path, needs: &Needs) -> Result<ExitCode, String> {
    let key = needs.patch_key.as_deref().unwrap_or_default();
    let wanted = format!(
        "{} was found on {}; this swapdiff links only {}",
        finding.display(),
        needs.describe(),
        needs::linked_names()
    );
    let delegated = std::env::var_os(DELEGATED_ENV).is_some();
    if let (false, Some(bin)) = (delegated, variant_binary(key)) {
        // A variant built before `export` existed would answer "unrecognized subcommand".
        let knows_export = std::process::Command::new(&bin)
            .args(["export", "--help"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !knows_export {
            return Err(format!(
                "{wanted}; the variant binary {} predates `swapdiff export`: rebuild it (`swapdiff check-patch \
                 {} --seconds 0` rebuilds it from this tree), then export again",
                bin.display(),
                needs.patches.as_deref().unwrap_or("PATCH...")
            ));
        }
        eprintln!("swapdiff: {wanted}; exporting with {}", bin.display());
        let status = std::process::Command::new(&bin)
            .arg("export")
            .arg(absolute(finding)?)
            .arg("-o")
            .arg(absolute(dest)?)
            .env(DELEGATED_ENV, "1")
            .status()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        return Ok(ExitCode::from(status.code().map_or(2, |c| c.clamp(0, 255) as u8)));
    }
    let how = if key == "stock" {
        "build the stock swapdiff (`cargo build --release`, without SWAPDIFF_PATCHES; with SWAPDIFF_KERNEL_SRC if \
         the finding's source was not the default) and export with target/release/swapdiff"
            .to_string()
    } else {
        let patches = needs.patches.as_deref().unwrap_or("PATCH...");
        format!(
            "build swapdiff for that patch set: `swapdiff check-patch {patches} --seconds 0` builds it in \
             target/variants/{key}-asan/ (or `CARGO_TARGET_DIR=target/variants/{key} SWAPDIFF_PATCHES=<the patches, \
             ':'-separated> cargo build --release --bin swapdiff`; with SWAPDIFF_BASE_PATCHES too if they were \
             checked over base patches); `swapdiff export` then uses it, or run its own `swapdiff export`"
        )
    };
    Err(format!("{wanted}: exporting another build would be a reproducer of another kernel; {how}"))
}

/// A built variant binary whose patch set is `key` (target/variants/<key>[-on-<base>][-asan]/),
/// unsanitized first; never this binary itself.
fn variant_binary(key: &str) -> Option<PathBuf> {
    let variants = crate::variant::workspace().join("target/variants");
    let mut dirs: Vec<(bool, PathBuf)> = std::fs::read_dir(&variants)
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let base = name.strip_suffix("-asan").unwrap_or(&name);
            let ours = base == key || base.starts_with(&format!("{key}-on-"));
            ours.then(|| (name.ends_with("-asan"), entry.path()))
        })
        .collect();
    dirs.sort();
    let me = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
    dirs.into_iter()
        .flat_map(|(_, dir)| {
            [dir.join("release/swapdiff"), dir.join(crate::identity::host_target()).join("release/swapdiff")]
        })
        .find(|bin| bin.is_file() && bin.canonicalize().ok() != me)
}

/// The "build and run" lines of repro.c's header: how to make the portable directory.
pub fn repro_build_lines() -> String {
    "build and run it anywhere (clang and make; no Rust, no absolute paths):\n  \
     swapdiff export <this finding's directory>     # writes <dir>/export (-o DIR for elsewhere)\n  \
     cd <dir>/export && make && ./repro"
        .to_string()
}

/// The "## Reproduce" section of a finding's README.
pub fn reproduce_section() -> String {
    "## Reproduce\n\n\
     With swapdiff (built for the same kernel and patches):\n\n\
     ```sh\ncargo run --release --bin swapdiff -- replay program.txt\n```\n\n\
     Without it: `repro.c` runs the same calls on the same extracted kernel code. `swapdiff export` makes it a \
     self-contained directory (repro.c, the kernel C of this build, the shim, a Makefile; relative paths only) \
     to build anywhere with clang, or to send:\n\n\
     ```sh\nswapdiff export <this directory>          # writes <this directory>/export; -o DIR for elsewhere\n\
     cd <this directory>/export && make && ./repro\n```\n\n\
     For a patched build, run the export with the swapdiff of that patch set (check-patch names it), or with any \
     swapdiff once that one is built: it hands the export over.\n"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{check_portable, cshim_hash, read_extracts, Extract};
    use std::path::PathBuf;

    #[test]
    fn a_cleaned_or_changed_cache_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("swapdiff-export-unit-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("mm")).unwrap();
        let file = dir.join("mm/swapfile.c");
        std::fs::write(&file, "int x;\n").unwrap();
        let path = file.to_string_lossy().into_owned();
        let good = cshim_hash(b"int x;\n");
        let one = |cache_path: &str, hash: &str| {
            read_extracts(&[Extract { kernel_path: "mm/swapfile.c", cache_path, hash }], "6.12.117+stock")
        };
        // The bytes the build compiled: copied as they are.
        let copies = one(&path, &good).unwrap();
        assert_eq!(copies[0].bytes, b"int x;\n");
        // Changed since the build: refused, naming the file.
        let err = one(&path, "0000000000000000").err().unwrap();
        assert!(err.contains("is not the one build 6.12.117+stock compiled"), "{err}");
        // Cleaned: refused, saying how to get it back.
        let gone = dir.join("gone.c").to_string_lossy().into_owned();
        let err = one(&gone, &good).err().unwrap();
        assert!(err.contains("no longer holds mm/swapfile.c") && err.contains("rebuild"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_naming_a_path_of_this_machine_is_refused() {
        let files = vec![("repro.c".to_string(), b"#include \"/home/me/ws/cshim/x.h\"\n".to_vec())];
        assert!(check_portable(&files, &[PathBuf::from("/home/me/ws")]).is_err());
        assert!(check_portable(&files, &[PathBuf::from("/elsewhere")]).is_ok());
    }

    #[test]
    fn the_hash_is_cshims() {
        // The build's records are hashed by cshim (build/generated.rs and builds.rs); an export
        // that hashed otherwise would refuse every file, so compare with the records of the real
        // build that compiled this test (a cleaned cache makes cshim's build extract again).
        let b = cshim::primary();
        assert!(!b.kernel_files.is_empty());
        for f in b.kernel_files {
            let bytes = std::fs::read(f.cache_path).unwrap_or_else(|e| panic!("{}: {e}", f.cache_path));
            assert_eq!(cshim_hash(&bytes), f.hash, "{}", f.kernel_path);
            assert!(f.matches(&bytes));
        }
    }
}
