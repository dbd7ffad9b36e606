//! The fuzz entry shared by the cargo-fuzz and AFL targets: bytes in, a
//! differential run, and on divergence a panic whose message starts with the
//! signature (libFuzzer, AFL and OSS-Fuzz dedup crashes on it).
//!
//! The comparison level is the process's: `SWAPDIFF_LEVEL` (`raw` or
//! `logical`) read once, at the target's start ([`init`]). Unset, it is the
//! level the targets were built with (`SWAPDIFF_LEVEL` at build time, for
//! OSS-Fuzz and ClusterFuzzLite, where a fuzzer's environment cannot be set),
//! else `raw`. A value that is neither stops the target with a message: a
//! typo must not fuzz at a level nobody asked for.

use crate::caller::engines::{parse_series, Engines as CallerEngines};
use crate::caller::CallerProgram;
use crate::compare::Level;
use crate::engine::{Engine, KernelEngine, ModelEngine};
use crate::oracle::Names;
use crate::program::{decode, Family};
use crate::render;
use crate::runner::{differential, single, Options};
use std::cell::RefCell;
use std::sync::OnceLock;

/// What a differential target compares: the two linked builds (stock C against the
/// patched C, in a patched variant), else the 6.12 model against the one build.
enum Engines {
    StockVsPatched(KernelEngine, KernelEngine),
    ModelVsKernel(ModelEngine, KernelEngine),
}

impl Engines {
    fn acquire() -> Engines {
        match cshim::builds() {
            [base, .., _] => Engines::StockVsPatched(
                KernelEngine::acquire_build(base),
                KernelEngine::acquire_build(cshim::primary()),
            ),
            _ => Engines::ModelVsKernel(ModelEngine::new(), KernelEngine::acquire()),
        }
    }
}

thread_local! {
    /// Engines live for the whole fuzzing process: resets are cheaper than
    /// rebuilding, and the kernel singletons are taken once.
    static ENGINES: RefCell<Option<Engines>> = const { RefCell::new(None) };
    /// The kernel alone, for `spec_alone` (a process runs one target).
    static ALONE: RefCell<Option<KernelEngine>> = const { RefCell::new(None) };
}

/// The level baked in at build time (`SWAPDIFF_LEVEL` in the build's
/// environment; cargo rebuilds when it changes).
const BUILT_LEVEL: Option<&str> = option_env!("SWAPDIFF_LEVEL");

static LEVEL: OnceLock<Level> = OnceLock::new();

/// The level a run-time value (else the build-time one, else raw) selects,
/// or the message that explains a bad one.
pub fn level_from(runtime: Option<&str>, built: Option<&str>) -> Result<Level, String> {
    let (value, from) = match (runtime, built) {
        (Some(v), _) => (v, "SWAPDIFF_LEVEL"),
        (None, Some(v)) => (v, "SWAPDIFF_LEVEL at build time"),
        (None, None) => return Ok(Level::Raw),
    };
    Level::from_name(value.trim())
        .ok_or_else(|| format!("swapdiff: {from} is `{value}`; the comparison level is `raw` or `logical`"))
}

/// Reads the process's level once: the first call decides, later calls
/// return it. A bad value prints why and exits (status 2) before any input
/// runs.
pub fn init() -> Level {
    *LEVEL.get_or_init(|| {
        let runtime = std::env::var("SWAPDIFF_LEVEL").ok();
        match level_from(runtime.as_deref(), BUILT_LEVEL) {
            Ok(level) => {
                eprintln!("swapdiff: comparing at the {} level", level.name());
                level
            }
            Err(message) => {
                eprintln!("{message}");
                std::process::exit(2);
            }
        }
    })
}

/// Runs one fuzzer input at the process's level, through stock C and the
/// patched C when both are linked, else the model and the kernel; the spec
/// judges contract-mode inputs. Panics with the rendered divergence, if any.
pub fn fuzz_one(data: &[u8], family: Family) {
    let level = init();
    ENGINES.with(|cell| {
        let mut slot = cell.borrow_mut();
        match slot.get_or_insert_with(Engines::acquire) {
            Engines::StockVsPatched(stock, patched) => {
                let names = Names::stock_and_patched();
                fuzz_named(stock, patched, data, family, level, &names)
            }
            Engines::ModelVsKernel(model, kernel) => fuzz_with(model, kernel, data, family, level),
        }
    });
}

/// One input through `model` and `kernel` at `level`; panics on divergence.
/// [`fuzz_one`] with the engines given (tests plant bugs through it).
pub fn fuzz_with<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    data: &[u8],
    family: Family,
    level: Level,
) {
    fuzz_named(model, kernel, data, family, level, &Names::model_and_kernel())
}

/// [`fuzz_with`], the report naming the sides `names`.
fn fuzz_named<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    data: &[u8],
    family: Family,
    level: Level,
    names: &Names,
) {
    let program = decode(data, family);
    let opts = Options { level, ..Options::default() };
    let run = differential(model, kernel, &program, opts);
    if let Some(d) = &run.divergence {
        // Re-run with outcomes recorded for a full report; cheap, and only on a find.
        let full = differential(model, kernel, &program, Options { record: true, ..opts });
        let d2 = full.divergence.clone().unwrap_or_else(|| d.clone());
        panic!("{}(compared at the {} level)", render::divergence_named(&full, &d2, names), level.name());
    }
}

/// Runs one fuzzer input through the kernel build alone, judged by the spec
/// (`spec_alone`). Panics with the rendered disagreement, if any.
pub fn fuzz_alone(data: &[u8], family: Family) {
    let level = init();
    ALONE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let kernel = slot.get_or_insert_with(KernelEngine::acquire);
        let program = decode(data, family);
        let opts = Options { level, ..Options::default() };
        if single(kernel, &program, opts).divergence.is_some() {
            let full = single(kernel, &program, Options { record: true, ..opts });
            let names = Names::alone("kernel");
            if let Some(d) = &full.divergence {
                panic!("{}(the kernel alone against the spec)", render::divergence_named(&full, d, &names));
            }
        }
    });
}

/// The fuzz targets and the op family each draws from. `make fuzz` runs the
/// first three (the differential ones); `spec_alone` runs by name.
pub const TARGETS: [(&str, Family); 4] = [
    ("swap_counts", Family::Counts),
    ("mte_tags", Family::Mte),
    ("swap_mte", Family::All),
    ("spec_alone", Family::All),
];

pub fn target_family(name: &str) -> Option<Family> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// The caller-level targets (src/caller) and the series each runs one program through, in
/// one process: one set of targets per series, and the cross-series one. "7.x" is the 7.x
/// build the binary links (7.2 unless SWAPDIFF_KERNEL_SRC named a 7.3 source). Their inputs
/// are [`CallerProgram`] bytes; their seeds, corpus/callers.
pub const CALLER_TARGETS: [(&str, &str); 3] =
    [("callers_612", "6.12"), ("callers_7x", "7.x"), ("callers_cross", "6.12,7.x")];

/// The series a caller-level target runs, as `--series` spells them.
pub fn target_series(name: &str) -> Option<&'static str> {
    CALLER_TARGETS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// The series of a caller-level target's saved input: the target `target` names, else the
/// one a directory of `file`'s path is named after (libFuzzer's artifacts/<target>/, the seeds'
/// fuzz/corpus/<target>/). None: an op-level input.
pub fn input_series(target: Option<&str>, file: &std::path::Path) -> Option<&'static str> {
    match target {
        Some(t) => target_series(t),
        None => file.components().rev().find_map(|c| target_series(c.as_os_str().to_str()?)),
    }
}

/// Every fuzz target's name, op-level then caller-level (fuzz/fuzz_targets holds one file
/// for each).
pub fn target_names() -> Vec<&'static str> {
    TARGETS.iter().map(|(n, _)| *n).chain(CALLER_TARGETS.iter().map(|(n, _)| *n)).chain(INTERLEAVE_TARGETS).collect()
}

/// The targets of concurrent programs (src/interleave/bytes.rs): 6.12's C on simulated CPUs,
/// each run checked for linearizability against the spec, and the 7.x build's, each run
/// checked against the build's own sequential orders (src/interleave/v72.rs).
pub const INTERLEAVE_TARGETS: [&str; 2] = ["interleave_612", "interleave_7x"];

/// Whether a saved input is a concurrent program's: `target` names an interleaving target, or
/// a directory of the path does (libFuzzer's artifacts/<target>/, fuzz/corpus/<target>/).
pub fn is_interleave_input(target: Option<&str>, file: &std::path::Path) -> bool {
    interleave_target(target, file).is_some()
}

/// The interleaving target a saved input is for, as [`is_interleave_input`] finds it.
pub fn interleave_target(target: Option<&str>, file: &std::path::Path) -> Option<&'static str> {
    match target {
        Some(t) => INTERLEAVE_TARGETS.iter().copied().find(|&n| n == t),
        None => file.components().find_map(|c| INTERLEAVE_TARGETS.iter().copied().find(|&t| c.as_os_str() == t)),
    }
}

thread_local! {
    /// The caller-level engines of a target (a process runs one target): taken once.
    static CALLERS: RefCell<Option<(String, CallerEngines)>> = const { RefCell::new(None) };
}

/// One fuzzer input of a caller-level target: the bytes as a [`CallerProgram`] through every
/// series `series` names. Panics, the message starting with `swapdiff caller-level finding`
/// and the finding's signature (what libFuzzer, AFL++ and OSS-Fuzz dedup on), when the spec
/// is broken somewhere, or, stock against patched, on any difference. Series that differ
/// where the spec allows it (an allocator change) are not a crash: `swapdiff fuzz --series`
/// reports those.
pub fn fuzz_callers(data: &[u8], series: &str) {
    CALLERS.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_some_and(|(had, _)| had != series) {
            // Another series list than the last input's (tests run several): the engines
            // go first, releasing their builds, then the new ones are taken.
            *slot = None;
        }
        let (_, engines) = slot.get_or_insert_with(|| match parse_series(series) {
            Ok(names) => (series.to_string(), CallerEngines::acquire(&names)),
            Err(e) => {
                eprintln!("swapdiff: {e}");
                std::process::exit(2);
            }
        });
        let program = CallerProgram::from_bytes(data);
        if let Some(f) = engines.run(&program) {
            if f.breaks_spec() || engines.three_way() {
                panic!(
                    "swapdiff caller-level finding {}\n{}kernels: {}\n{}",
                    f.signature(&program),
                    f.describe(&program),
                    engines.versions(),
                    program.to_text()
                );
            }
        }
    });
}

thread_local! {
    /// The build an interleaving target runs (a process runs one target): taken once.
    static INTERLEAVE: RefCell<Option<KernelEngine>> = const { RefCell::new(None) };
}

/// One fuzzer input of `interleave_612`: the bytes as a concurrent program and schedule
/// (`interleave::bytes`), run once and checked. Panics, the message starting with `swapdiff
/// interleaving finding` and the signature, when no sequential order explains the run; the
/// message holds the program with the schedule that replays it (`swapdiff interleave FILE`).
pub fn fuzz_interleave(data: &[u8]) {
    use crate::interleave::{bytes, explore, report};
    INTERLEAVE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let k = slot.get_or_insert_with(KernelEngine::acquire);
        let (p, schedule) = bytes::decode(data);
        let (run, verdict) = explore::judge_one(k, &p, &schedule);
        if verdict.is_violation() {
            let found = explore::Found { schedule: run.schedule(), run, verdict };
            panic!("swapdiff interleaving finding {}\n{}", found.signature(&p), report::violation_text(&p, &found));
        }
    });
}

thread_local! {
    /// The 7.x build `interleave_7x` runs, and its judge of the last program (its sequential
    /// runs are kept while the fuzzer mutates the schedule only).
    static INTERLEAVE72: RefCell<Option<(cshim::kernel72::Kernel72, Option<crate::interleave::v72::Checker72>)>> =
        const { RefCell::new(None) };
}

/// One fuzzer input of `interleave_7x`: the bytes as a 7.x concurrent program and schedule
/// (`interleave::report72::decode72`), run once and judged against the build's sequential
/// orders. Panics, the message starting with `swapdiff interleaving finding` and the signature,
/// on a violation; the message holds the program with the schedule that replays it.
pub fn fuzz_interleave72(data: &[u8]) {
    use crate::interleave::{explore, report72, v72};
    INTERLEAVE72.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (k, checker) = slot.get_or_insert_with(|| (cshim::kernel72::Kernel72::acquire(), None));
        let (p, schedule) = report72::decode72(data);
        let c = match checker {
            Some(c) if c.program() == &p => c,
            _ => checker.insert(v72::Checker72::new(&p)),
        };
        let (run, verdict) = v72::judge72(k, c, &p, &schedule, None);
        if verdict.is_violation() {
            let sig = v72::signature72(&p, &verdict);
            let found = explore::Found { schedule: explore::Decided::schedule(&run), run, verdict };
            panic!("swapdiff interleaving finding {sig}\n{}", report72::violation_text72(&p, &found));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_time_value_wins_then_the_build_time_one_then_raw() {
        assert_eq!(level_from(Some("logical"), Some("raw")), Ok(Level::Logical));
        assert_eq!(level_from(None, Some("logical")), Ok(Level::Logical));
        assert_eq!(level_from(None, None), Ok(Level::Raw));
        assert_eq!(level_from(Some("raw"), None), Ok(Level::Raw));
    }

    #[test]
    fn a_bad_value_is_an_error_naming_it_never_a_default() {
        let e = level_from(Some("Logical!"), None).unwrap_err();
        assert!(e.contains("`Logical!`") && e.contains("`raw` or `logical`"), "{e}");
        // An empty value (SWAPDIFF_LEVEL= ) is a mistake too, not raw.
        assert!(level_from(Some(""), None).is_err());
        let e = level_from(None, Some("lgical")).unwrap_err();
        assert!(e.contains("at build time"), "{e}");
    }
}
