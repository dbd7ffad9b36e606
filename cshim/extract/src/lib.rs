//! Extracts the kernel code swapdiff runs from a kernel source tree or tarball at build time.
//!
//! `cshim/build.rs` calls [`prepare`] with each [`Request`] of [`builds_from_env`] (one per
//! kernel build the process links).
//! The manifest (`cshim/manifest/kernel.toml`) says, per kernel series, which files to take and
//! which functions of them; the extractor applies the user's patches, keeps the root functions
//! and everything of the same file they need, and writes C files whose `#line` directives point
//! at the kernel's own file and line. Results are cached by the source's hash, the patches, the
//! manifest and this extractor's code.
//!
//! No kernel text is part of this crate: it only ever reads it from the source at build time.

use std::path::{Path, PathBuf};

mod cache;
pub mod closure;
pub mod emit;
mod error;
mod fingerprint;
pub mod fnhash;
mod generate;
pub mod makefile;
pub mod manifest;
mod meta;
pub mod patch_apply;
mod patch_set;
pub mod patch_split;
mod patching;
pub mod scan;
mod source;
mod tarball;

pub use error::{Error, HunkFailure};
pub use patch_set::patch_set_key;
pub use source::DEFAULT_SOURCE;
pub use tarball::tar_runs_on_this_thread;

/// Environment variables [`builds_from_env`] and [`request_from_env`] read (for
/// `cargo:rerun-if-env-changed`).
pub const ENV_VARS: [&str; 5] = [
    "SWAPDIFF_KERNEL_SRC",
    "SWAPDIFF_BASE_PATCHES",
    "SWAPDIFF_PATCHES",
    "SWAPDIFF_KERNEL_SRC_612",
    "SWAPDIFF_KERNEL_SRC_72",
];

#[derive(Clone, Debug)]
pub struct Request {
    /// A kernel tree directory or a linux-*.tar.xz; None = [`DEFAULT_SOURCE`].
    pub source: Option<PathBuf>,
    /// Unified diffs applied in order with `patch -p1`; empty = the stock source.
    pub patches: Vec<PathBuf>,
    /// `cshim/manifest/kernel.toml`.
    pub manifest: PathBuf,
    /// Where extracts are cached.
    pub cache_dir: PathBuf,
}

#[derive(Clone, Debug)]
pub struct Extracted {
    /// VERSION.PATCHLEVEL.SUBLEVEL + EXTRAVERSION from the top Makefile, e.g. "6.12.117".
    pub version: String,
    /// The manifest series chosen by VERSION.PATCHLEVEL, e.g. "6.12".
    pub series: String,
    /// Hex; identifies the source (tarball bytes, or the needed files of a tree).
    pub source_hash: String,
    /// Hex; the cache key of this variant (source, patches, manifest, extractor code).
    pub variant_key: String,
    /// File names of the patches applied, in order.
    pub patches: Vec<String>,
    pub files: Vec<ExtractedFile>,
    /// Functions whose fingerprint differs from the manifest's.
    pub changed_functions: Vec<String>,
    /// Other warnings (dropped patch sections, hunks applied with fuzz, stale manifest).
    pub notes: Vec<String>,
    /// Files to emit `cargo:rerun-if-changed` for.
    pub inputs: Vec<PathBuf>,
}

#[derive(Clone, Debug)]
pub struct ExtractedFile {
    /// Path in the kernel tree, e.g. "mm/swapfile.c".
    pub kernel_path: String,
    /// The generated C in the cache.
    pub output: PathBuf,
    /// Every function definition emitted: roots and pulled helpers, in file order.
    pub functions: Vec<String>,
}

/// A ':'-separated list of paths from the environment (unset = empty, empty entries ignored).
fn paths_from_env(var: &str) -> Vec<PathBuf> {
    std::env::var_os(var)
        .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default()
}

/// The kernel builds one swapdiff process links, read from the environment once, in link
/// order: the base (the source with SWAPDIFF_BASE_PATCHES applied: none for stock), then, if
/// SWAPDIFF_PATCHES lists any, the build under test (base patches first, then those). So one
/// request without SWAPDIFF_PATCHES, two with it. SWAPDIFF_KERNEL_SRC (unset or empty: the
/// default tarball) is the source of both. Both variables are ':'-separated, empty entries
/// ignored.
///
/// SWAPDIFF_BASE_PATCHES exists so a test can stand in for "stock" with a planted bug and check
/// a fix on top of it (the fix is then judged against the bug, not against 6.12).
pub fn builds_from_env(manifest: PathBuf, cache_dir: PathBuf) -> Vec<Request> {
    let source = std::env::var_os("SWAPDIFF_KERNEL_SRC").filter(|s| !s.is_empty()).map(PathBuf::from);
    let base = paths_from_env("SWAPDIFF_BASE_PATCHES");
    let patches = paths_from_env("SWAPDIFF_PATCHES");
    let request = |patches: Vec<PathBuf>| Request {
        source: source.clone(),
        patches,
        manifest: manifest.clone(),
        cache_dir: cache_dir.clone(),
    };
    let mut requests = vec![request(base.clone())];
    if !patches.is_empty() {
        requests.push(request(base.into_iter().chain(patches).collect()));
    }
    requests
}

/// A stock build of a series other than the one under test: the series, and where its source
/// is expected (absent: the user has not fetched it).
pub struct Companion {
    pub series: &'static str,
    pub request: Request,
    /// The variable that names the source, and what to run when it is missing.
    pub env: &'static str,
    pub fetch_hint: &'static str,
}

/// The default 7.2 source: what `scripts/fetch-kernel-source.sh 7.2` leaves in `fetched_dir`
/// (the build output's `kernel-sources/`), else the Debian package's path.
pub fn default_source_72(fetched_dir: &Path) -> PathBuf {
    let fetched = fetched_dir.join("linux-source-7.2.tar.xz");
    if fetched.is_file() {
        return fetched;
    }
    PathBuf::from("/usr/src/linux-source-7.2.tar.xz")
}

/// The stock builds of every series, each from its own source: SWAPDIFF_KERNEL_SRC_612 (default
/// [`DEFAULT_SOURCE`]) and SWAPDIFF_KERNEL_SRC_72 (default [`default_source_72`]). A process
/// links the builds of [`builds_from_env`] and, for each series they do not cover, its companion,
/// so every series is always there (cross-series runs, `--series`).
pub fn companion_requests(manifest: PathBuf, cache_dir: PathBuf, fetched_dir: &Path) -> Vec<Companion> {
    let from = |var: &str, default: PathBuf| {
        std::env::var_os(var).filter(|s| !s.is_empty()).map(PathBuf::from).unwrap_or(default)
    };
    let request = |source: PathBuf| Request {
        source: Some(source),
        patches: Vec::new(),
        manifest: manifest.clone(),
        cache_dir: cache_dir.clone(),
    };
    vec![
        Companion {
            series: "6.12",
            request: request(from("SWAPDIFF_KERNEL_SRC_612", PathBuf::from(DEFAULT_SOURCE))),
            env: "SWAPDIFF_KERNEL_SRC_612",
            fetch_hint: "scripts/install-deps.sh base (the linux-source-6.12 package)",
        },
        Companion {
            series: "7.2",
            request: request(from("SWAPDIFF_KERNEL_SRC_72", default_source_72(fetched_dir))),
            env: "SWAPDIFF_KERNEL_SRC_72",
            fetch_hint: "scripts/install-deps.sh kernel-7.2",
        },
    ]
}

/// Which series a patch set is for (`patches` in the order a build applies them, base patches
/// first): the companions whose source they apply to (extracting with them, as a build would;
/// the extracts are cached), preferring one they apply to exactly (no hunk moved or fuzzed: a
/// zero-context hunk can land on a like line elsewhere). `Ok(Some)` for exactly one, `Ok(None)`
/// when several fit alike (the caller must be told which), an error naming each series'
/// failure when they apply to none.
pub fn detect_series(patches: &[PathBuf], companions: &[Companion]) -> Result<Option<&'static str>, String> {
    let mut exact = Vec::new();
    let mut applies = Vec::new();
    let mut why = Vec::new();
    for c in companions {
        let source = c.request.source.as_deref().unwrap_or(Path::new(DEFAULT_SOURCE));
        if !source.exists() {
            why.push(format!("{}: no source ({} does not exist; {})", c.series, source.display(), c.fetch_hint));
            continue;
        }
        let req = Request { patches: patches.to_vec(), source: Some(source.to_path_buf()), ..c.request.clone() };
        match prepare(&req) {
            Ok(ex) if ex.series == c.series => {
                // A patch that changes none of the files this series reads "applies" only
                // vacuously (a 7.2 patch of mm/swap_state.c on 6.12, which does not extract
                // it): that is no evidence for the series.
                let vacuous = ex.notes.iter().filter(|n| n.contains("changes none of the extracted files")).count();
                if vacuous == patches.len() {
                    why.push(format!("{}: the patches change none of the files it reads", c.series));
                    continue;
                }
                applies.push(c.series);
                // Exact: no hunk moved or fuzzed, and no part of the patch left out.
                let inexact = |n: &String| n.contains("offset") || n.contains("fuzz") || n.contains("ignored");
                if !ex.notes.iter().any(inexact) {
                    exact.push(c.series);
                }
            }
            Ok(ex) => why.push(format!("{}: {} is series {}", c.series, source.display(), ex.series)),
            Err(e) => why.push(format!("{}: {e}", c.series)),
        }
    }
    if let [one] = exact.as_slice() {
        return Ok(Some(one));
    }
    match applies.as_slice() {
        [one] => Ok(Some(one)),
        [] => {
            let names: Vec<String> = patches.iter().map(|p| p.display().to_string()).collect();
            Err(format!("{} applies to no kernel series swapdiff builds:\n  {}", names.join(" + "), why.join("\n  ")))
        }
        _ => Ok(None),
    }
}

/// The build under test of [`builds_from_env`] (the last one): the source with
/// SWAPDIFF_BASE_PATCHES and then SWAPDIFF_PATCHES applied.
pub fn request_from_env(manifest: PathBuf, cache_dir: PathBuf) -> Request {
    let mut requests = builds_from_env(manifest, cache_dir);
    requests.pop().expect("builds_from_env always returns the base build")
}

/// Produces (or finds in the cache) the extract for `req`.
pub fn prepare(req: &Request) -> Result<Extracted, Error> {
    let manifest_err = |detail: String| Error::Manifest { path: req.manifest.clone(), detail };
    let manifest_bytes = std::fs::read(&req.manifest).map_err(|e| manifest_err(format!("cannot read it: {e}")))?;
    let manifest_text = std::str::from_utf8(&manifest_bytes).map_err(|e| manifest_err(format!("not UTF-8: {e}")))?;
    let manifest = manifest::Manifest::parse(manifest_text, &req.manifest)?;

    let source = source::Source::locate(req.source.as_deref())?;
    // One pass over a tarball fetches the files of every series plus the Makefile (the version,
    // hence the series, is only known once the Makefile is out).
    let mut needed = manifest.all_paths();
    needed.push("Makefile".to_string());
    needed.sort();
    needed.dedup();

    let patches = patching::read_patches(&req.patches)?;
    let source_hash = source.hash(&needed)?;
    let variant_key = variant_key(&source_hash, &manifest_bytes, &patches);
    let mut inputs = vec![req.manifest.clone()];
    inputs.extend(source.inputs(&needed));
    inputs.extend(req.patches.iter().cloned());

    let cache = cache::Cache { dir: req.cache_dir.clone() };
    let dir = cache.variant_dir(&variant_key);
    let mut ex = match meta::read(&dir)? {
        Some(hit) => hit,
        None => {
            // Entries appear complete (renamed into place), so one that does not read back was
            // damaged by hand: rebuild it.
            if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|e| Error::Cache { path: dir.clone(), detail: e.to_string() })?;
            }
            let job = Job {
                source: &source,
                needed: &needed,
                source_hash,
                variant_key,
                manifest: &manifest,
                manifest_path: &req.manifest,
                patches: &patches,
                inputs: &inputs,
            };
            build_variant(&job, &cache)?
        }
    };
    ex.inputs = inputs;
    Ok(ex)
}

/// The cache key of a variant.
fn variant_key(source_hash: &str, manifest: &[u8], patches: &[patching::PatchInput]) -> String {
    let mut h = blake3::Hasher::new();
    h.update(b"swapdiff-extract variant\0");
    h.update(fingerprint::code_identity().as_bytes());
    h.update(source_hash.as_bytes());
    h.update(&(manifest.len() as u64).to_le_bytes());
    h.update(manifest);
    for p in patches {
        h.update(&(p.name.len() as u64).to_le_bytes());
        h.update(p.name.as_bytes());
        h.update(&(p.bytes.len() as u64).to_le_bytes());
        h.update(&p.bytes);
    }
    h.finalize().to_hex()[..32].to_string()
}

struct Job<'a> {
    source: &'a source::Source,
    needed: &'a [String],
    source_hash: String,
    variant_key: String,
    manifest: &'a manifest::Manifest,
    manifest_path: &'a Path,
    patches: &'a [patching::PatchInput],
    /// What the build script is rerun on (the generated files' dates come from them).
    inputs: &'a [PathBuf],
}

/// A cache miss: reach the raw files, pick the series, patch, generate, publish.
fn build_variant(job: &Job, cache: &cache::Cache) -> Result<Extracted, Error> {
    let source_path = job.source.path().to_path_buf();
    let raw = job.source.raw_root(job.needed, &job.source_hash, cache)?;
    let makefile = match std::fs::read(raw.join("Makefile")) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::NoMakefile { source: source_path }),
        Err(e) => return Err(Error::UnreadableSource { path: raw.join("Makefile"), detail: e.to_string() }),
    };
    let kv = makefile::parse_version(&makefile)
        .map_err(|detail| Error::NoVersion { source: source_path.clone(), detail })?;
    let series = job.manifest.series.get(&kv.series).ok_or_else(|| Error::SeriesNotInManifest {
        version: kv.version.clone(),
        series: kv.series.clone(),
        manifest: job.manifest_path.to_path_buf(),
        known: job.manifest.series.keys().cloned().collect(),
    })?;
    let paths: Vec<String> = series.files.iter().map(|f| f.path.clone()).collect();
    for p in &paths {
        if !raw.join(p).is_file() {
            return Err(Error::FileNotInSource { kernel_path: p.clone(), source: source_path });
        }
    }

    let staging = cache.staging("variant")?;
    let mut notes = Vec::new();
    let src_root = if job.patches.is_empty() {
        raw
    } else {
        let work = staging.path.join("work");
        for p in &paths {
            let bytes = std::fs::read(raw.join(p))
                .map_err(|e| Error::UnreadableSource { path: raw.join(p), detail: e.to_string() })?;
            cache::write_file(&work.join(p), &bytes)?;
        }
        notes.extend(patching::apply_all(job.patches, &paths, &work, &staging.path.join("patches"))?);
        work
    };

    let patch_names: Vec<String> = job.patches.iter().map(|p| p.name.clone()).collect();
    let origin = generate::Origin { version: &kv.version, patches: &patch_names };
    let out = staging.path.join("out");
    let final_dir = cache.variant_dir(&job.variant_key);
    let mut files = Vec::new();
    let mut changed = Vec::new();
    for spec in &series.files {
        let path = src_root.join(&spec.path);
        let src =
            std::fs::read(&path).map_err(|e| Error::UnreadableSource { path: path.clone(), detail: e.to_string() })?;
        let g = generate::generate(spec, &src, &origin)?;
        cache::write_file(&out.join(&spec.path), &g.text)?;
        files.push(ExtractedFile {
            kernel_path: spec.path.clone(),
            output: final_dir.join(&spec.path),
            functions: g.functions,
        });
        changed.extend(g.changed);
        notes.extend(g.notes);
    }
    let ex = Extracted {
        version: kv.version,
        series: kv.series,
        source_hash: job.source_hash.clone(),
        variant_key: job.variant_key.clone(),
        patches: patch_names,
        files,
        changed_functions: changed,
        notes,
        inputs: Vec::new(),
    };
    meta::write(&out, &ex)?;
    // Cargo reruns a build script when a file it watches is newer than the script's last
    // start, and the build script watches these files (a cleaned cache extracts again): dated
    // now, they would make the next build of the same variant extract and compile it all
    // again. They are as new as what they were made from.
    if let Some(date) = cache::newest_mtime(job.inputs) {
        for f in &series.files {
            cache::set_mtime(&out.join(&f.path), date)?;
        }
    }
    staging.publish(Path::new("out"), &final_dir)?;
    Ok(ex)
}
