//! From a divergence to a filed finding: minimization, dedup, replay of the
//! filed program, the C reproducer, and the CLI's handling of bad inputs.
//!
//! A divergence is planted by using a model with the THP review bug
//! (arch_swap_restore restoring every page from the first entry) as the
//! reference: against the real kernel every multi-page restore then differs,
//! and the "actual" values come from the kernel C, as in a real finding.

use std::path::Path;
use std::process::Command;
use swapdiff::engine::{KernelEngine, ModelEngine};
use swapdiff::findings::{file, FileOptions, Filed};
use swapdiff::input::load;
use swapdiff::oracle::Pair;
use swapdiff::program::{parse, Family};
use swapdiff::runner::{differential, Options};

mod support;

/// The model with the THP review bug (support::ThpRestoreBug).
fn planted() -> support::ThpRestoreBug {
    support::ThpRestoreBug::new()
}

const SIGNATURE: &str = "arch_swap_restore/page/arch_swap_restore";

fn seed_input(name: &str) -> swapdiff::input::Input {
    load(Path::new(&format!("corpus/seeds/{name}")), Some(Family::All)).unwrap()
}

#[test]
fn minimizing_a_planted_divergence_reaches_a_small_program() {
    let mut oracle = Pair::of(planted(), KernelEngine::acquire());
    let input = seed_input("39-mte-swap-out-in-free-cluster.txt");
    let m = swapdiff::minimize::minimize(&mut oracle, &input.program, Default::default()).expect("the seed diverges");
    assert_eq!(m.signature, SIGNATURE);
    // The least that shows the bug: a two-page folio with a tagged page 0,
    // an entry, tags saved, and the restore (cf. the finding in README).
    assert!(m.after <= 6, "minimized to {} ops:\n{}", m.after, m.program);
    assert!(m.after < m.before);
    assert_eq!(m.program.ops.last().map(|o| o.kind()), Some("arch_swap_restore"));
    // Deterministic: the same input minimizes to the same program.
    let again = swapdiff::minimize::minimize(&mut oracle, &input.program, Default::default()).unwrap();
    assert_eq!(again.program, m.program);
}

#[test]
fn a_filed_finding_replays_dedups_and_its_repro_prints_the_kernel_value() {
    let tmp = std::env::temp_dir().join(format!("swapdiff-findings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (out, regs) = (tmp.join("findings"), tmp.join("regressions"));
    let opts =
        FileOptions { minimize: true, deadline: None, regressions: Some(regs.clone()), level: Default::default() };
    let mut oracle = Pair::of(planted(), KernelEngine::acquire());

    let first = file(&mut oracle, &seed_input("39-mte-swap-out-in-free-cluster.txt"), &out, &opts).unwrap();
    let Some(Filed::New { dir, signature, .. }) = first else { panic!("expected a new finding") };
    assert_eq!(signature, SIGNATURE);
    for f in ["README.md", "program.txt", "input.bin", "repro.c"] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    // The regression entry is in the finding, and (asked for here) in the corpus
    // directory, the same text; it records the patch-set key of the build.
    assert!(regs.join("arch_swap_restore--page--arch_swap_restore.txt").is_file());
    let entry = std::fs::read_to_string(dir.join("regression.txt")).unwrap();
    assert_eq!(entry, std::fs::read_to_string(regs.join("arch_swap_restore--page--arch_swap_restore.txt")).unwrap());
    assert!(entry.contains(&format!("# patch-set: {}", swapdiff::identity::build_key())), "{entry}");

    // Another input with the same signature joins the finding.
    let second = file(&mut oracle, &seed_input("40-rotational-and-ssd.txt"), &out, &opts).unwrap();
    match second {
        Some(Filed::Seen { times, dir: d, .. }) => {
            assert_eq!(times, 2);
            assert_eq!(d, dir);
        }
        _ => panic!("the second input should join the first finding"),
    }
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "one finding directory");

    // program.txt replays to the same signature.
    let program = parse(&std::fs::read_to_string(dir.join("program.txt")).unwrap()).unwrap();
    let run = differential(&mut oracle.reference, &mut oracle.under_test, &program, Options::default());
    assert_eq!(run.divergence.map(|d| d.signature()).as_deref(), Some(SIGNATURE));

    // repro.c builds against the extracted kernel and prints the kernel's
    // (actual) value of page 1, the value the finding records.
    let src = std::fs::read_to_string(dir.join("repro.c")).unwrap();
    let build = format!("{} repro.c -o repro", cshim::C_STANDALONE);
    let status = Command::new("sh").arg("-c").arg(&build).current_dir(&dir).status().unwrap();
    assert!(status.success(), "{build}");
    let out = Command::new(dir.join("repro")).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let actual = src.lines().find_map(|l| l.split("actual (kernel):").nth(1)).unwrap().trim();
    assert!(actual.starts_with("flags "), "{actual}");
    assert!(stdout.contains(&format!("folio f0 page 1 {actual}")), "want `{actual}` in repro output:\n{stdout}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn the_cli_rejects_unusable_inputs_with_exit_2_and_names_the_line() {
    let tmp = std::env::temp_dir().join(format!("swapdiff-bad-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let bad = tmp.join("bad.txt");
    std::fs::write(&bad, "swapon 1\nswap_duplicate 0:1 x0\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_swapdiff")).arg("replay").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.txt:2:") && err.contains("repeat count 0"), "{err}");

    let missing = Command::new(env!("CARGO_BIN_EXE_swapdiff")).args(["replay", "/nonexistent/input"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));

    // A seed replays clean on the stock kernel: exit 0.
    let ok = Command::new(env!("CARGO_BIN_EXE_swapdiff"))
        .args(["replay", "corpus/seeds/01-duplicate-basic.txt"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn the_planted_reference_really_differs_from_the_model() {
    // Control for the tests above: the planted bug is what they find.
    let (mut m, mut p) = (ModelEngine::new(), planted());
    let run =
        differential(&mut m, &mut p, &seed_input("39-mte-swap-out-in-free-cluster.txt").program, Options::default());
    assert_eq!(run.divergence.map(|d| d.signature()).as_deref(), Some(SIGNATURE));
}

#[test]
fn without_a_request_the_regression_entry_stays_in_the_finding() {
    // Triage and check-patch file regression entries into the finding only;
    // corpus/regressions (replayed by cargo test) grows only on request.
    let tmp = std::env::temp_dir().join(format!("swapdiff-noreg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let opts = FileOptions { minimize: false, deadline: None, regressions: None, level: Default::default() };
    let mut oracle = Pair::of(planted(), KernelEngine::acquire());
    let filed = file(&mut oracle, &seed_input("39-mte-swap-out-in-free-cluster.txt"), &tmp, &opts).unwrap();
    let Some(Filed::New { dir, .. }) = filed else { panic!("expected a new finding") };
    assert!(dir.join("regression.txt").is_file());
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 1, "only the finding directory");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn threads_filing_one_signature_at_once_file_it_once_and_lose_no_input() {
    // The supervisor files abnormal worker ends from one thread per worker;
    // two workers that crash on the same op publish the same signature at the
    // same moment (CI run of stop 18). Exactly one thread creates the
    // directory, the others join it as "seen", and every distinct input is
    // kept: 8 inputs → 8 files under inputs/.
    let out = std::env::temp_dir().join(format!("swapdiff-race-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let threads: Vec<_> = (0..8u8)
        .map(|i| {
            let out = out.clone();
            std::thread::spawn(move || {
                let files = [("README.md", vec![b'x'; 4096]), ("input.txt", vec![i; 4096])];
                swapdiff::findings::publish(&out, "swap_duplicate/crash/swap_duplicate", &[i], &files)
            })
        })
        .collect();
    let filed: Vec<_> =
        threads.into_iter().map(|t| t.join().unwrap().expect("publish never fails on a race")).collect();
    let new = filed.iter().filter(|f| matches!(f, Filed::New { .. })).count();
    assert_eq!(new, 1, "one thread creates the directory");
    let dir = out.join("swap_duplicate--crash--swap_duplicate");
    assert_eq!(std::fs::read_dir(dir.join("inputs")).unwrap().count(), 8);
    assert!(dir.join("input.txt").is_file() && dir.join("README.md").is_file());
    // No temporary directory is left behind.
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "{left:?}");
    let _ = std::fs::remove_dir_all(&out);
}
