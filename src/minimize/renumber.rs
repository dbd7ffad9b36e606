//! Dependency repair: what a deletion changes in the meaning of the ops after
//! it. Folio handles are the harness's (`folio_new` takes the lowest free one
//! of 8, `folio_free` releases it), so they can be followed exactly: each
//! reference is tied to the `folio_new` that made its folio, and after a
//! deletion every reference is rewritten to the handle that same `folio_new`
//! gets now. Slots depend on the kernel's allocator and are repaired by the
//! passes instead (joint lowering, or steering the candidate again).

use crate::program::{domain, Op};
use std::collections::BTreeSet;

const FOLIOS: usize = domain::FOLIO.1 as usize + 1;

/// `ops` without the ops at `gone` (ascending indices); with `repair`, later folio
/// references renumbered to follow the folios they meant.
pub fn delete(ops: &[Op], gone: &[usize], repair: bool) -> Vec<Op> {
    let kept = |i: &usize| gone.binary_search(i).is_err();
    if !repair {
        return ops.iter().enumerate().filter(|(i, _)| kept(i)).map(|(_, o)| o.clone()).collect();
    }
    let makers = folio_makers(ops);
    // Replays the handle allocation over the remaining ops, by maker.
    let mut live: [Option<usize>; FOLIOS] = [None; FOLIOS];
    let mut out = vec![];
    for (i, op) in ops.iter().enumerate() {
        if !kept(&i) {
            continue;
        }
        let mut op = op.clone();
        let mut k = 0;
        op.map_folios(&mut |h| {
            let maker = makers[i].get(k).copied().flatten();
            k += 1;
            // A folio whose maker is gone, or never had one, keeps its handle.
            match maker.filter(|m| kept(m)).and_then(|m| live.iter().position(|l| *l == Some(m))) {
                Some(now) => now as u8,
                None => h,
            }
        });
        step_folios(&op, i, &mut live);
        out.push(op);
    }
    out
}

/// For each op, the `folio_new` (its index) behind each folio handle it names, in
/// the order `map_folios` visits them; `None` for a handle no live folio holds.
fn folio_makers(ops: &[Op]) -> Vec<Vec<Option<usize>>> {
    let mut live: [Option<usize>; FOLIOS] = [None; FOLIOS];
    let mut out = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let mut refs = vec![];
        op.clone().map_folios(&mut |h| {
            refs.push(live.get(usize::from(h)).copied().flatten());
            h
        });
        out.push(refs);
        step_folios(op, i, &mut live);
    }
    out
}

/// What op `i` does to the live handles: `folio_new` takes the lowest free one
/// (none when all 8 are live), `folio_free` releases its handle.
fn step_folios(op: &Op, i: usize, live: &mut [Option<usize>; FOLIOS]) {
    match op {
        Op::folio_new { .. } => {
            if let Some(free) = live.iter().position(Option::is_none) {
                live[free] = Some(i);
            }
        }
        Op::folio_free { folio } => {
            if let Some(l) = live.get_mut(usize::from(*folio)) {
                *l = None;
            }
        }
        _ => {}
    }
}

/// The swap types the ops' slots name, ascending.
pub fn slot_types(ops: &[Op]) -> Vec<u8> {
    let mut types = BTreeSet::new();
    for op in ops {
        op.clone().map_slots(&mut |s| {
            types.insert(s.ty);
            s
        });
    }
    types.into_iter().collect()
}
