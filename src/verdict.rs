//! What a divergence means, judged by the spec: the reference (stock C, or the 6.12
//! model standing for it) against the build under test (the patched C).
//!
//! - *regression*: the reference keeps the contract there, the build under test does not;
//! - *fix*: the build under test keeps it, the reference does not;
//! - *change*: they differ and the spec has no say (a call outside its contract, as raw
//!   mode makes them, a choice the contract leaves open, an encoding), or both break it
//!   differently: the author decides;
//! - *latent*: they agree with each other and both break the contract: the bug predates
//!   the patch.
//!
//! A spec-class divergence is found only where both sides agreed on the step (the runner
//! judges after comparing), so it is latent by construction. A raw difference is judged by
//! running each side alone over the executed steps up to the divergent one, with the spec
//! judging every call: the two sides agreed on every earlier step, so what matters is
//! whether each side's own outcome there keeps the contract. When neither breaks it there
//! (the difference is in what the spec does not read: cluster accounting, encodings,
//! allocations), each side runs alone through the whole program, and a promise broken
//! later decides.

use crate::compare::Mismatch;
use crate::engine::Engine;
use crate::judge;
use crate::program::{Mode, Program};
use crate::runner::{single, Divergence, Options, Phase, Run};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Regression,
    Fix,
    Change,
    Latent,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Regression => "regression",
            Verdict::Fix => "fix",
            Verdict::Change => "change",
            Verdict::Latent => "latent",
        }
    }

    pub fn from_name(name: &str) -> Option<Verdict> {
        [Verdict::Regression, Verdict::Fix, Verdict::Change, Verdict::Latent].into_iter().find(|v| v.name() == name)
    }
}

/// A verdict with what the spec said of each side.
#[derive(Debug, Clone)]
pub struct Judged {
    pub verdict: Verdict,
    /// The spec's disagreement with the reference, up to the divergent step.
    pub reference: Option<Mismatch>,
    /// The spec's disagreement with the build under test, up to the divergent step.
    pub under_test: Option<Mismatch>,
    /// Why the spec had no say, when it had none.
    pub no_say: Option<&'static str>,
    /// The broken promise came later in the program than the divergence (each side run
    /// alone through it), not at the divergent step.
    pub later: bool,
}

/// Judges divergence `d` of `run`, a run of `program` on `reference` against
/// `under_test`. Runs each engine alone over the executed steps (they are reset first).
pub fn judge<R: Engine + ?Sized, T: Engine + ?Sized>(
    reference: &mut R,
    under_test: &mut T,
    program: &Program,
    run: &Run,
    d: &Divergence,
    level: crate::compare::Level,
) -> Judged {
    if d.mismatch.class == judge::CLASS {
        let m = Some(d.mismatch.clone());
        return Judged { verdict: Verdict::Latent, reference: m, under_test: None, no_say: None, later: false };
    }
    // The executed steps up to the divergent one (all of them for the end state and the
    // teardown), judged on each side alone.
    let upto = if d.phase == Phase::Step { d.step + 1 } else { run.steps.len() };
    let ops = run.steps[..upto.min(run.steps.len())].iter().map(|s| s.op.clone()).collect();
    // Judged even for a raw-mode program: the spec's rules answer "unpromised" (and stop
    // following) for a call outside its contract, so only promises a call really had decide.
    let steps = Program { mode: Mode::Steered, ops };
    let opts = Options { level, ..Options::default() };
    let spec_says = |r: Run| r.divergence.map(|d| d.mismatch);
    let mut reference_says = spec_says(single(reference, &steps, opts));
    let mut under_test_says = spec_says(single(under_test, &steps, opts));
    let mut later = false;
    if reference_says.is_none() && under_test_says.is_none() {
        // What differed is nothing the spec reads (cluster accounting, an encoding, a
        // leak): each side goes on alone through the whole program (a contract-mode one
        // steered on its own state), to show whether the difference breaks a promise later.
        let whole = match program.mode {
            Mode::Raw => Program { mode: Mode::Steered, ops: program.ops.clone() },
            _ => program.clone(),
        };
        reference_says = spec_says(single(reference, &whole, opts));
        under_test_says = spec_says(single(under_test, &whole, opts));
        later = true;
    }
    let verdict = match (&reference_says, &under_test_says) {
        (None, Some(_)) => Verdict::Regression,
        (Some(_), None) => Verdict::Fix,
        _ => Verdict::Change,
    };
    let no_say = match (&reference_says, &under_test_says) {
        (None, None) if program.mode == Mode::Raw => {
            Some("a raw-mode program, where the calls that differ have no promise, and neither side breaks one")
        }
        (None, None) => Some("the contract allows both outcomes, and neither side breaks it later in the program"),
        (Some(_), Some(_)) => Some("both sides break the contract, differently"),
        _ => None,
    };
    Judged { verdict, reference: reference_says, under_test: under_test_says, no_say, later }
}

impl Judged {
    /// One line a reviewer can paste into a mail. `names` are the two sides as the report
    /// calls them (e.g. "stock 6.12.57", "the patched kernel").
    pub fn explain(&self, d: &Divergence, names: (&str, &str)) -> String {
        let (r, t) = names;
        let when = if self.later { "later in the program: " } else { "" };
        let said = |m: &Mismatch| format!("{when}{}: allowed {}, observed {}", m.detail, m.expected, m.actual);
        let what = format!("{} ({})", d.mismatch.detail, d.mismatch.class);
        match self.verdict {
            Verdict::Regression => {
                let m = self.under_test.as_ref().map(said).unwrap_or_default();
                format!("regression: {r} keeps the callers' contract and {t} breaks it ({m})")
            }
            Verdict::Fix => {
                let m = self.reference.as_ref().map(said).unwrap_or_default();
                format!("fix: {t} keeps the callers' contract where {r} breaks it ({m})")
            }
            Verdict::Change => format!(
                "change: {r} and {t} differ in {what}, and the spec has no say ({}): is this intended?",
                self.no_say.unwrap_or("")
            ),
            Verdict::Latent => {
                let m = self.reference.as_ref().map(said).unwrap_or_default();
                format!("latent: {r} and {t} agree, and both break the contract ({m}): the bug predates the patch")
            }
        }
    }
}
