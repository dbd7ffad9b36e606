//! The engines of a caller-level run, shared by the CLI (`swapdiff fuzz --series`) and the
//! fuzz targets (src/harness.rs): which series a run names, the C builds it takes for them, one
//! program through all of them, and what a finding of stock against patched means.

use crate::caller::v612::Caller612;
use crate::caller::v72::Caller72;
use crate::caller::{run_cross, CallerProgram, Finding};
use swapdiff_contract::caller::Series;

/// The series a run names, checked: "6.12", "7.2" or "7.3", comma-separated. A 7.x series is
/// the binary's 7.x build: it must be that series (SWAPDIFF_KERNEL_SRC_72 names a 7.3 source);
/// "7.x" is whichever one it is (the fuzz targets name it so).
pub fn parse_series(list: &str) -> Result<Vec<&'static str>, String> {
    let mut out = Vec::new();
    for s in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let known = match s {
            "6.12" => "6.12",
            "7.2" | "7.3" | "7.x" => {
                let linked = cshim::kernel72::builds72().last().map(|b| b.series);
                match linked {
                    Some(l) if l == s || s == "7.x" => l,
                    Some(l) => {
                        return Err(format!(
                        "this binary's 7.x build is {l}, not {s} (build with SWAPDIFF_KERNEL_SRC naming a {s} source)"
                    ))
                    }
                    None => return Err("this binary has no 7.x build (SWAPDIFF_KERNEL_SRC_72=none)".into()),
                }
            }
            other => {
                return Err(format!("unknown series {other:?}: swapdiff knows 6.12, 7.2 and 7.3 (7.x: the one linked)"))
            }
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

    /// The standalone C reproducer of `program` on the 7.x build under test, if the run has one.
    /// The 7.x build under test is the last one (the patched build when stock runs beside it).
    pub fn repro_c(&mut self, program: &CallerProgram, header: &str) -> Option<String> {
        let caller = self.v72.last_mut()?;
        Some(crate::caller::repro72::c_source(program, caller, header))
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
