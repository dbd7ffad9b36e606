//! What the op table (`table.rs`) expands to. `op_table!` takes the rows and
//! writes, once for all ops: the `Op` enum, `KINDS` and `kind_index` (the
//! byte format's selectors), family membership, text print/parse, byte
//! decode/encode, exec dispatch, the minimizer's shrink candidates and the
//! reproducer's C call. Every per-field step goes through the field kind's
//! [`Field`](super::field::Field) impl, so a row only names field kinds.
//!
//! A row (`?` marks an optional part):
//! `INDEX name(field: Kind, ...) (repeat times)? in Family... ([composite])?
//! (, exec |e| EXPR)? (, c EXPR)? ;`
//! - `name` is the kernel function's name: the variant, the text name, the
//!   Engine method and the C wrapper `sd_<name>` all use it;
//! - `repeat times` adds a `times: u16` field (text ` xN`, byte field last):
//!   the op is N calls, stopping at a trap;
//! - `exec |e| EXPR` replaces the default call `e.name(arg, ...)` (fields are
//!   bound by reference); `c EXPR` replaces the default C statement
//!   `r = sd_name(arg, ...);` with the statements EXPR evaluates to;
//! - `composite` ops are expanded by the runner, never executed as one call.

use crate::engine::Engine;
use crate::exec::Outcome;
use swapdiff_spec::Verdict;

/// An engine method's result as the i64 a step records.
pub trait Ret {
    fn ret(self) -> i64;
}

impl Ret for i64 {
    fn ret(self) -> i64 {
        self
    }
}

impl Ret for i32 {
    fn ret(self) -> i64 {
        self.into()
    }
}

/// Calls that return nothing (arming a fault, switching MTE) record 0.
impl Ret for () {
    fn ret(self) -> i64 {
        0
    }
}

/// `alloc_swap`: the entry on success, the errno otherwise.
impl Ret for Result<u64, i32> {
    fn ret(self) -> i64 {
        match self {
            Ok(entry) => entry as i64,
            Err(err) => err.into(),
        }
    }
}

/// The inverse of [`Ret`]: an engine method's result from the i64 a step
/// recorded, for the spec's rules, which take the engine's own return type.
pub trait FromRet {
    fn from_ret(ret: i64) -> Self;
}

impl FromRet for i64 {
    fn from_ret(ret: i64) -> i64 {
        ret
    }
}

/// Recorded from an i32 (`Ret for i32`), so exact.
impl FromRet for i32 {
    fn from_ret(ret: i64) -> i32 {
        ret as i32
    }
}

/// `alloc_swap`: an errno is small and negative (-4095..=-1, the kernel's
/// IS_ERR_VALUE range); every entry of a swap type below 32 is non-negative.
impl FromRet for Result<u64, i32> {
    fn from_ret(ret: i64) -> Result<u64, i32> {
        if (-4095..0).contains(&ret) {
            Err(ret as i32)
        } else {
            Ok(ret as u64)
        }
    }
}

/// What a spec method answers: a verdict, or nothing for calls the contract
/// makes no promise about the return of (arming a fault, switching MTE).
pub trait IntoVerdict {
    fn verdict(self) -> Verdict;
}

impl IntoVerdict for Verdict {
    fn verdict(self) -> Verdict {
        self
    }
}

impl IntoVerdict for () {
    fn verdict(self) -> Verdict {
        Verdict::Agrees
    }
}

/// One call of `f` on `eng`, recorded with the events it left.
pub fn once<E: Engine + ?Sized>(eng: &mut E, out: &mut Outcome, f: impl FnOnce(&mut E) -> i64) {
    let r = f(eng);
    out.record(r, eng.take_events());
}

/// Calls `f` `times` times, recording each call with its events, stopping
/// after a trap.
pub fn repeat<E: Engine + ?Sized>(times: u16, eng: &mut E, out: &mut Outcome, mut f: impl FnMut(&mut E) -> i64) {
    for _ in 0..times {
        let r = f(eng);
        out.record(r, eng.take_events());
        if r == crate::engine::TRAPPED {
            break;
        }
    }
}

/// The C statement for a call, looped `times` times when the op repeats.
pub fn c_repeat(times: u16, call: String) -> String {
    if times == 1 {
        format!("\tr = {call};\n")
    } else {
        format!("\tfor (int i = 0; i < {times}; i++)\n\t\tif ((r = {call}) == SD_TRAPPED)\n\t\t\tbreak;\n")
    }
}

macro_rules! op_table {
    ($(
        $(#[doc = $doc:literal])*
        $index:literal $name:ident ( $($field:ident : $kind:ident),* $(,)? )
            $(repeat $times:ident)?
            in $($family:ident)*
            $([$composite:ident])?
            $(, exec |$e:ident| $exec:expr)?
            $(, c $c:expr)?
            $(, spec |$s:ident, $r:ident, $v:ident| $spec:expr)?
            ;
    )*) => {
        /// One op per kernel entry point (named after it), the environment
        /// services and the composites; declared by the rows of `table.rs`.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum Op {
            $(
                $(#[doc = $doc])*
                $name { $($field: <$kind as Field>::Value,)* $($times: u16,)? },
            )*
        }

        /// Every op kind's text name, in selector order (the byte format).
        pub const KINDS: &[&str] = &[$(stringify!($name)),*];

        /// Row indices as written: checked to run 0, 1, 2, ... below.
        const INDICES: &[usize] = &[$($index),*];

        /// The families each row names (every op is in `All` too).
        const FAMILIES_OF: &[&[Family]] = &[$(&[$(Family::$family),*]),*];

        // The rows are numbered as the byte format numbers them: in order, from 0.
        const _: () = {
            let mut i = 0;
            while i < INDICES.len() {
                assert!(INDICES[i] == i, "op table rows must be numbered 0, 1, 2, ... in order");
                i += 1;
            }
        };

        const fn in_family(row: usize, f: Family) -> bool {
            if matches!(f, Family::All) {
                return true;
            }
            let mut j = 0;
            while j < FAMILIES_OF[row].len() {
                if FAMILIES_OF[row][j] as u8 == f as u8 {
                    return true;
                }
                j += 1;
            }
            false
        }

        const fn family_size(f: Family) -> usize {
            let (mut row, mut n) = (0, 0);
            while row < INDICES.len() {
                n += in_family(row, f) as usize;
                row += 1;
            }
            n
        }

        /// The rows of family `f`, in row order: the family's selectors.
        const fn family_rows<const N: usize>(f: Family) -> [u8; N] {
            let mut out = [0u8; N];
            let (mut row, mut n) = (0, 0);
            while row < INDICES.len() {
                if in_family(row, f) {
                    out[n] = row as u8;
                    n += 1;
                }
                row += 1;
            }
            out
        }

        impl Family {
            /// Op kinds (indices into [`KINDS`]) this family draws from: a
            /// fuzzer's selector byte picks one of these, modulo their number.
            pub fn kinds(self) -> &'static [u8] {
                const COUNTS: [u8; family_size(Family::Counts)] = family_rows(Family::Counts);
                const MTE: [u8; family_size(Family::Mte)] = family_rows(Family::Mte);
                const ALL: [u8; family_size(Family::All)] = family_rows(Family::All);
                match self {
                    Family::Counts => &COUNTS,
                    Family::Mte => &MTE,
                    Family::All => &ALL,
                }
            }
        }

        impl Op {
            /// The op's name in the text form: the kernel function's name for entry points.
            pub fn kind(&self) -> &'static str {
                KINDS[self.kind_index()]
            }

            /// The op's selector index (its row), the byte format's op number.
            pub fn kind_index(&self) -> usize {
                match self {
                    $(Op::$name { .. } => $index,)*
                }
            }

            /// A composite: a short sequence of primitive ops the runner expands.
            pub fn is_composite(&self) -> bool {
                match self {
                    $(Op::$name { .. } => op_table!(@is_composite $($composite)?),)*
                }
            }

            pub(super) fn print_fields(&self, out: &mut String) {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        $(<$kind as Field>::print($field, out);)*
                        $(<Times as Field>::print($times, out);)?
                    })*
                }
            }

            /// `None` for an unknown name. Fields are taken in row order.
            pub(super) fn parse_fields(kind: &str, a: &mut TextArgs<'_>) -> Option<Result<Op, String>> {
                fn fields(kind: &str, a: &mut TextArgs<'_>) -> Result<Option<Op>, String> {
                    Ok(Some(match kind {
                        $(stringify!($name) => Op::$name {
                            $($field: <$kind as Field>::parse(a)?,)*
                            $($times: <Times as Field>::parse(a)?,)?
                        },)*
                        _ => return Ok(None),
                    }))
                }
                fields(kind, a).transpose()
            }

            pub(super) fn decode_fields(kind: u8, r: &mut Reader<'_, '_>) -> Op {
                match usize::from(kind) {
                    $($index => Op::$name {
                        $($field: <$kind as Field>::decode(r),)*
                        $($times: <Times as Field>::decode(r),)?
                    },)*
                    other => unreachable!("no op kind {other}"),
                }
            }

            pub(super) fn encode_fields(&self, out: &mut Vec<u8>) {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        $(<$kind as Field>::encode($field, out);)*
                        $(<Times as Field>::encode($times, out);)?
                    })*
                }
            }

            /// Simpler variants of this op, simplest first (never the op
            /// itself): each field's own candidates (sizes are [`Op::numbers`]).
            /// Composites have none: the minimizer works on executed steps,
            /// where the runner has expanded them.
            pub fn simpler_versions(&self) -> Vec<Op> {
                let mut out = vec![];
                if self.is_composite() {
                    return out;
                }
                match self {
                    $(Op::$name { $($field,)* .. } => {
                        $(for v in <$kind as Field>::shrink($field) {
                            let mut o = self.clone();
                            if let Op::$name { $field: x, .. } = &mut o {
                                *x = v;
                            }
                            out.push(o);
                        })*
                    })*
                }
                out
            }

            /// The op's sizes the minimizer binary-searches, as (position of the
            /// field in the row, the repeat count last; value; floor). None for
            /// composites (expanded before minimizing).
            #[allow(unused_assignments, unused_mut, unused_variables)]
            pub fn numbers(&self) -> Vec<(usize, u16, u16)> {
                let mut out = vec![];
                if self.is_composite() {
                    return out;
                }
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        let mut k = 0usize;
                        $(if let Some((v, lo)) = <$kind as Field>::number($field) {
                            out.push((k, v, lo));
                        }
                        k += 1;)*
                        $(if let Some((v, lo)) = <Times as Field>::number($times) {
                            out.push((k, v, lo));
                        })?
                    })*
                }
                out
            }

            /// This op with the size at `pos` (a position [`Op::numbers`] gave) set to `n`.
            #[allow(unused_assignments, unused_mut, unused_variables)]
            pub fn with_number(&self, pos: usize, n: u16) -> Op {
                let mut o = self.clone();
                match &mut o {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        let mut k = 0usize;
                        $(if k == pos {
                            *$field = <$kind as Field>::with_number($field, n);
                        }
                        k += 1;)*
                        $(if k == pos {
                            *$times = <Times as Field>::with_number($times, n);
                        })?
                    })*
                }
                o
            }

            /// The repeat count of a repeated op (`None` for the others).
            #[allow(unused_variables)]
            pub fn times(&self) -> Option<u16> {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        $(return Some(*$times);)?
                        #[allow(unreachable_code)]
                        None
                    })*
                }
            }

            /// This op repeated `n` times (itself for an op without a repeat count).
            #[allow(unused_variables)]
            pub fn with_times(&self, n: u16) -> Op {
                let mut o = self.clone();
                match &mut o {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        $(*$times = n;)?
                    })*
                }
                o
            }

            /// Rewrites every swap slot the op names (entries and entry lists).
            #[allow(unused_variables)]
            pub fn map_slots(&mut self, f: &mut dyn FnMut(super::op::Slot) -> super::op::Slot) {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        $(<$kind as Field>::map_slots($field, f);)*
                    })*
                }
            }

            /// Rewrites every swap type the op names (alone or in a slot).
            #[allow(unused_variables)]
            pub fn map_types(&mut self, f: &mut dyn FnMut(u8) -> u8) {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        $(<$kind as Field>::map_types($field, f);)*
                    })*
                }
            }

            /// Rewrites every folio handle the op names.
            #[allow(unused_variables)]
            pub fn map_folios(&mut self, f: &mut dyn FnMut(u8) -> u8) {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        $(<$kind as Field>::map_folios($field, f);)*
                    })*
                }
            }

            #[allow(unused_variables)]
            /// Calls the op on `eng`, recording each call's return value
            /// and events in `out`. Composites are the runner's to expand.
            pub(crate) fn call<E: Engine + ?Sized>(&self, eng: &mut E, out: &mut Outcome) {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        op_table!(@run self, eng, out, ($($times)?), ($($composite)?),
                            |eng: &mut E| op_table!(@call eng, $name, ($($field: $kind),*), ($(|$e| $exec)?)))
                    })*
                }
            }

            #[allow(unused_variables)]
            /// The spec's judgement of one call of this op that returned `ret`;
            /// `view` is the engine's slots after the call (for the rules that
            /// follow a choice the contract leaves to the kernel). A repeated op
            /// is judged call by call.
            pub(crate) fn judge(&self, spec: &mut Spec, ret: i64, view: &dyn Fn(u32, u64) -> SlotState) -> Verdict {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        op_table!(@spec spec, ret, view, $name, ($($field: $kind),*), ($($composite)?),
                            ($(|$s, $r, $v| $spec)?))
                    })*
                }
            }

            #[allow(unused_variables)]
            /// The C statements calling this op in a reproducer (setting `r`).
            pub fn c_call(&self) -> String {
                match self {
                    $(Op::$name { $($field,)* $($times,)? } => {
                        op_table!(@c $name, ($($field: $kind),*), ($($times)?), ($($composite)?), ($($c)?))
                    })*
                }
            }
        }
    };

    (@is_composite composite) => { true };
    (@is_composite) => { false };

    // exec: the row's own call, or `eng.name(arg, ...)`.
    (@call $eng:ident, $name:ident, ($($field:ident: $kind:ident),*), (|$e:ident| $exec:expr)) => {{
        let $e = &mut *$eng;
        Ret::ret($exec)
    }};
    (@call $eng:ident, $name:ident, ($($field:ident: $kind:ident),*), ()) => {
        Ret::ret($eng.$name($(<$kind as Field>::arg($field)),*))
    };
    (@run $op:ident, $eng:ident, $out:ident, (), (composite), $call:expr) => {
        unreachable!("composite `{}` is expanded by the runner", $op.kind())
    };
    (@run $op:ident, $eng:ident, $out:ident, ($times:ident), (), $call:expr) => {
        repeat(*$times, $eng, $out, $call)
    };
    (@run $op:ident, $eng:ident, $out:ident, (), (), $call:expr) => {
        once($eng, $out, $call)
    };

    // spec: the row's own judgement, or `spec.name(arg, ..., observed)`: the spec's method
    // has the engine method's name and arguments, then the engine's return.
    (@spec $spec:ident, $ret:ident, $view:ident, $name:ident, ($($field:ident: $kind:ident),*), (composite), ()) => {
        unreachable!("composite `{}` is expanded by the runner", stringify!($name))
    };
    (@spec $spec:ident, $ret:ident, $view:ident, $name:ident, ($($field:ident: $kind:ident),*), (),
        (|$s:ident, $r:ident, $v:ident| $judge:expr)) => {{
        let ($s, $r, $v) = (&mut *$spec, $ret, $view);
        IntoVerdict::verdict($judge)
    }};
    (@spec $spec:ident, $ret:ident, $view:ident, $name:ident, ($($field:ident: $kind:ident),*), (), ()) => {
        IntoVerdict::verdict($spec.$name($(<$kind as Field>::arg($field),)* FromRet::from_ret($ret)))
    };

    // C: the row's own statements, or `r = sd_name(arg, ...);`, looped for repeats.
    (@c $name:ident, ($($field:ident: $kind:ident),*), (), (composite), ()) => {
        "\t/* composite: not reproduced (reproducers take executed steps) */\n\tr = 0;\n".to_string()
    };
    (@c $name:ident, ($($field:ident: $kind:ident),*), (), (), ($c:expr)) => {
        $c
    };
    (@c $name:ident, ($($field:ident: $kind:ident),*), ($($times:ident)?), (), ()) => {{
        let args: Vec<String> = vec![$(<$kind as Field>::c($field)),*];
        let times = 1 $(* *$times)?;
        c_repeat(times, format!(concat!("sd_", stringify!($name), "({})"), args.join(", ")))
    }};
}

pub(super) use op_table;
