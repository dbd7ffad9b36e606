//! Generated programs reach the allocator's whole state machine: reclaim work, a discard, and
//! every cluster list transition that orders <= 4 can make, on the model and on stock C.
//!
//! Transitions are counted engine-agnostically: each program's executed steps are replayed
//! on the engine (with the runner's kworker rule: queued work runs after a step while the
//! switch is on), and every cluster's list is read (`cluster_list`) before and after each
//! step. A cluster that is on list A before a step and on list B after it made the
//! transition A -> B in that step.
//!
//! Not reachable with orders <= 4 within one *allocation*: free -> full straight away (only
//! an order-9 range fills a free cluster in one `cluster_alloc_range`: a smaller one moves it
//! to `nonfull_clusters[order]` first). Within one *step* it is reachable: one
//! `get_swap_pages` of 32 order-4 (or 64 order-3) entries takes a free cluster through
//! nonfull to full, and that is what is counted here.

use std::collections::BTreeSet;
use swapdiff::engine::{Engine, EventKind, KernelEngine, ModelEngine, MAX_DEVICES};
use swapdiff::exec::exec;
use swapdiff::generate::{program, Rng};
use swapdiff::program::{Family, Op};
use swapdiff::runner::{single, Options};
use swapdiff_contract::{LIST_DISCARD, LIST_FREE, LIST_FULL, NR_LISTS, NR_ORDERS, WORK_RECLAIM};

/// The list kinds a transition is named by.
fn kind(list: u32) -> &'static str {
    match list {
        LIST_FREE => "free",
        LIST_FULL => "full",
        LIST_DISCARD => "discard",
        l if l < 3 + NR_ORDERS => "nonfull",
        _ => "frag",
    }
}

/// (type, cluster) -> list kind, for every device with cluster info.
fn lists<E: Engine + ?Sized>(e: &E) -> Vec<((u32, u32), &'static str)> {
    let mut out = vec![];
    for ty in 0..MAX_DEVICES {
        if !e.device_has_clusters(ty) {
            continue;
        }
        for l in 0..NR_LISTS {
            out.extend(e.cluster_list(ty, l).into_iter().map(|c| ((ty, c), kind(l))));
        }
    }
    out
}

#[derive(Default)]
struct Reached {
    transitions: BTreeSet<(&'static str, &'static str)>,
    reclaim_work: bool,
    discard: bool,
}

fn replay<E: Engine + ?Sized>(e: &mut E, ops: &[Op], r: &mut Reached) {
    e.env_reset();
    let mut kworker = true;
    for op in ops {
        let before = lists(e);
        let reclaim_queued = (0..MAX_DEVICES).any(|t| e.work_queued(t) & WORK_RECLAIM != 0);
        let out = exec(e, op);
        if let Op::kworker { on } = op {
            kworker = *on;
        }
        let mut events: Vec<_> = out.events().cloned().collect();
        let queued = (0..MAX_DEVICES).any(|t| e.work_queued(t) != 0);
        let reclaim_now = (0..MAX_DEVICES).any(|t| e.work_queued(t) & WORK_RECLAIM != 0);
        let flushes = matches!(op, Op::flush_work {}) || (kworker && queued);
        if kworker && queued && !out.trapped() {
            e.flush_work();
            events.extend(e.take_events());
        }
        r.reclaim_work |= flushes && (reclaim_queued || reclaim_now);
        r.discard |= events.iter().any(|ev| ev.kind == EventKind::Discard && ev.func == "discard_swap_cluster");
        let after = lists(e);
        for (c, from) in &before {
            if let Some((_, to)) = after.iter().find(|(d, _)| d == c) {
                if from != to {
                    r.transitions.insert((from, to));
                }
            }
        }
        if out.trapped() {
            break;
        }
    }
}

const WANTED: [(&str, &str); 10] = [
    ("free", "nonfull"),
    ("free", "full"),
    ("nonfull", "frag"),
    ("nonfull", "full"),
    ("frag", "full"),
    ("full", "nonfull"),
    ("nonfull", "discard"),
    ("discard", "free"),
    ("nonfull", "free"),
    ("frag", "free"),
];

fn reach<E: Engine + ?Sized>(e: &mut E, programs: u64) -> Reached {
    let mut reached = Reached::default();
    let mut rng = Rng::new(17);
    for i in 0..programs {
        let families = [Family::All, Family::Counts, Family::Mte];
        let p = program(&mut rng, families[(i % 3) as usize]);
        let run = single(e, &p, Options { spec: false, ..Options::default() });
        let ops: Vec<Op> = run.steps.iter().map(|s| s.op.clone()).collect();
        replay(e, &ops, &mut reached);
    }
    reached
}

fn check(name: &str, r: &Reached) {
    let missing: Vec<_> = WANTED.iter().filter(|t| !r.transitions.contains(t)).collect();
    println!("{name}: transitions {:?}", r.transitions);
    assert!(missing.is_empty(), "{name}: never reached {missing:?}");
    assert!(r.reclaim_work, "{name}: the reclaim work never ran");
    assert!(r.discard, "{name}: no cluster was ever discarded");
}

#[test]
fn generated_programs_reach_reclaim_discard_and_every_list_transition() {
    let mut m = ModelEngine::new();
    check("model", &reach(&mut m, 3000));
    let mut k = KernelEngine::acquire();
    check("stock C", &reach(&mut k, 3000));
}
