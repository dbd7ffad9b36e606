//! Interleavings (issue 15): the kernel's own swap code on two to four simulated CPUs, switching
//! only at the shim's yield points (locks, atomics, marked accesses, `cond_resched`, RCU, and
//! between ops; `cshim::interleave`), judged by linearizability against the spec.
//!
//! A [`Concurrent`] program is a sequential setup (ops run one by one, judged as in any
//! contract-mode run) and one op list per CPU. A [`Schedule`] is data: the CPU chosen at each
//! decision point (a stop where more than one CPU can run), with a fixed default past its end,
//! so a run replays exactly from its text or bytes. [`run`] runs one schedule and
//! [`linear::check`] asks whether some sequential order of the CPUs' ops, respecting each CPU's
//! order and real time, explains the returns and the end state through the spec.
//! [`explore`] enumerates every schedule of a tiny scope within a preemption bound, or samples
//! PCT-style random ones.

pub mod bytes;
pub mod explore;
pub mod generate;
pub mod generate72;
#[cfg(feature = "cli")]
pub mod hunt;
pub mod linear;
pub mod minimize;
pub mod op72;
pub mod report;
pub mod report72;
#[cfg(feature = "cli")]
pub mod repro;
#[cfg(feature = "cli")]
pub mod repro72;
pub mod text;
pub mod v72;

use std::cell::{Cell, RefCell};

use cshim::interleave::{Body, Choice, RunEnd, YieldKind, YieldPoint, MAX_CPUS};
use cshim::Kernel;

use crate::compare::Touch;
use crate::exec::{exec, Outcome};
use crate::judge::Judge;
use crate::program::Op;
use swapdiff_contract::prelude::*;

/// Ops per CPU at most, and CPUs at most: a concurrent program is a small scope by design
/// (races need two or three ops each; the linearizability check is exponential in ops).
pub const MAX_CPU_OPS: usize = 4;

/// Stops an interleaved run may make before it counts as a livelock.
pub const MAX_STEPS: usize = 20_000;

/// A concurrent program: `setup` runs first, sequentially; then each CPU runs its ops.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Concurrent {
    pub setup: Vec<Op>,
    pub cpus: Vec<Vec<Op>>,
}

impl Concurrent {
    /// Whether it can run: 2..=MAX_CPUS CPUs, each with 1..=MAX_CPU_OPS primitive ops.
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_CPUS).contains(&self.cpus.len()) {
            return Err(format!("{} CPUs: a concurrent program has 2 to {MAX_CPUS}", self.cpus.len()));
        }
        for (i, ops) in self.cpus.iter().enumerate() {
            if ops.is_empty() || ops.len() > MAX_CPU_OPS {
                return Err(format!("cpu{i} has {} ops: 1 to {MAX_CPU_OPS}", ops.len()));
            }
            if let Some(op) = ops.iter().chain(&self.setup).find(|o| o.is_composite()) {
                return Err(format!("{} is a composite op: write its primitive calls", op.kind()));
            }
        }
        Ok(())
    }

    /// The ops of every CPU, with their ids (cpu, index).
    pub fn cpu_ops(&self) -> impl Iterator<Item = ((usize, usize), &Op)> {
        self.cpus.iter().enumerate().flat_map(|(c, ops)| ops.iter().enumerate().map(move |(i, op)| ((c, i), op)))
    }
}

/// The CPU to run at each decision point, in order. Past its end the default applies: the CPU
/// that ran last while it can run, else the lowest that can (no preemption).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Schedule(pub Vec<u8>);

/// The default choice at a decision point.
pub fn default_choice(c: &Choice<'_>) -> usize {
    match c.last {
        Some(l) if c.runnable[l] => l,
        _ => c.runnable.iter().position(|&r| r).unwrap_or(0),
    }
}

/// One decision point of a run: who could run, who ran last, who was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub runnable: Vec<bool>,
    pub last: Option<usize>,
    pub chosen: usize,
}

impl Decision {
    /// Choosing `cpu` here takes the CPU from one that could have gone on.
    pub fn preempts(&self, cpu: usize) -> bool {
        matches!(self.last, Some(l) if self.runnable[l] && l != cpu)
    }
}

/// One op's run on a CPU: what it returned, and the steps (resume numbers) it started and
/// ended in, for the real-time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpRun {
    pub outcome: Outcome,
    pub began: usize,
    pub ended: usize,
}

/// What one schedule did.
#[derive(Debug, Clone)]
pub struct Run {
    pub end: RunEnd,
    /// Per CPU, the ops that finished, in order (a CPU stops after a trapped op).
    pub ops: Vec<Vec<OpRun>>,
    /// Every stop: the CPU that ran and where it stopped.
    pub trace: Vec<(usize, YieldPoint)>,
    pub decisions: Vec<Decision>,
    /// The setup's first disagreement with the spec, if any (then nothing concurrent ran).
    pub setup_failed: Option<String>,
    /// The judge after the setup: the spec's state the concurrent part starts from.
    pub judge: Judge,
}

/// Runs `p` once under `schedule` on `k` (reset first): the setup sequentially, judged, then the
/// CPUs interleaved. `pick` decides past the schedule's end (None: [`default_choice`]).
pub fn run(
    k: &mut Kernel,
    p: &Concurrent,
    schedule: &Schedule,
    pick: Option<&mut dyn FnMut(&Choice<'_>) -> usize>,
) -> Run {
    k.env_reset();
    let mut judge = Judge::new();
    judge.env_reset();
    for op in &p.setup {
        let out = exec(k, op);
        if let Some(m) = judge.step(op, &out, &*k, &Touch::everything()) {
            let op = crate::program::text::print_op(op);
            return not_started(
                judge,
                format!("setup op `{op}`: {}: expected {}, got {}", m.detail, m.expected, m.actual),
            );
        }
        if out.trapped() {
            return not_started(judge, format!("setup op `{}` trapped", crate::program::text::print_op(op)));
        }
    }
    k.take_events();
    let steps = Cell::new(0usize);
    let results: RefCell<Vec<Vec<OpRun>>> = RefCell::new(vec![Vec::new(); p.cpus.len()]);
    let bodies: Vec<Body<'_>> = (0..p.cpus.len())
        .map(|c| {
            let (steps, results, ops) = (&steps, &results, &p.cpus[c]);
            Box::new(move |k: &mut Kernel| {
                for (i, op) in ops.iter().enumerate() {
                    if i > 0 {
                        k.op_point();
                    }
                    let began = steps.get();
                    let outcome = exec(k, op);
                    let trapped = outcome.trapped();
                    results.borrow_mut()[c].push(OpRun { outcome, began, ended: steps.get() });
                    if trapped {
                        break;
                    }
                }
            }) as Body<'_>
        })
        .collect();
    let mut decisions = Vec::new();
    let mut fallback = pick;
    let mut chooser = |c: &Choice<'_>| {
        steps.set(steps.get() + 1);
        if c.runnable.iter().filter(|&&r| r).count() < 2 {
            return default_choice(c);
        }
        let chosen = match schedule.0.get(decisions.len()) {
            Some(&cpu) if (cpu as usize) < c.runnable.len() && c.runnable[cpu as usize] => cpu as usize,
            Some(_) => default_choice(c),
            None => match fallback.as_mut() {
                Some(f) => f(c),
                None => default_choice(c),
            },
        };
        let chosen = if chosen < c.runnable.len() && c.runnable[chosen] { chosen } else { default_choice(c) };
        decisions.push(Decision { runnable: c.runnable.to_vec(), last: c.last, chosen });
        chosen
    };
    let inter = k.interleave(bodies, &mut chooser, MAX_STEPS);
    Run { end: inter.end, ops: results.into_inner(), trace: inter.trace, decisions, setup_failed: None, judge }
}

impl Run {
    /// The schedule that replays this run (explore::Decided, here without the import).
    pub fn schedule(&self) -> Schedule {
        explore::Decided::schedule(self)
    }

    /// Preemptions the run made.
    pub fn preemptions(&self) -> usize {
        explore::Decided::preemptions(self)
    }
}

fn not_started(judge: Judge, why: String) -> Run {
    Run {
        end: RunEnd::Finished,
        ops: Vec::new(),
        trace: Vec::new(),
        decisions: Vec::new(),
        setup_failed: Some(why),
        judge,
    }
}

/// The trace as text, one stop per line: `cpuN kind func:line text`, with op boundaries.
pub fn trace_text(run: &Run) -> String {
    trace_lines(&run.trace)
}

/// [`trace_text`] of any series' trace.
pub fn trace_lines(trace: &[(usize, YieldPoint)]) -> String {
    let mut s = String::new();
    for (i, (cpu, at)) in trace.iter().enumerate() {
        if at.kind == YieldKind::Op || at.kind == YieldKind::Done || at.kind == YieldKind::Blocked {
            s.push_str(&format!("{i:4} cpu{cpu} {at}\n"));
        } else {
            s.push_str(&format!("{i:4} cpu{cpu} stops at {at}\n"));
        }
    }
    s
}
