//! The known-bug catalog (`corpus/known-bugs/<name>/`: bug.patch,
//! level.txt, expected.txt, README.md) and the hunt that proves, with
//! numbers, that swapdiff finds each bug: 3 fixed seeds per entry, each until
//! its first divergence or the budget, and the same budget on stock 6.12,
//! which must show none. A worker that crashes, hangs or reports a sanitizer
//! error is a finding of that class (never a pass): a control or the stock
//! run with one fails.

use crate::compare::Level;
use crate::jobs::{run_variant, RunResult, Spec};
use crate::variant::{build_variant, workspace};
use std::fmt::Write;
use std::path::{Path, PathBuf};

const SEEDS: [u64; 3] = [1, 2, 3];

pub struct Entry {
    pub name: String,
    pub patch: PathBuf,
    pub level: Level,
    /// A signature or a prefix of one; `None` for a control that must not diverge.
    pub expected: Option<String>,
    /// The verdict its finding must get (`verdict.txt`; regression when absent).
    pub verdict: String,
}

pub fn entries(catalog: &Path) -> Result<Vec<Entry>, String> {
    let mut out = vec![];
    let dir = std::fs::read_dir(catalog).map_err(|e| format!("{}: {e}", catalog.display()))?;
    for d in dir.flatten() {
        let path = d.path();
        let patch = path.join("bug.patch");
        if !patch.is_file() {
            continue;
        }
        let read = |f: &str| std::fs::read_to_string(path.join(f)).map(|s| s.trim().to_string()).unwrap_or_default();
        let level = Level::from_name(&read("level.txt")).unwrap_or_default();
        let expected = Some(read("expected.txt")).filter(|e| !e.is_empty() && e != "none");
        let verdict = Some(read("verdict.txt")).filter(|v| !v.is_empty()).unwrap_or_else(|| "regression".into());
        let name = d.file_name().to_string_lossy().into_owned();
        let patch = std::fs::canonicalize(&patch).map_err(|e| e.to_string())?;
        out.push(Entry { name, patch, level, expected, verdict });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

pub struct Report {
    pub table: String,
    pub markdown: String,
    pub all_as_expected: bool,
    pub interrupted: bool,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    Some(v[v.len() / 2])
}

struct Row {
    name: String,
    level: Level,
    detected: usize,
    control: bool,
    programs: Option<f64>,
    seconds: Option<f64>,
    ops: Option<usize>,
    signature: String,
    /// The verdict the first finding was filed with (`-`: none, or not a divergence).
    verdict: String,
    /// The verdict the entry expects.
    want_verdict: String,
    /// Some worker ended abnormally (crash, hang, sanitizer).
    abnormal: bool,
}

/// The verdicts the seeds' first findings were filed with, one name when they agree
/// (`regression/change` when they do not; `-` without any).
fn verdicts(hits: &[&RunResult]) -> String {
    let mut names: Vec<&str> = hits
        .iter()
        .filter_map(|r| {
            let (sig, ..) = r.first.as_ref()?;
            r.verdicts.iter().find(|(s, _)| s == sig).map(|(_, v)| v.as_str())
        })
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        "-".into()
    } else {
        names.join("/")
    }
}

/// The class in a signature `op/class/function`.
fn class_of(signature: &str) -> &str {
    signature.split('/').nth(1).unwrap_or("-")
}

fn row(name: &str, level: Level, expected: Option<&str>, results: &[RunResult], ops: Option<usize>) -> Row {
    row_expecting(name, level, expected, "regression", results, ops)
}

fn row_expecting(
    name: &str,
    level: Level,
    expected: Option<&str>,
    want_verdict: &str,
    results: &[RunResult],
    ops: Option<usize>,
) -> Row {
    let hits: Vec<&RunResult> = results
        .iter()
        .filter(|r| r.first.as_ref().is_some_and(|(sig, ..)| expected.is_some_and(|e| sig.starts_with(e))))
        .collect();
    let any: Vec<&str> = results.iter().filter_map(|r| r.first.as_ref().map(|f| f.0.as_str())).collect();
    Row {
        name: name.to_string(),
        level,
        detected: if expected.is_some() { hits.len() } else { any.len() },
        control: expected.is_none(),
        programs: median(hits.iter().filter_map(|r| r.first.as_ref().map(|f| f.1 as f64)).collect()),
        seconds: median(hits.iter().filter_map(|r| r.first.as_ref().map(|f| f.2)).collect()),
        ops,
        signature: any.first().map_or("none".to_string(), |s| s.to_string()),
        verdict: verdicts(if expected.is_some() { &hits } else { &[] }),
        want_verdict: want_verdict.to_string(),
        abnormal: results.iter().any(|r| !r.clean || r.abnormal > 0),
    }
}

/// Hunts every entry, then the stock kernel. `stop()`: interrupted (the
/// report then holds the rows done so far).
pub fn hunt_all(
    catalog: &Path,
    seconds: f64,
    stock_seconds: f64,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Report, String> {
    let findings = workspace().join("target/hunt-findings");
    let mut rows = vec![];
    let one = |name: &str, patches: &[PathBuf], level: Level, budget: f64| -> Result<Vec<RunResult>, String> {
        let variant = build_variant(&[], patches, false).map_err(|m| format!("{name}: {m}"))?;
        // Fresh for every hunt: a finding left by an earlier one would be "seen" (no verdict
        // of this run) and its program would stand for this run's minimization.
        let out = findings.join(name);
        let _ = std::fs::remove_dir_all(&out);
        let spec = Spec {
            variant: &variant,
            seeds: &SEEDS,
            seconds: budget,
            level,
            stop_at_first: true,
            jobs: 1,
            findings: &out,
            minimize_seconds: 60.0,
            spec_only: false,
        };
        run_variant(&spec, stop)
    };
    for e in entries(catalog)? {
        if stop() {
            return Ok(render(&rows, seconds, stock_seconds, true));
        }
        let budget = if e.expected.is_some() { seconds } else { stock_seconds };
        eprintln!("swapdiff hunt: {} ({} level, {budget}s per seed)", e.name, e.level.name());
        let results = one(&e.name, std::slice::from_ref(&e.patch), e.level, budget)?;
        let ops = minimized_ops(&findings.join(&e.name));
        rows.push(row_expecting(&e.name, e.level, e.expected.as_deref(), &e.verdict, &results, ops));
    }
    if stop() {
        return Ok(render(&rows, seconds, stock_seconds, true));
    }
    eprintln!("swapdiff hunt: stock 6.12 ({stock_seconds}s per seed)");
    let results = one("stock", &[], Level::Raw, stock_seconds)?;
    let mut stock = row("stock 6.12 (no patch)", Level::Raw, None, &results, None);
    stock.programs = Some(results.iter().map(|r| r.programs as f64).sum());
    rows.push(stock);
    Ok(render(&rows, seconds, stock_seconds, stop()))
}

/// Ops of the smallest finding filed under `dir`.
fn minimized_ops(dir: &Path) -> Option<usize> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|d| std::fs::read_to_string(d.path().join("program.txt")).ok())
        .filter_map(|t| crate::program::parse(&t).ok())
        .map(|p| p.ops.len())
        .min()
}

fn render(rows: &[Row], seconds: f64, stock_seconds: f64, interrupted: bool) -> Report {
    let fmt = |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |x| format!("{x:.digits$}"));
    let mut md = String::new();
    let _ = writeln!(md, "# Known-bug hunt\n");
    let _ = writeln!(
        md,
        "Written by `make hunt` (`swapdiff hunt`) for kernel {}. Each entry's patch is built into its own \
         kernel; generated programs from seeds 1, 2 and 3 run until the first divergence (budget {seconds} s per \
         seed; {stock_seconds} s for the controls). *Detected* counts seeds whose first divergence matches \
         `expected.txt`; medians are over those seeds. *Verdict* is the spec's judgement of the seeds' first findings \
         (stock C against the patched C): the one its `verdict.txt` names, regression when it has none. Controls (no expected divergence) must show 0/3; their programs column is the total run. \
         *Class* is the first finding's: a divergence class, or `crash`, `hang`, `asan`, `ubsan` when a worker died, overran or \
         reported a sanitizer error (for a control, or any entry whose expected finding is a divergence, that fails).\n",
        crate::engine::kernel_version()
    );
    let _ = writeln!(
        md,
        "| entry | level | detected | median programs | median seconds | minimized ops | class | verdict | first signature |"
    );
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut table = format!(
        "{:<32} {:<8} {:>8} {:>9} {:>9} {:>5} {:<8} {:<10} {}\n",
        "entry", "level", "detected", "programs", "seconds", "ops", "class", "verdict", "first signature"
    );
    let mut ok = true;
    for r in rows {
        let det = format!("{}/3", r.detected);
        ok &= if r.control { r.detected == 0 && !r.abnormal } else { r.detected == 3 && r.verdict == r.want_verdict };
        let class = if r.signature == "none" { "-" } else { class_of(&r.signature) };
        let ops = r.ops.map_or("-".to_string(), |o| o.to_string());
        let _ = writeln!(
            md,
            "| {} | {} | {det} | {} | {} | {ops} | {class} | {} | `{}` |",
            r.name,
            r.level.name(),
            fmt(r.programs, 0),
            fmt(r.seconds, 3),
            r.verdict,
            r.signature
        );
        table.push_str(&format!(
            "{:<32} {:<8} {:>8} {:>9} {:>9} {:>5} {:<8} {:<10} {}\n",
            r.name,
            r.level.name(),
            det,
            fmt(r.programs, 0),
            fmt(r.seconds, 3),
            ops,
            class,
            r.verdict,
            r.signature
        ));
    }
    let _ = writeln!(md, "\n{}", if ok { "Every entry as expected." } else { "Some entries were NOT as expected." });
    Report { table, markdown: md, all_as_expected: ok && !interrupted, interrupted }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(first: Option<&str>, clean: bool) -> RunResult {
        RunResult {
            seed: 1,
            first: first.map(|s| (s.to_string(), 10, 0.5)),
            programs: 100,
            signatures: first.map(|s| vec![s.to_string()]).unwrap_or_default(),
            // Each test's first finding is filed as a regression, the verdict a bug needs.
            verdicts: first.map(|s| vec![(s.to_string(), "regression".to_string())]).unwrap_or_default(),
            abnormal: usize::from(!clean),
            clean,
            interrupted: false,
        }
    }

    #[test]
    fn a_control_whose_worker_crashed_fails_and_says_crash() {
        // Before issue 10 a crashing control counted as passing: its worker
        // reported no divergence. Now the crash is its first finding.
        let crashed =
            [result(Some("swap_duplicate/crash/__swap_duplicate"), false), result(None, true), result(None, true)];
        let r = render(&[row("refactor", Level::Logical, None, &crashed, None)], 1.0, 1.0, false);
        assert!(!r.all_as_expected);
        assert!(r.table.contains("crash"), "{}", r.table);
        // Even a worker that died with nothing filed fails the control.
        let silent = [result(None, false), result(None, true), result(None, true)];
        assert!(!render(&[row("refactor", Level::Logical, None, &silent, None)], 1.0, 1.0, false).all_as_expected);
        // A clean control passes.
        let clean = [result(None, true), result(None, true), result(None, true)];
        assert!(render(&[row("refactor", Level::Logical, None, &clean, None)], 1.0, 1.0, false).all_as_expected);
    }

    #[test]
    fn a_bug_found_as_a_hang_is_not_its_expected_divergence() {
        let hung = vec![result(Some("swap_duplicate/hang/add_swap_count_continuation"), true); 3];
        let r = render(&[row("carry", Level::Raw, Some("swap_duplicate/count"), &hung, None)], 1.0, 1.0, false);
        assert!(!r.all_as_expected);
        assert!(r.markdown.contains("| hang |"), "{}", r.markdown);
        let found = vec![result(Some("swap_duplicate/count/swap_count_continued"), true); 3];
        assert!(
            render(&[row("carry", Level::Raw, Some("swap_duplicate/count"), &found, None)], 1.0, 1.0, false)
                .all_as_expected
        );
        // An interrupted hunt is never "as expected".
        assert!(
            !render(&[row("carry", Level::Raw, Some("swap_duplicate/count"), &found, None)], 1.0, 1.0, true)
                .all_as_expected
        );
    }
}
