//! Filing what killed or stalled a child (a hunt worker, a triage replay) as
//! a finding of class `crash`, `hang`, `asan` or `ubsan`: the in-flight
//! program is replayed in a fresh child (`swapdiff probe`) that announces
//! each kernel step before calling it, which names the op; the signature is
//! `op/class/function`; the program is minimized with every candidate
//! replayed in its own child (the property: same class, same function),
//! within a deadline; the finding directory is written atomically.

use crate::compare::Level;
use crate::diagnose::{diagnose, Class, Diagnosis};
use crate::findings::{dir_name, publish, Filed};
use crate::minimize::reduce;
use crate::program::{encode, parse, Family, Mode, Op, Program};
use crate::variant::sanitizer_env;
use crate::worker::{supervise, Ended, Outcome};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Wall bound of one probe: the programs are small and a kernel call that
/// does not return is trapped in-process within a second or so (the shim's
/// call timeout); past this, the probe itself counts as hung.
pub const PROBE_BOUND: Duration = Duration::from_secs(5);
/// The same for a minimization candidate: a hang candidate costs this much,
/// so it is kept short.
pub const CANDIDATE_BOUND: Duration = Duration::from_secs(3);
const GRACE: Duration = Duration::from_secs(2);

/// A child's abnormal end, with what is known of the program in flight.
#[derive(Debug, Clone)]
pub struct Abnormal {
    /// The program, when known (triage input, or regenerated from seed and index).
    pub program: Option<Program>,
    /// Where it came from, for the README: "hunt seed 1, program 77", a file.
    pub origin: String,
    /// The family the program's bytes are encoded in.
    pub family: Family,
    pub diagnosis: Diagnosis,
    /// The child's stderr.
    pub stderr: String,
}

/// How to run the variant's probe.
pub struct Prober<'a> {
    pub bin: &'a Path,
    pub level: Level,
    pub sanitized: bool,
    /// Scratch files go here.
    pub scratch: &'a Path,
}

/// One probe of a program.
pub struct Probed {
    /// `Some` when the probe ended abnormally (a sanitizer report, a signal,
    /// an overrun, or an exit other than 0 or 1).
    pub diagnosis: Option<Diagnosis>,
    pub stderr: String,
    /// The executed kernel steps announced, the last being in flight.
    pub steps: Vec<Op>,
    /// The abnormal end came after every step, in the end-state and teardown checks.
    pub at_end: bool,
    /// The probe ran through and the program diverges with this signature.
    pub diverged: Option<String>,
}

static SCRATCH: AtomicU64 = AtomicU64::new(0);

impl Prober<'_> {
    pub fn probe(&self, p: &Program, bound: Duration) -> Result<Probed, String> {
        std::fs::create_dir_all(self.scratch).map_err(|e| format!("{}: {e}", self.scratch.display()))?;
        let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
        let file = self.scratch.join(format!(".probe-{}-{n}.txt", std::process::id()));
        std::fs::write(&file, p.to_string()).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut cmd = Command::new(self.bin);
        cmd.arg("probe").arg(&file).args(["--level", self.level.name()]);
        if self.sanitized {
            sanitizer_env(&mut cmd);
        }
        let mut steps = vec![];
        let mut at_end = false;
        let mut diverged = None;
        let outcome = supervise(&mut cmd, bound, GRACE, &|| false, |line| {
            if let Some(text) = line
                .strip_prefix("step ")
                .and_then(|r| r.split_once(' '))
                .map(|(_, t)| t)
            {
                if let Ok(one) = parse(&format!("mode raw\n{text}\n")) {
                    steps.extend(one.ops);
                }
            } else if line == "end" {
                at_end = true;
            } else if let Some(sig) = line.strip_prefix("diverged ") {
                diverged = Some(sig.to_string());
            }
        });
        let _ = std::fs::remove_file(&file);
        let outcome = outcome?;
        Ok(Probed {
            diagnosis: abnormal(&outcome, &[0, 1]),
            stderr: outcome.stderr,
            steps,
            at_end,
            diverged,
        })
    }
}

/// The diagnosis of a child that ended abnormally: a sanitizer report, a
/// signal, an overrun, or an exit code not in `normal`.
pub fn abnormal(o: &Outcome, normal: &[i32]) -> Option<Diagnosis> {
    let d = diagnose(o);
    if d.class.is_some() {
        return Some(d);
    }
    match o.ended {
        Ended::Exited(code) if !normal.contains(&code) => Some(Diagnosis {
            class: Some(Class::Crash),
            ..d
        }),
        _ => None,
    }
}

/// The signature of an abnormal end in `op`.
pub fn signature(op: &str, d: &Diagnosis) -> String {
    let class = d.class.map_or("crash", Class::name);
    format!("{op}/{class}/{}", d.function().unwrap_or(op))
}

fn same(a: &Diagnosis, b: &Diagnosis) -> bool {
    a.class == b.class && a.function() == b.function()
}

/// What was filed.
pub struct FiledAbnormal {
    pub filed: Filed,
    pub ops: usize,
    pub reproduced: bool,
}

/// Files `a` under `out`: locate, sign, minimize until `deadline`, publish.
/// `info` is the variant's `build-info` text. `Ok(None)`: in a fresh process
/// the program does not die but diverges (what died was the in-process
/// minimization of that divergence: a candidate crashed the kernel); the
/// caller files it as a divergence without minimizing ([`refile`]).
pub fn file(
    pr: &Prober,
    a: &Abnormal,
    info: &str,
    out: &Path,
    deadline: Instant,
) -> Result<Option<FiledAbnormal>, String> {
    let Some(program) = &a.program else {
        // Nothing to replay: file what the child said.
        let sig = signature("unknown", &a.diagnosis);
        let readme = readme(a, &sig, info, None, None, false, &a.stderr);
        let files = [
            ("README.md", readme.into_bytes()),
            ("report.txt", a.stderr.clone().into_bytes()),
        ];
        let filed = publish(out, &sig, a.origin.as_bytes(), &files)?;
        return Ok(Some(FiledAbnormal {
            filed,
            ops: 0,
            reproduced: false,
        }));
    };
    let first = pr.probe(program, PROBE_BOUND)?;
    if first.diagnosis.is_none() && first.diverged.is_some() {
        return Ok(None);
    }
    let (diag, stderr, reproduced) = match &first.diagnosis {
        Some(d) => (d.clone(), first.stderr.clone(), true),
        None => (a.diagnosis.clone(), a.stderr.clone(), false),
    };
    let op = match (reproduced, first.at_end, first.steps.last()) {
        (true, true, _) => "end".to_string(),
        (true, false, Some(op)) => op.kind().to_string(),
        _ => "unknown".to_string(),
    };
    let sig = signature(&op, &diag);
    let bytes = encode(program, a.family).unwrap_or_else(|_| program.to_string().into_bytes());
    if out.join(dir_name(&sig)).exists() {
        let filed = publish(out, &sig, &bytes, &[])?;
        return Ok(Some(FiledAbnormal {
            filed,
            ops: 0,
            reproduced,
        }));
    }

    // Minimize the executed steps up to the one in flight, each candidate in
    // its own child; keep the report of the smallest.
    let mut best: Option<(Program, String)> = None;
    if reproduced && !first.at_end && Instant::now() < deadline {
        let mut report = stderr.clone();
        let mut keeps = |ops: &[Op]| -> Option<Vec<Op>> {
            let left = deadline.saturating_duration_since(Instant::now());
            let p = Program {
                mode: Mode::Raw,
                ops: ops.to_vec(),
            };
            let probed = pr.probe(&p, CANDIDATE_BOUND.min(left)).ok()?;
            let d = probed.diagnosis?;
            if !same(&d, &diag) || probed.at_end || probed.steps.is_empty() {
                return None;
            }
            report = probed.stderr;
            Some(probed.steps)
        };
        let (ops, _) = reduce(first.steps.clone(), &mut keeps, Some(deadline));
        best = Some((Program { mode: Mode::Raw, ops }, report));
    }
    let (minimal, report) = match &best {
        Some((p, r)) => (Some(p), r.as_str()),
        None => (None, stderr.as_str()),
    };
    let shown_as = Abnormal {
        diagnosis: diag.clone(),
        ..a.clone()
    };
    let readme = readme(&shown_as, &sig, info, Some(program), minimal, reproduced, report);
    let shown = minimal.unwrap_or(program);
    let mut files = vec![
        ("README.md", readme.into_bytes()),
        (
            "program.txt",
            format!("# swapdiff finding: {sig}\n{shown}").into_bytes(),
        ),
        ("input.txt", program.to_string().into_bytes()),
        ("input.bin", bytes.clone()),
        ("report.txt", report.as_bytes().to_vec()),
    ];
    if reproduced {
        files.push(("child-stderr.txt", a.stderr.clone().into_bytes()));
    }
    let filed = publish(out, &sig, &bytes, &files)?;
    Ok(Some(FiledAbnormal {
        filed,
        ops: shown.ops.len(),
        reproduced,
    }))
}

const WHAT: [(Class, &str); 4] = [
    (
        Class::Crash,
        "The kernel code under test killed the process (a fatal signal or an abnormal exit).",
    ),
    (
        Class::Hang,
        "The kernel code under test did not return: the process ran past its time bound and was ended.",
    ),
    (
        Class::Asan,
        "AddressSanitizer found a memory error in the kernel code under test.",
    ),
    (
        Class::Ubsan,
        "UndefinedBehaviorSanitizer found undefined behaviour in the kernel code under test.",
    ),
];

#[allow(clippy::too_many_arguments)]
fn readme(
    a: &Abnormal,
    sig: &str,
    info: &str,
    input: Option<&Program>,
    minimal: Option<&Program>,
    reproduced: bool,
    report: &str,
) -> String {
    let d = &a.diagnosis;
    let class = d.class.unwrap_or(Class::Crash);
    let mut s = String::new();
    let _ = writeln!(s, "# swapdiff: {sig}\n");
    let _ = writeln!(s, "{}\n", WHAT.iter().find(|(c, _)| *c == class).map_or("", |(_, t)| t));
    let _ = writeln!(s, "| | |\n| --- | --- |");
    let _ = writeln!(s, "| class | `{}` |", class.name());
    // The frame from the report shown (the minimal program's, when there is one).
    let rd = report_diagnosis(report).unwrap_or_else(|| d.clone());
    let _ = writeln!(s, "| what | {} |", d.kind.replace('|', "\\|"));
    if let Some(f) = &rd.frame {
        let _ = writeln!(s, "| kernel function | `{}` |", f.function);
        let _ = writeln!(s, "| kernel file:line | `{}` |", f.location);
    } else if let Some(e) = rd.entry.as_ref().or(d.entry.as_ref()) {
        let _ = writeln!(s, "| kernel entry point | `{e}` |");
    }
    let _ = writeln!(s, "| found by | {} |", a.origin);
    let _ = writeln!(
        s,
        "| reproduced | {} |\n",
        if reproduced {
            "yes, in a fresh process (`swapdiff probe`)"
        } else {
            "no: the report below is the original child's"
        }
    );
    let _ = writeln!(s, "## Kernel\n\n```text\n{}```\n", info);
    if let Some(m) = minimal {
        let _ = writeln!(s, "## Minimal program\n\nEvery candidate was replayed in its own process; kept when it ended with the same class in the same function.\n");
        let _ = writeln!(s, "```text\n{m}```\n");
    }
    if let Some(p) = input {
        let _ = writeln!(s, "## Input program\n\n```text\n{p}```\n");
    }
    let _ = writeln!(s, "## Report\n\n```text\n{}\n```\n", report.trim_end());
    let _ = writeln!(s, "## Reproduce\n");
    let _ = writeln!(
        s,
        "With the swapdiff built for the same patch set (its path is in the check-patch output):\n\n```sh\nswapdiff probe program.txt   # announces each kernel step, then dies the same way\n```\n\n\
         Without swapdiff: `swapdiff export <this directory>` writes a self-contained directory (repro.c from \
         the program, the kernel C of this build, the shim, a Makefile that builds under ASan+UBSan for a \
         sanitizer finding); `make && ./repro` there."
    );
    s
}

/// The diagnosis a report text alone gives (for the minimal program's report).
fn report_diagnosis(report: &str) -> Option<Diagnosis> {
    let d = diagnose(&Outcome {
        ended: Ended::Exited(0),
        stderr: report.to_string(),
        elapsed: Duration::ZERO,
    });
    d.class.map(|_| d)
}

/// A scratch directory for probes under the findings directory.
pub fn scratch_dir(out: &Path) -> PathBuf {
    out.join(".scratch")
}

/// Files the diverging input `file` with `swapdiff report --no-minimize` in a
/// child (a minimization candidate of it killed the process that tried).
pub fn refile(pr: &Prober, file: &Path, target: Option<&str>, out: &Path) -> Result<Option<(Filed, usize)>, String> {
    let mut cmd = Command::new(pr.bin);
    cmd.arg("report")
        .arg(file)
        .arg("--no-minimize")
        .args(["--level", pr.level.name()])
        .arg("--out")
        .arg(out);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    if pr.sanitized {
        sanitizer_env(&mut cmd);
    }
    let mut filed = None;
    supervise(&mut cmd, Duration::from_secs(60), GRACE, &|| false, |l| {
        if let Some(f) = crate::triage::parse_filed(l) {
            filed = Some(f);
        }
    })?;
    Ok(filed)
}

/// Writes `p` to a scratch file for a child to read.
pub fn scratch_program(dir: &Path, p: &Program) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
    let file = dir.join(format!(".program-{}-{n}.txt", std::process::id()));
    std::fs::write(&file, p.to_string()).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(file)
}
