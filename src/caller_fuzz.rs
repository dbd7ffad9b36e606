//! `swapdiff fuzz --series 6.12,7.2` (and one series alone): caller-level programs from a
//! seeded generator through every named series' C in one process, for a bounded time, each
//! divergence or broken spec minimized (ops dropped while the finding keeps its signature),
//! deduplicated by signature and filed as a program a `--replay` reproduces.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::caller::v612::Caller612;
use crate::caller::v72::Caller72;
use crate::caller::{run_cross, CallerProgram, Finding};
use swapdiff_contract::caller::Series;

/// The series a run names, checked: "6.12", "7.2" or "7.3", comma-separated. A 7.x series is
/// the binary's 7.x build: it must be that series (SWAPDIFF_KERNEL_SRC names a 7.3 source).
pub fn parse_series(list: &str) -> Result<Vec<&'static str>, String> {
    let mut out = Vec::new();
    for s in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let known = match s {
            "6.12" => "6.12",
            "7.2" | "7.3" => {
                let linked = cshim::kernel72::builds72().last().map(|b| b.series);
                match linked {
                    Some(l) if l == s => l,
                    Some(l) => {
                        return Err(format!(
                        "this binary's 7.x build is {l}, not {s} (build with SWAPDIFF_KERNEL_SRC naming a {s} source)"
                    ))
                    }
                    None => return Err("this binary has no 7.x build (SWAPDIFF_KERNEL_SRC_72=none)".into()),
                }
            }
            other => return Err(format!("unknown series {other:?}: swapdiff knows 6.12, 7.2 and 7.3")),
        };
        if !out.contains(&known) {
            out.push(known);
        }
    }
    if out.is_empty() {
        return Err("--series names no series".into());
    }
    Ok(out)
}

/// The engines of a run: for each series named, its build under test, and its stock build
/// first when the binary links a patched one too (stock against patched, the spec judging:
/// check-patch of a 7.2 patch runs this way).
pub struct Engines {
    v612: Option<Caller612<cshim::Kernel>>,
    v72: Vec<Caller72>,
}

impl Engines {
    /// Takes 6.12's engine before 7.x's: every holder of two builds' locks takes them in
    /// this order (a process may hold several).
    pub fn acquire(series: &[&str]) -> Engines {
        let v612 = series.contains(&"6.12").then(|| Caller612::new(cshim::Kernel::acquire()));
        let v72 = if series.iter().any(|s| s.starts_with("7.")) {
            let builds = cshim::kernel72::builds72();
            let mut v = Vec::new();
            if builds.len() > 1 {
                v.push(Caller72::new(cshim::kernel72::Kernel72::acquire_build(&builds[0])));
            }
            v.push(Caller72::new(cshim::kernel72::Kernel72::acquire()));
            v
        } else {
            Vec::new()
        };
        Engines { v612, v72 }
    }

    pub fn run(&mut self, program: &CallerProgram) -> Option<Finding> {
        let mut all: Vec<&mut dyn Series> = Vec::new();
        if let Some(s) = self.v612.as_mut() {
            all.push(s);
        }
        for s in self.v72.iter_mut() {
            all.push(s);
        }
        run_cross(program, &mut all)
    }

    /// Stock and patched of one series side by side.
    pub fn three_way(&self) -> bool {
        self.v72.len() > 1
    }

    pub fn versions(&self) -> String {
        let mut v = Vec::new();
        if self.v612.is_some() {
            v.push(format!("6.12: Linux {}", cshim::kernel_version()));
        }
        for s in &self.v72 {
            let b = s.kernel.build();
            let patches = if b.patches.is_empty() { String::new() } else { format!(" + {}", b.patches.join(", ")) };
            v.push(format!("{}: Linux {}{patches}", s.series(), s.kernel_version()));
        }
        v.join(", ")
    }
}

/// What a finding of stock against patched means (check-patch's verdicts): the patched build
/// breaks the spec where stock keeps it (regression), the reverse (fix), both keep it but
/// differ (change), or both break it alike (latent: the bug is in stock too).
pub fn verdict(f: &Finding) -> &'static str {
    let patched = |name: &str| name.ends_with("+patched");
    match f {
        Finding::Divergence { views, .. } => {
            let broken = |want: bool| views.iter().any(|v| patched(v.0) == want && !v.2);
            match (broken(false), broken(true)) {
                (false, true) => "regression",
                (true, false) => "fix",
                (false, false) => "change",
                (true, true) => "latent",
            }
        }
        Finding::Spec { series, .. } if patched(series) => "regression",
        Finding::Spec { .. } => "latent",
        Finding::Setup { .. } => "regression",
    }
}

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

fn random_program(state: &mut u64) -> CallerProgram {
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
                file(out, &sig, &small, &report, &engines.versions())?;
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

/// One finding: `<out>/<signature>.prog` (replayable) with the kernels it ran on and the report
/// as its comment.
fn file(out: &Path, sig: &str, program: &CallerProgram, report: &str, kernels: &str) -> Result<PathBuf, String> {
    let name: String = sig.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    let path = out.join(format!("{name}.prog"));
    let mut text = format!("# kernels: {kernels}\n");
    for line in report.lines() {
        text.push_str(&format!("# {line}\n"));
    }
    text.push_str(&format!("# replay: swapdiff fuzz --series 6.12,7.2 --replay {}\n", path.display()));
    text.push_str(&program.to_text());
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Replays one filed program: its finding now, if any.
pub fn replay(series: &[&'static str], file: &Path) -> Result<Option<String>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let program = CallerProgram::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut engines = Engines::acquire(series);
    Ok(engines.run(&program).map(|f| format!("{}\n{}", f.signature(&program), f.describe(&program))))
}
