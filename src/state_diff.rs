//! What a diverging op did to the state, on each side: the slots, clusters, tag entries,
//! pages and counters it touched, before it and after it, the cells where the sides differ
//! marked, and one plain sentence of what went wrong. A finding's README and its mail show
//! it, so the reader need not replay the program to learn that a slot leaked.
//!
//! Snapshots are taken by replaying the executed steps on each engine alone
//! ([`capture`]): the op's "before" is the state after the steps ahead of it.

use crate::compare::Level;
use crate::counts::{exact_count, SlotView};
use crate::engine::{entry, Engine, Site, MAX_DEVICES, TAG_BYTES};
use crate::exec::exec;
use crate::program::{domain, Op};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Rows of one kind shown at most; the rest are counted ("and N more").
const MAX_ROWS: usize = 12;

/// The state of one engine that a report shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Per device type present: its swap_map (header slot included).
    maps: BTreeMap<u32, Vec<u8>>,
    /// Continuation digits of continued slots.
    digits: BTreeMap<(u32, u64), Vec<u8>>,
    /// (count, flags) per cluster of devices with cluster_info.
    clusters: BTreeMap<(u32, u32), (u32, u32)>,
    /// Tag store entries: (type, offset) → the tags' short digest.
    tags: BTreeMap<(u32, u64), String>,
    /// Pages of live folios: (folio, page) → (tags digest, PG flags).
    pages: BTreeMap<(u32, u32), (String, u32)>,
    /// Named counters: nr_swap_pages, inuse pages per device, live allocations per site.
    counters: BTreeMap<String, i64>,
}

/// A short, stable digest of a page's tags: what a reader needs to see "same" or "not".
fn tags_digest(t: &[u8; TAG_BYTES]) -> String {
    if t.iter().all(|&b| b == 0) {
        return "zero".into();
    }
    // FNV-1a folded to 32 bits: names tag contents, not a security property.
    let h = t.iter().fold(0x811c_9dc5u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!("#{h:08x}")
}

/// Reads everything a report may show from `e`.
pub fn snapshot<E: Engine + ?Sized>(e: &E) -> Snapshot {
    let mut s = Snapshot::default();
    for ty in 0..MAX_DEVICES {
        let map = e.swap_map(ty);
        if map.is_empty() {
            continue;
        }
        for (off, &b) in map.iter().enumerate() {
            if (SlotView { byte: b }).is_continued() {
                s.digits.insert((ty, off as u64), e.cont_digits(entry(ty, off as u64)));
            }
        }
        s.maps.insert(ty, map.to_vec());
        if e.device_has_clusters(ty) {
            let n = (map.len() as u32).div_ceil(crate::engine::CLUSTER);
            for idx in 0..n {
                if let Some(c) = e.cluster(ty, idx) {
                    s.clusters.insert((ty, idx), c);
                }
            }
        }
        s.counters.insert(format!("inuse_pages of type {ty}"), i64::from(e.device_inuse_pages(ty)));
    }
    for (k, t) in e.tag_store() {
        s.tags.insert((crate::engine::entry_type(k), crate::engine::entry_offset(k)), tags_digest(&t));
    }
    for f in 0..=u32::from(domain::FOLIO.1) {
        for p in 0..=u32::from(domain::PAGE.1) {
            match e.page_get(f, p) {
                Some((t, flags)) => s.pages.insert((f, p), (tags_digest(&t), flags)),
                None => break,
            };
        }
    }
    s.counters.insert("nr_swap_pages".into(), e.nr_swap_pages());
    for site in Site::ALL {
        s.counters.insert(format!("live {} allocations", site.name()), e.live_allocs(site) as i64);
    }
    s
}

/// One side's state before and after the op at `at` of the executed steps `ops`: the engine
/// is reset, runs `ops[..at]`, is read, runs `ops[at]` (when there is one: an end-of-program
/// divergence has none, and "after" is then the end state) and is read again.
pub fn capture<E: Engine + ?Sized>(e: &mut E, ops: &[Op], at: usize) -> (Snapshot, Snapshot) {
    e.env_reset();
    for op in &ops[..at.min(ops.len())] {
        exec(e, op);
    }
    let before = snapshot(e);
    if let Some(op) = ops.get(at) {
        exec(e, op);
    }
    let _ = e.take_events();
    (before, snapshot(e))
}

/// One side of a report: its name and its state around the op.
pub struct Side {
    pub name: String,
    pub before: Snapshot,
    pub after: Snapshot,
}

/// The state diff of a divergence: rows of cells, and the sentence.
pub struct StateDiff {
    pub op: String,
    /// One or two sides (the spec is no engine: a run against it alone shows one).
    sides: Vec<Side>,
    level: Level,
    rows: Vec<Row>,
    /// Rows left out per kind (more than [`MAX_ROWS`]).
    omitted: BTreeMap<&'static str, usize>,
}

struct Row {
    kind: &'static str,
    label: String,
    /// Per side: (before, after).
    cells: Vec<(String, String)>,
}

impl Row {
    /// The sides differ here (after the op, or already before it).
    fn differs(&self) -> (bool, bool) {
        let first = &self.cells[0];
        let before = self.cells.iter().any(|c| c.0 != first.0);
        let after = self.cells.iter().any(|c| c.1 != first.1);
        (before, after)
    }
}

fn slot_cell(s: &Snapshot, ty: u32, off: u64, level: Level) -> String {
    let Some(&byte) = s.maps.get(&ty).and_then(|m| m.get(off as usize)) else {
        return "no slot".into();
    };
    let v = SlotView { byte };
    let digits = s.digits.get(&(ty, off)).map_or(&[][..], |d| &d[..]);
    let mut cell = match exact_count(byte, digits) {
        None => "bad".to_string(),
        Some(0) if !v.has_cache() => {
            if byte == 0 {
                "free".to_string()
            } else {
                "0 refs, not free".to_string()
            }
        }
        Some(n) => {
            let refs = if n == 1 { "1 ref".to_string() } else { format!("{n} refs") };
            if v.has_cache() {
                format!("{refs} + cache")
            } else {
                refs
            }
        }
    };
    if v.is_shmem() {
        cell.push_str(" (shmem)");
    }
    if level == Level::Raw {
        let _ = write!(cell, " [{byte:#04x}");
        for d in digits {
            let _ = write!(cell, " {d:#04x}");
        }
        cell.push(']');
    }
    cell
}

fn cluster_cell(s: &Snapshot, key: (u32, u32)) -> String {
    match s.clusters.get(&key) {
        None => "-".into(),
        Some((count, flags)) => format!("{count} used, {}", cluster_flags(*flags)),
    }
}

fn cluster_flags(flags: u32) -> String {
    use swapdiff_contract::{CLUSTER_FLAG_FRAG, CLUSTER_FLAG_FREE, CLUSTER_FLAG_FULL, CLUSTER_FLAG_NONFULL};
    let names = [
        (CLUSTER_FLAG_FREE, "free"),
        (CLUSTER_FLAG_NONFULL, "nonfull"),
        (CLUSTER_FLAG_FRAG, "frag"),
        (CLUSTER_FLAG_FULL, "full"),
    ];
    let set: Vec<&str> = names.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n).collect();
    if set.is_empty() {
        format!("flags {flags:#x}")
    } else {
        set.join("+")
    }
}

fn tag_cell(s: &Snapshot, key: (u32, u64)) -> String {
    s.tags.get(&key).map_or("none saved".into(), |d| format!("saved {d}"))
}

fn page_cell(s: &Snapshot, key: (u32, u32)) -> String {
    match s.pages.get(&key) {
        None => "no page".into(),
        Some((d, flags)) => format!("tags {d}, flags {flags:#x}"),
    }
}

fn counter_cell(s: &Snapshot, key: &str) -> String {
    s.counters.get(key).map_or("-".into(), |v| v.to_string())
}

impl StateDiff {
    /// Builds the rows: every item whose state the op changed on some side, or where the
    /// sides differ, and the slots the op names.
    pub fn new(op: Option<&Op>, sides: Vec<Side>, level: Level) -> StateDiff {
        let mut d = StateDiff {
            op: op.map_or("the end of the program".into(), |o| format!("`{}`", crate::program::text::print_op(o))),
            sides,
            level,
            rows: vec![],
            omitted: BTreeMap::new(),
        };
        let level = d.level;
        let named: BTreeSet<(u32, u64)> = named_slots(op).into_iter().collect();
        let mut slots = keys(&d.sides, |s| {
            s.maps.iter().flat_map(|(ty, map)| (0..map.len() as u64).map(move |off| (*ty, off))).collect()
        });
        slots.extend(named.iter().copied());
        let rows = slots
            .into_iter()
            .map(|(ty, off)| {
                (
                    named.contains(&(ty, off)),
                    d.row("slot", format!("slot {ty}:{off}"), |s| slot_cell(s, ty, off, level)),
                )
            })
            .collect();
        d.keep(rows);
        // Cluster accounting is an encoding: compared, and shown, at the raw level only.
        if level == Level::Raw {
            let clusters = keys(&d.sides, |s| s.clusters.keys().copied().collect());
            let rows = clusters
                .into_iter()
                .map(|k| (false, d.row("cluster", format!("cluster {}:{}", k.0, k.1), |s| cluster_cell(s, k))))
                .collect();
            d.keep(rows);
        }
        let tags = keys(&d.sides, |s| s.tags.keys().copied().collect());
        let rows = tags
            .into_iter()
            .map(|k| (named.contains(&k), d.row("tags", format!("tags of {}:{}", k.0, k.1), |s| tag_cell(s, k))))
            .collect();
        d.keep(rows);
        let pages = keys(&d.sides, |s| s.pages.keys().copied().collect());
        let folio = named_folio(op);
        let rows = pages
            .into_iter()
            .map(|k| (folio == Some(k.0), d.row("page", format!("page {} of f{}", k.1, k.0), |s| page_cell(s, k))))
            .collect();
        d.keep(rows);
        let counters = keys(&d.sides, |s| s.counters.keys().cloned().collect());
        let rows =
            counters.into_iter().map(|k| (false, d.row("counter", k.clone(), |s| counter_cell(s, &k)))).collect();
        d.keep(rows);
        d
    }

    fn row(&self, kind: &'static str, label: String, cell: impl Fn(&Snapshot) -> String) -> Row {
        Row { kind, label, cells: self.sides.iter().map(|s| (cell(&s.before), cell(&s.after))).collect() }
    }

    /// Keeps the rows worth showing: changed by the op on a side, different between the
    /// sides, or named by the op (`true` in the pair); at most [`MAX_ROWS`], differing first.
    fn keep(&mut self, rows: Vec<(bool, Row)>) {
        let mut shown: Vec<(u8, Row)> = rows
            .into_iter()
            .filter_map(|(named, r)| {
                let (b, a) = r.differs();
                let changed = r.cells.iter().any(|c| c.0 != c.1);
                let rank = if a || b {
                    0
                } else if changed {
                    1
                } else if named && r.cells.iter().any(|c| c.0 != "no slot" || c.1 != "no slot") {
                    2
                } else {
                    return None;
                };
                Some((rank, r))
            })
            .collect();
        // Stable: within a rank, the kernel's order (types, offsets), so the cut keeps the
        // most telling rows; what is kept is then shown in the kernel's order.
        shown.sort_by_key(|(rank, _)| *rank);
        if shown.len() > MAX_ROWS {
            let kind = shown[0].1.kind;
            *self.omitted.entry(kind).or_default() += shown.len() - MAX_ROWS;
            shown.truncate(MAX_ROWS);
        }
        let mut rows: Vec<Row> = shown.into_iter().map(|(_, r)| r).collect();
        rows.sort_by_key(|r| sort_key(&r.label));
        self.rows.extend(rows);
    }

    /// The first difference between the sides, in a sentence a reviewer can quote. `None`
    /// when the state shows none (the difference is in a return value or an event).
    pub fn sentence(&self) -> Option<String> {
        let [reference, test] = &self.sides[..] else { return None };
        let (r, t) = (&reference.name, &test.name);
        let row = self.rows.iter().find(|row| row.differs().1)?;
        let (ra, ta) = (&row.cells[0].1, &row.cells[1].1);
        let held = |c: &str| !(c.starts_with("free") || c.starts_with("no slot") || c.starts_with("bad"));
        Some(match row.kind {
            "slot" => {
                let slot = row.label.trim_start_matches("slot ");
                if ra.starts_with("free") && held(ta) {
                    if ta.starts_with("0 refs, not free") {
                        format!("slot {slot} lost its last reference on {t} but was never freed ({ta}; {r}: {ra}): it leaks")
                    } else {
                        format!("{t} still holds slot {slot} ({ta}) where {r} freed it: the slot leaks")
                    }
                } else if held(ra) && ta.starts_with("free") {
                    format!("{t} freed slot {slot} while {r} still holds it ({ra}): the entry's owners now point at a free slot")
                } else {
                    format!("slot {slot} is {ta} on {t} but {ra} on {r}")
                }
            }
            "cluster" => format!("{} is {ta} on {t} but {ra} on {r}: the cluster's accounting is off", row.label),
            "tags" => {
                let slot = row.label.trim_start_matches("tags of ");
                if ta == "none saved" {
                    format!("{t} did not save the tags of slot {slot} ({r}: {ra})")
                } else if ra == "none saved" {
                    format!("{t} keeps tags for slot {slot} ({ta}) that {r} does not have: tag storage leaks or outlives its slot")
                } else {
                    format!("{t} saved different tags for slot {slot} ({ta}) than {r} ({ra})")
                }
            }
            "page" => format!("{} has {ta} on {t} but {ra} on {r}: the page got other tags back", row.label),
            _ => {
                let (a, b) = (ra.parse::<i64>().ok(), ta.parse::<i64>().ok());
                match (row.label.as_str(), a, b) {
                    ("nr_swap_pages", Some(a), Some(b)) if b < a => format!(
                        "{t} counts {} fewer free swap slot(s) than {r} (nr_swap_pages {b} against {a}): a slot freed in the map was not given back, so it leaks",
                        a - b
                    ),
                    ("nr_swap_pages", Some(a), Some(b)) => format!(
                        "{t} counts {} more free swap slot(s) than {r} (nr_swap_pages {b} against {a}): a slot still in use may be handed out again",
                        b - a
                    ),
                    (label, Some(a), Some(b)) if label.starts_with("live ") => {
                        let what = label.trim_start_matches("live ");
                        if b > a {
                            format!("{t} holds {} more {what} than {r} ({b} against {a}): memory leaks", b - a)
                        } else {
                            format!("{t} holds {} fewer {what} than {r} ({b} against {a}): one was freed too early or never made", a - b)
                        }
                    }
                    (label, _, _) => format!("{label} is {ta} on {t} but {ra} on {r}"),
                }
            }
        })
    }

    /// The table as aligned plain text (a README code block, a mail): per row, each
    /// side's before and after; `*` marks a cell where the sides differ.
    pub fn table(&self) -> String {
        let mut header = vec![String::new()];
        let mut sub = vec![String::new()];
        for s in &self.sides {
            header.push(s.name.clone());
            header.push(String::new());
            sub.push("before".into());
            sub.push("after".into());
        }
        let mut lines = vec![header, sub];
        for row in &self.rows {
            let (db, da) = row.differs();
            let mark = |c: &String, d: bool| if d { format!("{c} *") } else { c.clone() };
            let mut line = vec![row.label.clone()];
            for (b, a) in &row.cells {
                line.push(mark(b, db));
                line.push(mark(a, da));
            }
            lines.push(line);
        }
        let cols = lines[0].len();
        let mut width = vec![0usize; cols];
        for line in &lines {
            for (i, c) in line.iter().enumerate() {
                width[i] = width[i].max(c.chars().count());
            }
        }
        // A side's name spans its two columns: widen "before" when the name is longer.
        for (i, s) in self.sides.iter().enumerate() {
            let (b, a) = (1 + 2 * i, 2 + 2 * i);
            let need = s.name.chars().count();
            if width[b] + 2 + width[a] < need {
                width[b] = need - 2 - width[a];
            }
        }
        let mut out = String::new();
        for (n, line) in lines.iter().enumerate() {
            let mut text = String::new();
            let mut i = 0;
            while i < cols {
                let span = if n == 0 && i > 0 { 2 } else { 1 };
                let w: usize = width[i..i + span].iter().sum::<usize>() + 2 * (span - 1);
                let _ = write!(text, "{:<w$}  ", line[i]);
                i += span;
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        for (kind, n) in &self.omitted {
            let _ = writeln!(out, "(and {n} more {kind} rows)");
        }
        out
    }

    /// No row at all: the op changed nothing shown and the sides agree on the state.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Every key `f` finds in any side's state, before or after.
fn keys<K: Ord>(sides: &[Side], f: impl Fn(&Snapshot) -> Vec<K>) -> BTreeSet<K> {
    sides.iter().flat_map(|s| f(&s.before).into_iter().chain(f(&s.after))).collect()
}

/// Orders labels so that slot 0:9 comes before slot 0:10.
fn sort_key(label: &str) -> (String, Vec<u64>) {
    let words: String = label.chars().filter(|c| !c.is_ascii_digit()).collect();
    let nums = label.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
    (words, nums)
}

/// The folio an op names: its pages are shown even when unchanged.
fn named_folio(op: Option<&Op>) -> Option<u32> {
    use Op::*;
    match op? {
        folio_free { folio }
        | folio_set_swap { folio, .. }
        | page_set { folio, .. }
        | swapcache_add { folio }
        | swapcache_del { folio }
        | folio_set_mapped { folio, .. }
        | arch_prepare_to_swap { folio }
        | arch_swap_restore { folio, .. }
        | mte_save_tags { folio, .. }
        | mte_restore_tags { folio, .. } => Some(u32::from(*folio)),
        _ => None,
    }
}

/// The slots an op names (its first slot, or its range), shown even when unchanged.
fn named_slots(op: Option<&Op>) -> Vec<(u32, u64)> {
    use Op::*;
    let Some(op) = op else { return vec![] };
    let range = |s: &crate::program::Slot, nr: u64| -> Vec<(u32, u64)> {
        (0..nr.min(MAX_ROWS as u64)).map(|i| (u32::from(s.ty), u64::from(s.off) + i)).collect()
    };
    match op {
        mark_bad { slot }
        | add_swap_count_continuation { slot }
        | __swap_count { slot }
        | swap_swapcount { slot }
        | swp_swapcount { slot }
        | swap_duplicate { slot, .. }
        | folio_set_swap { slot, .. }
        | arch_swap_restore { slot, .. }
        | mte_restore_tags { slot, .. }
        | mte_invalidate_tags { slot }
        | arch_swap_invalidate_page { slot } => range(slot, 1),
        __swap_duplicate { slot, nr, .. }
        | swapcache_prepare { slot, nr }
        | swap_shmem_alloc { slot, nr }
        | swapcache_clear { slot, nr }
        | swap_free_nr { slot, nr, .. }
        | free_swap_and_cache_nr { slot, nr } => range(slot, u64::from(*nr)),
        put_swap_folio { slot, order } => range(slot, 1 << order),
        swapcache_free_entries { slots } => slots.iter().flat_map(|s| range(s, 1)).collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters(nr: i64) -> Snapshot {
        let mut s = Snapshot::default();
        s.counters.insert("nr_swap_pages".into(), nr);
        s
    }

    #[test]
    fn a_free_count_short_on_the_build_under_test_reads_as_a_leak() {
        // The reference gives one slot back (507 -> 508 free), the build under test does not:
        // one slot fewer is free, the "nr_swap_pages: model 508 / kernel 507".
        let sides = vec![
            Side { name: "stock".into(), before: counters(507), after: counters(508) },
            Side { name: "patched".into(), before: counters(507), after: counters(507) },
        ];
        let d = StateDiff::new(None, sides, Level::Logical);
        let s = d.sentence().unwrap();
        assert!(s.starts_with("patched counts 1 fewer free swap slot(s) than stock") && s.contains("leaks"), "{s}");
        let row = d.table().lines().find(|l| l.starts_with("nr_swap_pages")).unwrap().to_string();
        // Before: equal, unmarked; after: 508 against 507, both marked.
        assert_eq!(row.split_whitespace().collect::<Vec<_>>(), ["nr_swap_pages", "507", "508", "*", "507", "507", "*"]);
    }

    #[test]
    fn rows_nothing_changed_and_no_side_disagrees_on_are_left_out() {
        let same = || Side { name: "x".into(), before: counters(5), after: counters(5) };
        let d = StateDiff::new(None, vec![same(), same()], Level::Raw);
        assert!(d.is_empty() && d.sentence().is_none());
    }

    #[test]
    fn labels_sort_by_their_numbers() {
        let mut v = vec!["slot 0:10", "slot 0:9", "slot 1:0"];
        v.sort_by_key(|l| sort_key(l));
        assert_eq!(v, ["slot 0:9", "slot 0:10", "slot 1:0"]);
    }
}
