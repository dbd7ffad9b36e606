//! Checking kernel patches: build swapdiff for a patched kernel (its own
//! target directory, so the stock build is untouched), then hunt for
//! divergences with generated programs from fixed seeds, in parallel
//! processes of that build.
//!
//! The hunting itself ([`hunt`]) runs inside the patched build; the
//! orchestration ([`build_variant`], [`run_variant`]) runs in any build.

use crate::campaign::Finding;
use crate::compare::Level;
use crate::engine::Engine;
use crate::generate::{program, Rng};
use crate::program::Family;
use crate::runner::{differential, Options};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The swapdiff workspace this binary was built from.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one hunt saw: programs run and time spent until the first
/// divergence (or the whole budget), and every distinct finding.
pub struct Hunt {
    pub programs: u64,
    pub seconds: f64,
    pub first: Option<(String, u64, f64)>,
    pub findings: Vec<Finding>,
}

/// Generated programs from `seed` until `budget` runs out (or the first
/// divergence, with `stop_at_first`).
pub fn hunt<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    seed: u64,
    budget: Duration,
    level: Level,
    stop_at_first: bool,
) -> Hunt {
    let start = Instant::now();
    let mut rng = Rng::new(seed);
    let families = [Family::All, Family::Counts, Family::Mte];
    let mut h = Hunt { programs: 0, seconds: 0.0, first: None, findings: vec![] };
    let opts = Options { level, ..Options::default() };
    while start.elapsed() < budget {
        let p = program(&mut rng, families[(h.programs % 3) as usize]);
        h.programs += 1;
        let run = differential(model, kernel, &p, opts);
        if let Some(d) = &run.divergence {
            let signature = d.signature();
            if h.first.is_none() {
                h.first = Some((signature.clone(), h.programs, start.elapsed().as_secs_f64()));
            }
            if !h.findings.iter().any(|f| f.signature == signature) {
                h.findings.push(Finding { signature, program: p, report: String::new() });
            }
            if stop_at_first {
                break;
            }
        }
    }
    h.seconds = start.elapsed().as_secs_f64();
    h
}

/// A stable name for a set of patches (their contents, in order).
pub fn variant_key(patches: &[PathBuf]) -> Result<String, String> {
    if patches.is_empty() {
        return Ok("stock".into());
    }
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for p in patches {
        let data = std::fs::read(p).map_err(|e| format!("patch {}: {e}", p.display()))?;
        if data.is_empty() {
            return Err(format!("patch {} is empty", p.display()));
        }
        for b in data {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    Ok(format!("patched-{h:016x}"))
}

/// Builds the swapdiff CLI for `patches` and returns its path. Progress goes
/// to stderr; a patch that does not apply ends in an error naming it.
pub fn build_variant(patches: &[PathBuf]) -> Result<PathBuf, String> {
    let key = variant_key(patches)?;
    let root = workspace();
    let tdir = if key == "stock" { root.join("target") } else { root.join("target/variants").join(&key) };
    let joined = std::env::join_paths(patches).map_err(|e| format!("patch paths: {e}"))?;
    eprintln!("swapdiff: building the {key} kernel and CLI in {} ...", tdir.display());
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "-q", "--bin", "swapdiff"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &tdir)
        .env("SWAPDIFF_PATCHES", joined)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let why: Vec<&str> = err.lines().filter(|l| l.contains("swapdiff") || l.contains("patch") || l.contains("FAILED")).collect();
        let shown = if why.is_empty() { err.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect() } else { why };
        return Err(format!("building the patched kernel failed:\n{}", shown.join("\n")));
    }
    Ok(tdir.join("release/swapdiff"))
}

/// One `hunt-run` line from a variant build: `found SIG programs N seconds S`
/// or `none programs N seconds S`, followed by `finding SIG` lines.
pub struct RunResult {
    pub seed: u64,
    pub first: Option<(String, u64, f64)>,
    pub programs: u64,
    pub signatures: Vec<String>,
}

/// Runs `hunt-run` of the variant binary for each seed, `jobs` at a time.
pub fn run_variant(bin: &Path, seeds: &[u64], seconds: f64, level: Level, stop_at_first: bool, jobs: usize, findings: &Path) -> Result<Vec<RunResult>, String> {
    let mut results = vec![];
    for chunk in seeds.chunks(jobs.max(1)) {
        let children: Vec<_> = chunk
            .iter()
            .map(|seed| {
                let mut c = Command::new(bin);
                c.args(["hunt-run", "--seed", &seed.to_string(), "--seconds", &seconds.to_string(), "--level", level.name()]);
                c.arg("--out").arg(findings);
                if stop_at_first {
                    c.arg("--stop-at-first");
                }
                c.current_dir(workspace()).stdout(Stdio::piped());
                c.spawn().map(|child| (*seed, child)).map_err(|e| format!("{}: {e}", bin.display()))
            })
            .collect::<Result<_, _>>()?;
        for (seed, mut child) in children {
            let stdout = child.stdout.take().ok_or("no stdout")?;
            let mut r = RunResult { seed, first: None, programs: 0, signatures: vec![] };
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let w: Vec<&str> = line.split_whitespace().collect();
                match w.as_slice() {
                    ["found", sig, "programs", n, "seconds", s] => {
                        r.first = Some((sig.to_string(), n.parse().unwrap_or(0), s.parse().unwrap_or(0.0)))
                    }
                    ["programs", n, ..] => r.programs = n.parse().unwrap_or(0),
                    ["finding", sig, ..] => r.signatures.push(sig.to_string()),
                    _ => eprintln!("{line}"),
                }
            }
            child.wait().map_err(|e| e.to_string())?;
            results.push(r);
        }
    }
    Ok(results)
}
