//! The linearizability check (the Lincheck and Porcupine style): an interleaved run is correct
//! when some sequential order of its CPUs' ops (each CPU's own order kept, and an op that ended
//! before another began kept before it) runs through the spec with the returns the ops had,
//! ending in the state the kernel ended in. The search is a depth-first walk over such orders,
//! the spec cloned at each branch; a prefix the spec refuses is cut there.

use cshim::interleave::RunEnd;
use cshim::Kernel;

use super::{Concurrent, Run};
use crate::compare::Touch;
use crate::judge::Judge;
use crate::program::text::print_op;

/// An op of a concurrent program: (cpu, index in its list).
pub type OpId = (usize, usize);

/// A sequential order that got furthest before the spec refused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub order: Vec<OpId>,
    /// Why the spec refused the op after the prefix (or the end state).
    pub why: String,
}

/// The check's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// This order explains the run.
    Linearizable { order: Vec<OpId>, orders_tried: usize },
    /// No order does: the run is a bug. `closest`: the orders that got furthest.
    Violation { why: String, closest: Vec<Attempt>, orders_tried: usize },
    /// The spec cannot judge this run (the setup broke it, or a call outside what it follows):
    /// never a pass.
    Unjudged(String),
}

impl Verdict {
    pub fn is_violation(&self) -> bool {
        matches!(self, Verdict::Violation { .. })
    }
}

struct Search<'a> {
    p: &'a Concurrent,
    run: &'a Run,
    k: &'a Kernel,
    tried: usize,
    best: Vec<Attempt>,
    lost: Option<String>,
}

/// Judges `run` of `p`, with `k` holding the state the run ended in.
pub fn check(p: &Concurrent, run: &Run, k: &Kernel) -> Verdict {
    if let Some(why) = &run.setup_failed {
        return Verdict::Unjudged(format!("the setup is not within the spec: {why}"));
    }
    if let Some(why) = run.judge.lost() {
        return Verdict::Unjudged(format!("the spec lost track during the setup: {why}"));
    }
    match run.end {
        RunEnd::Finished => {}
        RunEnd::Deadlock => return violation(format!("deadlock: {}", waiting(run)), Vec::new(), 0),
        RunEnd::StepLimit => {
            return violation(
                format!("no end after {} stops (livelock?): {}", run.trace.len(), waiting(run)),
                Vec::new(),
                0,
            )
        }
    }
    for (c, ops) in p.cpus.iter().enumerate() {
        let done = run.ops.get(c).map_or(0, Vec::len);
        if done < ops.len() {
            // A trapped op ends its CPU: the trap itself is what the spec refuses below.
            let last = run.ops[c].last().map(|r| r.outcome.trapped()).unwrap_or(false);
            if !last {
                return violation(format!("cpu{c} ran {done} of {} ops", ops.len()), Vec::new(), 0);
            }
        }
    }
    let mut s = Search { p, run, k, tried: 0, best: Vec::new(), lost: None };
    let mut order = Vec::new();
    let next = vec![0usize; p.cpus.len()];
    if let Some(found) = s.walk(run.judge.clone(), &next, &mut order) {
        return Verdict::Linearizable { order: found, orders_tried: s.tried };
    }
    if let Some(why) = s.lost {
        return Verdict::Unjudged(format!("the spec lost track in every order it followed: {why}"));
    }
    let why = s.best.first().map(|a| a.why.clone()).unwrap_or_else(|| "no order".into());
    violation(format!("no sequential order of the ops explains the run; the closest fails: {why}"), s.best, s.tried)
}

fn violation(why: String, closest: Vec<Attempt>, orders_tried: usize) -> Verdict {
    Verdict::Violation { why, closest, orders_tried }
}

/// Where each unfinished CPU stopped.
fn waiting(run: &Run) -> String {
    let mut last: Vec<Option<String>> = Vec::new();
    for (cpu, at) in &run.trace {
        if last.len() <= *cpu {
            last.resize(cpu + 1, None);
        }
        last[*cpu] = Some(at.to_string());
    }
    last.iter()
        .enumerate()
        .filter_map(|(c, a)| a.as_ref().map(|a| format!("cpu{c} at {a}")))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Search<'_> {
    /// Whether op `(c, i)` may come next: no op still unplaced ended before it began.
    fn available(&self, next: &[usize], c: usize) -> bool {
        let Some(me) = self.run.ops[c].get(next[c]) else { return false };
        self.run
            .ops
            .iter()
            .enumerate()
            .all(|(d, runs)| d == c || runs.iter().skip(next[d]).all(|other| other.ended >= me.began))
    }

    fn note(&mut self, order: &[OpId], why: String) {
        const KEEP: usize = 3;
        let a = Attempt { order: order.to_vec(), why };
        let pos = self.best.iter().position(|b| b.order.len() < a.order.len()).unwrap_or(self.best.len());
        if pos < KEEP && !self.best.contains(&a) {
            self.best.insert(pos, a);
            self.best.truncate(KEEP);
        }
    }

    fn walk(&mut self, judge: Judge, next: &[usize], order: &mut Vec<OpId>) -> Option<Vec<OpId>> {
        let total: usize = self.run.ops.iter().map(Vec::len).sum();
        if order.len() == total {
            self.tried += 1;
            let mut judge = judge;
            let end = judge
                .state(self.k, &Touch::everything(), None)
                .or_else(|| judge.tags(self.k, None))
                .map(|m| format!("the end state: {}: the spec has {}, the kernel {}", m.detail, m.expected, m.actual));
            return match end {
                None => Some(order.clone()),
                Some(why) => {
                    self.note(order, why);
                    None
                }
            };
        }
        for c in 0..self.run.ops.len() {
            if !self.available(next, c) {
                continue;
            }
            let i = next[c];
            let op = &self.p.cpus[c][i];
            let mut j = judge.clone();
            order.push((c, i));
            match j.step(op, &self.run.ops[c][i].outcome, self.k, &Touch::default()) {
                Some(m) => {
                    self.tried += 1;
                    let why = format!(
                        "cpu{c}'s `{}` ({}): the spec allows {}, the kernel did {}",
                        print_op(op),
                        m.detail,
                        m.expected,
                        m.actual
                    );
                    self.note(order, why);
                }
                None if j.lost().is_some() => {
                    self.tried += 1;
                    self.lost = j.lost().map(str::to_string);
                }
                None => {
                    let mut n = next.to_vec();
                    n[c] += 1;
                    if let Some(found) = self.walk(j, &n, order) {
                        return Some(found);
                    }
                }
            }
            order.pop();
        }
        None
    }
}
