//! The linearizability check (the Lincheck and Porcupine style): an interleaved run is correct
//! when some sequential order of its CPUs' ops (each CPU's own order kept, and an op that ended
//! before another began kept before it) runs through the spec with the returns the ops had,
//! ending in the state the kernel ended in. The search is a depth-first walk over such orders,
//! the spec cloned at each branch; a prefix the spec refuses is cut there.

use cshim::interleave::RunEnd;
use cshim::Kernel;

use super::{Concurrent, Run};
use crate::compare::Touch;
use crate::exec::exec;
use crate::judge::Judge;
use crate::program::text::print_op;
use crate::program::Op;
use swapdiff_contract::Environment;

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
pub fn check(p: &Concurrent, run: &Run, k: &mut Kernel) -> Verdict {
    if let Some(why) = &run.setup_failed {
        return Verdict::Unjudged(format!("the setup is not within the spec: {why}"));
    }
    if let Some(why) = run.judge.lost() {
        return Verdict::Unjudged(format!("the spec lost track during the setup: {why}"));
    }
    if let Some(why) = concurrent_swapoffs(p) {
        return Verdict::Unjudged(why);
    }
    let trapped = run.ops.iter().any(|ops| ops.last().is_some_and(|r| r.outcome.trapped()));
    match run.end {
        RunEnd::Finished => {}
        // A CPU whose call trapped holding a lock leaves it held: the others' wait is the trap's
        // consequence, and the spec judges the trap below (a call outside the contract, or a bug).
        RunEnd::Deadlock if !trapped => return violation(format!("deadlock: {}", waiting(run)), Vec::new(), 0),
        RunEnd::Deadlock => {}
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
            // A trapped op ends its CPU, and a CPU waiting for a lock the trap left held ends
            // there too: the trap itself is what the spec judges below.
            if !trapped {
                return violation(format!("cpu{c} ran {done} of {} ops", ops.len()), Vec::new(), 0);
            }
        }
    }
    let next = vec![0usize; p.cpus.len()];
    let mut order = Vec::new();
    // A fault or a data race is a bug whatever the results, if the calls are ones callers may
    // make: some order keeps the spec on track through every op. A call outside the contract
    // (every order loses the spec) may fault or race in the kernel too.
    if let Some(why) = unexplainable(p, run) {
        let mut s = Search { p, run, k: &*k, tried: 0, best: Vec::new(), lost: None };
        let mut unsure = Vec::new();
        let sure = s.contract_order(run.judge.clone(), &next, &mut order, false, &mut unsure);
        let (tried, lost) = (s.tried, s.lost.take());
        if sure || unsure.iter().any(|o| within_contract_replayed(p, run, o, k)) {
            return violation(why, Vec::new(), tried);
        }
        return Verdict::Unjudged(format!(
            "{why}, after a call outside the callers' contract in every order: {}",
            lost.unwrap_or_else(|| "the spec could not follow a call whose result it does not promise".into())
        ));
    }
    let mut s = Search { p, run, k: &*k, tried: 0, best: Vec::new(), lost: None };
    if let Some(found) = s.walk(run.judge.clone(), &next, &mut order) {
        return Verdict::Linearizable { order: found, orders_tried: s.tried };
    }
    if let Some(why) = s.lost {
        return Verdict::Unjudged(format!("the spec lost track in every order it followed: {why}"));
    }
    let why = s.best.first().map(|a| a.why.clone()).unwrap_or_else(|| "no order".into());
    violation(format!("no sequential order of the ops explains the run; the closest fails: {why}"), s.best, s.tried)
}

/// Orders [`within_contract_replayed`] may run for one run.
const MAX_REPLAYS: usize = 64;

/// Whether the run's calls in `order`, made one at a time on `k` after the setup, keep the spec
/// on track with every result agreeing: then they are calls callers may make in that order.
/// A sequential disagreement or trap is no such proof (a sequential bug: not this check's to
/// judge). Resets `k`: the run's end state is gone afterwards.
fn within_contract_replayed(p: &Concurrent, run: &Run, order: &[OpId], k: &mut Kernel) -> bool {
    k.env_reset();
    let mut judge = Judge::new();
    judge.env_reset();
    for op in p.setup.iter().chain(order.iter().map(|&(c, i)| &p.cpus[c][i])) {
        let out = exec(k, op);
        if judge.step(op, &out, &*k, &Touch::default()).is_some() || judge.lost().is_some() || out.trapped() {
            return false;
        }
    }
    debug_assert!(order.iter().all(|&(c, i)| i < run.ops[c].len()));
    true
}

/// Two CPUs that swap off one device: the spec's swapoff is one step, the kernel's a long one
/// whose first effect (SWP_WRITEOK cleared: the second gets -EINVAL) comes before its last (the
/// device gone), so no sequential order fits the runs where the second returns between them.
fn concurrent_swapoffs(p: &Concurrent) -> Option<String> {
    let mut seen: Vec<(usize, u8)> = Vec::new();
    for ((c, _), op) in p.cpu_ops() {
        if let Op::swapoff { ty } = op {
            let ty = *ty;
            if seen.iter().any(|&(d, t)| d != c && t == ty) {
                return Some(format!("two CPUs swap off device {ty}: swapoff is not one step (not judged)"));
            }
            seen.push((c, ty));
        }
    }
    None
}

/// The text of the shim's lock discipline WARNs (cshim sd_list.h, devices.c): a shared object the
/// kernel documents as locked was changed without its lock. Only interleaved runs check it.
pub const LOCK_DISCIPLINE: &str = "lock discipline: ";

/// The text of the BUG a fault inside a call becomes on a simulated CPU (cshim sched.c
/// `sd_sched_fault`): the kernel's oops. Only interleaved runs catch faults (a sequential one is
/// a crash of the process).
pub const PAGE_FAULT: &str = "unable to handle kernel paging request";

/// A run no sequential order can explain whatever its results: a lock discipline WARN (a data
/// race) or a fault (a use of freed or cleared memory). The kernel never prints the first and
/// never faults in a call its callers may make, so naming them is the report; the spec is not
/// asked (it may make no promise about the call, and so would accept anything).
fn unexplainable(p: &Concurrent, run: &Run) -> Option<String> {
    for (c, ops) in run.ops.iter().enumerate() {
        for (i, r) in ops.iter().enumerate() {
            let op = print_op(&p.cpus[c][i]);
            for e in r.outcome.events() {
                if let Some(what) = e.text.strip_prefix(LOCK_DISCIPLINE) {
                    return Some(format!("data race: cpu{c}'s `{op}`: {what} in {}", e.func));
                }
                if e.text == PAGE_FAULT {
                    return Some(format!("fault: cpu{c}'s `{op}`: {PAGE_FAULT} in {}", e.func));
                }
            }
        }
    }
    None
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

    /// Whether some order (real-time order kept) keeps the spec on track through every op,
    /// whatever the results: the calls are within the callers' contract in that order. An op
    /// whose result the spec disagrees with (a trapped call, a racy answer) leaves the spec's
    /// state as it was, so what it says of the ops after it is not sure: such orders go to
    /// `unsure` (up to [`MAX_REPLAYS`]), for [`within_contract_replayed`] to decide.
    fn contract_order(
        &mut self,
        judge: Judge,
        next: &[usize],
        order: &mut Vec<OpId>,
        disagreed: bool,
        unsure: &mut Vec<Vec<OpId>>,
    ) -> bool {
        let total: usize = self.run.ops.iter().map(Vec::len).sum();
        if order.len() == total {
            if disagreed {
                if unsure.len() < MAX_REPLAYS {
                    unsure.push(order.clone());
                }
                return false;
            }
            return true;
        }
        for c in 0..self.run.ops.len() {
            if !self.available(next, c) {
                continue;
            }
            let i = next[c];
            let mut j = judge.clone();
            self.tried += 1;
            // A disagreement is not the question here; losing track is.
            let differs = j.step(&self.p.cpus[c][i], &self.run.ops[c][i].outcome, self.k, &Touch::default()).is_some();
            if let Some(why) = j.lost() {
                self.lost = Some(why.to_string());
                continue;
            }
            let mut n = next.to_vec();
            n[c] += 1;
            order.push((c, i));
            let within = self.contract_order(j, &n, order, disagreed || differs, unsure);
            order.pop();
            if within {
                return true;
            }
        }
        false
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
