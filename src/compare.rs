//! The one comparison point: reads the same state from both engines and
//! reports the first difference as a [`Mismatch`].
//!
//! After every op it compares the op's return values and events, the global
//! counters, and the state the op touched ([`Touch`]); at the end of a program
//! it compares everything ([`Touch::everything`]).

use crate::counts::{exact_count, SlotView, COUNT_CONTINUED};
use crate::engine::{entry, Engine, Event, EventKind, Site, CLUSTER, MAX_DEVICES};
use crate::exec::Outcome;
use crate::program::domain;
use swapdiff_contract::{LIST_DISCARD, LIST_FREE, LIST_FULL, NR_LISTS, NR_ORDERS, WORK_DISCARD, WORK_RECLAIM};

/// Slots per swap_map page: each page has its own continuation list.
const PAGE_SLOTS: u64 = 4096;

/// What differed, in a form that is stable across runs (`class`) and
/// readable (`detail`, `expected` from the model, `actual` from the kernel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub class: &'static str,
    pub detail: String,
    /// Kernel function named by the difference (an event's), if any.
    pub func: Option<String>,
    pub expected: String,
    pub actual: String,
}

fn mismatch(
    class: &'static str,
    detail: impl Into<String>,
    e: impl std::fmt::Debug,
    a: impl std::fmt::Debug,
) -> Mismatch {
    Mismatch { class, detail: detail.into(), func: None, expected: format!("{e:?}"), actual: format!("{a:?}") }
}

/// How much of the state is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// Everything: raw map bytes, continuation digits, cluster accounting,
    /// every allocation site.
    #[default]
    Raw,
    /// What a caller can observe, not how it is encoded: return values,
    /// events, each slot's exact count and cache presence, slot accounting,
    /// and the tag state (tag store, pages, tag allocations). For patches that
    /// change the encoding on purpose (e.g. removing SWAP_MAP_SHMEM).
    Logical,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Raw => "raw",
            Level::Logical => "logical",
        }
    }
    pub fn from_name(s: &str) -> Option<Level> {
        match s {
            "raw" => Some(Level::Raw),
            "logical" => Some(Level::Logical),
            _ => None,
        }
    }
}

/// The part of the state an op may change.
#[derive(Debug, Clone, Default)]
pub struct Touch {
    /// Slot ranges `(type, first offset, end offset)`.
    pub ranges: Vec<(u32, u64, u64)>,
    pub folios: Vec<u32>,
    pub tag_store: bool,
    /// Every device, slot, cluster, folio and the tag store.
    pub everything: bool,
}

impl Touch {
    pub fn everything() -> Touch {
        Touch { everything: true, tag_store: true, ..Touch::default() }
    }
    pub fn slots(&mut self, ty: u32, off: u64, nr: u64) {
        self.ranges.push((ty, off, off.saturating_add(nr)));
    }
}

/// Return values and events: equal runs of calls are equal outcomes (the
/// common case, decided without expanding them); otherwise the events are
/// compared first, then the return values, call by call, as the kernel made
/// them.
pub fn outcomes(expected: &Outcome, actual: &Outcome) -> Option<Mismatch> {
    if expected == actual {
        return None;
    }
    let (ea, eb): (Vec<&Event>, Vec<&Event>) = (expected.events().collect(), actual.events().collect());
    if ea != eb {
        let i = ea.iter().zip(&eb).take_while(|(a, b)| a == b).count();
        let func = ea.get(i).or(eb.get(i)).map(|e| e.func.to_string());
        // A call that never returned (the shim's HANG trap) is its own class
        // on either side, so a hang has the signature op/hang/function.
        let hang = [ea.get(i), eb.get(i)].into_iter().flatten().any(|e| e.kind == EventKind::Hang);
        let show = |v: &[&Event]| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
            }
        };
        return Some(Mismatch {
            class: if hang { "hang" } else { "events" },
            detail: format!("events differ from event #{i}"),
            func,
            expected: show(&ea),
            actual: show(&eb),
        });
    }
    let (ra, rb): (Vec<i64>, Vec<i64>) = (expected.rets().collect(), actual.rets().collect());
    if ra == rb {
        // The same events and return values, but not made by the same calls
        // (a WARN one call earlier on one side): the first call that differs.
        let per_call = |o: &Outcome| -> Vec<String> {
            let calls = o.runs().iter().flat_map(|r| std::iter::repeat_n(r, r.times as usize));
            calls.map(|r| r.events.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")).collect()
        };
        let (ca, cb) = (per_call(expected), per_call(actual));
        let i = ca.iter().zip(&cb).take_while(|(a, b)| a == b).count();
        let pick = |v: &[String]| {
            v.get(i).map_or("(no call)".to_string(), |e| if e.is_empty() { "(none)".into() } else { e.clone() })
        };
        return Some(Mismatch {
            class: "events",
            detail: format!("events of call #{} of {}", i + 1, ca.len()),
            func: None,
            expected: pick(&ca),
            actual: pick(&cb),
        });
    }
    let i = ra.iter().zip(&rb).take_while(|(a, b)| a == b).count();
    let pick = |v: &[i64]| v.get(i).map_or("(no call)".to_string(), |r| r.to_string());
    let detail = if ra.len() == 1 && rb.len() == 1 {
        "return value".to_string()
    } else {
        format!("return value of call #{} of {}", i + 1, ra.len().max(rb.len()))
    };
    Some(Mismatch { class: "ret", detail, func: None, expected: pick(&ra), actual: pick(&rb) })
}

/// Globals and queued work, then the touched state.
pub fn state<A: Engine + ?Sized, B: Engine + ?Sized>(m: &A, k: &B, t: &Touch, level: Level) -> Option<Mismatch> {
    globals(m, k, level).or_else(|| work(m, k)).or_else(|| touched(m, k, t, level))
}

/// The work queued per device (`work_queued`): which worker will run is behaviour, at every
/// level.
pub fn work<A: Engine + ?Sized, B: Engine + ?Sized>(m: &A, k: &B) -> Option<Mismatch> {
    for ty in 0..MAX_DEVICES {
        let (a, b) = (m.work_queued(ty), k.work_queued(ty));
        if a != b {
            let show = |w: u32| match w {
                0 => "none".to_string(),
                w => [(WORK_DISCARD, "discard_work"), (WORK_RECLAIM, "reclaim_work")]
                    .iter()
                    .filter(|(bit, _)| w & bit != 0)
                    .map(|(_, n)| *n)
                    .collect::<Vec<_>>()
                    .join(" + "),
            };
            return Some(Mismatch {
                class: "work",
                detail: format!("queued work of swap type {ty}"),
                func: Some(if (a ^ b) & WORK_DISCARD != 0 { "swap_discard_work" } else { "swap_reclaim_work" }.into()),
                expected: show(a),
                actual: show(b),
            });
        }
    }
    None
}

/// The allocator's state of device `ty` at the raw level: `lowest_bit`, `highest_bit`,
/// `cluster_next`, `cluster_nr`, and with cluster info every list in order, CPU 0's
/// `next[order]`, `frag_cluster_nr[order]` and each cluster's order. How slots are picked is
/// encoding: the logical level leaves it to the slots themselves.
fn allocator<A: Engine + ?Sized, B: Engine + ?Sized>(m: &A, k: &B, ty: u32, level: Level) -> Option<Mismatch> {
    if level == Level::Logical || ty >= MAX_DEVICES || m.device_max(ty) == 0 {
        return None;
    }
    let (a, b) = (m.device_bits(ty), k.device_bits(ty));
    if a != b {
        return Some(mismatch(
            "alloc",
            format!("lowest_bit, highest_bit, cluster_next, cluster_nr of swap type {ty}"),
            a,
            b,
        ));
    }
    if !m.device_has_clusters(ty) {
        return None;
    }
    for list in 0..NR_LISTS {
        let (a, b) = (m.cluster_list(ty, list), k.cluster_list(ty, list));
        if a != b {
            return Some(mismatch("lists", format!("{} of swap type {ty} (head first)", list_name(list)), a, b));
        }
    }
    for order in 0..NR_ORDERS {
        let (a, b) = (m.percpu_next(ty, order), k.percpu_next(ty, order));
        if a != b {
            return Some(mismatch("alloc", format!("CPU 0's next[{order}] of swap type {ty}"), a, b));
        }
        let (a, b) = (m.frag_cluster_nr(ty, order), k.frag_cluster_nr(ty, order));
        if a != b {
            return Some(mismatch("lists", format!("frag_cluster_nr[{order}] of swap type {ty}"), a, b));
        }
    }
    for idx in 0..m.device_max(ty) / CLUSTER {
        let (a, b) = (m.cluster_order(ty, idx), k.cluster_order(ty, idx));
        if a != b {
            return Some(mismatch("cluster", format!("order of cluster {idx} of swap type {ty}"), a, b));
        }
    }
    None
}

/// A list's kernel name (`SD_LIST_*` numbering).
pub fn list_name(list: u32) -> String {
    match list {
        LIST_FREE => "free_clusters".into(),
        LIST_FULL => "full_clusters".into(),
        LIST_DISCARD => "discard_clusters".into(),
        l if l < 3 + NR_ORDERS => format!("nonfull_clusters[{}]", l - 3),
        l => format!("frag_clusters[{}]", l - 3 - NR_ORDERS),
    }
}

fn globals<A: Engine + ?Sized, B: Engine + ?Sized>(m: &A, k: &B, level: Level) -> Option<Mismatch> {
    if m.nr_swap_pages() != k.nr_swap_pages() {
        return Some(mismatch("swap_pages", "nr_swap_pages", m.nr_swap_pages(), k.nr_swap_pages()));
    }
    if m.total_swap_pages() != k.total_swap_pages() {
        return Some(mismatch("swap_pages", "total_swap_pages", m.total_swap_pages(), k.total_swap_pages()));
    }
    for site in Site::ALL {
        // Continuation pages are how counts are encoded, not what they are.
        if level == Level::Logical && site == Site::ContPage {
            continue;
        }
        let (a, b) = (m.live_allocs(site), k.live_allocs(site));
        if a != b {
            return Some(mismatch("allocs", format!("live {} allocations", site.name()), a, b));
        }
    }
    None
}

fn touched<A: Engine + ?Sized, B: Engine + ?Sized>(m: &A, k: &B, t: &Touch, level: Level) -> Option<Mismatch> {
    if t.everything {
        for ty in 0..MAX_DEVICES {
            let max = u64::from(m.device_max(ty).max(k.device_max(ty)));
            if let Some(x) =
                device(m, k, ty).or_else(|| range(m, k, ty, 0, max, level)).or_else(|| allocator(m, k, ty, level))
            {
                return Some(x);
            }
        }
        for f in 0..=u32::from(domain::FOLIO.1) {
            if let Some(x) = folio(m, k, f) {
                return Some(x);
            }
        }
    } else {
        for (i, &(ty, lo, hi)) in t.ranges.iter().enumerate() {
            if let Some(x) = device(m, k, ty).or_else(|| range(m, k, ty, lo, hi, level)) {
                return Some(x);
            }
            // A release moves its cluster between lists and the bits: once per device.
            if !t.ranges[..i].iter().any(|r| r.0 == ty) {
                if let Some(x) = allocator(m, k, ty, level) {
                    return Some(x);
                }
            }
        }
        for &f in &t.folios {
            if let Some(x) = folio(m, k, f) {
                return Some(x);
            }
        }
    }
    if t.tag_store {
        return tag_store(m, k);
    }
    None
}

fn device<A: Engine + ?Sized, B: Engine + ?Sized>(m: &A, k: &B, ty: u32) -> Option<Mismatch> {
    if ty >= MAX_DEVICES {
        return None;
    }
    let name = |what: &str| format!("{what} of swap type {ty}");
    if m.device_max(ty) != k.device_max(ty) {
        return Some(mismatch("device", name("max"), m.device_max(ty), k.device_max(ty)));
    }
    if m.device_has_clusters(ty) != k.device_has_clusters(ty) {
        return Some(mismatch("device", name("cluster_info"), m.device_has_clusters(ty), k.device_has_clusters(ty)));
    }
    if m.device_inuse_pages(ty) != k.device_inuse_pages(ty) {
        return Some(mismatch("inuse", name("inuse_pages"), m.device_inuse_pages(ty), k.device_inuse_pages(ty)));
    }
    None
}

/// Map bytes, continuation digits and clusters of `[lo, hi)`.
///
/// The map is compared as one region (`swap_map`, a memcmp); digits are compared where
/// they mean something: for continued slots, and for the first slot of the range and of
/// each map page (which shows that page's list length). Stale digits of slots that are
/// not continued are never read by the kernel before it rewrites them. With no
/// continuation page alive on either side (globals are compared first) there are no
/// digits at all. The first difference by offset is reported, a slot's byte before its
/// digits, as a slot-by-slot walk would.
fn range<A: Engine + ?Sized, B: Engine + ?Sized>(
    m: &A,
    k: &B,
    ty: u32,
    lo: u64,
    hi: u64,
    level: Level,
) -> Option<Mismatch> {
    let (a, b) = (m.swap_map(ty), k.swap_map(ty));
    // device() has compared device_max, so both maps have the same length.
    let hi = hi.min(u64::from(m.device_max(ty))).min(a.len().min(b.len()) as u64);
    if lo >= hi {
        return None;
    }
    let (a, b) = (&a[lo as usize..hi as usize], &b[lo as usize..hi as usize]);
    if level == Level::Logical {
        return logical_range(m, k, ty, lo, a, b);
    }
    let differs_at = first_difference(a, b);
    let digits_end = differs_at.unwrap_or(a.len());
    if m.live_allocs(Site::ContPage) > 0 {
        for (i, &byte) in a[..digits_end].iter().enumerate() {
            let off = lo + i as u64;
            let continued = SlotView { byte }.count_bits() & COUNT_CONTINUED != 0;
            if continued || i == 0 || off.is_multiple_of(PAGE_SLOTS) {
                let e = entry(ty, off);
                let (da, db) = (m.cont_digits(e), k.cont_digits(e));
                if da != db {
                    return Some(mismatch(
                        "cont",
                        format!("continuation digits of {ty}:{off} (one byte per page)"),
                        da,
                        db,
                    ));
                }
            }
        }
    }
    if let Some(i) = differs_at {
        return Some(Mismatch {
            class: "map",
            detail: format!("swap_map byte of {ty}:{}", lo + i as u64),
            func: None,
            expected: format!("{:#04x}", a[i]),
            actual: format!("{:#04x}", b[i]),
        });
    }
    for idx in lo / u64::from(CLUSTER)..=(hi - 1) / u64::from(CLUSTER) {
        let idx = idx as u32;
        let (a, b) = (m.cluster(ty, idx), k.cluster(ty, idx));
        if a != b {
            return Some(mismatch("cluster", format!("cluster {idx} of swap type {ty} (count, flags)"), a, b));
        }
    }
    None
}

/// The index of the first byte where `a` and `b` (of one length) differ: whole-slice
/// equality (memcmp) first, since nearly every comparison finds none.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    if a == b {
        return None;
    }
    a.iter().zip(b).position(|(x, y)| x != y)
}

/// A slot as callers see it: exact references (`None`: bad slot) and whether
/// the swap cache holds it.
fn logical<E: Engine + ?Sized>(e: &E, x: u64, byte: u8) -> (Option<u64>, bool) {
    let v = SlotView { byte };
    let digits = if v.is_continued() { e.cont_digits(x) } else { vec![] };
    (exact_count(v.byte, &digits), v.has_cache())
}

/// Per slot of `[lo, lo + a.len())`, whose map bytes are `a` (model) and `b` (kernel): the
/// exact number of references (None: bad) and the cache bit. Slots whose bytes are equal
/// and not continued are equal to callers too; only the others are read further.
fn logical_range<A: Engine + ?Sized, B: Engine + ?Sized>(
    m: &A,
    k: &B,
    ty: u32,
    lo: u64,
    a: &[u8],
    b: &[u8],
) -> Option<Mismatch> {
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        if x == y && !(SlotView { byte: x }).is_continued() {
            continue;
        }
        let off = lo + i as u64;
        let e = entry(ty, off);
        let (a, b) = (logical(m, e, x), logical(k, e, y));
        if a != b {
            let show = |(n, c): (Option<u64>, bool)| match n {
                None => format!("bad slot, cache {c}"),
                Some(n) => format!("{n} references, cache {c}"),
            };
            return Some(Mismatch {
                class: "count",
                detail: format!("references to {ty}:{off}"),
                func: None,
                expected: show(a),
                actual: show(b),
            });
        }
    }
    None
}

fn folio<A: Engine + ?Sized, B: Engine + ?Sized>(m: &A, k: &B, f: u32) -> Option<Mismatch> {
    for idx in 0..=u32::from(domain::PAGE.1) {
        let (a, b) = (m.page_get(f, idx), k.page_get(f, idx));
        if a != b {
            let show = |p: Option<([u8; 128], u32)>| match p {
                None => "no page".to_string(),
                Some((tags, flags)) => format!("flags {flags:#x} tags {}", hex(&tags)),
            };
            return Some(Mismatch {
                class: "page",
                detail: format!("page {idx} of folio f{f}"),
                func: None,
                expected: show(a),
                actual: show(b),
            });
        }
        if a.is_none() {
            break;
        }
    }
    None
}

fn tag_store<A: Engine + ?Sized, B: Engine + ?Sized>(m: &A, k: &B) -> Option<Mismatch> {
    let (a, b) = (m.tag_store(), k.tag_store());
    if a == b {
        return None;
    }
    let keys = |v: &[(u64, [u8; 128])]| v.iter().map(|(key, _)| format!("{key:#x}")).collect::<Vec<_>>();
    let (ka, kb) = (keys(&a), keys(&b));
    if ka != kb {
        return Some(mismatch("tags", "tag store keys", ka, kb));
    }
    let (x, y) = a.iter().zip(&b).find(|(x, y)| x != y).expect("same keys, different stores");
    Some(Mismatch {
        class: "tags",
        detail: format!("tags stored for entry {:#x}", x.0),
        func: None,
        expected: hex(&x.1),
        actual: hex(&y.1),
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod hang_class_tests {
    use super::*;
    use crate::engine::Event;

    fn ev(kind: EventKind, func: &'static str, text: &'static str) -> Event {
        Event::new(kind, func, text)
    }

    fn outcome(events: Vec<Event>) -> Outcome {
        Outcome::one(crate::engine::TRAPPED, events)
    }

    #[test]
    fn a_kernel_hang_the_model_does_not_have_is_class_hang() {
        // The model never hangs; the shim's wall-clock trap names the entry point.
        let model = outcome(vec![]);
        let kernel = outcome(vec![ev(EventKind::Hang, "swap_duplicate", "no return within 1000 ms")]);
        let m = outcomes(&model, &kernel).expect("they differ");
        assert_eq!((m.class, m.func.as_deref()), ("hang", Some("swap_duplicate")));
    }

    #[test]
    fn a_hang_on_either_side_at_the_first_difference_is_class_hang() {
        // Model side HANG (a lock self-deadlock it models) against a kernel BUG.
        let model = outcome(vec![ev(EventKind::Hang, "lock_cluster", "spin_lock(&ci->lock)")]);
        let kernel = outcome(vec![ev(EventKind::Bug, "swap_count_continued", "")]);
        assert_eq!(outcomes(&model, &kernel).map(|m| m.class), Some("hang"));
    }

    #[test]
    fn a_shared_hang_before_the_difference_does_not_make_it_one() {
        // Equal first events (even a HANG) are not the difference; the
        // first differing event is a WARN on one side only.
        let hang = ev(EventKind::Hang, "lock_cluster", "spin_lock(&ci->lock)");
        let model = outcome(vec![hang]);
        let kernel = outcome(vec![hang, ev(EventKind::Warn, "lock_cluster", "x")]);
        let m = outcomes(&model, &kernel).expect("they differ");
        assert_eq!((m.class, m.func.as_deref()), ("events", Some("lock_cluster")));
    }
}

#[cfg(test)]
mod outcome_tests {
    use super::*;

    fn warn() -> Event {
        Event::new(EventKind::Warn, "__swap_duplicate", "!si")
    }

    fn calls(list: &[(i64, bool)]) -> Outcome {
        let mut o = Outcome::default();
        for &(ret, warned) in list {
            o.record(ret, if warned { vec![warn()] } else { vec![] });
        }
        o
    }

    #[test]
    fn a_return_value_differing_at_one_call_of_many_names_that_call() {
        let a = calls(&[(0, false); 5]);
        let mut b = calls(&[(0, false); 3]);
        b.record(-12, vec![]);
        b.record(0, vec![]);
        let m = outcomes(&a, &b).expect("call #4 differs");
        assert_eq!((m.class, m.detail.as_str()), ("ret", "return value of call #4 of 5"));
        assert_eq!((m.expected.as_str(), m.actual.as_str()), ("0", "-12"));
    }

    #[test]
    fn events_are_compared_before_return_values() {
        // Call 2 returns differently and call 3 warns on one side only: the
        // events decide, as one stream over the op's calls.
        let a = calls(&[(0, false), (0, false), (0, false)]);
        let b = calls(&[(0, false), (1, false), (0, true)]);
        assert_eq!(outcomes(&a, &b).map(|m| m.class), Some("events"));
    }

    #[test]
    fn the_same_events_from_different_calls_are_a_difference() {
        // The WARN on call 1 against call 2: equal streams, equal returns,
        // yet not the same calls.
        let a = calls(&[(0, true), (0, false)]);
        let b = calls(&[(0, false), (0, true)]);
        let m = outcomes(&a, &b).expect("they differ");
        assert_eq!((m.class, m.detail.as_str()), ("events", "events of call #1 of 2"));
        assert_eq!(outcomes(&a, &a.clone()), None);
    }
}
