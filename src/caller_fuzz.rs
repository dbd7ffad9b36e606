//! `swapdiff fuzz --series 6.12,7.2` (and one series alone): caller-level programs from a
//! seeded generator through every named series' C in one process, for a bounded time, each
//! divergence or broken spec minimized (ops dropped while the finding keeps its signature),
//! deduplicated by signature and filed as a program a `--replay` reproduces.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use crate::caller::engines::{parse_series, verdict, Engines};
use crate::caller::CallerProgram;

/// Drops ops while the finding keeps its signature.
pub fn minimize(engines: &mut Engines, program: &CallerProgram, signature: &str) -> CallerProgram {
    let mut best = program.clone();
    loop {
        let mut shrunk = false;
        let mut i = 0;
        while i < best.ops.len() {
            let mut trial = best.clone();
            trial.ops.remove(i);
            let same = engines.run(&trial).is_some_and(|f| f.signature(&trial) == signature);
            if same {
                best = trial;
                shrunk = true;
            } else {
                i += 1;
            }
        }
        if !shrunk {
            return best;
        }
    }
}

pub(crate) fn random_program(state: &mut u64) -> CallerProgram {
    let mut next = || {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    };
    let len = 2 + (next() % 160) as usize;
    let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
    CallerProgram::from_bytes(&bytes)
}

pub struct Summary {
    pub programs: u64,
    /// Signature -> programs that ended in it.
    pub hits: BTreeMap<String, u64>,
    /// The program (1-based) that found the first finding.
    pub first_at: Option<u64>,
    /// Signature -> (minimized program, report).
    pub findings: BTreeMap<String, (CallerProgram, String)>,
    /// Whether some finding breaks the spec, or (stock against patched) any was found: what
    /// makes the run fail. Different series that differ where the spec allows do not.
    pub failing: bool,
    pub interrupted: bool,
}

/// Runs random programs for `seconds` (or until `stop`), filing findings in `out`.
pub fn fuzz(
    series: &[&'static str],
    seconds: u64,
    seed: u64,
    out: &Path,
    stop: &dyn Fn() -> bool,
) -> Result<Summary, String> {
    let mut engines = Engines::acquire(series);
    eprintln!("swapdiff: caller-level programs through {} for {seconds} s (seed {seed})", engines.versions());
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut summary = Summary {
        programs: 0,
        hits: BTreeMap::new(),
        first_at: None,
        findings: BTreeMap::new(),
        failing: false,
        interrupted: false,
    };
    let mut last_progress = Instant::now();
    while Instant::now() < deadline {
        if stop() {
            summary.interrupted = true;
            break;
        }
        let program = random_program(&mut state);
        summary.programs += 1;
        if let Some(f) = engines.run(&program) {
            let sig = f.signature(&program);
            *summary.hits.entry(sig.clone()).or_default() += 1;
            summary.failing |= f.breaks_spec() || engines.three_way();
            summary.first_at.get_or_insert(summary.programs);
            if let std::collections::btree_map::Entry::Vacant(slot) = summary.findings.entry(sig.clone()) {
                let small = minimize(&mut engines, &program, &sig);
                let report = engines.run(&small).map_or_else(|| f.describe(&program), |g| g.describe(&small));
                let report = if engines.three_way() { format!("verdict: {}\n{report}", verdict(&f)) } else { report };
                file(&mut engines, out, &sig, &small, &report, series)?;
                eprintln!("swapdiff: new finding {sig} ({} ops): {}", small.ops.len(), first_line(&report));
                slot.insert((small, report));
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(10) {
            eprintln!("swapdiff: {} programs, {} findings", summary.programs, summary.findings.len());
            last_progress = Instant::now();
        }
    }
    Ok(summary)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// How a finding was filed.
pub struct Filed {
    pub dir: PathBuf,
    /// False when a finding of this signature was filed before (its directory is kept).
    pub new: bool,
}

/// A finding's directory name: its signature with every character a path would mind as `_`.
fn dir_name(sig: &str) -> String {
    sig.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect()
}

/// One finding, in `<out>/<signature>/`: `program.txt` (the minimized program, replayable,
/// the kernels it ran on and the report as its comment), `input.bin` (its fuzzer bytes, for
/// the caller-level targets), `README.md`, `verdict.txt` (stock against patched), and `repro.c` when a 7.x series ran and the
/// finding is not 6.12's alone (the calls of the 7.x build, standalone C: src/caller/repro72.rs). A signature already filed keeps its
/// directory: the first, minimized program stays the finding's.
pub fn file(
    engines: &mut Engines,
    out: &Path,
    sig: &str,
    program: &CallerProgram,
    report: &str,
    series: &[&str],
) -> Result<Filed, String> {
    let dir = out.join(dir_name(sig));
    if dir.join("program.txt").is_file() {
        return Ok(Filed { dir, new: false });
    }
    let kernels = engines.versions();
    let list = series.join(",");
    let tmp = out.join(format!(".{}.{}", dir_name(sig), std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = tmp.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let mut text = format!("# kernels: {kernels}\n");
    for line in report.lines() {
        text.push_str(&format!("# {line}\n"));
    }
    text.push_str(&format!("# replay: swapdiff fuzz --series {list} --replay {}\n", dir.display()));
    text.push_str(&program.to_text());
    write("program.txt", text.as_bytes())?;
    // Stock against patched: the verdict alone, where the triage table reads it.
    if let Some(v) = report.lines().next().and_then(|l| l.strip_prefix("verdict: ")) {
        write("verdict.txt", format!("{v}\n").as_bytes())?;
    }
    if let Some(bytes) = program.to_bytes() {
        write("input.bin", &bytes)?;
    }
    let header = format!("swapdiff caller-level reproducer for {sig}\nkernels: {kernels}\n\n{report}");
    // The reproducer is the 7.x build's calls: no use for a finding only 6.12 breaks (its
    // replay is the CLI's).
    let only_612 = sig.ends_with(":6.12") || sig.ends_with("/6.12");
    let repro = if only_612 { None } else { engines.repro_c(program, &header) };
    if let Some(c) = &repro {
        write("repro.c", c.as_bytes())?;
    }
    let mut readme =
        format!("# {sig}\n\nKernels: {kernels}.\n\n```\n{report}```\n\n## Program\n\n```\n{}```\n", program.to_text());
    readme.push_str(&format!(
        "\n## Reproduce\n\nWith swapdiff (the same kernel series and patches):\n\n```sh\nswapdiff fuzz --series {list} --replay {}\n```\n",
        dir.display()
    ));
    if repro.is_some() {
        readme.push_str(
            "\nWithout it: `repro.c` makes the same calls into the same extracted 7.x kernel code, each result \
             checked against the one swapdiff saw, and exits 1 if one differs. Its header names the command \
             that builds it (the 7.x build's standalone command, with this machine's paths).\n",
        );
    }
    write("README.md", readme.as_bytes())?;
    std::fs::rename(&tmp, &dir).map_err(|e| format!("cannot move {} to {}: {e}", tmp.display(), dir.display()))?;
    Ok(Filed { dir, new: true })
}

/// The program a `--replay` names: a program file, or a finding's directory (its program.txt).
fn read_program(file: &Path) -> Result<CallerProgram, String> {
    let path = if file.is_dir() { file.join("program.txt") } else { file.to_path_buf() };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    CallerProgram::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A fuzzer's saved input of a caller-level target (libFuzzer's crash file, AFL++'s crashes/),
/// triaged: run through `series`; a finding is minimized (unless `minimize` is false: after an
/// interrupt) and filed in `out`. The line printed is the one src/triage.rs parses.
pub fn report_input(series: &[&'static str], input: &Path, out: &Path, minimize_ops: bool) -> Result<bool, String> {
    let bytes = std::fs::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let program = CallerProgram::from_bytes(&bytes);
    let mut engines = Engines::acquire(series);
    let Some(f) = engines.run(&program) else {
        println!("{}: no finding through {}", input.display(), engines.versions());
        return Ok(false);
    };
    let sig = f.signature(&program);
    let small = if minimize_ops { minimize(&mut engines, &program, &sig) } else { program.clone() };
    let report = engines.run(&small).map_or_else(|| f.describe(&program), |g| g.describe(&small));
    let report = if engines.three_way() { format!("verdict: {}\n{report}", verdict(&f)) } else { report };
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let filed = file(&mut engines, out, &sig, &small, &report, series)?;
    if filed.new {
        println!("new finding {sig}: {} ({} -> {} ops)", filed.dir.display(), program.ops.len(), small.ops.len());
    } else {
        println!("known finding {sig}: {} (filed before)", filed.dir.display());
    }
    Ok(true)
}

/// Replays one filed program: its finding now, if any.
pub fn replay(series: &[&'static str], file: &Path) -> Result<Option<String>, String> {
    let program = read_program(file)?;
    let mut engines = Engines::acquire(series);
    Ok(engines.run(&program).map(|f| format!("{}\n{}", f.signature(&program), f.describe(&program))))
}
