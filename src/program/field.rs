//! Field kinds of the op table: each knows its domain, how it reads and writes
//! itself in the text form and in fuzzer bytes, what simpler values the
//! minimizer may try, and what it is as an engine argument and in C. A row of
//! the table only names them (`slot: Entry, nr: Nr`).
//!
//! The byte reads and writes here are the byte format: a field's codec must
//! never change (tests/program_format.rs holds the pre-table golden values).

use super::bytes::{self, Reader};
use super::op::{domain, Device, Slot, SWAP_HAS_CACHE, SWAP_MAP_SHMEM, USAGE_MAP};
use super::text::{ranged, TextArgs};
use crate::engine::Site;

/// One field kind. `Value` is the field's type in [`super::Op`].
pub trait Field {
    type Value: Clone;
    /// What the engine method takes (`Entry` is a `u64` entry, `Nr` an `i32`).
    type Arg;
    fn decode(r: &mut Reader<'_, '_>) -> Self::Value;
    /// Writes the bytes [`Field::decode`] reads back as `v`.
    fn encode(v: &Self::Value, out: &mut Vec<u8>);
    /// Appends the field's text, with its leading space (nothing if implied).
    fn print(v: &Self::Value, out: &mut String);
    fn parse(a: &mut TextArgs<'_>) -> Result<Self::Value, String>;
    /// Simpler values the minimizer tries, simplest first (none by default:
    /// slots, folios and flags are where the divergence is, not its size).
    /// Sizes (counts, orders, repeats) are not here but [`Field::number`]:
    /// the minimizer binary-searches them.
    fn shrink(_: &Self::Value) -> Vec<Self::Value> {
        vec![]
    }
    /// The field as a size the minimizer binary-searches downwards: its value
    /// and the smallest value the domain allows (`None`: not a size).
    fn number(_: &Self::Value) -> Option<(u16, u16)> {
        None
    }
    /// `v` with its size set to `n` (within the domain: `n` lies between the
    /// floor [`Field::number`] gave and the value).
    fn with_number(v: &Self::Value, _n: u16) -> Self::Value {
        v.clone()
    }
    /// Rewrites every swap slot the field names (the minimizer renumbers slots).
    fn map_slots(_: &mut Self::Value, _: &mut dyn FnMut(Slot) -> Slot) {}
    /// Rewrites every folio handle the field names (the minimizer renumbers folios).
    fn map_folios(_: &mut Self::Value, _: &mut dyn FnMut(u8) -> u8) {}
    /// Rewrites every swap type the field names, alone or in a slot (contract
    /// mode folds hostile types).
    fn map_types(_: &mut Self::Value, _: &mut dyn FnMut(u8) -> u8) {}
    fn arg(v: &Self::Value) -> Self::Arg;
    /// The argument as C in a reproducer (`E(type, offset)` for entries).
    fn c(v: &Self::Value) -> String;
}

/// A swap entry written `TYPE:OFFSET` (the kernel's `swp_entry_t`).
pub struct Entry;

impl Field for Entry {
    type Value = Slot;
    type Arg = u64;
    fn decode(r: &mut Reader<'_, '_>) -> Slot {
        r.slot()
    }
    fn encode(v: &Slot, out: &mut Vec<u8>) {
        bytes::slot(out, *v);
    }
    fn print(v: &Slot, out: &mut String) {
        out.push_str(&format!(" {}:{}", v.ty, v.off));
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<Slot, String> {
        super::text::parse_slot(a.pos("a slot TYPE:OFFSET")?)
    }
    fn map_slots(v: &mut Slot, f: &mut dyn FnMut(Slot) -> Slot) {
        *v = f(*v);
    }
    fn map_types(v: &mut Slot, f: &mut dyn FnMut(u8) -> u8) {
        v.ty = f(v.ty);
    }
    fn arg(v: &Slot) -> u64 {
        v.entry()
    }
    fn c(v: &Slot) -> String {
        format!("E({}, {})", v.ty, v.off)
    }
}

/// 1..=8 entries, all the remaining words of the line (`swapcache_free_entries`).
pub struct Entries;

impl Field for Entries {
    type Value = Vec<Slot>;
    type Arg = Vec<u64>;
    fn decode(r: &mut Reader<'_, '_>) -> Vec<Slot> {
        let (lo, hi) = domain::ENTRIES;
        let n = lo + usize::from(r.byte()) % (hi - lo + 1);
        (0..n).map(|_| r.slot()).collect()
    }
    fn encode(v: &Vec<Slot>, out: &mut Vec<u8>) {
        out.push((v.len() - domain::ENTRIES.0) as u8);
        for s in v {
            bytes::slot(out, *s);
        }
    }
    fn print(v: &Vec<Slot>, out: &mut String) {
        for s in v {
            Entry::print(s, out);
        }
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<Vec<Slot>, String> {
        let mut slots = Vec::new();
        while a.has_positional() {
            slots.push(Entry::parse(a)?);
        }
        let (lo, hi) = domain::ENTRIES;
        if slots.len() < lo || slots.len() > hi {
            return Err(format!("`{}` takes {lo}..={hi} slots", a.kind()));
        }
        Ok(slots)
    }
    /// One entry fewer, each in turn.
    fn shrink(v: &Vec<Slot>) -> Vec<Vec<Slot>> {
        if v.len() < 2 {
            return vec![];
        }
        (0..v.len())
            .map(|i| {
                let mut fewer = v.clone();
                fewer.remove(i);
                fewer
            })
            .collect()
    }
    fn map_slots(v: &mut Vec<Slot>, f: &mut dyn FnMut(Slot) -> Slot) {
        for s in v {
            *s = f(*s);
        }
    }
    fn map_types(v: &mut Vec<Slot>, f: &mut dyn FnMut(u8) -> u8) {
        for s in v {
            s.ty = f(s.ty);
        }
    }
    fn arg(v: &Vec<Slot>) -> Vec<u64> {
        v.iter().map(|s| s.entry()).collect()
    }
    fn c(v: &Vec<Slot>) -> String {
        v.iter().map(Entry::c).collect::<Vec<_>>().join(", ")
    }
}

/// A swap type `0..=31` (only 0..=3 can hold a device: the rest probe bad
/// types, from 27 on past `MAX_SWAPFILES`).
pub struct SwapType;

impl Field for SwapType {
    type Value = u8;
    type Arg = u32;
    fn decode(r: &mut Reader<'_, '_>) -> u8 {
        r.below(Slot::MAX_TYPE + 1)
    }
    fn encode(v: &u8, out: &mut Vec<u8>) {
        out.push(*v);
    }
    fn print(v: &u8, out: &mut String) {
        out.push_str(&format!(" {v}"));
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<u8, String> {
        ranged("swap type", a.pos("a swap type")?, (0u8, Slot::MAX_TYPE))
    }
    fn map_types(v: &mut u8, f: &mut dyn FnMut(u8) -> u8) {
        *v = f(*v);
    }
    fn arg(v: &u8) -> u32 {
        u32::from(*v)
    }
    fn c(v: &u8) -> String {
        v.to_string()
    }
}

/// A folio handle `fN`.
pub struct Folio;

impl Field for Folio {
    type Value = u8;
    type Arg = u32;
    fn decode(r: &mut Reader<'_, '_>) -> u8 {
        r.range8(domain::FOLIO)
    }
    fn encode(v: &u8, out: &mut Vec<u8>) {
        out.push(*v);
    }
    fn print(v: &u8, out: &mut String) {
        out.push_str(&format!(" f{v}"));
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<u8, String> {
        let s = a.pos("a folio handle fN")?;
        let n = s.strip_prefix('f').ok_or_else(|| format!("expected a folio handle like `f0`, got `{s}`"))?;
        ranged("folio", n, domain::FOLIO)
    }
    fn map_folios(v: &mut u8, f: &mut dyn FnMut(u8) -> u8) {
        *v = f(*v);
    }
    fn arg(v: &u8) -> u32 {
        u32::from(*v)
    }
    fn c(v: &u8) -> String {
        v.to_string()
    }
}

/// A device to add: `CLUSTERS` (1..=4), then `nocluster` for a rotational device
/// (no cluster_info; `rotational` parses too, the stored form keeps the older
/// word), then `discard` for a discarding device. One byte: bits 0..=1 clusters - 1, bit 2 rotational, bit 3 discard.
pub struct DeviceSpec;

impl DeviceSpec {
    fn byte(v: &Device) -> u8 {
        (v.clusters - 1) | if v.cluster_info { 0 } else { 4 } | if v.discard { 8 } else { 0 }
    }
    fn from_byte(d: u8) -> Device {
        Device { clusters: (d & 3) + 1, cluster_info: d & 4 == 0, discard: d & 8 != 0 }
    }
}

impl Field for DeviceSpec {
    type Value = Device;
    type Arg = (u32, u32);
    fn decode(r: &mut Reader<'_, '_>) -> Device {
        Self::from_byte(r.byte())
    }
    fn encode(v: &Device, out: &mut Vec<u8>) {
        out.push(Self::byte(v));
    }
    fn print(v: &Device, out: &mut String) {
        out.push_str(&format!(
            " {}{}{}",
            v.clusters,
            if v.cluster_info { "" } else { " nocluster" },
            if v.discard { " discard" } else { "" }
        ));
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<Device, String> {
        let clusters = ranged("clusters", a.pos("a cluster count")?, domain::CLUSTERS)?;
        let rotational = a.take_word("rotational") || a.take_word("nocluster");
        let discard = a.take_word("discard");
        Ok(Device { clusters, cluster_info: !rotational, discard })
    }
    /// A device without discard, then an SSD: the default device (`swapon N` with no more
    /// words) is the one a reader assumes.
    fn shrink(v: &Device) -> Vec<Device> {
        let mut out = vec![];
        if v.discard {
            out.push(Device { discard: false, ..*v });
        }
        if !v.cluster_info {
            out.push(Device { cluster_info: true, ..*v });
        }
        out
    }
    /// Fewer clusters.
    fn number(v: &Device) -> Option<(u16, u16)> {
        Some((u16::from(v.clusters), u16::from(domain::CLUSTERS.0)))
    }
    fn with_number(v: &Device, n: u16) -> Device {
        Device { clusters: n as u8, ..*v }
    }
    fn arg(v: &Device) -> (u32, u32) {
        (u32::from(v.clusters), v.kind())
    }
    fn c(v: &Device) -> String {
        format!("{}, {}", v.clusters, v.kind())
    }
}

/// `on` / `off`.
pub struct OnOff;

impl Field for OnOff {
    type Value = bool;
    type Arg = bool;
    fn decode(r: &mut Reader<'_, '_>) -> bool {
        r.byte() & 1 == 1
    }
    fn encode(v: &bool, out: &mut Vec<u8>) {
        out.push(u8::from(*v));
    }
    fn print(v: &bool, out: &mut String) {
        out.push_str(if *v { " on" } else { " off" });
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<bool, String> {
        match a.pos("on or off")? {
            "on" => Ok(true),
            "off" => Ok(false),
            s => Err(format!("expected `on` or `off`, got `{s}`")),
        }
    }
    fn arg(v: &bool) -> bool {
        *v
    }
    fn c(v: &bool) -> String {
        v.to_string()
    }
}

/// An allocation site by name (`cont_page`, `tag_storage`, `xa_node`).
pub struct FaultSite;

impl Field for FaultSite {
    type Value = Site;
    type Arg = Site;
    fn decode(r: &mut Reader<'_, '_>) -> Site {
        Site::ALL[usize::from(r.below(Site::ALL.len() as u8))]
    }
    fn encode(v: &Site, out: &mut Vec<u8>) {
        out.push(v.index() as u8);
    }
    fn print(v: &Site, out: &mut String) {
        out.push_str(&format!(" {}", v.name()));
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<Site, String> {
        let name = a.pos("a site (cont_page, tag_storage, xa_node)")?;
        Site::from_name(name).ok_or_else(|| format!("unknown site `{name}`"))
    }
    fn arg(v: &Site) -> Site {
        *v
    }
    fn c(v: &Site) -> String {
        v.index().to_string()
    }
}

/// The `usage` byte of `__swap_duplicate`, `usage=0xNN`: in bytes one of the
/// three the kernel passes (1, SWAP_HAS_CACHE, SWAP_MAP_SHMEM) or any byte.
pub struct Usage;

impl Field for Usage {
    type Value = u8;
    type Arg = u8;
    fn decode(r: &mut Reader<'_, '_>) -> u8 {
        match r.below(4) {
            0 => USAGE_MAP,
            1 => SWAP_HAS_CACHE,
            2 => SWAP_MAP_SHMEM,
            _ => r.byte(),
        }
    }
    fn encode(v: &u8, out: &mut Vec<u8>) {
        match *v {
            USAGE_MAP => out.push(0),
            SWAP_HAS_CACHE => out.push(1),
            SWAP_MAP_SHMEM => out.push(2),
            other => out.extend([3, other]),
        }
    }
    fn print(v: &u8, out: &mut String) {
        out.push_str(&format!(" usage={v:#04x}"));
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<u8, String> {
        a.key("usage", (0u8, 255))
    }
    fn arg(v: &u8) -> u8 {
        *v
    }
    fn c(v: &u8) -> String {
        format!("{v:#04x}")
    }
}

/// A field written `key=N` over a `u8` domain, one byte (`lo + byte % size`).
macro_rules! keyed_u8 {
    ($(#[$doc:meta])* $name:ident, $key:literal, $domain:expr, shrink to $floor:expr) => {
        keyed_u8!($(#[$doc])* $name, $key, $domain, |v: &u8| {
            let floor: u16 = $floor;
            Some((u16::from(*v), floor))
        });
    };
    ($(#[$doc:meta])* $name:ident, $key:literal, $domain:expr) => {
        keyed_u8!($(#[$doc])* $name, $key, $domain, |_: &u8| None);
    };
    ($(#[$doc:meta])* $name:ident, $key:literal, $domain:expr, $number:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl Field for $name {
            type Value = u8;
            type Arg = u32;
            fn decode(r: &mut Reader<'_, '_>) -> u8 {
                r.range8($domain)
            }
            fn encode(v: &u8, out: &mut Vec<u8>) {
                out.push(*v);
            }
            fn print(v: &u8, out: &mut String) {
                out.push_str(&format!(concat!(" ", $key, "={}"), v));
            }
            fn parse(a: &mut TextArgs<'_>) -> Result<u8, String> {
                a.key($key, $domain)
            }
            fn number(v: &u8) -> Option<(u16, u16)> {
                ($number)(v)
            }
            fn with_number(_: &u8, n: u16) -> u8 {
                n as u8
            }
            fn arg(v: &u8) -> u32 {
                u32::from(*v)
            }
            fn c(v: &u8) -> String {
                v.to_string()
            }
        }
    };
}

keyed_u8!(
    /// A folio order `order=N`, 0..=4 (1..=16 pages).
    Order, "order", domain::ORDER, shrink to 0
);
keyed_u8!(
    /// A page index in a folio, `page=N`.
    Page, "page", domain::PAGE, shrink to 0
);
keyed_u8!(
    /// The seed the page's tags derive from, `seed=N` (`tags_from_seed`).
    Seed, "seed", (0, 255), shrink to 0
);
keyed_u8!(
    /// Page flags `flags=N`: bit 0 tagged, bit 1 tag lock.
    Flags, "flags", (0, 3)
);
keyed_u8!(
    /// The nth allocation from now that fails, `nth=N` (0 disarms).
    Nth, "nth", domain::NTH, shrink to 1
);

/// Bytes below this select one of the first [`SMALL`] values of a skewed field.
const ESCAPE: u8 = 224;
const SMALL: u16 = 16;

/// Skewed counts: one byte below 224 picks one of the 16 smallest values,
/// 224 and up escape to a 16-bit value over the whole domain. Small values
/// for most inputs, the whole domain possible, without every execution slow.
fn skewed_decode(r: &mut Reader<'_, '_>, (lo, hi): (u16, u16)) -> u16 {
    let b = r.byte();
    if b < ESCAPE {
        lo + u16::from(b) % SMALL
    } else {
        lo + r.word() % (hi - lo + 1)
    }
}

fn skewed_encode(out: &mut Vec<u8>, v: u16, (lo, _): (u16, u16)) {
    if v - lo < SMALL {
        out.push((v - lo) as u8);
    } else {
        out.push(ESCAPE);
        bytes::word(out, v - lo);
    }
}

/// Pages per batched call, `nr=N` (1..=512: a whole cluster at most).
pub struct Nr;

impl Field for Nr {
    type Value = u16;
    type Arg = i32;
    fn decode(r: &mut Reader<'_, '_>) -> u16 {
        skewed_decode(r, domain::NR)
    }
    fn encode(v: &u16, out: &mut Vec<u8>) {
        skewed_encode(out, *v, domain::NR);
    }
    fn print(v: &u16, out: &mut String) {
        out.push_str(&format!(" nr={v}"));
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<u16, String> {
        a.key("nr", domain::NR)
    }
    fn number(v: &u16) -> Option<(u16, u16)> {
        Some((*v, domain::NR.0))
    }
    fn with_number(_: &u16, n: u16) -> u16 {
        n
    }
    fn arg(v: &u16) -> i32 {
        i32::from(*v)
    }
    fn c(v: &u16) -> String {
        v.to_string()
    }
}

/// A repeat count: the op stands for N calls, written ` xN` (nothing for 1).
/// Not an argument: the table's `repeat` clause loops over the call.
pub struct Times;

impl Field for Times {
    type Value = u16;
    type Arg = u16;
    fn decode(r: &mut Reader<'_, '_>) -> u16 {
        skewed_decode(r, domain::TIMES)
    }
    fn encode(v: &u16, out: &mut Vec<u8>) {
        skewed_encode(out, *v, domain::TIMES);
    }
    fn print(v: &u16, out: &mut String) {
        if *v != 1 {
            out.push_str(&format!(" x{v}"));
        }
    }
    fn parse(a: &mut TextArgs<'_>) -> Result<u16, String> {
        match a.take_times() {
            None => Ok(1),
            Some(t) => ranged("repeat count", t, domain::TIMES),
        }
    }
    fn number(v: &u16) -> Option<(u16, u16)> {
        Some((*v, domain::TIMES.0))
    }
    fn with_number(_: &u16, n: u16) -> u16 {
        n
    }
    fn arg(v: &u16) -> u16 {
        *v
    }
    fn c(v: &u16) -> String {
        v.to_string()
    }
}
