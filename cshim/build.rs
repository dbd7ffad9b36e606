//! Build script of cshim: extract the kernel files, compile them with our
//! shim as one C translation unit, and generate the Rust bindings of
//! swapdiff.h.
//!
//! Errors end the build with a panic: that is how a build script reports a
//! failure, and the message says what to fix.

#[path = "build/c_flags.rs"]
mod c_flags;
#[path = "build/generated.rs"]
mod generated;

use std::env;
use std::path::{Path, PathBuf};

/// Environment variables that change what we build (besides CC/CFLAGS,
/// which c_flags reads, and the cargo-provided CARGO_* ones).
const OUR_ENV: &[&str] = &[
    "SWAPDIFF_KERNEL_SRC",
    "SWAPDIFF_PATCHES",
    "SWAPDIFF_CACHE_DIR",
    "SWAPDIFF_C_SANITIZE",
    "SWAPDIFF_C_COVERAGE",
    "CC",
    "CFLAGS",
];

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for var in OUR_ENV {
        println!("cargo:rerun-if-env-changed={var}");
    }
    for path in ["build.rs", "build", "include", "src/kernel_612.c", "src/c", "manifest"] {
        println!("cargo:rerun-if-changed={}", crate_dir.join(path).display());
    }

    let extracted = extract(&crate_dir);
    generated::write_files_header(&out_dir, &extracted);
    generated::write_build_info_header(&out_dir, &extracted.version);

    let flags = c_flags::select(&c_flags::Inputs::from_env());
    compile_c(&crate_dir, &out_dir, &flags);
    generate_bindings(&crate_dir, &out_dir);

    println!("cargo:rustc-env=SWAPDIFF_KERNEL_VERSION={}", extracted.version);
    println!("cargo:rustc-env=SWAPDIFF_SOURCE_HASH={}", extracted.source_hash);
    println!("cargo:rustc-env=SWAPDIFF_PATCHES_APPLIED={}", extracted.patches.join(";"));
    println!("cargo:rustc-env=SWAPDIFF_BUILD_FLAGS={}", flags.describe());
    println!("cargo:rustc-env=SWAPDIFF_C_STANDALONE={}", standalone_command(&crate_dir, &out_dir));
}

/// Runs swapdiff-extract over the manifest, into the shared cache.
fn extract(crate_dir: &Path) -> swapdiff_extract::Extracted {
    let workspace = crate_dir.parent().expect("cshim lives inside the workspace");
    let cache_dir = env::var_os("SWAPDIFF_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target").join("kernel-cache"));
    let manifest = crate_dir.join("manifest").join("kernel.toml");
    let request = swapdiff_extract::request_from_env(manifest, cache_dir);
    let extracted = match swapdiff_extract::prepare(&request) {
        Ok(extracted) => extracted,
        Err(err) => panic!("\n\nswapdiff: extracting the kernel source failed:\n  {err}\n\n"),
    };
    for input in &extracted.inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    for function in &extracted.changed_functions {
        println!("cargo:warning=patched kernel function: {function}");
    }
    for note in &extracted.notes {
        println!("cargo:warning={note}");
    }
    extracted
}

/// The command that compiles the same kernel translation unit into a
/// standalone program (reproducers append their own file and `-o`). No fuzz
/// or sanitizer instrumentation: those need runtimes a plain program lacks.
fn standalone_command(crate_dir: &Path, out_dir: &Path) -> String {
    let mut words: Vec<String> = vec!["clang".into(), "-O1".into(), "-g".into(), "-w".into()];
    words.extend(c_flags::KERNEL_SEMANTICS.iter().map(|s| s.to_string()));
    for dir in [crate_dir.join("include"), crate_dir.join("include/kstub"), crate_dir.join("src"), out_dir.to_path_buf()] {
        words.push(format!("-I{}", dir.display()));
    }
    words.push(crate_dir.join("src/kernel_612.c").display().to_string());
    words.join(" ")
}

fn compile_c(crate_dir: &Path, out_dir: &Path, flags: &c_flags::Flags) {
    let mut build = cc::Build::new();
    if flags.use_clang {
        build.compiler("clang");
    }
    build
        .file(crate_dir.join("src/kernel_612.c"))
        .include(crate_dir.join("include"))
        .include(crate_dir.join("include/kstub"))
        .include(crate_dir.join("src"))
        .include(out_dir)
        .opt_level(2)
        .debug(true)
        .warnings(true)
        .extra_warnings(true);
    for flag in &flags.added {
        build.flag(flag);
    }
    build.compile("swapdiff_kernel");
}

fn generate_bindings(crate_dir: &Path, out_dir: &Path) {
    let header = crate_dir.join("include/swapdiff.h");
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .allowlist_function("sd_.*")
        .allowlist_type("sd_.*")
        .allowlist_var("SD_.*")
        .formatter(bindgen::Formatter::None)
        .generate()
        .unwrap_or_else(|err| panic!("\n\nswapdiff: bindgen over {} failed: {err}\n\n", header.display()));
    bindings
        .write_to_file(out_dir.join("swapdiff_bindings.rs"))
        .unwrap_or_else(|err| panic!("swapdiff: cannot write the bindings into {}: {err}", out_dir.display()));
}
