//! Caller-level programs run through several kernel series at once (issue 14's cross-series
//! check): the same program of [`CallerOp`]s goes through each series' C, mapped by that
//! series' adapter ([`v612`], [`v72`]) as its callers do, in a [`world::World`] of page tables
//! and a shmem file. After every op the worlds' observations must be equal (the logical level:
//! the same pages swapped, the same counts, the same cache, the same tags, in world numbers,
//! so allocator placement does not matter), and each world checks the caller-level spec. A
//! divergence says which series the spec agrees with.
//!
//! The runner knows series only through [`Series`].

pub mod engines;
pub mod program;
pub mod repro72;
pub mod v612;
pub mod v72;
pub mod world;

pub use program::CallerProgram;
use swapdiff_contract::caller::Series;
use world::{Observation, World};

/// Where a cross-series run first went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The series' observations differ after op `step`: each series' view, and for each
    /// whether the spec holds in it up to there.
    Divergence { step: usize, views: Vec<(&'static str, String, bool)> },
    /// Every series agrees, but the spec is broken in `series` at op `step`.
    Spec { step: usize, series: &'static str, why: String },
    /// A series could not start (swapon failed).
    Setup { series: &'static str, why: String },
}

impl Finding {
    /// Whether the finding breaks what callers are promised somewhere. A divergence in which
    /// every series keeps the spec is a change of behaviour the spec allows (an allocator
    /// that serves a request the other refuses), not a bug.
    pub fn breaks_spec(&self) -> bool {
        match self {
            Finding::Divergence { views, .. } => views.iter().any(|v| !v.2),
            Finding::Spec { .. } | Finding::Setup { .. } => true,
        }
    }

    /// A stable identity for dedup: the kind, the op kind and the series involved.
    pub fn signature(&self, program: &CallerProgram) -> String {
        match self {
            Finding::Divergence { step, views } => {
                let bad: Vec<&str> = views.iter().filter(|v| !v.2).map(|v| v.0).collect();
                format!("divergence/{}/spec-broken-in:{}", program.ops[*step].kind(), bad.join("+"))
            }
            Finding::Spec { step, series, .. } => format!("spec/{}/{series}", program.ops[*step].kind()),
            Finding::Setup { series, .. } => format!("setup/{series}"),
        }
    }

    /// The report's text.
    pub fn describe(&self, program: &CallerProgram) -> String {
        match self {
            Finding::Divergence { step, views } => {
                let class = if self.breaks_spec() {
                    "a bug in the series that breaks the spec"
                } else {
                    "a change: every series keeps the spec"
                };
                let mut s = format!("the series disagree after op {step} ({}), {class}:\n", program.ops[*step]);
                for (series, view, spec_ok) in views {
                    let verdict = if *spec_ok { "the spec holds" } else { "the spec is broken" };
                    s.push_str(&format!("  {series} ({verdict}): {view}\n"));
                }
                s
            }
            Finding::Spec { step, series, why } => {
                format!("{series} breaks the caller-level spec at op {step} ({}): {why}\n", program.ops[*step])
            }
            Finding::Setup { series, why } => format!("{series}: {why}\n"),
        }
    }
}

/// The parts of two observations that differ, as text (for the report).
fn differing(a: &Observation, b: &Observation) -> (String, String) {
    macro_rules! field {
        ($($f:ident),*) => {{
            let (mut x, mut y) = (Vec::new(), Vec::new());
            $(if a.$f != b.$f {
                x.push(format!("{} {:?}", stringify!($f), a.$f));
                y.push(format!("{} {:?}", stringify!($f), b.$f));
            })*
            (x.join("; "), y.join("; "))
        }};
    }
    let (x, y) = field!(result, ptes, shmem, clones, slots, free_pages, events);
    if x.is_empty() && a.tag_store != b.tag_store {
        return (
            format!("tag store of {} entries", a.tag_store.len()),
            format!("tag store of {} entries", b.tag_store.len()),
        );
    }
    (x, y)
}

/// Runs `program` through every series, comparing after each op. None: they agree and the
/// spec holds throughout.
///
/// A divergence in which every series keeps the spec (an allowed change) ends the comparison,
/// not the run: the series go on alone, each judged by the spec, so a bug after a change is
/// still found (and reported instead of the change).
pub fn run_cross(program: &CallerProgram, series: &mut [&mut dyn Series]) -> Option<Finding> {
    let mut worlds = Vec::new();
    for s in series.iter_mut() {
        let name = s.series();
        match World::new(&mut **s, program.clusters) {
            Ok(w) => worlds.push(w),
            Err(why) => return Some(Finding::Setup { series: name, why }),
        }
    }
    let mut change: Option<Finding> = None;
    for (step, &op) in program.ops.iter().enumerate() {
        let obs: Vec<Observation> = worlds.iter_mut().map(|w| w.step(step, op)).collect();
        if change.is_none() {
            if let Some(k) = (1..obs.len()).find(|&k| obs[k] != obs[0]) {
                let (first, other) = differing(&obs[0], &obs[k]);
                let views = vec![
                    (worlds[0].series_name(), first, worlds[0].violations().is_empty()),
                    (worlds[k].series_name(), other, worlds[k].violations().is_empty()),
                ];
                let found = Finding::Divergence { step, views };
                if found.breaks_spec() {
                    return Some(found);
                }
                change = Some(found);
            }
        }
        for w in &worlds {
            if let Some((at, why)) = w.violations().first() {
                return Some(Finding::Spec { step: *at, series: w.series_name(), why: why.clone() });
            }
        }
        if worlds.iter().any(World::trapped) {
            break;
        }
    }
    change
}

/// Runs `program` through one series, judged by the spec alone.
pub fn run_one(program: &CallerProgram, series: &mut dyn Series) -> Option<Finding> {
    run_cross(program, &mut [series])
}
