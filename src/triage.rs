//! Triage of a fuzzer's crash directory: each input is replayed and filed in
//! its own child process (`swapdiff report`), so an input that kills the
//! replay (a crash, a hang, a sanitizer report) cannot take the others with
//! it: it is filed as a finding of its class and triage goes on.

use crate::abnormal::{self, abnormal, Abnormal, Prober};
use crate::compare::Level;
use crate::findings::Filed;
use crate::harness::{target_family, target_series};
use crate::input::{family_from_path, load};
use crate::program::Family;
use crate::worker::{supervise, Ended};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Spec {
    /// The swapdiff to replay with: this very binary (built for the kernel
    /// variant being triaged).
    pub bin: PathBuf,
    pub out: PathBuf,
    pub target: Option<String>,
    /// Also add regression entries here (`corpus/regressions`); they always
    /// go into each finding as `regression.txt`.
    pub add_regressions: Option<PathBuf>,
    /// Bound of each input's minimization.
    pub minimize_seconds: f64,
    pub sanitized: bool,
    /// The level the inputs were found at: a logical run's inputs replayed at the raw
    /// level would be filed under the encoding differences the run chose to ignore.
    pub level: Level,
}

/// One line of the triage table.
pub struct Line {
    pub new: bool,
    pub inputs: usize,
    pub ops: usize,
    pub dir: PathBuf,
}

#[derive(Default)]
pub struct Report {
    pub files: usize,
    pub agreeing: usize,
    pub unusable: usize,
    /// signature → line
    pub table: BTreeMap<String, Line>,
    pub interrupted: bool,
}

/// Crash files: every regular file except READMEs and hidden ones.
pub fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with("README") {
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Slack on a replay's bound past its minimization time.
const REPLAY_SLACK: Duration = Duration::from_secs(20);

pub fn triage(dir: &Path, spec: &Spec, stop: &dyn Fn() -> bool) -> Result<Report, String> {
    let mut files = vec![];
    collect(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    files.sort();
    let mut report = Report { files: files.len(), ..Report::default() };
    let fam = match &spec.target {
        None => None,
        Some(t) if target_series(t).is_some() => None,
        Some(t) => Some(
            target_family(t)
                .ok_or_else(|| format!("unknown target `{t}` ({})", crate::harness::target_names().join(", ")))?,
        ),
    };
    // A caller-level target's input is no op-level program: when its replay dies, it is filed
    // as what the child said, with the input named (abnormal::file without a program).
    let is_caller = |f: &Path| {
        crate::harness::input_series(spec.target.as_deref(), f).is_some()
            || crate::harness::is_interleave_input(spec.target.as_deref(), f)
    };
    for f in &files {
        if stop() {
            report.interrupted = true;
            break;
        }
        let mut cmd = Command::new(&spec.bin);
        cmd.arg("report").arg(f).arg("--out").arg(&spec.out);
        cmd.args(["--minimize-seconds", &spec.minimize_seconds.to_string()]);
        cmd.args(["--level", spec.level.name()]);
        if let Some(t) = &spec.target {
            cmd.args(["--target", t]);
        }
        if let Some(r) = &spec.add_regressions {
            cmd.arg("--add-regressions").arg(r);
        }
        if spec.sanitized {
            crate::variant::sanitizer_env(&mut cmd);
        }
        let bound = Duration::from_secs_f64(spec.minimize_seconds.max(0.0)) + REPLAY_SLACK;
        let mut said = vec![];
        let outcome = supervise(&mut cmd, bound, Duration::from_secs(2), stop, |l| said.push(l.to_string()))?;
        if outcome.ended == Ended::Stopped {
            report.interrupted = true;
            break;
        }
        if let Some(diagnosis) = abnormal(&outcome, &[0, 1, 2]) {
            let input = if is_caller(f) { None } else { load(f, fam).ok() };
            let a = Abnormal {
                program: input.as_ref().map(|i| i.program.clone()),
                origin: format!("`{}`", f.display()),
                family: input.map(|i| i.family).or_else(|| family_from_path(f)).unwrap_or(Family::All),
                stderr: outcome.stderr,
                diagnosis,
            };
            let prober = Prober {
                bin: &spec.bin,
                level: spec.level,
                sanitized: spec.sanitized,
                scratch: &abnormal::scratch_dir(&spec.out),
            };
            let deadline = Instant::now() + Duration::from_secs_f64(spec.minimize_seconds.max(0.0));
            match abnormal::file(&prober, &a, &crate::variant::build_info(&spec.bin), &spec.out, deadline)? {
                Some(filed) => note(&mut report, &filed.filed, filed.ops),
                None => {
                    // Its minimization died, not its replay: filed as it is.
                    eprintln!("swapdiff triage: {}: minimizing crashed the kernel; filed unminimized", f.display());
                    match abnormal::refile(&prober, f, spec.target.as_deref(), &spec.out)? {
                        Some((filed, ops)) => note(&mut report, &filed, ops),
                        None => eprintln!("swapdiff triage: {}: could not be filed", f.display()),
                    }
                }
            }
            let _ = std::fs::remove_dir_all(abnormal::scratch_dir(&spec.out));
            continue;
        }
        match outcome.ended {
            Ended::Exited(0) => report.agreeing += 1,
            Ended::Exited(2) => {
                report.unusable += 1;
                eprintln!("swapdiff triage: skipping {}", outcome.stderr.trim().trim_start_matches("swapdiff: "));
            }
            _ => {
                // Exit 1: filed; the child says where.
                for l in &said {
                    if let Some((filed, ops)) = parse_filed(l) {
                        note(&mut report, &filed, ops);
                    }
                }
            }
        }
    }
    Ok(report)
}

fn note(report: &mut Report, filed: &Filed, ops: usize) {
    match filed {
        Filed::New { dir, signature, .. } => {
            report.table.insert(signature.clone(), Line { new: true, inputs: 1, ops, dir: dir.clone() });
        }
        Filed::Seen { dir, signature, .. } => {
            let text = std::fs::read_to_string(dir.join("program.txt")).unwrap_or_default();
            let minimal = crate::program::parse(&text)
                .map(|p| p.ops.len())
                .or_else(|_| crate::caller::CallerProgram::parse(&text).map(|p| p.ops.len()))
                .unwrap_or(0);
            let e = report.table.entry(signature.clone()).or_insert(Line {
                new: false,
                inputs: 0,
                ops: minimal,
                dir: dir.clone(),
            });
            e.inputs += 1;
        }
    }
}

/// `new finding SIG: DIR (A -> B ops)` or `known finding SIG: DIR (seen N times)`.
pub fn parse_filed(line: &str) -> Option<(Filed, usize)> {
    let (new, rest) = if let Some(r) = line.strip_prefix("new finding ") {
        (true, r)
    } else {
        (false, line.strip_prefix("known finding ")?)
    };
    let (signature, rest) = rest.split_once(": ")?;
    let (dir, tail) = rest.rsplit_once(" (")?;
    let (dir, signature) = (PathBuf::from(dir), signature.to_string());
    if new {
        let ops = tail.split_whitespace().nth(2).and_then(|n| n.parse().ok()).unwrap_or(0);
        Some((Filed::New { dir, signature, ops_before: 0, ops_after: ops, verdict: None }, ops))
    } else {
        let times = tail.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
        Some((Filed::Seen { dir, signature, times }, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_parse_back() {
        // The exact lines `swapdiff report` prints (bin/swapdiff.rs, describe).
        let (f, ops) = parse_filed("new finding a/b/c: /x/findings/a--b--c (12 -> 3 ops)").unwrap();
        assert!(matches!(f, Filed::New { ref signature, .. } if signature == "a/b/c"));
        assert_eq!(ops, 3);
        let (f, _) = parse_filed("known finding a/b/c: /x/y (seen 4 times)").unwrap();
        assert!(matches!(f, Filed::Seen { times: 4, .. }));
        assert!(parse_filed("x: no divergence on kernel 6.12").is_none());
    }
}
