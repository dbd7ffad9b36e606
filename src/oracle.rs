//! What a run checks: which engines it compares, and the spec. Hunts, findings, the
//! minimizer and the fuzz entry run programs through an [`Oracle`] and never name an
//! engine themselves.
//!
//! - [`Pair`]: a reference (it steers contract mode and is the expected side) against an
//!   engine under test, compared after every step at the run's level, the spec judging the
//!   reference (`judge.rs`). Stock C against patched C when this binary links both builds;
//!   the 6.12 model against the one kernel build otherwise.
//! - [`Alone`]: one engine against the spec only (`hunt --spec`: bugs already in stock).

use crate::compare::Level;
use crate::engine::Engine;
use crate::program::{Op, Program};
use crate::runner::{differential, single, Divergence, Options, Run};
use crate::state_diff::{self, Side};
use crate::verdict::{self, Judged, Verdict};

/// The sides of a run as a report names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The expected side: "the 6.12 model", "stock 6.12.117", or "the spec".
    pub reference: String,
    /// The side under test: "kernel 6.12.117", "patched 6.12.117+<key>".
    pub under_test: String,
    /// The side the spec judged ("the model and the kernel": the reference, which the
    /// other side matched up to the disagreement).
    pub judged: String,
}

impl Names {
    /// The names of short reports that know no build: the model and the kernel.
    pub fn model_and_kernel() -> Names {
        Names { reference: "model".into(), under_test: "kernel".into(), judged: "model and kernel".into() }
    }

    /// The two linked builds, as the fuzz targets' reports name them.
    pub fn stock_and_patched() -> Names {
        match cshim::builds() {
            [base, .., _] => Names::pair(build_name(base, false), build_name(cshim::primary(), true)),
            _ => Names::model_and_kernel(),
        }
    }

    /// One engine against the spec.
    pub fn alone(name: &str) -> Names {
        Names { reference: "the spec".into(), under_test: name.into(), judged: name.into() }
    }

    fn pair(reference: String, under_test: String) -> Names {
        let judged = format!("{reference} and {under_test}");
        Names { reference, under_test, judged }
    }
}

pub trait Oracle {
    /// Runs `p` (every engine is reset first).
    fn run(&mut self, p: &Program, opts: Options) -> Run;
    fn names(&self) -> Names;
    /// What divergence `d` of `run` (a run of `p`) means, judged by the spec.
    fn verdict(&mut self, p: &Program, run: &Run, d: &Divergence, level: Level) -> Judged;
    /// Each engine's state before and after the executed step `at` of `ops` (each engine
    /// replays `ops[..=at]` alone), named as reports name the sides.
    fn states(&mut self, ops: &[Op], at: usize) -> Vec<Side>;
}

/// A reference against an engine under test.
pub struct Pair<R, T> {
    pub reference: R,
    pub under_test: T,
    pub names: Names,
}

impl<R: Engine, T: Engine> Pair<R, T> {
    pub fn new(reference: R, under_test: T, names: Names) -> Pair<R, T> {
        Pair { reference, under_test, names }
    }

    /// A pair named as the model and the kernel (tests, planted engines).
    pub fn of(reference: R, under_test: T) -> Pair<R, T> {
        Pair::new(reference, under_test, Names::model_and_kernel())
    }
}

impl<R: Engine, T: Engine> Oracle for Pair<R, T> {
    fn run(&mut self, p: &Program, opts: Options) -> Run {
        differential(&mut self.reference, &mut self.under_test, p, opts)
    }
    fn names(&self) -> Names {
        self.names.clone()
    }
    fn verdict(&mut self, p: &Program, run: &Run, d: &Divergence, level: Level) -> Judged {
        verdict::judge(&mut self.reference, &mut self.under_test, p, run, d, level)
    }
    fn states(&mut self, ops: &[Op], at: usize) -> Vec<Side> {
        let (before, after) = state_diff::capture(&mut self.reference, ops, at);
        let reference = Side { name: self.names.reference.clone(), before, after };
        let (before, after) = state_diff::capture(&mut self.under_test, ops, at);
        vec![reference, Side { name: self.names.under_test.clone(), before, after }]
    }
}

/// One engine and the spec: every finding is a broken promise of that engine, which
/// nothing else shares or explains (a *latent* bug when the engine is stock C).
pub struct Alone<E> {
    pub engine: E,
    pub name: String,
}

impl<E: Engine> Oracle for Alone<E> {
    fn run(&mut self, p: &Program, opts: Options) -> Run {
        single(&mut self.engine, p, opts)
    }
    fn names(&self) -> Names {
        Names::alone(&self.name)
    }
    fn verdict(&mut self, _: &Program, _: &Run, d: &Divergence, _: Level) -> Judged {
        let m = Some(d.mismatch.clone());
        Judged { verdict: Verdict::Latent, reference: m, under_test: None, no_say: None, later: false }
    }
    /// The engine alone: the spec's side is its rules, not a state to show.
    fn states(&mut self, ops: &[Op], at: usize) -> Vec<Side> {
        let (before, after) = state_diff::capture(&mut self.engine, ops, at);
        vec![Side { name: self.name.clone(), before, after }]
    }
}

/// "kernel 6.12.117", or with patches "kernel 6.12.117 + a.patch, b.patch".
fn kernel_name() -> String {
    let patches = crate::engine::patches_applied();
    if patches.is_empty() {
        format!("kernel {}", crate::engine::kernel_version())
    } else {
        format!("kernel {} + {}", crate::engine::kernel_version(), patches.join(", "))
    }
}

/// How a report names a linked build: "stock 6.12.117", or with patches "6.12.117 +
/// fix.patch" (the reference of a base patch set: "stock 6.12.117 + base.patch").
pub fn build_name(b: &cshim::Build, under_test: bool) -> String {
    let patches = b.patches.iter().map(|p| format!(" + {p}")).collect::<String>();
    if under_test {
        format!("{}{patches}", b.kernel_version)
    } else {
        format!("stock {}{patches}", b.kernel_version)
    }
}

/// The oracle this binary checks with. Two builds linked (a patched variant): stock C
/// (the base build) against the patched C, the spec judging. One build: the 6.12 model
/// against it. With `spec_only`, the build under test against the spec alone.
pub fn acquire(spec_only: bool) -> Box<dyn Oracle> {
    use crate::engine::{KernelEngine, ModelEngine};
    if spec_only {
        return Box::new(Alone { engine: KernelEngine::acquire(), name: kernel_name() });
    }
    if let [base, .., _] = cshim::builds() {
        let patched = cshim::primary();
        let names = Names::pair(build_name(base, false), build_name(patched, true));
        return Box::new(Pair::new(KernelEngine::acquire_build(base), KernelEngine::acquire_build(patched), names));
    }
    let names = Names::pair("the 6.12 model".into(), kernel_name());
    Box::new(Pair::new(ModelEngine::new(), KernelEngine::acquire(), names))
}
