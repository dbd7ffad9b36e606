//! The text form: one op per line, `#` starts a comment, `mode raw|contract`
//! as an optional first statement. [`print`] writes the canonical form, which
//! [`parse`] reads back to the same program.

use super::op::{domain, Op, Slot};
use super::{Mode, Program, MAX_OPS};
use crate::engine::Site;
use std::collections::HashMap;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

pub fn print(p: &Program) -> String {
    let mut s = String::new();
    if p.mode != Mode::Contract {
        let _ = writeln!(s, "mode {}", p.mode.name());
    }
    for op in &p.ops {
        let _ = writeln!(s, "{}", print_op(op));
    }
    s
}

fn slot(s: Slot) -> String {
    format!("{}:{}", s.ty, s.off)
}

fn onoff(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

fn times(t: u16) -> String {
    if t == 1 {
        String::new()
    } else {
        format!(" x{t}")
    }
}

pub fn print_op(op: &Op) -> String {
    use Op::*;
    let k = op.kind();
    match op {
        Swapon { clusters, cluster_info } => {
            format!("{k} {clusters}{}", if *cluster_info { "" } else { " nocluster" })
        }
        Swapoff { ty } | MteInvalidateTagsArea { ty } | ArchSwapInvalidateArea { ty } => {
            format!("{k} {ty}")
        }
        MarkBad { slot: s }
        | AddSwapCountContinuation { slot: s }
        | SwapCountRaw { slot: s }
        | SwapSwapcount { slot: s }
        | SwpSwapcount { slot: s }
        | MteInvalidateTags { slot: s }
        | ArchSwapInvalidatePage { slot: s } => format!("{k} {}", slot(*s)),
        AllocSwap { ty, order } => format!("{k} {ty} order={order}"),
        Fault { site, nth } => format!("{k} {} nth={nth}", site.name()),
        Mte { on } => format!("{k} {}", onoff(*on)),
        FolioNew { order } => format!("{k} order={order}"),
        FolioFree { folio }
        | SwapcacheAdd { folio }
        | SwapcacheDel { folio }
        | ArchPrepareToSwap { folio } => format!("{k} f{folio}"),
        FolioSetSwap { folio, slot: s } => format!("{k} f{folio} {}", slot(*s)),
        PageSet { folio, idx, seed, flags } => {
            format!("{k} f{folio} page={idx} seed={seed} flags={flags}")
        }
        FolioSetMapped { folio, mapped } => format!("{k} f{folio} {}", onoff(*mapped)),
        SwapDuplicateRaw { slot: s, usage, nr } => {
            format!("{k} {} usage={usage:#04x} nr={nr}", slot(*s))
        }
        SwapDuplicate { slot: s, times: t } => format!("{k} {}{}", slot(*s), times(*t)),
        SwapcachePrepare { slot: s, nr }
        | SwapShmemAlloc { slot: s, nr }
        | SwapcacheClear { slot: s, nr }
        | FreeSwapAndCacheNr { slot: s, nr } => format!("{k} {} nr={nr}", slot(*s)),
        SwapFreeNr { slot: s, nr, times: t } => format!("{k} {} nr={nr}{}", slot(*s), times(*t)),
        PutSwapFolio { slot: s, order } | SwapIn { slot: s, order } => {
            format!("{k} {} order={order}", slot(*s))
        }
        SwapcacheFreeEntries { slots } => {
            let list: Vec<String> = slots.iter().map(|s| slot(*s)).collect();
            format!("{k} {}", list.join(" "))
        }
        ArchSwapRestore { slot: s, folio } => format!("{k} {} f{folio}", slot(*s)),
        MteSaveTags { folio, idx } => format!("{k} f{folio} page={idx}"),
        MteRestoreTags { slot: s, folio, idx } => format!("{k} {} f{folio} page={idx}", slot(*s)),
        SwapOut { ty, order, seed } => format!("{k} {ty} order={order} seed={seed}"),
    }
}

/// Reads a program. Errors name the line and say what was expected.
pub fn parse(src: &str) -> Result<Program, ParseError> {
    let mut p = Program::default();
    let mut seen_op = false;
    for (i, raw) in src.lines().enumerate() {
        let line = i + 1;
        let code = raw.split('#').next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        let err = |message: String| ParseError { line, message };
        let mut words = code.split_whitespace();
        let kind = words.next().unwrap_or_default();
        let args = Args::split(words).map_err(err)?;
        if kind == "mode" {
            if seen_op {
                return Err(err("`mode` must come before the first op".into()));
            }
            p.mode = match args.positional.as_slice() {
                ["raw"] => Mode::Raw,
                ["contract"] => Mode::Contract,
                _ => return Err(err("expected `mode raw` or `mode contract`".into())),
            };
            continue;
        }
        seen_op = true;
        if p.ops.len() == MAX_OPS {
            return Err(err(format!("a program holds at most {MAX_OPS} ops")));
        }
        let op = parse_op(kind, args).map_err(err)?;
        p.ops.push(op);
    }
    Ok(p)
}

/// The words after the op name: positionals, `key=value` pairs and an `xN` repeat.
struct Args<'a> {
    positional: Vec<&'a str>,
    named: HashMap<&'a str, &'a str>,
    times: Option<&'a str>,
}

impl<'a> Args<'a> {
    fn split(words: impl Iterator<Item = &'a str>) -> Result<Self, String> {
        let mut a = Args { positional: vec![], named: HashMap::new(), times: None };
        for w in words {
            if let Some((k, v)) = w.split_once('=') {
                if a.named.insert(k, v).is_some() {
                    return Err(format!("`{k}=` given twice"));
                }
            } else if let Some(t) = w.strip_prefix('x').filter(|t| t.starts_with(|c: char| c.is_ascii_digit())) {
                a.times = Some(t);
            } else {
                a.positional.push(w);
            }
        }
        Ok(a)
    }
}

fn number(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("`{s}` is not a number"))
}

fn ranged<T: TryFrom<u64> + Into<u64> + Copy>(what: &str, s: &str, (lo, hi): (T, T)) -> Result<T, String> {
    let v = number(s)?;
    if v < lo.into() || v > hi.into() {
        return Err(format!("{what} {v} is outside {}..={}", lo.into(), hi.into()));
    }
    T::try_from(v).map_err(|_| format!("{what} {v} is too large"))
}

fn parse_slot(s: &str) -> Result<Slot, String> {
    let (t, o) = s
        .split_once(':')
        .ok_or_else(|| format!("expected a slot TYPE:OFFSET, got `{s}`"))?;
    Ok(Slot {
        ty: ranged("swap type", t, (0u8, Slot::MAX_TYPE))?,
        off: ranged("offset", o, (0u16, Slot::MAX_OFF))?,
    })
}

fn parse_folio(s: &str) -> Result<u8, String> {
    let n = s
        .strip_prefix('f')
        .ok_or_else(|| format!("expected a folio handle like `f0`, got `{s}`"))?;
    ranged("folio", n, domain::FOLIO)
}

fn parse_onoff(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("expected `on` or `off`, got `{s}`")),
    }
}

/// Pulls typed arguments out of [`Args`] and checks nothing is left over.
struct Reader<'a> {
    kind: &'a str,
    args: Args<'a>,
    next: usize,
}

impl<'a> Reader<'a> {
    fn pos(&mut self, what: &str) -> Result<&'a str, String> {
        let v = self
            .args
            .positional
            .get(self.next)
            .copied()
            .ok_or_else(|| format!("`{}` needs {what}", self.kind))?;
        self.next += 1;
        Ok(v)
    }
    fn slot(&mut self) -> Result<Slot, String> {
        parse_slot(self.pos("a slot TYPE:OFFSET")?)
    }
    fn folio(&mut self) -> Result<u8, String> {
        parse_folio(self.pos("a folio handle fN")?)
    }
    fn ty(&mut self) -> Result<u8, String> {
        ranged("swap type", self.pos("a swap type")?, (0u8, Slot::MAX_TYPE))
    }
    fn key<T: TryFrom<u64> + Into<u64> + Copy>(&mut self, key: &str, d: (T, T)) -> Result<T, String> {
        let v = self
            .args
            .named
            .remove(key)
            .ok_or_else(|| format!("`{}` needs `{key}=`", self.kind))?;
        ranged(key, v, d)
    }
    fn times(&mut self) -> Result<u16, String> {
        match self.args.times.take() {
            None => Ok(1),
            Some(t) => ranged("repeat count", t, domain::TIMES),
        }
    }
    fn finish(self) -> Result<(), String> {
        if let Some(extra) = self.args.positional.get(self.next) {
            return Err(format!("unexpected `{extra}` after `{}`", self.kind));
        }
        if let Some(k) = self.args.named.keys().next() {
            return Err(format!("`{}` takes no `{k}=`", self.kind));
        }
        if self.args.times.is_some() {
            return Err(format!("`{}` takes no repeat count", self.kind));
        }
        Ok(())
    }
}

fn parse_op(kind: &str, args: Args<'_>) -> Result<Op, String> {
    use Op::*;
    let mut r = Reader { kind, args, next: 0 };
    let op = match kind {
        "swapon" => {
            let clusters = ranged("clusters", r.pos("a cluster count")?, domain::CLUSTERS)?;
            let cluster_info = match r.args.positional.get(r.next) {
                Some(&"nocluster") => {
                    r.next += 1;
                    false
                }
                _ => true,
            };
            Swapon { clusters, cluster_info }
        }
        "swapoff" => Swapoff { ty: r.ty()? },
        "mark_bad" => MarkBad { slot: r.slot()? },
        "alloc_swap" => AllocSwap { ty: r.ty()?, order: r.key("order", domain::ORDER)? },
        "fault" => {
            let name = r.pos("a site (cont_page, tag_storage, xa_node)")?;
            let site = Site::from_name(name).ok_or_else(|| format!("unknown site `{name}`"))?;
            Fault { site, nth: r.key("nth", domain::NTH)? }
        }
        "mte" => Mte { on: parse_onoff(r.pos("on or off")?)? },
        "folio_new" => FolioNew { order: r.key("order", domain::ORDER)? },
        "folio_free" => FolioFree { folio: r.folio()? },
        "folio_set_swap" => FolioSetSwap { folio: r.folio()?, slot: r.slot()? },
        "page_set" => PageSet {
            folio: r.folio()?,
            idx: r.key("page", domain::PAGE)?,
            seed: r.key("seed", (0u8, 255))?,
            flags: r.key("flags", (0u8, 3))?,
        },
        "swapcache_add" => SwapcacheAdd { folio: r.folio()? },
        "swapcache_del" => SwapcacheDel { folio: r.folio()? },
        "folio_set_mapped" => FolioSetMapped { folio: r.folio()?, mapped: parse_onoff(r.pos("on or off")?)? },
        "__swap_duplicate" => SwapDuplicateRaw {
            slot: r.slot()?,
            usage: r.key("usage", (0u8, 255))?,
            nr: r.key("nr", domain::NR)?,
        },
        "swap_duplicate" => SwapDuplicate { slot: r.slot()?, times: r.times()? },
        "swapcache_prepare" => SwapcachePrepare { slot: r.slot()?, nr: r.key("nr", domain::NR)? },
        "swap_shmem_alloc" => SwapShmemAlloc { slot: r.slot()?, nr: r.key("nr", domain::NR)? },
        "swapcache_clear" => SwapcacheClear { slot: r.slot()?, nr: r.key("nr", domain::NR)? },
        "add_swap_count_continuation" => AddSwapCountContinuation { slot: r.slot()? },
        "swap_free_nr" => SwapFreeNr { slot: r.slot()?, nr: r.key("nr", domain::NR)?, times: r.times()? },
        "put_swap_folio" => PutSwapFolio { slot: r.slot()?, order: r.key("order", domain::ORDER)? },
        "swapcache_free_entries" => {
            let mut slots = Vec::new();
            while r.next < r.args.positional.len() {
                slots.push(r.slot()?);
            }
            let (lo, hi) = domain::ENTRIES;
            if slots.len() < lo || slots.len() > hi {
                return Err(format!("`{kind}` takes {lo}..={hi} slots"));
            }
            SwapcacheFreeEntries { slots }
        }
        "free_swap_and_cache_nr" => FreeSwapAndCacheNr { slot: r.slot()?, nr: r.key("nr", domain::NR)? },
        "__swap_count" => SwapCountRaw { slot: r.slot()? },
        "swap_swapcount" => SwapSwapcount { slot: r.slot()? },
        "swp_swapcount" => SwpSwapcount { slot: r.slot()? },
        "arch_prepare_to_swap" => ArchPrepareToSwap { folio: r.folio()? },
        "arch_swap_restore" => ArchSwapRestore { slot: r.slot()?, folio: r.folio()? },
        "mte_save_tags" => MteSaveTags { folio: r.folio()?, idx: r.key("page", domain::PAGE)? },
        "mte_restore_tags" => MteRestoreTags {
            slot: r.slot()?,
            folio: r.folio()?,
            idx: r.key("page", domain::PAGE)?,
        },
        "mte_invalidate_tags" => MteInvalidateTags { slot: r.slot()? },
        "mte_invalidate_tags_area" => MteInvalidateTagsArea { ty: r.ty()? },
        "arch_swap_invalidate_page" => ArchSwapInvalidatePage { slot: r.slot()? },
        "arch_swap_invalidate_area" => ArchSwapInvalidateArea { ty: r.ty()? },
        "swap_out" => SwapOut {
            ty: r.ty()?,
            order: r.key("order", domain::ORDER)?,
            seed: r.key("seed", (0u8, 255))?,
        },
        "swap_in" => SwapIn { slot: r.slot()?, order: r.key("order", domain::ORDER)? },
        _ => return Err(format!("unknown op `{kind}` (known: {})", super::KINDS.join(", "))),
    };
    r.finish()?;
    Ok(op)
}
