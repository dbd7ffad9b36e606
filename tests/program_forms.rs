//! The text form and the byte form describe the same programs.

use swapdiff::generate::{program, Rng};
use swapdiff::program::{decode, encode, parse, Device, Family, Mode, Op, Program, Slot};

const FAMILIES: [Family; 3] = [Family::Counts, Family::Mte, Family::All];

#[test]
fn text_round_trips_generated_programs() {
    let mut r = Rng::new(1);
    for _ in 0..2_000 {
        let fam = FAMILIES[r.range(0, 2) as usize];
        let p = program(&mut r, fam);
        let text = p.to_string();
        assert_eq!(parse(&text).unwrap(), p, "text:\n{text}");
    }
}

#[test]
fn bytes_round_trip_generated_programs() {
    let mut r = Rng::new(2);
    for _ in 0..2_000 {
        let fam = FAMILIES[r.range(0, 2) as usize];
        let p = program(&mut r, fam);
        let bytes = encode(&p, fam).expect("generated ops belong to their family");
        assert_eq!(decode(&bytes, fam), p);
    }
}

#[test]
fn decoding_is_total_and_canonical() {
    // Any bytes decode; re-encoding the result decodes to the same program.
    let mut r = Rng::new(3);
    for len in 0..3_000usize {
        let bytes: Vec<u8> = (0..len % 300).map(|_| r.next_u64() as u8).collect();
        for fam in FAMILIES {
            let p = decode(&bytes, fam);
            assert!(p.ops.len() <= swapdiff::program::MAX_OPS);
            let again = encode(&p, fam).unwrap();
            assert_eq!(decode(&again, fam), p);
            assert_eq!(parse(&p.to_string()).unwrap(), p);
        }
    }
}

#[test]
fn text_form_reads_comments_mode_and_every_argument() {
    let p = parse(
        "# a comment line\n\
         mode raw\n\
         swapon 2            # two clusters\n\
         swapon 1 nocluster\n\
         swapon 3 rotational discard\n\
         swapon 4 discard\n\
         get_swap_pages nr=16 order=3\n\
         flush_work\n\
         kworker off\n\
         alloc_swap 0 order=2\n\
         __swap_duplicate 0:4 usage=0xbf nr=4\n\
         swap_duplicate 0:1 x8064\n\
         swap_free_nr 0:1 nr=1 x3\n\
         swapcache_free_entries 0:1 0:2 1:7\n\
         fault cont_page nth=2\n\
         page_set f1 page=3 seed=9 flags=1\n",
    )
    .unwrap();
    assert_eq!(p.mode, Mode::Raw);
    let s = |ty, off| Slot { ty, off };
    assert_eq!(
        p.ops,
        vec![
            Op::swapon { device: Device { clusters: 2, cluster_info: true, discard: false } },
            // `nocluster` is the older word for `rotational`.
            Op::swapon { device: Device { clusters: 1, cluster_info: false, discard: false } },
            Op::swapon { device: Device { clusters: 3, cluster_info: false, discard: true } },
            Op::swapon { device: Device { clusters: 4, cluster_info: true, discard: true } },
            Op::get_swap_pages { n: 16, order: 3 },
            Op::flush_work {},
            Op::kworker { on: false },
            Op::alloc_swap { ty: 0, order: 2 },
            Op::__swap_duplicate { slot: s(0, 4), usage: 0xbf, nr: 4 },
            Op::swap_duplicate { slot: s(0, 1), times: 8064 },
            Op::swap_free_nr { slot: s(0, 1), nr: 1, times: 3 },
            Op::swapcache_free_entries { slots: vec![s(0, 1), s(0, 2), s(1, 7)] },
            Op::fault { site: swapdiff::engine::Site::ContPage, nth: 2 },
            Op::page_set { folio: 1, idx: 3, seed: 9, flags: 1 },
        ]
    );
}

#[test]
fn device_kinds_print_as_they_parse_and_take_the_byte_bits() {
    // Text: `nocluster` is printed (the stored form programs already use; `rotational`
    // parses to the same device), `discard` after it.
    let p = parse("swapon 1 rotational discard\nswapon 2\n").unwrap();
    assert_eq!(p.to_string(), "swapon 1 nocluster discard\nswapon 2\n");
    // Bytes: bits 0-1 clusters - 1, bit 2 rotational, bit 3 discard (INTERFACES-17 section 1).
    let bytes = encode(&p, Family::Counts).unwrap();
    assert_eq!(&bytes[1..3], &[0b1100, 0b0001]);
}

#[test]
fn parse_errors_name_the_line_and_the_problem() {
    let cases = [
        ("swapon 2\nswap_dup 0:1\n", 2, "unknown op `swap_dup`"),
        ("swap_free_nr 0:1\n", 1, "needs `nr=`"),
        ("swapon 9\n", 1, "clusters 9 is outside 1..=4"),
        ("swap_duplicate 0:99999\n", 1, "offset 99999 is outside"),
        ("swap_duplicate 0:1 x0\n", 1, "repeat count 0 is outside"),
        ("swapon 1\nmode raw\n", 2, "`mode` must come before"),
        ("swapcache_prepare 0:1 nr=1 nr=2\n", 1, "given twice"),
        ("arch_prepare_to_swap 3\n", 1, "folio handle"),
        ("swapoff 0 extra\n", 1, "unexpected `extra`"),
        ("swapcache_free_entries\n", 1, "takes 1..=8 slots"),
    ];
    for (src, line, needle) in cases {
        let e = parse(src).unwrap_err();
        assert_eq!(e.line, line, "{src:?}: {e}");
        assert!(e.message.contains(needle), "{src:?}: got `{e}`, wanted `{needle}`");
    }
}

#[test]
fn encoding_refuses_ops_outside_the_family() {
    let p = Program { mode: Mode::Contract, ops: vec![Op::arch_prepare_to_swap { folio: 0 }] };
    assert!(encode(&p, Family::Counts).unwrap_err().contains("arch_prepare_to_swap"));
    assert!(encode(&p, Family::Mte).is_ok());
}

/// One op of each kind (all fields at their first value), from the byte form.
fn one_of_each_kind() -> Vec<Op> {
    // Header 0 (contract, no leading devices), then selector k with no field
    // bytes: missing bytes read as zero. In `All` the selector is the kind index.
    (0..swapdiff::program::KINDS.len()).map(|k| decode(&[0, k as u8], Family::All).ops[0].clone()).collect()
}

#[test]
fn every_op_kind_is_named_after_what_it_calls() {
    // Text name, kind index and table row agree; every primitive op's repro
    // calls the C wrapper `sd_<kernel name>`, except the two environment
    // services whose wrappers say what they do to the environment, and the
    // runner's kworker switch, which sets repro.c's own switch (its step() then runs
    // the queued work with sd_flush_work, as the runner does).
    let renamed = [("fault", "sd_fault_arm("), ("mte", "sd_set_mte("), ("kworker", "kworker = ")];
    for (k, op) in one_of_each_kind().iter().enumerate() {
        assert_eq!(op.kind_index(), k);
        assert_eq!(op.kind(), swapdiff::program::KINDS[k]);
        if op.is_composite() {
            continue;
        }
        let call = op.c_call();
        let want = renamed
            .iter()
            .find(|(name, _)| *name == op.kind())
            .map_or(format!("sd_{}(", op.kind()), |(_, c)| c.to_string());
        assert!(call.contains(&want), "{}: repro emits `{call}`, not a call of {want}", op.kind());
    }
}

#[test]
fn a_reproducer_of_every_op_kind_compiles_against_swapdiff_h() {
    // The C emission of every row type-checks against the real C API (argument
    // counts and types), without building the kernel: -fsyntax-only.
    let ops: Vec<Op> = one_of_each_kind().into_iter().filter(|op| !op.is_composite()).collect();
    let src = swapdiff::repro::c_source(&ops, "every op kind");
    let dir = std::env::temp_dir().join(format!("swapdiff-repro-syntax-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("repro.c");
    std::fs::write(&file, &src).unwrap();
    let out = std::process::Command::new("cc")
        .args(["-fsyntax-only", "-std=gnu11", "-Wall", "-Werror", "-Icshim/include"])
        .arg(&file)
        .output()
        .expect("a C compiler (cc) is needed to build the kernel side anyway");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "repro.c does not compile:\n{}\n{src}", String::from_utf8_lossy(&out.stderr));
}
