//! After a run: every saved crash input filed as a finding (minimized,
//! deduplicated, with README and repro.c) by src/triage.rs, replaying each
//! in its own process with a swapdiff CLI built for the same kernel variant
//! (this binary when it is that variant, else built by src/variant.rs).

use super::plan::Plan;
use crate::identity::build_key;
use crate::triage::{triage, Report, Spec};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The CLI for the plan's kernel variant.
pub fn variant_cli(plan: &Plan) -> Result<PathBuf, String> {
    if build_key() == plan.variant {
        return std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"));
    }
    let source = plan.source.as_ref().map(|(series, src)| (*series, src.as_path()));
    Ok(crate::variant::build_variant_on(source, &[], &plan.patches, false)?.bin)
}

/// Files every input under `dir` into the plan's findings directory. After
/// an interrupt they are filed as found, without minimizing (as check-patch
/// does); a second Ctrl-C ends the process.
pub fn file_inputs(plan: &Plan, dir: &Path, interrupted: bool) -> Result<Report, String> {
    eprintln!("swapdiff fuzz: triaging {} ({} kernel)", dir.display(), plan.variant);
    let spec = Spec {
        bin: variant_cli(plan)?,
        out: plan.findings.clone(),
        target: None,
        add_regressions: None,
        minimize_seconds: if interrupted { 0.0 } else { 60.0 },
        sanitized: false,
        level: plan.level,
    };
    triage(dir, &spec, &|| false)
}

/// A finding's verdict (the first line of its `verdict.txt`), or `-` (crash, hang and
/// sanitizer findings have none: they are judged by their class).
fn verdict_of(finding: &Path) -> String {
    std::fs::read_to_string(finding.join("verdict.txt"))
        .ok()
        .and_then(|t| t.lines().next().map(str::to_string))
        .filter(|v| crate::verdict::Verdict::from_name(v).is_some())
        .unwrap_or_else(|| "-".into())
}

/// The triage table: one line per signature, grouped by verdict (regressions first, then
/// fixes, latent bugs, changes to confirm, and the findings without one), shared with
/// `swapdiff triage`.
pub fn render(dir: &Path, kernel: &str, r: &Report) -> String {
    let mut s = String::new();
    let partial = if r.interrupted { " (interrupted: partial)" } else { "" };
    let _ = writeln!(
        s,
        "triage of {} ({} files, kernel {kernel}): {} signatures, {} inputs without divergence, {} unusable{partial}",
        dir.display(),
        r.files,
        r.table.len(),
        r.agreeing,
        r.unusable
    );
    let order = ["regression", "fix", "latent", "change", "-"];
    let mut rows: Vec<(String, &String, _)> = r.table.iter().map(|(sig, l)| (verdict_of(&l.dir), sig, l)).collect();
    rows.sort_by_key(|(v, sig, _)| (order.iter().position(|o| o == v), sig.to_string()));
    for (verdict, sig, l) in rows {
        let _ = writeln!(
            s,
            "  {:<5} {:<10} {:>4} inputs  {:>3} ops  {sig}  {}",
            if l.new { "new" } else { "known" },
            verdict,
            l.inputs,
            l.ops,
            l.dir.display()
        );
    }
    s
}
