//! The known-bug catalog (`corpus/known-bugs/<name>/`: bug.patch,
//! level.txt, expected.txt, minimal.txt, README.md) and the hunt that proves,
//! with numbers, that swapdiff finds each bug: fixed seeds (1, 2, 3 unless told)
//! per entry, each until its first divergence or the budget, and the same
//! budget on stock 6.12, which must show none. Each entry's findings must also
//! minimize to at most one op more than its hand-minimal program. A worker that crashes, hangs or reports a sanitizer
//! error is a finding of that class (never a pass): a control or the stock
//! run with one fails.

use crate::compare::Level;
use crate::jobs::{run_variant, RunResult, Spec};
use crate::variant::{build_variant, workspace};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The seeds a hunt runs by default.
pub const SEEDS: [u64; 3] = [1, 2, 3];

/// How far above its hand-minimal program (`minimal.txt`) an entry's minimized
/// findings may be: the minimizer must reach what a person writes in a minute, up
/// to one op (an op a person folds away knowing the kernel, such as a setup call
/// the property cannot tell is redundant).
pub const MINIMAL_SLACK: usize = 1;

pub struct Entry {
    pub name: String,
    pub patch: PathBuf,
    pub level: Level,
    /// A signature pattern ([`signature_matches`]); `None` for a control that must not diverge.
    pub expected: Option<String>,
    /// The verdict its finding must get (`verdict.txt`; regression when absent).
    pub verdict: String,
    /// Ops of its hand-minimal program (`minimal.txt`; none for the control).
    pub minimal: Option<usize>,
    /// The op its hand-minimal program diverges at (its last op): the minimized findings
    /// held to that program are the ones diverging at the same op.
    pub minimal_op: Option<String>,
}

/// Whether `signature` (`op/class/function`) fits `expected`, compared part by part: a
/// part that is `*` or empty fits anything, and missing trailing parts do too. So
/// `swap_free_nr/` is any divergence of `swap_free_nr`, and `*/work/swap_discard_work` the
/// discard worker's, whichever free ran it.
pub fn signature_matches(signature: &str, expected: &str) -> bool {
    let mut got = signature.split('/');
    expected.split('/').all(|want| {
        let part = got.next();
        want.is_empty() || want == "*" || part == Some(want)
    })
}

/// Ops of a program as both columns count them: the program's ops after parsing
/// (one per op line; `mode`, comments and blank lines are not ops, a repeat ` xN`
/// is one op, composites are one op each).
pub fn count_ops(text: &str) -> Result<usize, String> {
    crate::program::parse(text).map(|p| p.ops.len()).map_err(|e| e.to_string())
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
        let (minimal, minimal_op) = match std::fs::read_to_string(path.join("minimal.txt")) {
            Ok(t) => {
                let p = crate::program::parse(&t).map_err(|e| format!("{}/minimal.txt: {e}", path.display()))?;
                (Some(p.ops.len()), p.ops.last().map(|op| op.kind().to_string()))
            }
            Err(_) => (None, None),
        };
        if minimal.is_none() && expected.is_some() {
            return Err(format!("{}: an entry with an expected finding needs minimal.txt", path.display()));
        }
        out.push(Entry { name, patch, level, expected, verdict, minimal, minimal_op });
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
    /// Seeds run.
    seeds: usize,
    programs: Option<f64>,
    seconds: Option<f64>,
    /// Ops of the largest minimized finding that matches the expected signature.
    ops: Option<usize>,
    /// Ops of the hand-minimal program.
    minimal: Option<usize>,
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
    row_expecting(name, level, expected, "regression", results, (ops, None))
}

/// `ops`: (minimized, hand-minimal).
fn row_expecting(
    name: &str,
    level: Level,
    expected: Option<&str>,
    want_verdict: &str,
    results: &[RunResult],
    (ops, minimal): (Option<usize>, Option<usize>),
) -> Row {
    let hits: Vec<&RunResult> = results
        .iter()
        .filter(|r| r.first.as_ref().is_some_and(|(sig, ..)| expected.is_some_and(|e| signature_matches(sig, e))))
        .collect();
    let any: Vec<&str> = results.iter().filter_map(|r| r.first.as_ref().map(|f| f.0.as_str())).collect();
    Row {
        name: name.to_string(),
        level,
        detected: if expected.is_some() { hits.len() } else { any.len() },
        control: expected.is_none(),
        seeds: results.len(),
        programs: median(hits.iter().filter_map(|r| r.first.as_ref().map(|f| f.1 as f64)).collect()),
        seconds: median(hits.iter().filter_map(|r| r.first.as_ref().map(|f| f.2)).collect()),
        ops,
        minimal,
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
    seeds: &[u64],
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
            seeds,
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
            return Ok(render(&rows, seeds, seconds, stock_seconds, true));
        }
        let budget = if e.expected.is_some() { seconds } else { stock_seconds };
        eprintln!("swapdiff hunt: {} ({} level, {budget}s per seed)", e.name, e.level.name());
        let results = one(&e.name, std::slice::from_ref(&e.patch), e.level, budget)?;
        let ops = minimized_ops(&findings.join(&e.name), e.expected.as_deref(), e.minimal_op.as_deref());
        rows.push(row_expecting(&e.name, e.level, e.expected.as_deref(), &e.verdict, &results, (ops, e.minimal)));
    }
    if stop() {
        return Ok(render(&rows, seeds, seconds, stock_seconds, true));
    }
    eprintln!("swapdiff hunt: stock 6.12 ({stock_seconds}s per seed)");
    let results = one("stock", &[], Level::Raw, stock_seconds)?;
    let mut stock = row("stock 6.12 (no patch)", Level::Raw, None, &results, None);
    stock.programs = Some(results.iter().map(|r| r.programs as f64).sum());
    rows.push(stock);
    Ok(render(&rows, seeds, seconds, stock_seconds, stop()))
}

/// Ops of the largest minimized finding filed under `dir` whose signature (the
/// program's `# swapdiff finding:` line) matches `expected` and diverges at `op`, the
/// hand-minimal program's op: every seed's finding of the entry's bug by that route must
/// come close to the hand-minimal program, not just one. (A seed that found the bug
/// through another op, where `expected` allows that, has no hand-written program to be
/// held to.)
fn minimized_ops(dir: &Path, expected: Option<&str>, op: Option<&str>) -> Option<usize> {
    let expected = expected?;
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|d| std::fs::read_to_string(d.path().join("program.txt")).ok())
        .filter(|t| {
            t.lines().find_map(|l| l.strip_prefix("# swapdiff finding: ")).is_some_and(|sig| {
                let sig = sig.trim();
                signature_matches(sig, expected) && op.is_none_or(|op| sig.split('/').next() == Some(op))
            })
        })
        .filter_map(|t| count_ops(&t).ok())
        .max()
}

/// Whether a row's minimized findings are within [`MINIMAL_SLACK`] of its hand-minimal
/// program (a row without one, or without findings, has nothing to compare).
fn minimal_enough(r: &Row) -> bool {
    match (r.ops, r.minimal) {
        (Some(ops), Some(minimal)) => ops <= minimal + MINIMAL_SLACK,
        _ => true,
    }
}

/// Why a row is not as expected (empty: it is). A control must find nothing, with every
/// worker ending cleanly; a bug must be found on every seed, with the expected verdict, and
/// minimized close to its hand-minimal program.
fn misses_of(r: &Row) -> Vec<String> {
    let mut why = vec![];
    if r.control {
        if r.detected > 0 {
            why.push(format!("a divergence on {} of {} seeds ({})", r.detected, r.seeds, r.signature));
        }
        if r.abnormal {
            why.push("a worker ended abnormally (crash, hang or sanitizer report)".into());
        }
        return why;
    }
    if r.detected != r.seeds {
        why.push(format!("found on {} of {} seeds (first signature: {})", r.detected, r.seeds, r.signature));
    }
    if r.detected > 0 && r.verdict != r.want_verdict {
        why.push(format!("verdict {}, expected {}", r.verdict, r.want_verdict));
    }
    if !minimal_enough(r) {
        let (ops, hand) = (r.ops.unwrap_or(0), r.minimal.unwrap_or(0));
        why.push(format!("minimized to {ops} ops, more than {MINIMAL_SLACK} above the hand-minimal {hand}"));
    }
    why
}

fn render(rows: &[Row], seeds: &[u64], seconds: f64, stock_seconds: f64, interrupted: bool) -> Report {
    let seed_list = match seeds {
        [one] => format!("seed {one}"),
        _ => format!("seeds {}", seeds.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
    };
    let fmt = |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |x| format!("{x:.digits$}"));
    let mut md = String::new();
    let _ = writeln!(md, "# Known-bug hunt\n");
    let _ = writeln!(
        md,
        "Written by `make hunt` (`swapdiff hunt`) for kernel {}. Each entry's patch is built into its own \
         kernel; generated programs from {seed_list} run until the first divergence (budget {seconds} s per \
         seed; {stock_seconds} s for the controls). *Detected* counts seeds whose first divergence matches \
         `expected.txt`; medians are over those seeds. *Minimized ops* is the largest of those seeds' findings \
         after minimization that diverge at the op `minimal.txt` ends with, *hand-minimal ops* the entry's `minimal.txt` (ops counted alike: op lines, not \
         `mode` or comments); an entry more than {MINIMAL_SLACK} op above its hand-minimal program is not as \
         expected. *Verdict* is the spec's judgement of the seeds' first findings \
         (stock C against the patched C): the one its `verdict.txt` names, regression when it has none. Controls (no expected divergence) must show none on every seed; their programs column is the total run. \
         *Class* is the first finding's: a divergence class, or `crash`, `hang`, `asan`, `ubsan` when a worker died, overran or \
         reported a sanitizer error (for a control, or any entry whose expected finding is a divergence, that fails).\n",
        crate::engine::kernel_version()
    );
    let _ = writeln!(
        md,
        "| entry | level | detected | median programs | median seconds | minimized ops | hand-minimal ops | class | verdict | first signature |"
    );
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut table = format!(
        "{:<32} {:<8} {:>8} {:>9} {:>9} {:>5} {:>5} {:<8} {:<10} {}\n",
        "entry", "level", "detected", "programs", "seconds", "ops", "hand", "class", "verdict", "first signature"
    );
    let mut misses: Vec<String> = vec![];
    for r in rows {
        let det = format!("{}/{}", r.detected, r.seeds);
        misses.extend(misses_of(r).into_iter().map(|why| format!("{}: {why}", r.name)));
        let class = if r.signature == "none" { "-" } else { class_of(&r.signature) };
        let ops = r.ops.map_or("-".to_string(), |o| o.to_string());
        let marked = if minimal_enough(r) { ops.clone() } else { format!("{ops} (too many)") };
        let hand = r.minimal.map_or("-".to_string(), |o| o.to_string());
        let _ = writeln!(
            md,
            "| {} | {} | {det} | {} | {} | {marked} | {hand} | {class} | {} | `{}` |",
            r.name,
            r.level.name(),
            fmt(r.programs, 0),
            fmt(r.seconds, 3),
            r.verdict,
            r.signature
        );
        table.push_str(&format!(
            "{:<32} {:<8} {:>8} {:>9} {:>9} {:>5} {:>5} {:<8} {:<10} {}\n",
            r.name,
            r.level.name(),
            det,
            fmt(r.programs, 0),
            fmt(r.seconds, 3),
            if minimal_enough(r) { ops } else { format!("{ops}!") },
            hand,
            class,
            r.verdict,
            r.signature
        ));
    }
    let ok = misses.is_empty();
    for m in &misses {
        table.push_str(&format!("NOT as expected: {m}\n"));
    }
    if ok {
        let _ = writeln!(md, "\nEvery entry as expected.");
    } else {
        let _ = writeln!(md, "\nSome entries were NOT as expected:\n");
        for m in &misses {
            let _ = writeln!(md, "- {m}");
        }
    }
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
    fn expected_signatures_match_part_by_part() {
        // The forms the catalog's expected.txt files use (corpus/known-bugs/README.md).
        assert!(signature_matches("swap_free_nr/count/swap_free_nr", "swap_free_nr/count/swap_free_nr"));
        assert!(signature_matches("swap_free_nr/work/swap_discard_work", "swap_free_nr/"));
        assert!(signature_matches("swapcache_clear/work/swap_discard_work", "*/work/swap_discard_work"));
        assert!(signature_matches("free_swap_and_cache_nr/cluster/free_swap_and_cache_nr", "*/cluster/"));
        // A part is a whole name: a prefix of one is not it.
        assert!(!signature_matches("swap_free_nr/count/swap_free_nr", "swap_free/"));
        assert!(!signature_matches("swapcache_clear/work/discard_swap", "*/work/swap_discard_work"));
        assert!(!signature_matches("put_swap_folio/events/x", "*/cluster/"));
    }

    #[test]
    fn a_control_whose_worker_crashed_fails_and_says_crash() {
        // Before issue 10 a crashing control counted as passing: its worker
        // reported no divergence. Now the crash is its first finding.
        let crashed =
            [result(Some("swap_duplicate/crash/__swap_duplicate"), false), result(None, true), result(None, true)];
        let r = render(&[row("refactor", Level::Logical, None, &crashed, None)], &SEEDS, 1.0, 1.0, false);
        assert!(!r.all_as_expected);
        assert!(r.table.contains("crash"), "{}", r.table);
        // Even a worker that died with nothing filed fails the control.
        let silent = [result(None, false), result(None, true), result(None, true)];
        let r = render(&[row("refactor", Level::Logical, None, &silent, None)], &SEEDS, 1.0, 1.0, false);
        assert!(!r.all_as_expected);
        // The report says which row failed, and why: its table shows nothing amiss.
        assert!(r.markdown.contains("- refactor: a worker ended abnormally"), "{}", r.markdown);
        // A clean control passes.
        let clean = [result(None, true), result(None, true), result(None, true)];
        assert!(
            render(&[row("refactor", Level::Logical, None, &clean, None)], &SEEDS, 1.0, 1.0, false).all_as_expected
        );
    }

    #[test]
    fn a_bug_found_as_a_hang_is_not_its_expected_divergence() {
        let hung = vec![result(Some("swap_duplicate/hang/add_swap_count_continuation"), true); 3];
        let r = render(&[row("carry", Level::Raw, Some("swap_duplicate/count"), &hung, None)], &SEEDS, 1.0, 1.0, false);
        assert!(!r.all_as_expected);
        assert!(r.markdown.contains("| hang |"), "{}", r.markdown);
        let found = vec![result(Some("swap_duplicate/count/swap_count_continued"), true); 3];
        assert!(
            render(&[row("carry", Level::Raw, Some("swap_duplicate/count"), &found, None)], &SEEDS, 1.0, 1.0, false)
                .all_as_expected
        );
        // An interrupted hunt is never "as expected".
        assert!(
            !render(&[row("carry", Level::Raw, Some("swap_duplicate/count"), &found, None)], &SEEDS, 1.0, 1.0, true)
                .all_as_expected
        );
    }

    #[test]
    fn an_entry_minimized_more_than_one_op_above_its_hand_minimal_program_fails() {
        let found = vec![result(Some("swap_duplicate/count/swap_duplicate"), true); 3];
        let at = |ops: usize| {
            let r = row_expecting(
                "carry",
                Level::Logical,
                Some("swap_duplicate/count"),
                "regression",
                &found,
                (Some(ops), Some(3)),
            );
            render(&[r], &SEEDS, 1.0, 1.0, false)
        };
        // Hand-minimal 3: 3 and 4 ops pass (MINIMAL_SLACK is one op), 5 fails and says so.
        assert!(at(3).all_as_expected);
        assert!(at(4).all_as_expected);
        let over = at(5);
        assert!(!over.all_as_expected);
        assert!(over.markdown.contains("| 5 (too many) | 3 |"), "{}", over.markdown);
    }

    #[test]
    fn ops_are_counted_as_op_lines_without_mode_or_comments() {
        // Two ops: the mode line, the comment lines and the repeat count are not ops.
        let text = "# why\nmode steered   # as written\n\nswapon 1   # a device\nswap_duplicate 0:1 x63\n";
        assert_eq!(count_ops(text), Ok(2));
        assert!(count_ops("swapon 9\n").is_err());
    }

    #[test]
    fn a_finding_of_another_signature_is_not_counted() {
        let dir = std::env::temp_dir().join(format!("swapdiff-catalog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (name, sig, ops) in [
            ("a", "swap_free_nr/count/swap_free_nr", 4),
            ("b", "swap_free_nr/events/x", 6),
            ("c", "put_swap_folio/events/y", 9),
        ] {
            std::fs::create_dir_all(dir.join(name)).unwrap();
            let body: String = (0..ops).map(|_| "swapon 1\n").collect();
            std::fs::write(dir.join(name).join("program.txt"), format!("# swapdiff finding: {sig}\n{body}")).unwrap();
        }
        // The largest of the two that match the prefix; the third is another bug's.
        assert_eq!(minimized_ops(&dir, Some("swap_free_nr/"), Some("swap_free_nr")), Some(6));
        assert_eq!(minimized_ops(&dir, None, Some("swap_free_nr")), None);
        // Any op fits `*/events/`, but the hand-minimal program diverges at put_swap_folio:
        // only that route's finding is held to it.
        assert_eq!(minimized_ops(&dir, Some("*/events/"), Some("put_swap_folio")), Some(9));
        assert_eq!(minimized_ops(&dir, Some("*/events/"), Some("swap_free_nr")), Some(6));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_entry_with_an_expected_finding_has_a_hand_minimal_program() {
        // The catalog itself: entries() refuses an entry with an expected finding and no
        // minimal.txt, and a minimal.txt that does not parse; the control has none.
        let all = entries(&crate::variant::workspace().join("corpus/known-bugs")).expect("the catalog reads");
        assert!(all.len() >= 10);
        for e in &all {
            assert_eq!(e.minimal.is_some(), e.expected.is_some(), "{}", e.name);
            // A program shows a divergence with one op at least (the divergent one).
            assert!(e.minimal.is_none_or(|n| n >= 1), "{}", e.name);
        }
    }
}
