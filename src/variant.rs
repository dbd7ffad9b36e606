//! Building swapdiff for a patched kernel, in its own target directory named
//! by the patch set's content key (and whether it is sanitized), so the
//! stock build is untouched and one patch set is built once.
//!
//! A sanitized variant compiles the kernel C with ASan and UBSan
//! (SWAPDIFF_C_SANITIZE, read by cshim's build) and links the sanitizer
//! runtime into the Rust binary with clang as the linker. The Rust code is
//! not instrumented: the model is not under test, and a stable toolchain
//! suffices. `--target` keeps the flags off build scripts and proc macros.

use crate::identity::{host_target, variant_key};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Variant {
    pub bin: PathBuf,
    /// The variant's key (`identity::variant_key`: "stock", "patched-<hash>",
    /// or with base patches "patched-<hash>-on-patched-<hash>").
    pub key: String,
    pub sanitized: bool,
}

/// The swapdiff workspace this binary was built from.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the variant of `key` builds.
pub fn target_dir(key: &str, sanitized: bool) -> PathBuf {
    let root = workspace();
    match (key, sanitized) {
        ("stock", false) => root.join("target"),
        (key, false) => root.join("target/variants").join(key),
        (key, true) => root.join("target/variants").join(format!("{key}-asan")),
    }
}

/// The series a check-patch run is for: `--series`, else the one whose source the base
/// patches and then the patches apply to (swapdiff_extract::detect_series).
pub fn patch_series(base: &[PathBuf], patches: &[PathBuf], named: Option<&str>) -> Result<&'static str, String> {
    if let Some(named) = named {
        let series = crate::caller::engines::parse_series(named)?;
        return match series.as_slice() {
            [one] => Ok(one),
            _ => Err("check-patch --series names one series".into()),
        };
    }
    let root = workspace();
    let cache = std::env::var_os("SWAPDIFF_CACHE_DIR").map_or_else(|| root.join("target/kernel-cache"), PathBuf::from);
    let fetched =
        std::env::var_os("SWAPDIFF_KERNEL_SOURCES").map_or_else(|| root.join("target/kernel-sources"), PathBuf::from);
    let companions = swapdiff_extract::companion_requests(root.join("cshim/manifest/kernel.toml"), cache, &fetched);
    let all: Vec<PathBuf> = base.iter().chain(patches).cloned().collect();
    match swapdiff_extract::detect_series(&all, &companions)? {
        Some(s) => Ok(s),
        // mteswap.c is the same in every series: such a patch is checked on 6.12, the
        // default, unless --series says otherwise.
        None => {
            eprintln!("swapdiff: the patches apply to several series; checking them on 6.12 (--series 7.2 for 7.2)");
            Ok("6.12")
        }
    }
}

/// The 7.2 source a 7.2 patch applies to: SWAPDIFF_KERNEL_SRC_72, else the tarball
/// `scripts/fetch-kernel-source.sh 7.2` fetched (SWAPDIFF_KERNEL_SOURCES, else
/// target/kernel-sources), else the system's /usr/src one.
pub fn source_72() -> PathBuf {
    let fetched = std::env::var_os("SWAPDIFF_KERNEL_SOURCES")
        .map_or_else(|| workspace().join("target/kernel-sources"), PathBuf::from);
    std::env::var_os("SWAPDIFF_KERNEL_SRC_72")
        .map(PathBuf::from)
        .unwrap_or_else(|| swapdiff_extract::default_source_72(&fetched))
}

/// Builds the swapdiff CLI for `patches` over `base` and returns it: its
/// kernel builds are `base` alone (stock when empty) and, when `patches` is
/// not empty, `base` then `patches` (SWAPDIFF_BASE_PATCHES, SWAPDIFF_PATCHES).
/// Progress goes to stderr; a patch that does not apply ends in an error
/// naming it.
pub fn build_variant(base: &[PathBuf], patches: &[PathBuf], sanitize: bool) -> Result<Variant, String> {
    build_variant_on(None, base, patches, sanitize)
}

/// [`build_variant`] of another series: `source` (a 7.2 tree or tarball) is the kernel the
/// patches apply to (SWAPDIFF_KERNEL_SRC of the build); its key says so (`...-on-7.2`).
pub fn build_variant_on(
    source: Option<(&str, &Path)>,
    base: &[PathBuf],
    patches: &[PathBuf],
    sanitize: bool,
) -> Result<Variant, String> {
    let mut key = variant_key(base, patches)?;
    if let Some((series, _)) = source {
        key = format!("{key}-on-{series}");
    }
    let tdir = target_dir(&key, sanitize);
    let joined = std::env::join_paths(patches).map_err(|e| format!("patch paths: {e}"))?;
    let joined_base = std::env::join_paths(base).map_err(|e| format!("base patch paths: {e}"))?;
    let what = if sanitize { "ASan+UBSan " } else { "" };
    eprintln!("swapdiff: building the {key} kernel and CLI ({what}build) in {} ...", tdir.display());
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["build", "--release", "-q", "--bin", "swapdiff"])
        .current_dir(workspace())
        .env("CARGO_TARGET_DIR", &tdir)
        .env("SWAPDIFF_PATCHES", joined)
        .env("SWAPDIFF_BASE_PATCHES", joined_base)
        .env_remove("SWAPDIFF_C_SANITIZE")
        .env_remove("SWAPDIFF_KERNEL_SRC")
        .stderr(Stdio::piped());
    if let Some((_, src)) = source {
        cmd.env("SWAPDIFF_KERNEL_SRC", src);
    } else if let Some(src) = std::env::var_os("SWAPDIFF_KERNEL_SRC") {
        cmd.env("SWAPDIFF_KERNEL_SRC", src);
    }
    let bin = if sanitize {
        cmd.args(["--target", host_target()])
            .env("SWAPDIFF_C_SANITIZE", "address,undefined")
            .env("RUSTFLAGS", "-Clinker=clang -Clink-arg=-fsanitize=address,undefined");
        tdir.join(host_target()).join("release/swapdiff")
    } else {
        cmd.env_remove("RUSTFLAGS");
        tdir.join("release/swapdiff")
    };
    let (status, stderr) = run_build(&mut cmd)?;
    if !status.success() {
        let err = String::from_utf8_lossy(&stderr);
        let why: Vec<&str> = err
            .lines()
            .filter(|l| l.len() < 2000)
            .filter(|l| ["swapdiff", "patch", "FAILED", "error", "undefined reference"].iter().any(|w| l.contains(w)))
            .collect();
        let shown = if why.is_empty() {
            err.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect()
        } else {
            why
        };
        return Err(format!("building the patched kernel failed:\n{}", shown.join("\n")));
    }
    Ok(Variant { bin, key, sanitized: sanitize })
}

/// Runs the cargo build, its stderr collected; an interrupt (`interrupt::requested`) stops
/// it (cargo and the compilers it started: its own process group) and is an error, so a
/// command interrupted while building never goes on to hunt.
fn run_build(cmd: &mut Command) -> Result<(std::process::ExitStatus, Vec<u8>), String> {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    let mut child = cmd.process_group(0).spawn().map_err(|e| format!("cannot run cargo: {e}"))?;
    let mut stderr = child.stderr.take().ok_or("cargo has no stderr")?;
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stderr.read_to_end(&mut all);
        all
    });
    let mut stopped = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("waiting for cargo: {e}"))? {
            break status;
        }
        if !stopped && crate::interrupt::requested() {
            let group = rustix::process::Pid::from_child(&child);
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::TERM);
            stopped = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let stderr = reader.join().unwrap_or_default();
    if stopped || crate::interrupt::requested() {
        return Err("interrupted while building".into());
    }
    Ok((status, stderr))
}

/// The environment a sanitized child runs in: reports symbolized (kernel
/// file and line), the first UB fatal, a stack trace on SIGABRT too (the
/// supervisor ends an overrunning child with it: the trace shows where it
/// was stuck), no leak check at exit (the harness compares live allocations
/// itself; LSan would also flag the Rust side's process-lifetime
/// allocations). Options the user set come last and win.
pub fn sanitizer_env(cmd: &mut Command) {
    let user = |var: &str| std::env::var(var).map(|v| format!(":{v}")).unwrap_or_default();
    cmd.env(
        "ASAN_OPTIONS",
        format!("detect_leaks=0:symbolize=1:handle_abort=1:print_summary=1{}", user("ASAN_OPTIONS")),
    );
    cmd.env("UBSAN_OPTIONS", format!("print_stacktrace=1:halt_on_error=1:symbolize=1{}", user("UBSAN_OPTIONS")));
    if std::env::var_os("ASAN_SYMBOLIZER_PATH").is_none() {
        if let Some(s) = symbolizer() {
            cmd.env("ASAN_SYMBOLIZER_PATH", s);
        }
    }
}

/// llvm-symbolizer from the installed llvm (Debian's `llvm` package puts it
/// on PATH; versioned ones live under /usr/lib/llvm-*/bin).
fn symbolizer() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("llvm-symbolizer")).find(|f| f.is_file()))
        .unwrap_or_default();
    on_path.or_else(|| {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
            .ok()?
            .flatten()
            .map(|d| d.path().join("bin/llvm-symbolizer"))
            .filter(|f| f.is_file())
            .collect();
        found.sort();
        found.pop()
    })
}

/// What a variant binary says about itself (`swapdiff build-info`): its
/// kernel version, patches, patch-set key, C flags.
pub fn build_info(bin: &Path) -> String {
    Command::new(bin)
        .arg("build-info")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}
