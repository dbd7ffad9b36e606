//! Runs a program through a reference engine (the model) and, in a
//! differential run, the engine under test (the kernel), comparing after
//! every step. It knows engines only through [`Engine`].
//!
//! Input ops are steered (contract mode), composites are expanded into
//! primitive steps, and every primitive step actually called is recorded:
//! the executed steps, in raw mode, replay the run exactly.

use crate::compare::{self, Level, Mismatch, Touch};
use crate::engine::{entry_offset, entry_type, Engine, EventKind, Site, MAX_DEVICES};
use crate::exec::{allocated, exec, Outcome};
use crate::features::{Feature, Features};
use crate::judge::Judge;
use crate::program::{domain, Mode, Op, Program, Slot};
use crate::shadow::Shadow;
use crate::steer::steer;

/// One primitive call made on the engines.
#[derive(Debug, Clone)]
pub struct Step {
    /// Index of the input op it came from (`None`: end-of-program checks).
    pub input: Option<usize>,
    pub op: Op,
    /// The reference engine's outcome, when outcomes are recorded.
    pub expected: Option<Outcome>,
    pub actual: Option<Outcome>,
}

/// Where and how the engines first disagreed.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// Index into [`Run::steps`] (equal to its length for end-of-program checks).
    pub step: usize,
    /// The op being compared: the step's, or `None` for the end-of-program
    /// state and the teardown leak check.
    pub op: Option<Op>,
    pub phase: Phase,
    pub mismatch: Mismatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// After a step.
    Step,
    /// The whole state after the last op, or after the call that trapped
    /// (what a BUG or hang left behind is compared like a finished program).
    End,
    /// Live allocations after every device is swapped off and every folio freed.
    Teardown,
}

impl Divergence {
    /// Stable identity for dedup: op kind / what differed / kernel function.
    pub fn signature(&self) -> String {
        let op = match (&self.op, self.phase) {
            (Some(op), _) => op.kind(),
            (None, Phase::End) => "end",
            (None, _) => "teardown",
        };
        let func = self.mismatch.func.as_deref().unwrap_or(op);
        format!("{op}/{}/{func}", self.mismatch.class)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Every op ran and the end state agreed.
    Completed,
    /// A BUG or hang stopped the program (on both sides alike).
    Trapped,
    Diverged,
}

#[derive(Debug, Clone)]
pub struct Run {
    pub mode: Mode,
    pub steps: Vec<Step>,
    pub divergence: Option<Divergence>,
    pub features: Features,
    pub end: End,
    /// A BUG or hang, hit alike on both sides, ended the program at its last
    /// step (the end state and teardown were then compared after it).
    pub trapped: bool,
}

impl Run {
    /// Calls the run made on its reference engine (a repeated op is many);
    /// exact when outcomes were recorded, else one per step.
    pub fn calls(&self) -> u64 {
        self.steps.iter().map(|s| s.expected.as_ref().map_or(1, Outcome::calls)).sum()
    }

    /// The executed primitive steps as a program (already steered: raw or steered mode).
    pub fn executed(&self) -> Program {
        Program { mode: self.mode.executed(), ops: self.steps.iter().map(|s| s.op.clone()).collect() }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Keep both outcomes of every step (replay traces, reports).
    pub record: bool,
    /// How much state is compared.
    pub level: Level,
    /// The spec judges the run (`judge.rs`) when its mode is judged (contract, steered).
    pub spec: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { record: false, level: Level::default(), spec: true }
    }
}

enum Stop {
    Trapped,
    Diverged(Box<Divergence>),
}

struct Runner<'a, M: Engine + ?Sized, K: Engine + ?Sized> {
    model: &'a mut M,
    kernel: Option<&'a mut K>,
    mode: Mode,
    opts: Options,
    shadow: Shadow,
    /// The spec following the reference (contract mode with `Options::spec`).
    judge: Option<Judge>,
    steps: Vec<Step>,
    features: Features,
    input: usize,
    /// The kworker switch: while on, queued work runs after every step (INTERFACES-17 §3).
    kworker: bool,
}

/// Runs `p` on both engines; `model` is the reference that steering reads.
pub fn differential<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    p: &Program,
    opts: Options,
) -> Run {
    model.env_reset();
    kernel.env_reset();
    Runner::new(model, Some(kernel), p.mode, opts).run(p)
}

/// [`differential`] judged by `spec` (TEST SUPPORT: a spec with a rule made wrong shows the
/// spec is really in the loop).
pub fn differential_with_spec<M: Engine + ?Sized, K: Engine + ?Sized>(
    model: &mut M,
    kernel: &mut K,
    p: &Program,
    opts: Options,
    spec: swapdiff_spec::Spec,
) -> Run {
    model.env_reset();
    kernel.env_reset();
    let mut runner = Runner::new(model, Some(kernel), p.mode, opts);
    if runner.judge.is_some() {
        runner.judge = Some(Judge::with_spec(spec));
    }
    runner.run(p)
}

/// Runs `p` on one engine alone (benchmarks, and reproducing on one side).
pub fn single<E: Engine + ?Sized>(engine: &mut E, p: &Program, opts: Options) -> Run {
    engine.env_reset();
    Runner::<E, E>::new(engine, None, p.mode, opts).run(p)
}

impl<'a, M: Engine + ?Sized, K: Engine + ?Sized> Runner<'a, M, K> {
    fn new(model: &'a mut M, kernel: Option<&'a mut K>, mode: Mode, opts: Options) -> Self {
        Runner {
            model,
            kernel,
            mode,
            opts,
            shadow: Shadow::default(),
            judge: (opts.spec && mode.judged()).then(Judge::new),
            steps: vec![],
            features: Features::default(),
            input: 0,
            kworker: true,
        }
    }

    fn run(mut self, p: &Program) -> Run {
        let mut trapped = false;
        let mut divergence = None;
        for (i, op) in p.ops.iter().enumerate() {
            self.input = i;
            let op = match self.mode {
                Mode::Contract => match steer(op, &*self.model, &self.shadow) {
                    Some(op) => op,
                    None => continue,
                },
                Mode::Raw | Mode::Steered => op.clone(),
            };
            match self.input_op(&op) {
                Ok(()) => {}
                Err(Stop::Trapped) => {
                    trapped = true;
                    break;
                }
                Err(Stop::Diverged(d)) => {
                    divergence = Some(*d);
                    break;
                }
            }
        }
        // A trap both sides hit alike ends the program like its last op: the
        // 6.12 model follows the kernel statement for statement up to the
        // BUG, so whatever the trapped call wrote before it is defined and
        // compared, at the program's level.
        if divergence.is_none() {
            if trapped {
                self.features.set(Feature::ComparedAfterTrap);
            }
            divergence = self.finish();
        }
        let end = match (&divergence, trapped) {
            (Some(_), _) => End::Diverged,
            (None, true) => End::Trapped,
            (None, false) => End::Completed,
        };
        Run { mode: self.mode, steps: self.steps, divergence, features: self.features, end, trapped }
    }

    fn input_op(&mut self, op: &Op) -> Result<(), Stop> {
        match *op {
            Op::swap_out { ty, order, seed } => self.swap_out(ty, order, seed),
            Op::swap_in { slot, order } => self.swap_in(slot, order),
            _ => self.step(op.clone()).map(drop),
        }
    }

    /// Reclaim of a tagged folio, as vmscan does it: allocate slots (cache
    /// only), add to the swap cache, save tags, one page-table reference per
    /// page (try_to_unmap), then drop the cache and free the folio.
    fn swap_out(&mut self, ty: u8, order: u8, seed: u8) -> Result<(), Stop> {
        let h = self.step(Op::folio_new { order })?.ret();
        let Ok(folio) = u8::try_from(h) else { return Ok(()) };
        let nr = 1u16 << order;
        for idx in 0..nr as u8 {
            self.step(Op::page_set { folio, idx, seed, flags: 1 })?;
        }
        let Some(e) = allocated(&self.step(Op::alloc_swap { ty, order })?) else {
            self.step(Op::folio_free { folio })?;
            return Ok(());
        };
        let slot = Slot { ty: entry_type(e) as u8, off: entry_offset(e) as u16 };
        self.step(Op::folio_set_swap { folio, slot })?;
        self.step(Op::swapcache_add { folio })?;
        let saved = self.step(Op::arch_prepare_to_swap { folio })?.ret() == 0;
        if saved {
            for i in 0..nr {
                self.step(Op::swap_duplicate { slot: Slot { off: slot.off + i, ..slot }, times: 1 })?;
            }
        }
        self.step(Op::swapcache_del { folio })?;
        self.step(Op::put_swap_folio { slot, order })?;
        self.step(Op::folio_free { folio })?;
        Ok(())
    }

    /// A swap-in fault: a new folio takes the cache (swapcache_prepare), tags
    /// come back, the page-table references move to the folio, and the swap
    /// cache is dropped.
    fn swap_in(&mut self, slot: Slot, order: u8) -> Result<(), Stop> {
        let h = self.step(Op::folio_new { order })?.ret();
        let Ok(folio) = u8::try_from(h) else { return Ok(()) };
        let nr = 1u16 << order;
        if self.step(Op::swapcache_prepare { slot, nr })?.ret() != 0 {
            self.step(Op::folio_free { folio })?;
            return Ok(());
        }
        self.step(Op::folio_set_swap { folio, slot })?;
        self.step(Op::swapcache_add { folio })?;
        self.step(Op::arch_swap_restore { slot, folio })?;
        self.step(Op::swap_free_nr { slot, nr, times: 1 })?;
        self.step(Op::swapcache_del { folio })?;
        self.step(Op::put_swap_folio { slot, order })?;
        self.step(Op::folio_free { folio })?;
        Ok(())
    }

    /// Calls one primitive op on both engines and compares; with the kworker on and work
    /// queued on either engine afterwards, the queued work runs on both as part of the step
    /// (its return value and events are the step's, a difference in them the step op's).
    fn step(&mut self, op: Op) -> Result<Outcome, Stop> {
        let expected = exec(&mut *self.model, &op);
        let actual = self.kernel.as_deref_mut().map(|k| exec(k, &op));
        if let Op::kworker { on } = op {
            self.kworker = on;
        }
        let index = self.steps.len();
        let diverged = |mismatch| {
            Err(Stop::Diverged(Box::new(Divergence {
                step: index,
                op: Some(op.clone()),
                phase: Phase::Step,
                mismatch,
            })))
        };
        let mut touch = touch(&op, &expected, &self.shadow);
        let record = |steps: &mut Vec<Step>, e: &Outcome, a: &Option<Outcome>| {
            steps.push(Step {
                input: Some(self.input),
                op: op.clone(),
                expected: self.opts.record.then(|| e.clone()),
                actual: if self.opts.record { a.clone() } else { None },
            })
        };
        let op_trapped = expected.trapped() || trap_event(&expected);
        let mut flushed = None;
        if let (Some(k), Some(actual)) = (self.kernel.as_deref(), &actual) {
            if let Some(mismatch) = compare::outcomes(&expected, actual) {
                record(&mut self.steps, &expected, &Some(actual.clone()));
                return diverged(mismatch);
            }
            if !op_trapped && self.kworker && (queued(&*self.model) || queued(k)) {
                if let Some(mismatch) = compare::work(&*self.model, k) {
                    record(&mut self.steps, &expected, &Some(actual.clone()));
                    return diverged(mismatch);
                }
            }
        }
        if !op_trapped && self.kworker && (queued(&*self.model) || self.kernel.as_deref().is_some_and(|k| queued(k))) {
            let fm = flush(&mut *self.model);
            let fk = self.kernel.as_deref_mut().map(|k| flush(k));
            flushed = Some((fm, fk));
            touch = Touch::everything();
        }
        // What the traces show: the op's calls, then the flush's.
        let (shown_e, shown_a) = match &flushed {
            Some((fm, fk)) if self.opts.record => (
                joined(&expected, fm),
                actual.as_ref().map(|a| joined(a, fk.as_ref().expect("a kernel flush with a kernel"))),
            ),
            _ => (expected.clone(), actual.clone()),
        };
        record(&mut self.steps, &shown_e, &shown_a);
        if let Some((fm, Some(fk))) = &flushed {
            if let Some(mut mismatch) = compare::outcomes(fm, fk) {
                mismatch.func = Some(worker_of(&mismatch).to_string());
                return diverged(mismatch);
            }
        }
        if let (Some(k), Some(_)) = (self.kernel.as_deref(), &actual) {
            if let Some(mismatch) = compare::state(&*self.model, k, &touch, self.opts.level) {
                return diverged(mismatch);
            }
        }
        // The engines agree on this step: the spec judges the reference (for both).
        if let Some(mismatch) = self.judge.as_mut().and_then(|j| j.step(&op, &expected, &*self.model, &touch)) {
            return diverged(mismatch);
        }
        if let Some((fm, _)) = &flushed {
            let flush_op = Op::flush_work {};
            if let Some(mismatch) = self.judge.as_mut().and_then(|j| j.step(&flush_op, fm, &*self.model, &touch)) {
                return diverged(mismatch);
            }
        }
        self.observe(&op, &expected);
        self.shadow.update(&op, &expected, &*self.model);
        let trapped = op_trapped || flushed.as_ref().is_some_and(|(fm, _)| fm.trapped() || trap_event(fm));
        if trapped {
            return Err(Stop::Trapped);
        }
        Ok(expected)
    }

    fn observe(&mut self, op: &Op, out: &Outcome) {
        let m = &*self.model;
        let list_len = match first_slot(op) {
            Some(s) if m.live_allocs(Site::ContPage) >= 2 => m.cont_digits(s.entry()).len(),
            _ => 0,
        };
        self.features.observe(op, out, self.mode, |s| m.live_allocs(s), list_len);
        match op {
            Op::arch_prepare_to_swap { folio }
                if out.ret() != 0 && self.shadow.folio(*folio).is_some_and(|f| f.nr() > 1) =>
            {
                self.features.set(Feature::MteRollback);
            }
            Op::free_swap_and_cache_nr { .. } => {
                let before = self.shadow.live().filter(|(_, f)| f.in_cache).count();
                let mut after = self.shadow.clone();
                after.update(op, out, m);
                if after.live().filter(|(_, f)| f.in_cache).count() < before {
                    self.features.set(Feature::ReclaimFromCache);
                }
            }
            _ => {}
        }
    }

    /// The whole state after the last op (or the trapped call), then a
    /// teardown that must leave the same live allocations on both sides.
    ///
    /// After a trap the teardown runs too, every check of it. The C side
    /// abandons a trapped call with its locks still marked held
    /// (ENVIRONMENT.md "Details") and the model has no locks, so a teardown
    /// step that took one of them would self-deadlock (HANG) on the C side
    /// only. None does: the environment's swapoff runs
    /// `free_swap_count_continuations` (no lock) and, MTE on,
    /// `mte_invalidate_tags_area` (`xa_lock(&mte_pages)`); folio_free is
    /// environment code without locks. Every 6.12 trap site holds at most
    /// `si->lock`, a `ci->lock` and `si->cont_lock` (the BUGs of mm/swapfile.c
    /// sit under `lock_cluster_or_swap_info`, `lock_cluster`, or inside
    /// `add_swap_count_continuation`/`swap_count_continued`), and
    /// mteswap.c's one trap (`try_page_mte_tagging`'s hang) holds none. A
    /// patched kernel that BUGs alike inside mteswap.c's xa_lock section is
    /// reported by the teardown's HANG: a true difference from stock, whose
    /// later tag operations would all deadlock.
    fn finish(&mut self) -> Option<Divergence> {
        let at = self.steps.len();
        let fail = |phase, mismatch| Some(Divergence { step: at, op: None, phase, mismatch });
        let judged = self
            .judge
            .as_mut()
            .and_then(|j| j.state(&*self.model, &Touch::everything(), None).or_else(|| j.tags(&*self.model, None)));
        let Some(k) = self.kernel.as_deref_mut() else {
            return judged.and_then(|m| fail(Phase::End, m));
        };
        if let Some(m) = compare::state(&*self.model, k, &Touch::everything(), self.opts.level) {
            return fail(Phase::End, m);
        }
        if let Some(m) = judged {
            return fail(Phase::End, m);
        }
        for ty in 0..MAX_DEVICES {
            self.model.swapoff(ty);
            k.swapoff(ty);
        }
        for f in 0..=u32::from(domain::FOLIO.1) {
            self.model.folio_free(f);
            k.folio_free(f);
        }
        let (a, b) = (self.model.take_events(), k.take_events());
        if a != b {
            let m = compare::outcomes(&Outcome::one(0, a), &Outcome::one(0, b));
            return fail(Phase::Teardown, m?);
        }
        compare::state(&*self.model, k, &Touch::default(), self.opts.level).and_then(|m| fail(Phase::Teardown, m))
    }
}

/// A BUG or hang among the outcome's events.
fn trap_event(out: &Outcome) -> bool {
    out.events().any(|e| matches!(e.kind, EventKind::Bug | EventKind::Hang))
}

/// Work queued on any present device of `e`.
fn queued<E: Engine + ?Sized>(e: &E) -> bool {
    (0..MAX_DEVICES).any(|ty| e.work_queued(ty) != 0)
}

/// The kworker's run: `flush_work()` and its events, as one call.
fn flush<E: Engine + ?Sized>(e: &mut E) -> Outcome {
    let r = e.flush_work();
    Outcome::one(r, e.take_events())
}

/// `a`'s calls followed by `b`'s.
fn joined(a: &Outcome, b: &Outcome) -> Outcome {
    let mut out = a.clone();
    for run in b.runs() {
        for _ in 0..run.times {
            out.record(run.ret, run.events.clone());
        }
    }
    out
}

/// The worker function a difference in a flush belongs to: the discard worker's events
/// come from `discard_swap_cluster`; everything else the reclaim worker does.
fn worker_of(m: &Mismatch) -> &'static str {
    if m.func.as_deref() == Some("discard_swap_cluster") {
        "swap_discard_work"
    } else {
        "swap_reclaim_work"
    }
}

fn first_slot(op: &Op) -> Option<Slot> {
    use Op::*;
    match op {
        __swap_duplicate { slot, .. }
        | swap_duplicate { slot, .. }
        | swap_free_nr { slot, .. }
        | add_swap_count_continuation { slot }
        | free_swap_and_cache_nr { slot, .. }
        | swapcache_clear { slot, .. }
        | put_swap_folio { slot, .. } => Some(*slot),
        _ => None,
    }
}

/// What `op` may have changed (beyond return values, events and globals).
fn touch(op: &Op, out: &Outcome, shadow: &Shadow) -> Touch {
    use Op::*;
    let mut t = Touch::default();
    let slots = |t: &mut Touch, s: &Slot, nr: u64| t.slots(u32::from(s.ty), u64::from(s.off), nr);
    // A release can free a cluster, which a discarding device turns into SWAP_MAP_BAD
    // slots (swap_cluster_schedule_discard): the whole clusters of the range.
    let clusters = |t: &mut Touch, s: &Slot, nr: u64| {
        let lo = u64::from(s.off) / 512 * 512;
        t.slots(u32::from(s.ty), lo, (u64::from(s.off) + nr).next_multiple_of(512) - lo)
    };
    match op {
        swapon { .. } => {
            if let Ok(ty) = u32::try_from(out.ret()) {
                t.slots(ty, 0, u64::from(domain::CLUSTERS.1) * 512);
            }
        }
        mark_bad { slot }
        | add_swap_count_continuation { slot }
        | __swap_count { slot }
        | swap_swapcount { slot }
        | swp_swapcount { slot } => slots(&mut t, slot, 1),
        // The real allocator may reclaim cache-only slots anywhere on its device (dropping
        // their folios from the swap cache), run a discard there, and moves clusters between
        // lists: the whole device and every folio. Over the avail list, or run by a worker,
        // any device: everything.
        alloc_swap { ty, .. } => {
            t.slots(u32::from(*ty), 0, u64::from(domain::CLUSTERS.1) * 512);
            t.folios.extend(0..=u32::from(domain::FOLIO.1));
        }
        get_swap_pages { .. } | flush_work {} => t = Touch::everything(),
        kworker { .. } => {}
        fault { .. } | mte { .. } => {}
        folio_new { .. } => {
            if let Ok(f) = u32::try_from(out.ret()) {
                t.folios.push(f);
            }
        }
        folio_free { folio }
        | folio_set_swap { folio, .. }
        | page_set { folio, .. }
        | swapcache_add { folio }
        | swapcache_del { folio }
        | folio_set_mapped { folio, .. } => t.folios.push(u32::from(*folio)),
        __swap_duplicate { slot, nr, .. }
        | swapcache_prepare { slot, nr }
        | swap_shmem_alloc { slot, nr }
        | swapcache_clear { slot, nr }
        | swap_free_nr { slot, nr, .. } => {
            if matches!(op, swapcache_clear { .. } | swap_free_nr { .. }) {
                clusters(&mut t, slot, u64::from(*nr));
            } else {
                slots(&mut t, slot, u64::from(*nr));
            }
            t.tag_store = matches!(op, swapcache_clear { .. } | swap_free_nr { .. });
        }
        swap_duplicate { slot, .. } => slots(&mut t, slot, 1),
        put_swap_folio { slot, order } => {
            clusters(&mut t, slot, 1 << order);
            t.tag_store = true;
        }
        swapcache_free_entries { slots: list } => {
            for s in list {
                clusters(&mut t, s, 1);
            }
            t.tag_store = true;
        }
        free_swap_and_cache_nr { slot, nr } => {
            clusters(&mut t, slot, u64::from(*nr));
            // Reclaim may put a whole cached folio that straddles the range.
            for (f, sh) in shadow.live() {
                if let (true, Some(e)) = (sh.in_cache, sh.swap) {
                    let s = Slot { ty: entry_type(e) as u8, off: entry_offset(e) as u16 };
                    clusters(&mut t, &s, u64::from(sh.nr()));
                    t.folios.push(u32::from(f));
                }
            }
            t.tag_store = true;
        }
        arch_prepare_to_swap { folio } | mte_save_tags { folio, .. } => {
            t.folios.push(u32::from(*folio));
            t.tag_store = true;
        }
        arch_swap_restore { folio, .. } | mte_restore_tags { folio, .. } => t.folios.push(u32::from(*folio)),
        mte_invalidate_tags { .. }
        | mte_invalidate_tags_area { .. }
        | arch_swap_invalidate_page { .. }
        | arch_swap_invalidate_area { .. } => t.tag_store = true,
        swap_out { .. } | swap_in { .. } => unreachable!("composites are expanded"),
        // swapoff, and any op without a rule above: compare the whole state
        // after it (slower, never blind). A rule here only narrows the check.
        _ => t = Touch::everything(),
    }
    t
}
