//! Build script of cshim: extract the kernel files of each build (stock, or the base and the
//! patched one: swapdiff_extract::builds_from_env), compile each with our shim as its own C
//! translation unit, symbol-isolated (build/isolate.rs), and generate the Rust bindings of
//! swapdiff.h, the entry-point table (build/api.rs) and the list of builds.
//!
//! Errors end the build with a panic: that is how a build script reports a
//! failure, and the message says what to fix.

#[path = "build/api.rs"]
mod api;
#[path = "build/c_flags.rs"]
mod c_flags;
#[path = "build/generated.rs"]
mod generated;
#[path = "build/isolate.rs"]
mod isolate;
#[path = "build/series.rs"]
mod series;

use std::env;
use std::path::{Path, PathBuf};

/// Environment variables that change what we build (besides CC/CFLAGS,
/// which c_flags reads, and the cargo-provided CARGO_* ones).
const OUR_ENV: &[&str] = &[
    "SWAPDIFF_KERNEL_SRC",
    "SWAPDIFF_KERNEL_SRC_612",
    "SWAPDIFF_KERNEL_SRC_72",
    "SWAPDIFF_BASE_PATCHES",
    "SWAPDIFF_PATCHES",
    "SWAPDIFF_CACHE_DIR",
    "SWAPDIFF_C_SANITIZE",
    "SWAPDIFF_C_COVERAGE",
    "CC",
    "CFLAGS",
];

/// One build on its way: where its generated headers live, its series' C face, and what Rust
/// will know of it.
struct Planned {
    dir: PathBuf,
    face: &'static series::Face,
    record: generated::BuildRecord,
}

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for var in OUR_ENV {
        println!("cargo:rerun-if-env-changed={var}");
    }
    for path in ["build.rs", "build", "include", "src/kernel_612.c", "src/kernel_72.c", "src/c", "src/c72", "manifest"]
    {
        println!("cargo:rerun-if-changed={}", crate_dir.join(path).display());
    }

    let api_headers: Vec<String> = series::FACES
        .iter()
        .map(|face| api::header_text(face, &api::functions(&crate_dir.join(face.api_header), face.prefix)))
        .collect();
    let manifest = crate_dir.join("manifest").join("kernel.toml");
    let cache_dir = cache_dir(&crate_dir);
    let mut planned: Vec<Planned> = Vec::new();
    for request in swapdiff_extract::builds_from_env(manifest.clone(), cache_dir.clone()) {
        let index = planned.len();
        planned.push(plan(&crate_dir, &out_dir, index, &request, &api_headers));
    }
    // Every series the crate knows is linked: the builds of the source under test, and a stock
    // build of each other series from its own source.
    let fetched = env::var_os("SWAPDIFF_KERNEL_SOURCES")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.parent().expect("in the workspace").join("target").join("kernel-sources"));
    println!("cargo:rerun-if-env-changed=SWAPDIFF_KERNEL_SOURCES");
    // A tarball fetched later replaces the fallback (a missing path would rerun every build).
    if fetched.is_dir() {
        println!("cargo:rerun-if-changed={}", fetched.display());
    }
    for companion in swapdiff_extract::companion_requests(manifest, cache_dir, &fetched) {
        // `none` leaves a series out on purpose (the OSS-Fuzz image has only 6.12 so far).
        // A series whose face a build already has (7.3 under test covers 7.x) needs no
        // companion: the face's list holds the build under test.
        let face = series::face_of(companion.series).map(|i| &series::FACES[i]);
        if planned.iter().any(|p| face.is_some_and(|f| f.prefix == p.face.prefix))
            || env::var(companion.env).as_deref() == Ok("none")
        {
            continue;
        }
        let source = companion.request.source.as_deref().expect("a companion names its source");
        if !source.exists() {
            panic!(
                "\n\nswapdiff: the Linux {} source is missing: {} does not exist.\n  \
                 Fetch it with `{}`, or name a tree or tarball in {}.\n\n",
                companion.series,
                source.display(),
                companion.fetch_hint,
                companion.env
            );
        }
        let index = planned.len();
        planned.push(plan(&crate_dir, &out_dir, index, &companion.request, &api_headers));
    }

    let flags = c_flags::select(&c_flags::Inputs::from_env());
    compile_c(&crate_dir, &planned, &flags);
    let tables: Vec<(usize, &series::Face, &Path)> =
        planned.iter().map(|p| (p.record.index, p.face, p.dir.as_path())).collect();
    generated::write_bindings_header(&out_dir, &tables);
    generate_bindings(&crate_dir, &out_dir);
    let records: Vec<(&'static series::Face, generated::BuildRecord)> =
        planned.into_iter().map(|p| (p.face, p.record)).collect();
    generated::write_builds_rs(
        &out_dir,
        &records,
        &crate_dir,
        &generated::shim_files(&crate_dir),
        c_flags::KERNEL_SEMANTICS,
    );

    // The crate-level constants keep meaning the 6.12 build under test: the last 6.12 one.
    let primary =
        records.iter().rev().find(|(face, _)| face.prefix == series::FACES[0].prefix).map(|(_, r)| r).unwrap_or_else(
            || panic!("\n\nswapdiff: no 6.12 build is linked (SWAPDIFF_KERNEL_SRC_612 names its source)\n\n"),
        );
    println!("cargo:rustc-env=SWAPDIFF_KERNEL_VERSION={}", primary.version);
    println!("cargo:rustc-env=SWAPDIFF_SOURCE_HASH={}", primary.source_hash);
    println!("cargo:rustc-env=SWAPDIFF_PATCHES_APPLIED={}", primary.patches.join(";"));
    println!("cargo:rustc-env=SWAPDIFF_BUILD_FLAGS={}", flags.describe());
    println!("cargo:rustc-env=SWAPDIFF_C_STANDALONE={}", primary.standalone);
}

/// Where extracts are cached.
fn cache_dir(crate_dir: &Path) -> PathBuf {
    let workspace = crate_dir.parent().expect("cshim lives inside the workspace");
    env::var_os("SWAPDIFF_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target").join("kernel-cache"))
}

/// Extracts build `index` and writes its headers into OUT_DIR/build<index>; the extract's
/// series picks the C face it compiles with.
fn plan(
    crate_dir: &Path,
    out_dir: &Path,
    index: usize,
    request: &swapdiff_extract::Request,
    api_headers: &[String],
) -> Planned {
    let extracted = extract(request);
    let face_index = series::face_of(&extracted.series).unwrap_or_else(|| {
        panic!(
            "\n\nswapdiff: the source is Linux {} (series {}); swapdiff builds series {}\n\n",
            extracted.version,
            extracted.series,
            series::FACES.iter().map(|f| f.series).collect::<Vec<_>>().join(", ")
        )
    });
    let face = &series::FACES[face_index];
    let api = &api_headers[face_index];
    let dir = out_dir.join(format!("build{index}"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("swapdiff: cannot create {}: {err}", dir.display()));
    // The key over the bytes of every patch applied, base patches included: the extractor
    // has read them all already, so they are readable.
    let bytes: Vec<Vec<u8>> = request
        .patches
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|err| panic!("swapdiff: cannot read {}: {err}", p.display())))
        .collect();
    let patch_key = swapdiff_extract::patch_set_key(&bytes);
    let name = format!("{}+{patch_key}", extracted.version);
    generated::write_files_header(&dir, &extracted);
    let info = generated::write_build_info_header(&dir, &extracted.version, index, &name, face);
    generated::write(&dir.join(face.api_file), api);
    let record = generated::BuildRecord {
        index,
        series: extracted.series.clone(),
        name,
        version: extracted.version.clone(),
        source_hash: extracted.source_hash.clone(),
        patch_key,
        patches: extracted.patches.clone(),
        standalone: standalone_command(crate_dir, &dir, face),
        kernel_files: generated::kernel_file_records(&extracted),
        headers: vec![("sd_build_info.h".into(), info), (face.api_file.into(), api.to_string())],
    };
    Planned { dir, face, record }
}

/// Runs swapdiff-extract for one build, into the shared cache.
fn extract(request: &swapdiff_extract::Request) -> swapdiff_extract::Extracted {
    let extracted = match swapdiff_extract::prepare(request) {
        Ok(extracted) => extracted,
        Err(err) => panic!("\n\nswapdiff: extracting the kernel source failed:\n  {err}\n\n"),
    };
    for input in &extracted.inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    // The extract itself too: when the cache is cleaned, the next build extracts again (the
    // build's records name these files, and `swapdiff export` copies them).
    for file in &extracted.files {
        println!("cargo:rerun-if-changed={}", file.output.display());
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
fn standalone_command(crate_dir: &Path, build_dir: &Path, face: &series::Face) -> String {
    let mut words: Vec<String> = vec!["clang".into(), "-O1".into(), "-g".into(), "-w".into()];
    words.extend(c_flags::KERNEL_SEMANTICS.iter().map(|s| s.to_string()));
    for dir in [crate_dir.join("include"), crate_dir.join(face.kstub), crate_dir.join("src"), build_dir.to_path_buf()] {
        words.push(format!("-I{}", dir.display()));
    }
    words.push(crate_dir.join(face.tu).display().to_string());
    words.join(" ")
}

/// Compiles every build's TU (in parallel: one compiler each), isolates each build's symbols
/// and archives them all into libswapdiff_kernel.a.
fn compile_c(crate_dir: &Path, planned: &[Planned], flags: &c_flags::Flags) {
    let objcopy = isolate::find_objcopy();
    let objects: Vec<Vec<PathBuf>> = std::thread::scope(|scope| {
        let jobs: Vec<_> =
            planned.iter().map(|p| scope.spawn(|| compile_build(crate_dir, &p.dir, p.face, flags, &objcopy))).collect();
        jobs.into_iter().map(|job| job.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut archive = cc::Build::new();
    if flags.use_clang {
        archive.compiler("clang");
    }
    archive.objects(objects.iter().flatten()).compile("swapdiff_kernel");
}

/// One build's objects, compiled in its own directory and localized.
fn compile_build(
    crate_dir: &Path,
    dir: &Path,
    face: &series::Face,
    flags: &c_flags::Flags,
    objcopy: &Path,
) -> Vec<PathBuf> {
    let mut build = cc::Build::new();
    if flags.use_clang {
        build.compiler("clang");
    }
    build
        .file(crate_dir.join(face.tu))
        .include(crate_dir.join("include"))
        .include(crate_dir.join(face.kstub))
        .include(crate_dir.join("src"))
        .include(dir)
        .out_dir(dir)
        .opt_level(2)
        .debug(true)
        .warnings(true)
        .extra_warnings(true);
    for flag in &flags.added {
        build.flag(flag);
    }
    // Everything but the table (visibility("default") in the TU) stays in this build.
    build.flag("-fvisibility=hidden");
    let objects = build.compile_intermediates();
    isolate::localize_hidden(objcopy, &objects);
    objects
}

fn generate_bindings(crate_dir: &Path, out_dir: &Path) {
    let header = out_dir.join("sd_bindings.h");
    // No functions: every sd_* definition is local to its build's object; Rust reaches them
    // through the tables (sd_api_<n>).
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .clang_arg(format!("-I{}", crate_dir.join("include").display()))
        .allowlist_type("sd_.*")
        .allowlist_type("sd72_.*")
        .allowlist_var("SD_.*")
        .allowlist_var("SD72_.*")
        .allowlist_var("sd_api_.*")
        .allowlist_var("sd72_api_.*")
        .formatter(bindgen::Formatter::None)
        .generate()
        .unwrap_or_else(|err| panic!("\n\nswapdiff: bindgen over {} failed: {err}\n\n", header.display()));
    bindings
        .write_to_file(out_dir.join("swapdiff_bindings.rs"))
        .unwrap_or_else(|err| panic!("swapdiff: cannot write the bindings into {}: {err}", out_dir.display()));
}
