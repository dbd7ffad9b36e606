//! `swapdiff replay` as a shell pipeline uses it: its exit status is the
//! verdict over every input, so a reader that stops early (`| head`) must end
//! the printing only, never the run, and never with a panic.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[test]
fn a_reader_that_goes_away_ends_the_printing_not_the_run() {
    let mut seeds: Vec<PathBuf> = std::fs::read_dir("corpus/seeds")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    seeds.sort();
    // One pass prints about 40 KiB of trace; eight passes overflow a pipe's
    // 64 KiB buffer, so the writes after the reader left really fail.
    let mut args: Vec<PathBuf> = (0..8).flat_map(|_| seeds.clone()).collect();
    // Last, an input that cannot be read: the run reaches it only if it went
    // on after the pipe closed, and then exits 2 ("an input is not usable").
    args.push(PathBuf::from("corpus/seeds/no-such-input.txt"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_swapdiff"))
        .arg("replay")
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader is gone (dropped above); the run goes on to the end.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(&first[..3], b"== ");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("no-such-input.txt"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
}
