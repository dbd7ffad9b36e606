//! `swapdiff export`: a filed finding becomes a directory that builds and runs after being
//! copied anywhere, with no absolute path in it, printing what the swapdiff run recorded; and
//! every way the export cannot be made is exit 2 with a message, nothing overwritten.
//!
//! The finding is planted as in tests/findings.rs: the reference model restores every page of
//! a folio from the first entry's tags (the THP review bug), so against the real kernel a
//! multi-page restore differs, and every "actual" value is the kernel C's.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use swapdiff::engine::{KernelEngine, ModelEngine};
use swapdiff::findings::{file, FileOptions, Filed};
use swapdiff::oracle::{Oracle, Pair};
use swapdiff::program::{parse, Family};
use swapdiff::runner::Options;

mod support;

fn swapdiff(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_swapdiff")).args(args).output().unwrap()
}

fn export(finding: &Path, out: &Path) -> Output {
    swapdiff(&["export".as_ref(), finding.as_os_str(), "-o".as_ref(), out.as_os_str()])
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("swapdiff-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn an_exported_finding_builds_and_runs_from_a_copy_and_prints_the_kernels_returns() {
    if Command::new("clang").arg("--version").output().is_err()
        || Command::new("make").arg("--version").output().is_err()
    {
        eprintln!("SKIPPED: clang or make is not installed (make install-deps installs both)");
        return;
    }
    let first = fresh("first");
    // Filed as found (not minimized): its steps return entries, counts and errors, not only 0, so
    // the comparison below sees each step's own value.
    let opts = FileOptions { minimize: false, deadline: None, regressions: None, level: Default::default() };
    let mut oracle = Pair::of(support::ThpRestoreBug::new(), KernelEngine::acquire());
    let input = swapdiff::input::load(Path::new("corpus/seeds/39-mte-swap-out-in-free-cluster.txt"), Some(Family::All))
        .unwrap();
    let Some(Filed::New { dir: finding, .. }) = file(&mut oracle, &input, &first.join("findings"), &opts).unwrap()
    else {
        panic!("the planted divergence files a new finding")
    };

    // The finding itself names no path of this machine either (its repro.c and README say how
    // to export instead of giving an absolute compile line).
    for f in files_under(&finding) {
        let bytes = std::fs::read(&f).unwrap();
        for path in [env!("CARGO_MANIFEST_DIR"), &first.to_string_lossy()] {
            assert!(!contains(&bytes, path), "{} names {path}", f.display());
        }
    }
    let readme = std::fs::read_to_string(finding.join("README.md")).unwrap();
    assert!(readme.contains("swapdiff export") && readme.contains("make && ./repro"), "{readme}");

    // What swapdiff recorded for the filed program.
    let program = parse(&std::fs::read_to_string(finding.join("program.txt")).unwrap()).unwrap();
    let run = oracle.run(&program, Options { record: true, ..Options::default() });
    drop(oracle);

    let exported = first.join("export");
    let out = export(&finding, &exported);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Copied elsewhere, the original (finding and export) gone: nothing may point back.
    let second = fresh("copy");
    let copy = second.join("repro-dir");
    let cp = Command::new("cp").arg("-r").arg(&exported).arg(&copy).status().unwrap();
    assert!(cp.success());
    std::fs::remove_dir_all(&first).unwrap();

    // No file names a path of this machine: the first export, the copy, the workspace, the
    // extraction cache (SWAPDIFF_CACHE_DIR or the workspace's), the temporary directory.
    let cache =
        std::env::var("SWAPDIFF_CACHE_DIR").unwrap_or_else(|_| format!("{}/target", env!("CARGO_MANIFEST_DIR")));
    let temp = std::env::temp_dir().to_string_lossy().into_owned();
    let forbidden = [
        exported.to_string_lossy().into_owned(),
        copy.to_string_lossy().into_owned(),
        env!("CARGO_MANIFEST_DIR").to_string(),
        cache,
        temp,
    ];
    let files = files_under(&copy);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for path in &forbidden {
            assert!(!contains(&bytes, path), "{} names {path}", f.display());
        }
        // Nor any absolute include or -I.
        assert!(!contains(&bytes, "#include \"/") && !contains(&bytes, "-I/"), "{}", f.display());
    }
    // The extract is there at its kernel paths, with its #line provenance.
    for k in cshim::primary().kernel_files {
        let copied = std::fs::read_to_string(copy.join("kernel").join(k.kernel_path)).unwrap();
        let provenance = format!(" \"{}\"", k.kernel_path);
        assert!(copied.lines().any(|l| l.starts_with("#line ") && l.ends_with(&provenance)), "{}", k.kernel_path);
        assert!(k.matches(copied.as_bytes()), "{} is the build's", k.kernel_path);
    }

    let made = Command::new("make").current_dir(&copy).output().unwrap();
    assert!(made.status.success(), "make:\n{}", text(&made));
    let ran = Command::new("./repro").current_dir(&copy).output().unwrap();
    assert!(ran.status.success(), "./repro:\n{}", text(&ran));
    let stdout = String::from_utf8_lossy(&ran.stdout);

    // The repro's calls are the finding's executed steps up to the divergent one; each prints
    // `<n>  <op> -> <ret>`, and ret must be what the kernel (the `actual` side) returned for that
    // step when swapdiff ran the filed program.
    let upto = run.divergence.as_ref().map_or(run.steps.len(), |d| (d.step + 1).min(run.steps.len()));
    assert!(upto >= 2, "a real program: {upto} steps");
    let printed: Vec<(usize, i64)> = stdout
        .lines()
        .filter_map(|l| {
            let (n, rest) = l.trim_start().split_once("  ")?;
            let ret = rest.rsplit_once(" -> ")?.1.trim().parse().ok()?;
            Some((n.parse().ok()?, ret))
        })
        .collect();
    let want: Vec<(usize, i64)> = run.steps[..upto]
        .iter()
        .enumerate()
        .map(|(i, s)| (i + 1, s.actual.as_ref().expect("recorded").ret()))
        .collect();
    assert_eq!(printed, want, "repro output:\n{stdout}");
    let mut distinct: Vec<i64> = want.iter().map(|(_, r)| *r).collect();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() >= 2, "steps that all return alike would not tell them apart: {want:?}");
    // And the state the finding is about: the kernel's page 1 after the restore, as recorded.
    let d = run.divergence.as_ref().expect("the filed program diverges");
    assert!(d.mismatch.actual.starts_with("flags "), "{}", d.mismatch.actual);
    assert!(
        stdout.contains(&format!("folio f0 page 1 {}", d.mismatch.actual)),
        "want `{}` in:\n{stdout}",
        d.mismatch.actual
    );
    // SWAPDIFF_KEEP_EXPORT=1 keeps the copy to look at (its path is in the temporary directory).
    if std::env::var_os("SWAPDIFF_KEEP_EXPORT").is_none() {
        std::fs::remove_dir_all(&second).unwrap();
    }
}

/// A finding directory with only the files that say which build it needs (no kernel run): what
/// the export reads before it writes anything.
fn fake_finding(root: &Path, name: &str, program: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("program.txt"), program).unwrap();
    std::fs::write(dir.join("repro.c"), "/*\n * swapdiff reproducer\n */\nint main(void) { return 0; }\n").unwrap();
    dir
}

fn stock_program() -> String {
    // findings::program_text's header of a finding on this (stock) build.
    format!("# swapdiff finding: a/b/c\n# kernel: {} (stock)\nmode raw\nswapon 1\n", cshim::primary().kernel_version)
}

#[test]
fn an_unusable_finding_or_directory_is_exit_2_and_nothing_is_overwritten() {
    let root = fresh("errors");
    let fails = |o: Output, what: &str| {
        assert_eq!(o.status.code(), Some(2), "{what}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(err.contains(what), "want `{what}` in: {err}");
        assert!(!err.contains("panicked"), "{err}");
    };
    fails(export(&root.join("nothing"), &root.join("out")), "no finding at");
    std::fs::create_dir_all(root.join("empty")).unwrap();
    fails(export(&root.join("empty"), &root.join("out")), "has no program.txt");
    let unrecorded = fake_finding(&root, "unrecorded", "# swapdiff finding: a/b/c\nmode raw\nswapon 1\n");
    fails(export(&unrecorded, &root.join("out")), "does not record the kernel build");

    // DIR exists with a file of the user's: refused, the file untouched, nothing added.
    let stock = fake_finding(&root, "stock", &stock_program());
    let taken = root.join("taken");
    std::fs::create_dir_all(&taken).unwrap();
    std::fs::write(taken.join("mine.txt"), "keep me").unwrap();
    fails(export(&stock, &taken), "exists and is not empty");
    assert_eq!(std::fs::read_to_string(taken.join("mine.txt")).unwrap(), "keep me");
    assert_eq!(std::fs::read_dir(&taken).unwrap().count(), 1);
    // An empty DIR is used (rename(2) replaces an empty directory): the export lands in it.
    let empty = root.join("empty-out");
    std::fs::create_dir_all(&empty).unwrap();
    let o = export(&stock, &empty);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(empty.join("Makefile").is_file() && empty.join("repro.c").is_file());
    // A file where DIR should be.
    fails(export(&stock, &taken.join("mine.txt")), "exists and is not a directory");

    // A build this binary does not link: refused, saying which one it needs; never the wrong one.
    let key = "patched-00000000deadbeef";
    let patched = fake_finding(
        &root,
        "patched",
        &format!(
            "# swapdiff finding: a/b/c\n# kernel: {} + bug.patch (patch set {key})\nmode raw\n",
            cshim::primary().kernel_version
        ),
    );
    let o = export(&patched, &root.join("out"));
    fails(o.clone(), &format!("patch set {key} (patches: bug.patch)"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(cshim::primary().name) && err.contains("check-patch bug.patch"), "{err}");
    // The same patch set from another kernel source: another build.
    let other = fake_finding(&root, "other-source", &stock_program());
    std::fs::write(other.join("README.md"), "- source hash: 0123456789abcdef\n").unwrap();
    fails(export(&other, &root.join("out")), "source hash 0123456789abcdef");
    assert!(!root.join("out").exists(), "no refused export left a directory");
    std::fs::remove_dir_all(&root).unwrap();
}

/// A stand-in variant binary, a shell script running `body` with `$LOG` naming its log, at
/// target/variants/<key>/release/swapdiff where export looks for one: (key, its directory,
/// the log).
fn stand_in_variant(name: &str, body: &str) -> (String, PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let key = format!("patched-{name}{}", std::process::id());
    let variant = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/variants").join(&key);
    let bin = variant.join("release/swapdiff");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    let log = variant.join("called.txt");
    std::fs::write(&bin, format!("#!/bin/sh\nLOG='{}'\n{body}\n", log.display())).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    (key, variant, log)
}

/// A finding header of patch set `key` on this kernel version.
fn patched_program(key: &str) -> String {
    format!(
        "# swapdiff finding: a/b/c\n# kernel: {} + x.patch (patch set {key})\nmode raw\n",
        cshim::primary().kernel_version
    )
}

#[test]
fn a_finding_of_another_patch_set_is_exported_by_that_variants_binary() {
    // check-patch builds a variant's binary in target/variants/<key>[-asan]/; an export of a
    // finding of that patch set through the stock binary hands over to it. A stand-in binary
    // (a script) records how it was called; like a swapdiff that has `export`, it answers
    // `export --help` (the probe for a variant built before export existed) with success.
    let (key, variant, log) = stand_in_variant(
        "exporttest",
        "[ \"$2\" = --help ] && exit 0\necho \"$SWAPDIFF_EXPORT_DELEGATED $@\" > \"$LOG\"\nexit 7",
    );
    let root = fresh("delegate");
    let finding = fake_finding(&root, "patched", &patched_program(&key));
    let o = export(&finding, &root.join("out"));
    let called = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&variant);
    // Its exit code is the export's; it was asked for the same finding and directory, as
    // absolute paths, and told not to hand over again.
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    let want = format!("1 export {} -o {}", finding.display(), root.join("out").display());
    assert_eq!(called.trim(), want);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_variant_binary_without_export_is_named_and_not_run() {
    // A variant built before `swapdiff export` existed answers "unrecognized subcommand"
    // (clap's exit 2): the export says so and how to rebuild, instead of passing that on.
    let (key, variant, log) = stand_in_variant("exportold", "echo \"$@\" >> \"$LOG\"\nexit 2");
    let root = fresh("old-variant");
    let finding = fake_finding(&root, "patched", &patched_program(&key));
    let o = export(&finding, &root.join("out"));
    let called = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&variant);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("predates `swapdiff export`"), "{}", text(&o));
    // Only the probe ran; no export was asked of it.
    assert_eq!(called.trim(), "export --help");
    assert!(!root.join("out").exists());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_crash_finding_filed_without_repro_c_gets_one_from_its_program() {
    if Command::new("clang").arg("--version").output().is_err()
        || Command::new("make").arg("--version").output().is_err()
    {
        eprintln!("SKIPPED: clang or make is not installed (make install-deps installs both)");
        return;
    }
    // A crash finding as src/abnormal.rs files it: program.txt without a kernel line, the
    // README's kernel section holding `swapdiff build-info`, no repro.c. Stock 6.12 does not
    // crash on this program, so the repro runs it to the end: every step is compared. It is a
    // contract-mode program: the repro calls the steps as steered, not the ops as written.
    let root = fresh("crash");
    let finding = root.join("swap_duplicate--crash--swap_duplicate");
    std::fs::create_dir_all(&finding).unwrap();
    let seed = std::fs::read_to_string("corpus/seeds/01-duplicate-basic.txt").unwrap();
    std::fs::write(
        finding.join("program.txt"),
        format!("# swapdiff finding: swap_duplicate/crash/swap_duplicate\n{seed}"),
    )
    .unwrap();
    let info = swapdiff(&["build-info".as_ref()]);
    let info = String::from_utf8_lossy(&info.stdout);
    std::fs::write(finding.join("README.md"), format!("# swapdiff: x\n\n## Kernel\n\n```text\n{info}```\n")).unwrap();

    let out = root.join("export");
    let o = export(&finding, &out);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Not a sanitizer finding: built without them by default.
    assert!(std::fs::read_to_string(out.join("Makefile")).unwrap().contains("\nSANITIZE = \n"));
    let made = Command::new("make").current_dir(&out).output().unwrap();
    assert!(made.status.success(), "make:\n{}", text(&made));
    let ran = Command::new("./repro").current_dir(&out).output().unwrap();
    assert!(ran.status.success(), "./repro:\n{}", text(&ran));
    let stdout = String::from_utf8_lossy(&ran.stdout);

    // The steps and returns of the swapdiff run of that program on the kernel.
    let program = parse(&seed).unwrap();
    let mut oracle = Pair::of(ModelEngine::new(), KernelEngine::acquire());
    let run = oracle.run(&program, Options { record: true, ..Options::default() });
    assert!(run.divergence.is_none(), "stock agrees with the model on a seed");
    let printed: Vec<(usize, i64)> = stdout
        .lines()
        .filter_map(|l| {
            let (n, rest) = l.trim_start().split_once("  ")?;
            Some((n.parse().ok()?, rest.rsplit_once(" -> ")?.1.trim().parse().ok()?))
        })
        .collect();
    let want: Vec<(usize, i64)> =
        run.steps.iter().enumerate().map(|(i, s)| (i + 1, s.actual.as_ref().expect("recorded").ret())).collect();
    assert_eq!(printed, want, "repro output:\n{stdout}");
    assert!(want.iter().any(|(_, r)| *r != 0), "returns that differ tell the steps apart: {want:?}");
    std::fs::remove_dir_all(&root).unwrap();
}
