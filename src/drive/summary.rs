//! One target's result and the run's verdict: what every fuzzer process
//! reported, classified once. A divergence, a sanitizer report, a crash, a
//! timeout or an out-of-memory is a finding; a fuzzer that could not start
//! makes the run a tool error; only a run with neither is clean.

use super::plan::{Fuzzer, Plan};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct TargetResult {
    pub target: String,
    pub execs: u64,
    /// libFuzzer: the best worker's last `cov:` and `ft:`.
    pub cov: Option<u64>,
    pub ft: Option<u64>,
    /// AFL++: the main instance's `bitmap_cvg` (percent) and `edges_found`.
    pub bitmap_cvg: Option<f64>,
    pub edges: Option<u64>,
    pub corpus: Option<u64>,
    /// Fuzzer processes planned, and those that started.
    pub workers: usize,
    pub started: usize,
    /// What the fuzzers stopped on (signatures or classes), first seen first, no repeats.
    pub findings: Vec<String>,
    /// Crash inputs saved (libFuzzer artifacts, AFL++ crashes/ and hangs/).
    pub inputs: usize,
    /// Why fuzzer processes could not start.
    pub failures: Vec<String>,
    pub interrupted: bool,
    pub seconds: f64,
    /// The largest peak RSS of any of its fuzzer processes, in kB (None: no
    /// process could be sampled).
    pub peak_rss_kb: Option<u64>,
}

impl TargetResult {
    pub fn add_finding(&mut self, what: String) {
        if !self.findings.contains(&what) {
            self.findings.push(what);
        }
    }
    pub fn has_findings(&self) -> bool {
        !self.findings.is_empty() || self.inputs > 0
    }
    /// The peak RSS in MB (10^6 bytes: the unit of the 512 MB target), rounded up.
    pub fn peak_rss_mb(&self) -> Option<u64> {
        self.peak_rss_kb.map(|kb| (kb * 1024).div_ceil(1_000_000))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    Findings,
    /// A fuzzer could not start: the run says nothing about the kernel.
    ToolError,
    /// Stopped by Ctrl-C/SIGTERM with nothing found.
    Interrupted,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Clean => 0,
            Verdict::Findings => 1,
            Verdict::ToolError => 2,
            Verdict::Interrupted => 130,
        }
    }
}

/// Findings first (they are real whatever else happened, and filed), then a
/// fuzzer that could not start, then an interrupt; else clean.
pub fn verdict(results: &[TargetResult], interrupted: bool) -> Verdict {
    if results.iter().any(TargetResult::has_findings) {
        Verdict::Findings
    } else if results.iter().any(|r| !r.failures.is_empty() || r.started < r.workers && !r.interrupted) {
        Verdict::ToolError
    } else if interrupted || results.iter().any(|r| r.interrupted) {
        Verdict::Interrupted
    } else {
        Verdict::Clean
    }
}

/// The summary table and where the run's files are.
pub fn render(plan: &Plan, fuzzer: Fuzzer, results: &[TargetResult], verdict: Verdict) -> String {
    let mut s = String::new();
    let workers = if plan.jobs == 1 { String::new() } else { format!(", {} workers per target", plan.jobs) };
    let _ = writeln!(
        s,
        "swapdiff fuzz summary ({}, {} kernel, {}s, {} level{workers}):",
        fuzzer.name(),
        plan.variant,
        plan.total,
        plan.level.name()
    );
    for r in results {
        let rate = if r.seconds > 0.0 { r.execs as f64 / r.seconds } else { 0.0 };
        let cov = match fuzzer {
            Fuzzer::LibFuzzer => format!("cov {:>6}  ft {:>6}", opt(r.cov), opt(r.ft)),
            Fuzzer::Afl => format!(
                "bitmap {:>6}  edges {:>6}",
                r.bitmap_cvg.map_or("?".into(), |c| format!("{c:.2}%")),
                opt(r.edges)
            ),
        };
        let what = if r.has_findings() {
            let inputs = if r.inputs > 0 { format!(" ({} inputs)", r.inputs) } else { String::new() };
            let shown = if r.findings.is_empty() { "crash inputs saved".to_string() } else { r.findings.join("; ") };
            format!("{shown}{inputs}")
        } else if !r.failures.is_empty() {
            format!("could not start: {}", r.failures[0])
        } else if r.started < r.workers && !r.interrupted {
            format!("only {} of {} fuzzer processes ran", r.started, r.workers)
        } else if r.interrupted {
            "interrupted, no divergence so far".into()
        } else {
            "no divergence".into()
        };
        let _ = writeln!(
            s,
            "  {:<12} {:>10} execs ({:>6.0}/s)  {cov}  corpus {:>5}  peak RSS {:>5} MB  {what}",
            r.target,
            r.execs,
            rate,
            opt(r.corpus),
            opt(r.peak_rss_mb())
        );
    }
    let inputs: PathBuf = match fuzzer {
        Fuzzer::LibFuzzer => plan.artifacts(),
        Fuzzer::Afl => plan.afl_out(),
    };
    let _ = writeln!(s, "  logs in {}", plan.log_dir().display());
    match verdict {
        Verdict::Findings => {
            let _ = writeln!(s, "findings: inputs in {}/<target>/", inputs.display());
        }
        Verdict::ToolError => {
            let _ = writeln!(s, "a fuzzer could not start: the run checked nothing (see the logs)");
        }
        Verdict::Interrupted => {
            let _ = writeln!(s, "interrupted: a partial run, nothing found so far");
        }
        Verdict::Clean => {}
    }
    s
}

fn opt(v: Option<u64>) -> String {
    v.map_or("?".into(), |v| v.to_string())
}
