//! The op language's two stored forms are pinned: every program we keep (seeds,
//! regressions, the programs the known-bug catalog hunts with) prints and
//! encodes exactly as it did, and arbitrary fuzzer bytes (users' corpora,
//! OSS-Fuzz's) decode to exactly the programs they did.
//!
//! The golden values in `tests/program_format.golden` were produced by the
//! pre-table code at commit 166b39f (hand-written `KINDS`, text.rs and
//! bytes.rs). They must never be regenerated to make a change pass: the text
//! form of every stored program never changes; a deliberate change of the
//! byte format (issue 17's hostile types) replaces only the values it
//! changes, and says why in the golden file's comments. On a
//! mismatch the computed values are written to
//! `target/program_format.actual` so the diff can be read, not copied.

use std::collections::BTreeMap;
use std::path::Path;
use swapdiff::program::{decode, encode, Family, Program};

const FAMILIES: [Family; 3] = [Family::Counts, Family::Mte, Family::All];

/// The project's one content hash (blake3, truncated, in
/// `swapdiff_extract`), applied to one byte string.
fn hash(bytes: &[u8]) -> String {
    swapdiff_extract::patch_set_key(&[bytes]).trim_start_matches("patched-").to_string()
}

/// SplitMix64, written out here so the byte strings do not depend on any
/// crate code this test is meant to pin.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A byte string whose length runs over 0..1200: empty and header-only
    /// inputs, typical ones, and ones long enough to hit `MAX_OPS`.
    fn string(&mut self, i: usize) -> Vec<u8> {
        // Every fourth string is short (empty, header only, a few ops);
        // another fourth biases bytes toward escapes (>= 224) and the top of
        // the selector range, so wide fields and every kind are read.
        let (short, biased) = match i % 4 {
            0 => (true, false),
            1 => (false, true),
            _ => (false, false),
        };
        let len = if short { i % 16 } else { (self.next() % 1200) as usize };
        let mut v: Vec<u8> = (0..len).map(|_| self.next() as u8).collect();
        if biased {
            for b in v.iter_mut().step_by(3) {
                *b |= 0xe0;
            }
        }
        v
    }
}

/// Lines `KEY VALUE` describing one program: its printed text and, per
/// family it fits, its byte encoding.
fn describe(out: &mut BTreeMap<String, String>, name: &str, p: &Program) {
    out.insert(format!("text {name}"), hash(p.to_string().as_bytes()));
    for fam in FAMILIES {
        let v = match encode(p, fam) {
            Ok(bytes) => hash(&bytes),
            Err(_) => "not-in-family".to_string(),
        };
        out.insert(format!("bytes {name} {fam:?}"), v);
    }
}

fn compute() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for dir in ["corpus/seeds", "corpus/regressions"] {
        let programs = swapdiff::corpus::text_programs(Path::new(dir)).expect("stored programs parse");
        assert!(!programs.is_empty(), "{dir} holds no program");
        for (path, p) in &programs {
            describe(&mut out, &path.display().to_string(), p);
        }
    }
    // The known-bug catalog holds no program files: each entry is hunted with
    // the generated programs of seeds 1..=3 (src/catalog.rs), so those are
    // its inputs. Pin the first 300 of each seed.
    for seed in 1..=3u64 {
        let mut text = Vec::new();
        let mut bytes: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for i in 0..300 {
            let p = swapdiff::hunt::nth_program(seed, i);
            text.extend_from_slice(p.to_string().as_bytes());
            text.push(0);
            for fam in FAMILIES {
                let b = bytes.entry(format!("{fam:?}")).or_default();
                match encode(&p, fam) {
                    Ok(e) => b.extend_from_slice(&e),
                    Err(_) => b.push(0xff),
                }
                b.push(0);
            }
        }
        out.insert(format!("catalog-hunt seed={seed} text"), hash(&text));
        for (fam, b) in bytes {
            out.insert(format!("catalog-hunt seed={seed} bytes {fam}"), hash(&b));
        }
    }
    // Arbitrary bytes: the decoder is the format for every binary corpus.
    for fam in FAMILIES {
        let mut r = Bytes(0x5eed_0000 + fam as u64);
        let mut printed = Vec::new();
        let (mut kinds, mut longest) = (std::collections::BTreeSet::new(), 0);
        for i in 0..4_000 {
            let p = decode(&r.string(i), fam);
            kinds.extend(p.ops.iter().map(|op| op.kind()));
            longest = longest.max(p.ops.len());
            printed.extend_from_slice(p.to_string().as_bytes());
            printed.push(0);
        }
        // The pin is only worth something if the strings reach every op of
        // the family and the op limit.
        assert_eq!(kinds.len(), fam.kinds().len(), "{fam:?}: random bytes reached only {kinds:?}");
        assert_eq!(longest, swapdiff::program::MAX_OPS, "{fam:?}: no random string reached MAX_OPS");
        out.insert(format!("decode-random {fam:?}"), hash(&printed));
    }
    out
}

/// The corpus file a key describes (`text PATH`, `bytes PATH FAMILY`).
fn stored_file(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("text ").or_else(|| key.strip_prefix("bytes "))?;
    Some(rest.split(' ').next().unwrap_or(rest))
}

fn render(m: &BTreeMap<String, String>) -> String {
    m.iter().map(|(k, v)| format!("{k} = {v}\n")).collect()
}

#[test]
fn stored_programs_and_random_bytes_keep_their_form() {
    let actual = compute();
    let golden_text = std::fs::read_to_string("tests/program_format.golden").unwrap_or_default();
    let golden: BTreeMap<String, String> = golden_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut diffs = vec![];
    for (k, v) in &golden {
        match actual.get(k) {
            // A stored program removed since: nothing left to pin.
            None if stored_file(k).is_some_and(|f| !Path::new(f).exists()) => {}
            None => diffs.push(format!("missing now: {k}")),
            Some(a) if a != v => diffs.push(format!("changed: {k}: golden {v}, now {a}")),
            _ => {}
        }
    }
    // A program stored after the golden file had no earlier form to keep;
    // everything else must have been recorded.
    for k in actual.keys().filter(|k| !golden.contains_key(*k) && stored_file(k).is_none()) {
        diffs.push(format!("not in golden: {k}"));
    }
    if diffs.is_empty() {
        return;
    }
    let _ = std::fs::create_dir_all("target");
    let _ = std::fs::write("target/program_format.actual", render(&actual));
    panic!("the op language's stored forms changed ({} differences):\n{}", diffs.len(), diffs.join("\n"));
}
