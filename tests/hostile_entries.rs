//! Hostile entries (issue 17): raw mode hands the kernel any swap type the
//! encoding holds (0..=31, past MAX_SWAPFILES = 27) and offsets past a
//! device's end, as a corrupted page table would; contract mode keeps to the
//! types a caller's entries can carry (0..=7).

use swapdiff::engine::{entry, EventKind, KernelEngine, ModelEngine};
use swapdiff::program::{decode, encode, parse, Family, Mode, Op, Slot};
use swapdiff::runner::{differential, single, Options};

/// Every op family that takes an entry or a type, with types past
/// MAX_SWAPFILES (27..=31), a type below it with no device (8) and offsets
/// past the one device's 512 slots.
const HOSTILE: &str = "mode raw
swapon 1
alloc_swap 0 order=0
swap_duplicate 31:1
__swap_duplicate 27:5 usage=1 nr=1
swapcache_prepare 28:0 nr=4
swap_free_nr 29:1 nr=1
put_swap_folio 30:8 order=3
free_swap_and_cache_nr 27:1 nr=1
swapcache_free_entries 31:1 8:2 0:4000
add_swap_count_continuation 27:3
swp_swapcount 28:0
swp_swapcount 0:3000
mte_invalidate_tags 30:7
arch_swap_invalidate_page 31:4095
mte_invalidate_tags_area 29
swapoff 31
alloc_swap 27 order=0
";

#[test]
fn every_type_of_the_encoding_is_written_read_and_encoded() {
    let p = parse(HOSTILE).expect("hostile entries parse");
    assert_eq!(parse(&p.to_string()).unwrap(), p, "text round trip");
    let bytes = encode(&p, Family::All).unwrap();
    assert_eq!(decode(&bytes, Family::All), p, "byte round trip");
    // 5 type bits: 32 is not a swap type of this encoding.
    let e = parse("swap_duplicate 32:1").unwrap_err();
    assert!(e.message.contains("swap type"), "{e}");
    assert_eq!(Slot::MAX_TYPE, 31);
}

#[test]
fn raw_mode_passes_hostile_entries_and_both_engines_agree() {
    let p = parse(HOSTILE).unwrap();
    let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
    let run = differential(&mut model, &mut kernel, &p, Options { record: true, ..Options::default() });
    assert!(run.divergence.is_none(), "{:?}", run.divergence.map(|d| d.signature()));
    // Raw mode runs each op as written: nothing was folded or dropped.
    assert_eq!(run.executed().ops, p.ops);
    // swp_swapcount(28:0): swp_swap_info() finds no device for a type at or past
    // MAX_SWAPFILES (swap_type_to_swap_info's bound), so _swap_info_get reports
    // "Bad swap file entry" with the raw entry value and the count is 0.
    let at = p.ops.iter().position(|op| matches!(op, Op::swp_swapcount { slot } if slot.ty == 28)).unwrap();
    let out = run.steps[at].actual.as_ref().expect("outcomes recorded");
    assert_eq!(out.ret(), 0);
    let logs: Vec<String> =
        out.events().filter(|e| e.kind == EventKind::Log).map(|e| e.message().into_owned()).collect();
    assert_eq!(logs, [format!("_swap_info_get: Bad swap file entry {:08x}", entry(28, 0))]);
}

#[test]
fn contract_mode_folds_hostile_types_into_a_callers_types() {
    let mut p = parse(HOSTILE).unwrap();
    p.mode = Mode::Contract;
    let run = single(&mut ModelEngine::new(), &p, Options::default());
    let mut types = vec![];
    for op in &run.executed().ops {
        let mut op = op.clone();
        op.map_types(&mut |t| {
            types.push(t);
            t
        });
    }
    assert!(!types.is_empty());
    assert!(types.iter().all(|&t| t <= Slot::MAX_CALLER_TYPE), "{types:?}");
    // And the swapoff of type 31 became one of type 31 % 8 = 7 (no device: -EINVAL,
    // still a call a caller can make).
    assert!(run.executed().ops.contains(&Op::swapoff { ty: 7 }));
}
