//! Human-readable divergences: the signature first (fuzzers dedup on the
//! first line), then the executed program up to the divergent step, then
//! the expected side against the actual one (for a spec disagreement: what the
//! spec allows against what the judged side did).

use crate::oracle::Names;
use crate::program::text::print_op;
use crate::runner::{Divergence, Phase, Run};
use std::fmt::Write;

/// How a report labels the two values of `d`'s mismatch.
pub fn sides(d: &Divergence, names: &Names) -> (String, String) {
    if d.mismatch.class == crate::judge::CLASS {
        ("allowed (the spec)".into(), format!("observed ({})", names.judged))
    } else {
        (format!("expected ({})", names.reference), format!("actual ({})", names.under_test))
    }
}

/// The first line of every divergence report starts with this, then the
/// signature: the fuzz drivers (src/drive) read the signature from the
/// targets' logs by it, so it is the one place the wording lives.
pub const DIVERGENCE_PREFIX: &str = "swapdiff divergence: ";

/// [`divergence_named`] for the model against the kernel.
pub fn divergence(run: &Run, d: &Divergence) -> String {
    divergence_named(run, d, &Names::model_and_kernel())
}

pub fn divergence_named(run: &Run, d: &Divergence, names: &Names) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{DIVERGENCE_PREFIX}{}", d.signature());
    let where_ = match d.phase {
        Phase::Step => format!("at step {}", d.step + 1),
        Phase::End if run.trapped => format!("in the state the trapped call (step {}) left behind", run.steps.len()),
        Phase::End => "in the state after the last op".to_string(),
        Phase::Teardown => "after swapoff of every device and freeing every folio (a leak)".to_string(),
    };
    let _ = writeln!(s, "{} mode, {where_}", run.mode.name());
    let _ = writeln!(s, "executed steps:");
    let upto = (d.step + 1).min(run.steps.len());
    for (i, step) in run.steps[..upto].iter().enumerate() {
        let mark = if i == d.step && d.phase == Phase::Step { ">>" } else { "  " };
        let _ = writeln!(s, "{mark}{:>4}  {}", i + 1, print_op(&step.op));
    }
    let m = &d.mismatch;
    let _ = writeln!(s, "what differed: {} ({})", m.detail, m.class);
    let (e, a) = sides(d, names);
    let width = e.len().max(a.len()) + 1;
    let _ = writeln!(s, "  {:<width$} {}", format!("{e}:"), m.expected);
    let _ = writeln!(s, "  {:<width$} {}", format!("{a}:"), m.actual);
    s
}
