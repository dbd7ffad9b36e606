//! A run step by step: what each side returned and recorded, with the first
//! divergence marked. Text for people, JSON for machines.

use crate::exec::Outcome;
use crate::program::text::print_op;
use crate::runner::{Phase, Run};
use serde_json::{json, Value};
use std::fmt::Write;

fn rets(o: &Outcome) -> String {
    match o.runs() {
        [] => "-".into(),
        [one] if one.times == 1 => one.ret.to_string(),
        [same] => format!("{} (x{})", same.ret, same.times),
        _ => format!("{} calls, last {}", o.calls(), o.ret()),
    }
}

/// One line per step, events indented below; `>>` marks the divergent step.
pub fn text(run: &Run) -> String {
    text_labelled(run, ("model", "kernel"))
}

/// [`text`] with the two columns labelled `labels` (reference, under test).
pub fn text_labelled(run: &Run, labels: (&str, &str)) -> String {
    let (model, kernel) = labels;
    let mut s = String::new();
    let bad = run.divergence.as_ref().filter(|d| d.phase == Phase::Step).map(|d| d.step);
    let _ = writeln!(s, "{:>4}  {:<44} {:>16} {:>16}", "step", "op", model, kernel);
    for (i, step) in run.steps.iter().enumerate() {
        let mark = if Some(i) == bad { ">>" } else { "  " };
        let (m, k) = (step.expected.as_ref(), step.actual.as_ref());
        let show = |o: Option<&Outcome>| o.map_or("-".to_string(), rets);
        let _ = writeln!(s, "{mark}{:>2}  {:<44} {:>16} {:>16}", i + 1, print_op(&step.op), show(m), show(k));
        for (side, o) in [(model, m), (kernel, k)] {
            for e in o.into_iter().flat_map(Outcome::events) {
                let _ = writeln!(s, "        {side:>6}: {e}");
            }
        }
    }
    if let Some(d) = &run.divergence {
        let _ = writeln!(s, "first divergence: {}", d.signature());
        let _ =
            writeln!(s, "  {}: {model} {} / {kernel} {}", d.mismatch.detail, d.mismatch.expected, d.mismatch.actual);
    } else {
        let _ = writeln!(s, "no divergence ({:?})", run.end);
    }
    s
}

fn outcome_json(o: Option<&Outcome>) -> Value {
    match o {
        None => Value::Null,
        Some(o) => json!({
            "rets": o.rets().collect::<Vec<_>>(),
            "events": o.events().map(|e| json!({"kind": e.kind.name(), "func": e.func, "text": e.message()})).collect::<Vec<_>>(),
        }),
    }
}

pub fn json(run: &Run, file: &str) -> Value {
    json!({
        "file": file,
        "mode": run.mode.name(),
        "end": format!("{:?}", run.end),
        "steps": run.steps.iter().map(|s| json!({
            "op": print_op(&s.op),
            "model": outcome_json(s.expected.as_ref()),
            "kernel": outcome_json(s.actual.as_ref()),
        })).collect::<Vec<_>>(),
        "divergence": run.divergence.as_ref().map(|d| json!({
            "signature": d.signature(),
            "step": d.step + 1,
            "phase": format!("{:?}", d.phase),
            "class": d.mismatch.class,
            "detail": d.mismatch.detail,
            "expected": d.mismatch.expected,
            "actual": d.mismatch.actual,
        })),
    })
}
