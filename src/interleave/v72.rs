//! Interleavings on 7.x (the swap table): the same simulated CPUs and schedules as 6.12's
//! (`cshim::interleave`, on the 7.x build's copy of the scheduler), over a program of `sd72_*`
//! calls ([`Op72`]), each CPU a caller that holds what its kernel caller holds: a folio function
//! runs with the folio locked, and a CPU that wants a folio another CPU holds locked waits for it
//! (folio_lock() sleeps), as swapdiff72.h says.
//!
//! The judge. The spec of the three-way check is 6.12's; 7.x is judged by callers at the caller
//! level (`caller::world`), where one op is several calls and a page table, not the kernel calls
//! two CPUs race on. So an interleaved 7.x run is judged against the build's own sequential
//! behaviour (the Line-Up check, Burckhardt et al., PLDI 2010): it is correct when the same ops,
//! run one at a time in some order that keeps each CPU's order and real time, give the same
//! return values, the same events (as a multiset: which op's take an event lands in is the
//! interleaving's choice) and the same end state, read through every inspection the build has.
//! What the sequential runs themselves owe their callers is the sequential fuzzers' business
//! (`callers_7x`): a program some order of which WARNs, BUGs or is refused by the argument
//! guards is outside the callers' contract there, and the verdict on it is "not judged", never
//! a pass and never a violation.
//!
//! Each order's sequential run is made once per program and kept ([`Checker72`]), so an
//! exhaustive walk over thousands of schedules pays for at most [`MAX_ORDERS`] of them.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use cshim::interleave::{Body, Choice, RunEnd, YieldPoint, MAX_CPUS};
use cshim::kernel72::{Cluster72, FolioInfo, Kernel72, Site72};
use swapdiff_contract::{entry, Entry, Event, EventKind, MAX_FOLIOS, REFUSED, TAG_BYTES, TRAPPED};

use super::explore::{exhaustive_by, Decided, Explored, Found};
use super::linear::{Attempt, OpId, Verdict};
use super::op72::Op72;
use super::text::{parse_with, print_with};
use super::{default_choice, Decision, OpRun, Schedule, MAX_CPU_OPS, MAX_STEPS};
use crate::exec::Outcome;

/// The most sequential orders a program may have (the multinomial of its CPUs' op counts): the
/// judge may run each once. Four CPUs of two ops each (8! / 2^4) is the largest the generator
/// makes.
pub const MAX_ORDERS: u64 = 2_520;

/// Device types the end state reads (the programs swap on one or two devices).
const TYPES: u32 = 2;

/// A 7.x concurrent program: `setup` runs first, sequentially; then each CPU runs its ops.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Concurrent72 {
    pub setup: Vec<Op72>,
    pub cpus: Vec<Vec<Op72>>,
}

impl Concurrent72 {
    /// Whether it can run and be judged: 2..=MAX_CPUS CPUs, each with 1..=MAX_CPU_OPS ops a CPU
    /// may make, and at most [`MAX_ORDERS`] sequential orders.
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_CPUS).contains(&self.cpus.len()) {
            return Err(format!("{} CPUs: a concurrent program has 2 to {MAX_CPUS}", self.cpus.len()));
        }
        for (i, ops) in self.cpus.iter().enumerate() {
            if ops.is_empty() || ops.len() > MAX_CPU_OPS {
                return Err(format!("cpu{i} has {} ops: 1 to {MAX_CPU_OPS}", ops.len()));
            }
            if let Some(op) = ops.iter().find(|o| !o.on_cpu()) {
                return Err(format!("cpu{i}: {} is a setup op (op72.rs): it cannot run on a CPU", op.kind()));
            }
        }
        // A swap-in folio is the allocator's next free handle: two allocations racing would
        // number theirs in an order no sequential run has, and the judge compares handles.
        let allocs = self.cpus.iter().flatten().filter(|o| matches!(o, Op72::swap_cache_alloc_folio { .. })).count();
        if allocs > 1 {
            return Err(format!("{allocs} swap_cache_alloc_folio on the CPUs: at most one (its handle is compared)"));
        }
        let n = orders(&self.cpus.iter().map(Vec::len).collect::<Vec<_>>());
        if n > MAX_ORDERS {
            return Err(format!("{n} sequential orders: the judge runs each, at most {MAX_ORDERS}"));
        }
        Ok(())
    }

    /// Reads the text form (interleave::text's, with 7.x ops) and its schedule.
    pub fn parse(src: &str) -> Result<(Concurrent72, Schedule), String> {
        let (setup, cpus, schedule) =
            parse_with(src, |t, line| Op72::parse(t).map_err(|e| format!("line {line}: {e}")))?;
        let p = Concurrent72 { setup, cpus };
        p.validate()?;
        Ok((p, schedule))
    }

    pub fn print(&self, schedule: &Schedule) -> String {
        print_with(&self.setup, &self.cpus, schedule, Op72::print)
    }

    pub fn op(&self, id: OpId) -> &Op72 {
        &self.cpus[id.0][id.1]
    }
}

/// Orders of ops that keep each CPU's order: the multinomial (sum n)! / prod n!.
fn orders(counts: &[usize]) -> u64 {
    let mut total = 0u64;
    let mut out = 1u64;
    for &n in counts {
        for i in 1..=n as u64 {
            total += 1;
            out = out.saturating_mul(total) / i;
        }
    }
    out
}

/// What a 7.x build's inspection says at the end of a run: every device's free and used
/// counts, every slot's table entry and extend count, every cluster, every folio, the tag
/// store, the queued work and the live allocations. Two runs that end equal here are
/// indistinguishable to any later call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State72 {
    pub nr_swap_pages: i64,
    pub total_swap_pages: i64,
    /// (type, inuse pages, the device's flag of device_inuse_pages, queued work).
    pub devices: Vec<(u32, i64, bool, u32)>,
    /// (type, offset, table entry, extend count) of every slot whose entry or count is not 0.
    pub slots: Vec<(u32, u64, u64, u32)>,
    pub clusters: Vec<(u32, u32, Cluster72)>,
    pub folios: Vec<(u32, FolioInfo)>,
    pub tags: Vec<(Entry, [u8; TAG_BYTES])>,
    pub allocs: Vec<(Site72, u64)>,
}

const SITES: [Site72; 5] =
    [Site72::TagStorage, Site72::XaNode, Site72::ExtendTable, Site72::SwapTable, Site72::SwapinFolio];

impl State72 {
    pub fn read(k: &Kernel72) -> State72 {
        let mut s = State72 {
            nr_swap_pages: k.nr_swap_pages(),
            total_swap_pages: k.total_swap_pages(),
            devices: Vec::new(),
            slots: Vec::new(),
            clusters: Vec::new(),
            folios: (0..MAX_FOLIOS as u32).filter_map(|h| k.folio_info(h).map(|i| (h, i))).collect(),
            tags: k.tag_store(),
            allocs: SITES.iter().map(|&site| (site, k.live_allocs(site))).collect(),
        };
        for ty in 0..TYPES {
            let max = k.device_max(ty);
            if max == 0 {
                continue;
            }
            let (inuse, flag) = k.device_inuse_pages(ty);
            s.devices.push((ty, inuse, flag, k.work_queued(ty)));
            for off in 0..u64::from(max) {
                let e = entry(ty, off);
                let (tb, ext) = (k.table_get(e).unwrap_or(0), k.extend_get(e));
                if tb != 0 || ext != 0 {
                    s.slots.push((ty, off, tb, ext));
                }
            }
            for idx in 0..max.div_ceil(swapdiff_contract::SWAPFILE_CLUSTER) {
                if let Some(c) = k.cluster(ty, idx) {
                    s.clusters.push((ty, idx, c));
                }
            }
        }
        s
    }

    /// The first part that differs from `other`, both sides, as text.
    fn first_difference(&self, other: &State72) -> String {
        macro_rules! field {
            ($($f:ident),*) => {
                $(if self.$f != other.$f {
                    return format!("{}: {:?} in the run, {:?} in this order", stringify!($f), self.$f, other.$f);
                })*
            };
        }
        field!(nr_swap_pages, total_swap_pages, devices, slots, clusters, folios, tags, allocs);
        "none".into()
    }
}

/// What one schedule of a 7.x program did.
#[derive(Debug, Clone)]
pub struct Run72 {
    pub end: RunEnd,
    /// Per CPU, the ops that finished, in order (a CPU stops after a trapped op).
    pub ops: Vec<Vec<OpRun>>,
    pub trace: Vec<(usize, YieldPoint)>,
    pub decisions: Vec<Decision>,
    /// Why the setup could not start the CPUs, if it could not.
    pub setup_failed: Option<String>,
    /// Every event of the concurrent part, in a canonical order.
    pub events: Vec<Event>,
    /// The end state, when every CPU finished.
    pub state: Option<State72>,
}

impl Decided for Run72 {
    fn decisions(&self) -> &[Decision] {
        &self.decisions
    }
    fn steps(&self) -> usize {
        self.trace.len()
    }
}

fn canonical(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_by_cached_key(|e| format!("{e:?}"));
    events
}

/// Whether an event or a return says the call was outside what callers may do, or a
/// sequential bug: a WARN, a BUG, a hang, a refused call.
fn out_of_contract(ret: i64, events: &[Event]) -> bool {
    ret == REFUSED || events.iter().any(|e| matches!(e.kind, EventKind::Warn | EventKind::Bug | EventKind::Hang))
}

/// Runs the setup on `k`, reset first: None when it went through, else why not.
fn setup(k: &mut Kernel72, p: &Concurrent72) -> Option<String> {
    k.env_reset();
    for op in &p.setup {
        let ret = op.call(k);
        let events = k.take_events();
        if ret == TRAPPED || out_of_contract(ret, &events) {
            let what = if ret == REFUSED { "was refused".to_string() } else { format!("returned {ret}, {events:?}") };
            return Some(format!("setup op `{}` {what}", op.print()));
        }
    }
    None
}

/// Runs `p` once under `schedule` on `k`: the setup sequentially, then the CPUs interleaved.
/// `pick` decides past the schedule's end (None: [`default_choice`]).
pub fn run72(
    k: &mut Kernel72,
    p: &Concurrent72,
    schedule: &Schedule,
    pick: Option<&mut dyn FnMut(&Choice<'_>) -> usize>,
) -> Run72 {
    if let Some(why) = setup(k, p) {
        return Run72 {
            end: RunEnd::Finished,
            ops: Vec::new(),
            trace: Vec::new(),
            decisions: Vec::new(),
            setup_failed: Some(why),
            events: Vec::new(),
            state: None,
        };
    }
    let steps = Cell::new(0usize);
    let results: RefCell<Vec<Vec<OpRun>>> = RefCell::new(vec![Vec::new(); p.cpus.len()]);
    let bodies: Vec<Body<'_, Kernel72>> = (0..p.cpus.len())
        .map(|c| {
            let (steps, results, ops) = (&steps, &results, &p.cpus[c]);
            Box::new(move |k: &mut Kernel72| {
                for (i, op) in ops.iter().enumerate() {
                    if i > 0 {
                        k.op_point();
                    }
                    let began = steps.get();
                    let ret = op.call(k);
                    let outcome = Outcome::one(ret, k.take_events());
                    results.borrow_mut()[c].push(OpRun { outcome, began, ended: steps.get() });
                    if ret == TRAPPED {
                        break;
                    }
                }
            }) as Body<'_, Kernel72>
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
            Some(&cpu) => cpu as usize,
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
    let ops = results.into_inner();
    let state = (inter.end == RunEnd::Finished).then(|| State72::read(k));
    let mut events: Vec<Event> = ops.iter().flatten().flat_map(|r| r.outcome.events().copied()).collect();
    events.extend(k.take_events());
    // A CPU left mid-call holds what its call took: the reset frees it.
    if inter.end != RunEnd::Finished {
        k.env_reset();
    }
    Run72 { end: inter.end, ops, trace: inter.trace, decisions, setup_failed: None, events: canonical(events), state }
}

/// One order's sequential run: each op's return, the events, the end state.
#[derive(Debug, Clone)]
struct Seq {
    rets: HashMap<OpId, i64>,
    events: Vec<Event>,
    /// None when an op trapped (then `trapped` says which).
    state: Option<State72>,
    trapped: Option<OpId>,
    /// Some op WARNed, BUGged or was refused: outside the callers' contract in this order.
    out_of_contract: Option<String>,
}

/// The judge of one program's runs, keeping each order's sequential run it made.
pub struct Checker72 {
    program: Concurrent72,
    seqs: HashMap<Vec<OpId>, Seq>,
    /// Why some order of the program is outside the callers' contract (the inner None: no
    /// order is), once every order has run.
    contract: Option<Option<String>>,
}

impl Checker72 {
    pub fn new(p: &Concurrent72) -> Checker72 {
        Checker72 { program: p.clone(), seqs: HashMap::new(), contract: None }
    }

    /// Why some order of the program's ops (any that keeps each CPU's order, whatever real
    /// time says) is outside the callers' contract, if one is. Such a program is not judged in
    /// any run: a run explained by another order is no pass for ops a caller may not make.
    fn outside_contract(&mut self, k: &mut Kernel72) -> Option<String> {
        if self.contract.is_none() {
            let every = orders_where(&self.program, &|_, _| true);
            let why = every.iter().find_map(|o| self.seq(k, o).out_of_contract.clone());
            self.contract = Some(why);
        }
        self.contract.clone().flatten()
    }

    /// The program it judges.
    pub fn program(&self) -> &Concurrent72 {
        &self.program
    }

    /// Sequential runs made so far.
    pub fn orders_run(&self) -> usize {
        self.seqs.len()
    }

    fn seq(&mut self, k: &mut Kernel72, order: &[OpId]) -> &Seq {
        let p = &self.program;
        self.seqs.entry(order.to_vec()).or_insert_with(|| {
            let mut s =
                Seq { rets: HashMap::new(), events: Vec::new(), state: None, trapped: None, out_of_contract: None };
            if let Some(why) = setup(k, p) {
                s.out_of_contract = Some(why);
                return s;
            }
            for &id in order {
                let ret = p.op(id).call(k);
                let events = k.take_events();
                if s.out_of_contract.is_none() && out_of_contract(ret, &events) {
                    s.out_of_contract =
                        Some(format!("cpu{} `{}` returned {ret} with {events:?}", id.0, p.op(id).print()));
                }
                s.rets.insert(id, ret);
                s.events.extend(events);
                if ret == TRAPPED {
                    s.trapped = Some(id);
                    break;
                }
            }
            s.events = canonical(std::mem::take(&mut s.events));
            if s.trapped.is_none() {
                s.state = Some(State72::read(k));
            }
            s
        })
    }

    /// Judges `run` of the checker's program. Resets `k` (the sequential runs use it).
    pub fn check(&mut self, run: &Run72, k: &mut Kernel72) -> Verdict {
        if let Some(why) = &run.setup_failed {
            return Verdict::Unjudged(format!("the setup is not within the callers' contract: {why}"));
        }
        if let Some(why) = self.outside_contract(k) {
            return Verdict::Unjudged(format!("an order of these ops is outside the callers' contract: {why}"));
        }
        let orders = consistent_orders(&self.program, run);
        let mut tried = 0;
        let mut closest: Vec<(usize, Attempt)> = Vec::new();
        let trapped: Vec<OpId> = run
            .ops
            .iter()
            .enumerate()
            .filter_map(|(c, ops)| ops.last().filter(|r| r.outcome.trapped()).map(|_| (c, ops.len() - 1)))
            .collect();
        for order in &orders {
            tried += 1;
            if run.end != RunEnd::Finished && trapped.is_empty() {
                break;
            }
            let seq = self.seq(k, order).clone();
            match compare(&self.program, run, order, &seq, &trapped) {
                Ok(()) => return Verdict::Linearizable { order: order.clone(), orders_tried: tried },
                Err((agreed, why)) => closest.push((agreed, Attempt { order: order.clone(), why })),
            }
        }
        let why = match run.end {
            RunEnd::Deadlock if trapped.is_empty() => format!("deadlock: {}", waiting(run)),
            RunEnd::StepLimit => format!("no end after {} stops (livelock?): {}", run.trace.len(), waiting(run)),
            _ => {
                closest.sort_by_key(|(agreed, _)| std::cmp::Reverse(*agreed));
                let first = closest.first().map_or_else(|| "no order".to_string(), |(_, a)| a.why.clone());
                format!("no sequential order of the ops explains the run; the closest fails: {first}")
            }
        };
        let closest = closest.into_iter().take(3).map(|(_, a)| a).collect();
        Verdict::Violation { why, closest, orders_tried: tried }
    }
}

/// Where each unfinished CPU stopped.
fn waiting(run: &Run72) -> String {
    let mut last: Vec<Option<YieldPoint>> = vec![None; run.ops.len()];
    for &(cpu, at) in &run.trace {
        if cpu < last.len() {
            last[cpu] = Some(at);
        }
    }
    let parts: Vec<String> = last
        .iter()
        .enumerate()
        .filter(|(_, at)| at.is_some_and(|a| a.kind != cshim::interleave::YieldKind::Done))
        .map(|(c, at)| format!("cpu{c} at {}", at.map(|a| a.to_string()).unwrap_or_default()))
        .collect();
    parts.join(", ")
}

/// Every order of the program's ops that keeps each CPU's order and real time (an op that
/// ended before another began stays before it). Ops a CPU never finished count as ending last.
fn consistent_orders(p: &Concurrent72, run: &Run72) -> Vec<Vec<OpId>> {
    let span = |id: OpId| -> (usize, usize) {
        run.ops.get(id.0).and_then(|o| o.get(id.1)).map_or((usize::MAX, usize::MAX), |r| (r.began, r.ended))
    };
    // Op `me` may come next unless an op still unplaced on another CPU ended before it began.
    orders_where(p, &|me, next| {
        let began = span(me).0;
        (0..p.cpus.len()).all(|d| d == me.0 || (next[d]..p.cpus[d].len()).all(|i| span((d, i)).1 >= began))
    })
}

/// Every order of the program's ops that keeps each CPU's order and in which each op placed is
/// `allowed` given how many of each CPU's ops came before it.
fn orders_where(p: &Concurrent72, allowed: &dyn Fn(OpId, &[usize]) -> bool) -> Vec<Vec<OpId>> {
    fn walk(
        p: &Concurrent72,
        allowed: &dyn Fn(OpId, &[usize]) -> bool,
        next: &mut [usize],
        order: &mut Vec<OpId>,
        out: &mut Vec<Vec<OpId>>,
    ) {
        if next.iter().zip(&p.cpus).all(|(&n, ops)| n == ops.len()) {
            out.push(order.clone());
            return;
        }
        for c in 0..p.cpus.len() {
            if next[c] == p.cpus[c].len() || !allowed((c, next[c]), next) {
                continue;
            }
            order.push((c, next[c]));
            next[c] += 1;
            walk(p, allowed, next, order, out);
            next[c] -= 1;
            order.pop();
        }
    }
    let mut out = Vec::new();
    walk(p, allowed, &mut vec![0; p.cpus.len()], &mut Vec::new(), &mut out);
    out
}

/// Whether `seq` explains `run`: Ok, or how many ops of the order agreed before what differs.
fn compare(p: &Concurrent72, run: &Run72, order: &[OpId], seq: &Seq, trapped: &[OpId]) -> Result<(), (usize, String)> {
    for (n, &id) in order.iter().enumerate() {
        let Some(r) = run.ops.get(id.0).and_then(|o| o.get(id.1)) else {
            // An op after a trap: the run stopped there, so did the sequential one.
            break;
        };
        match seq.rets.get(&id) {
            Some(&want) if want == r.outcome.ret() => {}
            want => {
                let want = want.map_or_else(|| "no return (an earlier op trapped)".to_string(), |w| w.to_string());
                return Err((
                    n,
                    format!(
                        "cpu{} `{}` returned {} in the run, {want} in this order",
                        id.0,
                        p.op(id).print(),
                        r.outcome.ret()
                    ),
                ));
            }
        }
    }
    if !trapped.is_empty() {
        return match seq.trapped {
            Some(t) if trapped.contains(&t) => Ok(()),
            _ => Err((order.len(), "the run BUGs, this order does not".into())),
        };
    }
    if run.events != seq.events {
        return Err((order.len(), format!("events: {:?} in the run, {:?} in this order", run.events, seq.events)));
    }
    match (&run.state, &seq.state) {
        (Some(a), Some(b)) if a == b => Ok(()),
        (Some(a), Some(b)) => Err((order.len(), format!("end state: {}", a.first_difference(b)))),
        _ => Err((order.len(), "the run or this order did not finish".into())),
    }
}

/// Runs `p` under `schedule` on `k` and judges it with `c`.
pub fn judge72(
    k: &mut Kernel72,
    c: &mut Checker72,
    p: &Concurrent72,
    schedule: &Schedule,
    pick: Option<&mut dyn FnMut(&Choice<'_>) -> usize>,
) -> (Run72, Verdict) {
    let r = run72(k, p, schedule, pick);
    let v = c.check(&r, k);
    (r, v)
}

/// Every schedule of `p` with at most `preemptions` preemptions, up to `max_schedules`.
pub fn exhaustive72(k: &mut Kernel72, p: &Concurrent72, preemptions: usize, max_schedules: usize) -> Explored<Run72> {
    let mut c = Checker72::new(p);
    exhaustive_by(preemptions, max_schedules, &mut |s, pick| judge72(k, &mut c, p, s, pick))
}

/// `runs` PCT schedules of `p` (explore::pct_by).
#[cfg(feature = "cli")]
pub fn pct72(k: &mut Kernel72, p: &Concurrent72, seed: u64, runs: usize, depth: usize) -> Explored<Run72> {
    let mut c = Checker72::new(p);
    super::explore::pct_by(p.cpus.len(), seed, runs, depth, &mut |s, pick| judge72(k, &mut c, p, s, pick))
}

/// A stable identity for dedup: `interleave72/<what>/<the CPUs' op kinds>`, what as for 6.12.
pub fn signature72(p: &Concurrent72, v: &Verdict) -> String {
    let what = match v {
        Verdict::Violation { why, .. } if why.starts_with("deadlock") => "deadlock",
        Verdict::Violation { why, .. } if why.starts_with("no end") => "livelock",
        _ => "order",
    };
    let mut kinds: Vec<&str> = p.cpus.iter().flatten().map(Op72::kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    format!("interleave72/{what}/{}", kinds.join("+"))
}

impl super::minimize::Shrink for Concurrent72 {
    fn candidates(&self) -> Vec<Concurrent72> {
        super::minimize::one_op_fewer(self, |c| (&mut c.setup, &mut c.cpus), |c| c.validate().is_ok())
    }
}

/// A smaller program and schedule with a violation, from `found` (a violation of `p`).
pub fn minimize72(k: &mut Kernel72, p: &Concurrent72, found: &Found<Run72>) -> (Concurrent72, Found<Run72>) {
    use super::minimize::{shortest_schedule, shrink_ops, MAX_SCHEDULES_PER_CANDIDATE};
    let bound = found.run.preemptions();
    let (p, f) = {
        let mut explore = |c: &Concurrent72, _: usize| exhaustive72(k, c, bound, MAX_SCHEDULES_PER_CANDIDATE).finding;
        shrink_ops(p, found, &mut explore)
    };
    let mut c = Checker72::new(&p);
    let f = shortest_schedule(f, &mut |s| judge72(k, &mut c, &p, s, None));
    (p, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The multinomial: two CPUs of 2 and 3 ops interleave in C(5, 2) = 10 orders; three of
    /// 2 ops in 6! / (2! 2! 2!) = 90.
    #[test]
    fn orders_is_the_multinomial() {
        assert_eq!(orders(&[2, 3]), 10);
        assert_eq!(orders(&[2, 2, 2]), 90);
        assert_eq!(orders(&[1]), 1);
    }

    /// Setup ops stay off the CPUs; too many orders are refused before anything runs.
    #[test]
    fn validate_refuses_what_cannot_be_judged() {
        let (_, _) = Concurrent72::parse("swapon 1\ncpu0 __swap_count 0:1\ncpu1 __swap_count 0:1\n").unwrap();
        let e = Concurrent72::parse("cpu0 swapon 1\ncpu1 __swap_count 0:1\n").unwrap_err();
        assert!(e.contains("setup op"), "{e}");
        let four: String = (0..4).flat_map(|c| (0..4).map(move |_| format!("cpu{c} __swap_count 0:1\n"))).collect();
        let e = Concurrent72::parse(&four).unwrap_err();
        assert!(e.contains("sequential orders"), "{e}");
    }
}
