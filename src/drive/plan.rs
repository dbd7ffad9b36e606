//! What a `swapdiff fuzz` run will do, decided before anything is built:
//! the targets, the engine, the budget split, the comparison level, the
//! kernel variant (named by its patch set's content key, as check-patch
//! names it) and every directory the run writes.

use crate::compare::Level;
use crate::identity::{host_target, variant_key};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fuzzer {
    LibFuzzer,
    Afl,
}

impl Fuzzer {
    pub fn name(self) -> &'static str {
        match self {
            Fuzzer::LibFuzzer => "libFuzzer",
            Fuzzer::Afl => "AFL++",
        }
    }
    /// The shortest share of the budget a target gets: AFL++ spends its
    /// first seconds on calibrating the seeds.
    pub fn min_seconds(self) -> u64 {
        match self {
            Fuzzer::LibFuzzer => 1,
            Fuzzer::Afl => 5,
        }
    }
}

/// The command line of `swapdiff fuzz`, before checking (declared here once: the CLI
/// flattens it, tests build it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Fuzz targets (default: every fuzz/fuzz_targets/*.rs).
    pub targets: Vec<String>,
    /// libfuzzer or afl (all: both, with --build-only).
    #[arg(long, default_value = "libfuzzer")]
    pub engine: String,
    /// Fuzzer processes per target: libFuzzer workers on one corpus, AFL++ -M/-S instances.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Wall time of the whole run, split evenly over the targets.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// raw or logical (default $SWAPDIFF_LEVEL, else raw).
    #[arg(long)]
    pub level: Option<String>,
    /// Fuzz the kernel with this patch applied (repeat for several, in order; default
    /// $SWAPDIFF_PATCHES, a:b).
    #[arg(long = "patch")]
    pub patches: Vec<PathBuf>,
    /// Build the targets (and check every binary exists), do not fuzz.
    #[arg(long)]
    pub build_only: bool,
    /// Findings directory (default $SWAPDIFF_FINDINGS, else findings/).
    #[arg(long)]
    pub findings: Option<PathBuf>,
    /// Build and run without ASan (exec/s of the bench).
    #[arg(long)]
    pub no_sanitizer: bool,
    /// Fuzz a temporary copy of the seeds, leaving fuzz/corpus as it was.
    #[arg(long)]
    pub scratch_corpus: bool,
    /// Caller-level programs through these kernel series' C in one process, compared with
    /// each other and judged by the caller-level spec (6.12, 7.2, or 6.12,7.2), instead of the
    /// libFuzzer/AFL++ targets.
    #[arg(long)]
    pub series: Option<String>,
    /// With --series: the generator's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// With --series: replay one filed caller-level program and exit (1 if it still finds).
    #[arg(long)]
    pub replay: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    /// The swapdiff workspace (fuzz/ is under it).
    pub root: PathBuf,
    pub fuzzers: Vec<Fuzzer>,
    pub targets: Vec<String>,
    pub jobs: usize,
    pub total: u64,
    /// Seconds of wall time per target (each target in turn).
    pub per: u64,
    pub level: Level,
    /// Absolute paths, in order.
    pub patches: Vec<PathBuf>,
    /// "stock" or "patched-<key>" ("patched-<key>-on-7.2" for 7.2 patches): the build and
    /// artifact directories' name, as check-patch names its variants.
    pub variant: String,
    /// The series the patches apply to when it is not 6.12, and its source: the targets are
    /// built on it (SWAPDIFF_KERNEL_SRC), 6.12 then linked as the companion.
    pub source: Option<(&'static str, PathBuf)>,
    /// fuzz/{logs,artifacts}/<variant>/<run_id>: one run's files apart from the others'.
    pub run_id: String,
    pub build_only: bool,
    pub findings: PathBuf,
    pub sanitizer: bool,
    pub scratch_corpus: bool,
}

/// The fuzz targets of the workspace: fuzz/fuzz_targets/*.rs, sorted.
pub fn all_targets(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("fuzz/fuzz_targets");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".rs").map(str::to_string))
        .collect();
    names.sort();
    Ok(names)
}

/// `total / targets` seconds each, at least `min` (as the shell drivers split it).
pub fn split_budget(total: u64, targets: usize, min: u64) -> u64 {
    (total / targets.max(1) as u64).max(min)
}

/// The level the run compares at, with the targets' own message for a bad value.
pub fn resolve_level(arg: Option<&str>, env: Option<&str>) -> Result<Level, String> {
    let (value, from) = match (arg, env) {
        (Some(v), _) => (v, "--level"),
        (None, Some(v)) => (v, "SWAPDIFF_LEVEL"),
        (None, None) => return Ok(Level::Raw),
    };
    Level::from_name(value).ok_or_else(|| format!("{from} is `{value}`; the comparison level is `raw` or `logical`"))
}

/// SWAPDIFF_PATCHES's `a:b` form; empty parts are skipped.
pub fn patches_from_env(value: &str) -> Vec<PathBuf> {
    std::env::split_paths(value).filter(|p| !p.as_os_str().is_empty()).collect()
}

impl Plan {
    pub fn new(root: &Path, a: &Args) -> Result<Plan, String> {
        let fuzzers = match (a.engine.as_str(), a.build_only) {
            ("libfuzzer", _) => vec![Fuzzer::LibFuzzer],
            ("afl", _) => vec![Fuzzer::Afl],
            ("all", true) => vec![Fuzzer::LibFuzzer, Fuzzer::Afl],
            ("all", false) => return Err("--engine all only builds (with --build-only); run one engine".into()),
            (other, _) => return Err(format!("unknown engine `{other}` (libfuzzer, afl, or all with --build-only)")),
        };
        if a.jobs == 0 {
            return Err("--jobs must be at least 1".into());
        }
        let known = all_targets(root)?;
        let targets = if a.targets.is_empty() { known.clone() } else { a.targets.clone() };
        if let Some(bad) = targets.iter().find(|t| !known.contains(t)) {
            return Err(format!("no fuzz target `{bad}` (the targets are {})", known.join(", ")));
        }
        let level = resolve_level(a.level.as_deref(), std::env::var("SWAPDIFF_LEVEL").ok().as_deref())?;
        let patches = if a.patches.is_empty() {
            std::env::var_os("SWAPDIFF_PATCHES").map(|v| patches_from_env(&v.to_string_lossy())).unwrap_or_default()
        } else {
            a.patches.clone()
        };
        let patches: Vec<PathBuf> = patches
            .iter()
            .map(|p| std::fs::canonicalize(p).map_err(|e| format!("patch {}: {e}", p.display())))
            .collect::<Result<_, _>>()?;
        let mut variant = variant_key(&[], &patches)?;
        // A 7.2 patch builds the targets on the 7.2 source (check-patch decides the same way).
        let source = match patches.is_empty() {
            true => None,
            false => match crate::variant::patch_series(&[], &patches, None)? {
                "6.12" => None,
                series => Some((series, crate::variant::source_72())),
            },
        };
        if let Some((series, _)) = &source {
            variant = format!("{variant}-on-{series}");
        }
        let min = fuzzers.iter().map(|f| f.min_seconds()).max().unwrap_or(1);
        let findings = a
            .findings
            .clone()
            .or_else(|| std::env::var_os("SWAPDIFF_FINDINGS").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("findings"));
        Ok(Plan {
            root: root.to_path_buf(),
            per: split_budget(a.seconds, targets.len(), min),
            fuzzers,
            targets,
            jobs: a.jobs,
            total: a.seconds,
            level,
            patches,
            variant,
            source,
            run_id: run_id(SystemTime::now()),
            build_only: a.build_only,
            findings: std::path::absolute(&findings).map_err(|e| format!("{}: {e}", findings.display()))?,
            sanitizer: !a.no_sanitizer,
            scratch_corpus: a.scratch_corpus,
        })
    }

    /// The build directory's name: the variant, `-nosan` without ASan.
    fn build_name(&self) -> String {
        if self.sanitizer {
            self.variant.clone()
        } else {
            format!("{}-nosan", self.variant)
        }
    }

    pub fn target_dir(&self, f: Fuzzer) -> PathBuf {
        match f {
            Fuzzer::LibFuzzer => self.root.join("fuzz/target").join(self.build_name()),
            Fuzzer::Afl => self.root.join("fuzz/afl/target").join(self.build_name()),
        }
    }

    pub fn binary(&self, f: Fuzzer, target: &str) -> PathBuf {
        match f {
            Fuzzer::LibFuzzer => self.target_dir(f).join(host_target()).join("release").join(target),
            Fuzzer::Afl => self.target_dir(f).join("release").join(target),
        }
    }

    pub fn build_log(&self, f: Fuzzer) -> PathBuf {
        let name = match f {
            Fuzzer::LibFuzzer => "build-libfuzzer.log",
            Fuzzer::Afl => "build-afl.log",
        };
        self.root.join("fuzz/logs").join(self.build_name()).join(name)
    }

    pub fn seeds(&self, target: &str) -> PathBuf {
        self.root.join("fuzz/corpus").join(target)
    }

    /// This run's logs: fuzz/logs/<variant>/<run>/.
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("fuzz/logs").join(&self.variant).join(&self.run_id)
    }

    /// libFuzzer's crash inputs of one target: fuzz/artifacts/<variant>/<run>/<target>/.
    pub fn artifacts(&self) -> PathBuf {
        self.root.join("fuzz/artifacts").join(&self.variant).join(&self.run_id)
    }

    /// AFL++'s output of one run: fuzz/afl/out/<variant>/<run>/<target>/<instance>/.
    pub fn afl_out(&self) -> PathBuf {
        self.root.join("fuzz/afl/out").join(&self.variant).join(&self.run_id)
    }
}

/// `run-20261201-121433` (UTC), the run's directory name.
pub fn run_id(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("run-{y:04}{m:02}{d:02}-{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (the well-known era-based conversion).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
