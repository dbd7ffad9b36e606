//! Human-readable divergences: the signature first (fuzzers dedup on the
//! first line), then the executed program up to the divergent step, then
//! expected (model) against actual (kernel).

use crate::program::text::print_op;
use crate::runner::{Divergence, Phase, Run};
use std::fmt::Write;

/// The first line of every divergence report starts with this, then the
/// signature: the fuzz drivers (src/drive) read the signature from the
/// targets' logs by it, so it is the one place the wording lives.
pub const DIVERGENCE_PREFIX: &str = "swapdiff divergence: ";

pub fn divergence(run: &Run, d: &Divergence) -> String {
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
    let _ = writeln!(s, "  expected (model):  {}", m.expected);
    let _ = writeln!(s, "  actual (kernel):   {}", m.actual);
    s
}
