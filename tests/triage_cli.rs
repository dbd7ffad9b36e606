//! `swapdiff triage` on the stock kernel: each input is replayed in its own
//! child; inputs that agree or cannot be used are counted, nothing is filed,
//! and the exit status is 0 only because nothing was filed.
//!
//! The triage of an input that crashes the replay needs a kernel that
//! crashes: that test builds a patched variant (crash-null-deref plus a
//! catalog bug) and runs in `make test-verdicts` (tests/verdicts/run.sh),
//! since a variant build takes minutes on this machine, past cargo test's
//! budget; no test-only code path in swapdiff stands in for it.

use std::process::Command;

#[test]
fn triage_of_agreeing_and_unusable_inputs_files_nothing_and_exits_0() {
    let tmp = std::env::temp_dir().join(format!("swapdiff-triage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let crashes = tmp.join("crashes");
    std::fs::create_dir_all(&crashes).unwrap();
    std::fs::copy("corpus/seeds/01-duplicate-basic.txt", crashes.join("crash-agrees")).unwrap();
    // Line 2 has a repeat count of 0: unusable, named, skipped.
    std::fs::write(crashes.join("crash-bad"), "swapon 1\nswap_duplicate 0:1 x0\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_swapdiff"))
        .arg("triage")
        .arg(&crashes)
        .arg("--out")
        .arg(tmp.join("findings"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("(2 files, kernel") && stdout.contains("0 signatures, 1 inputs without divergence, 1 unusable"),
        "{stdout}"
    );
    assert!(
        stderr.contains("crash-bad:2:") && stderr.contains("repeat count 0"),
        "{stderr}"
    );
    assert!(!tmp.join("findings").exists() || std::fs::read_dir(tmp.join("findings")).unwrap().count() == 0);
    let _ = std::fs::remove_dir_all(&tmp);
}
