//! The supervisor and its classification, on synthetic children (`sh`): each
//! way a child can end must come out as the class a finding would carry.
//! The report texts are in the formats the sanitizers print (ASan's
//! `ERROR: AddressSanitizer: <kind>` banner and `#N 0x.. in FUNC FILE:LINE:COL`
//! frames, UBSan's `FILE:LINE:COL: runtime error: ...`) and the shim's
//! `swapdiff-fatal:` line (see /work/wt/brief/INTERFACES.md, H1 item 3).

use std::process::Command;
use std::time::Duration;
use swapdiff::abnormal::abnormal;
use swapdiff::diagnose::{diagnose, Class};
use swapdiff::worker::{supervise, supervise_quiet, Ended, Outcome};

fn sh(script: &str, bound: Duration) -> (Outcome, Vec<String>) {
    let mut lines = vec![];
    let o = supervise(Command::new("sh").arg("-c").arg(script), bound, Duration::from_millis(500), &|| false, |l| {
        lines.push(l.to_string())
    })
    .unwrap();
    (o, lines)
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn a_clean_exit_is_no_finding() {
    let (o, lines) = sh("echo hello; echo world", 10 * SECOND);
    assert_eq!(o.ended, Ended::Exited(0));
    assert_eq!(lines, ["hello", "world"]);
    assert!(diagnose(&o).class.is_none());
    assert!(abnormal(&o, &[0]).is_none());
}

#[test]
fn a_segfault_is_a_crash_named_by_its_signal() {
    // SIGSEGV is signal 11 on Linux; the shell kills itself with it.
    let (o, _) = sh("kill -SEGV $$", 10 * SECOND);
    assert_eq!(o.ended, Ended::Signaled(11));
    let d = diagnose(&o);
    assert_eq!(d.class, Some(Class::Crash));
    assert_eq!(d.kind, "SIGSEGV");
}

#[test]
fn an_exit_code_is_left_to_the_caller_and_abnormal_where_unexpected() {
    let (o, _) = sh("exit 3", 10 * SECOND);
    assert_eq!(o.ended, Ended::Exited(3));
    // No report, no signal: diagnose does not guess what 3 means...
    assert_eq!(diagnose(&o).class, None);
    // ...a hunt worker must exit 0, so for it 3 is a crash; for a replay,
    // whose 0/1/2 mean agree/diverged/unusable, 3 is too.
    assert_eq!(abnormal(&o, &[0]).and_then(|d| d.class), Some(Class::Crash));
    assert_eq!(abnormal(&o, &[0, 1, 2]).and_then(|d| d.class), Some(Class::Crash));
    let (o, _) = sh("exit 1", 10 * SECOND);
    assert!(abnormal(&o, &[0, 1, 2]).is_none(), "exit 1 is a replay's divergence, not a crash");
}

#[test]
fn a_child_past_its_bound_is_a_hang_and_is_ended_quickly() {
    let (o, _) = sh("sleep 30", Duration::from_millis(300));
    assert_eq!(o.ended, Ended::Overran);
    // SIGABRT at the bound, SIGKILL after the 0.5 s grace: well under the 30 s.
    assert!(o.elapsed < 5 * SECOND, "{:?}", o.elapsed);
    assert_eq!(diagnose(&o).class, Some(Class::Hang));
}

#[test]
fn a_silent_child_is_a_hang_before_its_bound() {
    // Talks once, then stalls: the quiet limit (0.3 s) ends it long before
    // the 30 s bound.
    let o = supervise_quiet(
        Command::new("sh").arg("-c").arg("echo at 0; sleep 30"),
        30 * SECOND,
        Duration::from_millis(500),
        &|| false,
        &|| Some(Duration::from_millis(300)),
        |_| {},
    )
    .unwrap();
    assert_eq!(o.ended, Ended::Overran);
    assert!(o.elapsed < 5 * SECOND, "{:?}", o.elapsed);
}

#[test]
fn a_stop_request_ends_the_child_and_is_no_finding() {
    let o =
        supervise(Command::new("sleep").arg("30"), 60 * SECOND, Duration::from_millis(500), &|| true, |_| {}).unwrap();
    assert_eq!(o.ended, Ended::Stopped);
    assert!(o.elapsed < 5 * SECOND);
    assert!(abnormal(&o, &[0]).is_none(), "an interrupt is not the kernel's fault");
}

#[test]
fn a_chatty_child_is_still_stopped_and_bounded() {
    // A hunting worker prints a line per program, faster than the
    // supervisor's 10 ms poll. A stop request (and the wall bound) must
    // still be seen while lines keep coming: `yes` never pauses, so a
    // supervisor that only looks at the clock between bursts never stops it.
    let o = supervise(&mut Command::new("yes"), 60 * SECOND, Duration::from_millis(500), &|| true, |_| {}).unwrap();
    assert_eq!(o.ended, Ended::Stopped);
    assert!(o.elapsed < 5 * SECOND, "{:?}", o.elapsed);
    let o =
        supervise(&mut Command::new("yes"), Duration::from_millis(300), Duration::from_millis(500), &|| false, |_| {})
            .unwrap();
    assert_eq!(o.ended, Ended::Overran);
    assert!(o.elapsed < 5 * SECOND, "{:?}", o.elapsed);
}

#[test]
fn a_full_stderr_pipe_never_blocks_the_child() {
    // 2 MB on stderr, far past a pipe's 64 KiB: the child must still get to
    // its last line and exit 0.
    let (o, lines) = sh("head -c 2000000 /dev/zero | tr '\\0' x >&2; echo done", 20 * SECOND);
    assert_eq!(o.ended, Ended::Exited(0));
    assert_eq!(lines, ["done"]);
}

const ASAN: &str = r#"=================================================================
==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x619000000a80 at pc 0x55 bp 0x7f sp 0x7f
WRITE of size 1 at 0x619000000a80 thread T0
    #0 0x55d1 in sd_shim_helper /w/cshim/src/c/alloc.c:40:3
    #1 0x55d2 in __swap_duplicate /w/target/kernel-cache/k/mm/swapfile.c:3680:22
    #2 0x55d3 in sd___swap_duplicate /w/cshim/src/c/entry_points.c:39:2
    #3 0x55d4 in swapdiff::exec::call /w/src/exec.rs:70:51
SUMMARY: AddressSanitizer: heap-buffer-overflow /w/target/kernel-cache/k/mm/swapfile.c:3680:22 in __swap_duplicate
"#;

#[test]
fn an_asan_report_names_its_kind_and_the_first_kernel_frame() {
    let script = format!("cat >&2 <<'EOF'\n{ASAN}EOF\nexit 1");
    let (o, _) = sh(&script, 10 * SECOND);
    let d = diagnose(&o);
    assert_eq!(d.class, Some(Class::Asan));
    assert_eq!(d.kind, "heap-buffer-overflow");
    // Frame #0 is the shim's allocator, not kernel code: the first kernel
    // frame is #1, named by its kernel-relative file and line.
    let f = d.frame.clone().expect("a kernel frame");
    assert_eq!(f.function, "__swap_duplicate");
    assert_eq!(f.location, "mm/swapfile.c:3680");
    assert_eq!(d.function(), Some("__swap_duplicate"));
    assert!(d.report.starts_with("==4242==ERROR: AddressSanitizer") && d.report.ends_with("in __swap_duplicate"));
}

#[test]
fn an_asan_caught_segv_is_a_crash_not_a_memory_error_class() {
    // ASan handles SIGSEGV itself (handle_segv=1) and exits 1: still a crash.
    let report = "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000\n    #0 0x1 in swap_count_continued arch/../mm/swapfile.c:3950:9\n";
    let script = format!("printf '%s' '{report}' >&2; exit 1");
    let d = diagnose(&sh(&script, 10 * SECOND).0);
    assert_eq!(d.class, Some(Class::Crash));
    assert_eq!(d.kind, "SIGSEGV");
    assert_eq!(d.function(), Some("swap_count_continued"));
}

#[test]
fn a_ubsan_report_names_the_kernel_line() {
    let script =
        "echo 'mm/swapfile.c:3701:9: runtime error: index 600 out of bounds for type unsigned char[512]' >&2; exit 1";
    let d = diagnose(&sh(script, 10 * SECOND).0);
    assert_eq!(d.class, Some(Class::Ubsan));
    assert_eq!(d.kind, "index 600 out of bounds for type unsigned char[512]");
    assert_eq!(d.frame.map(|f| f.location).as_deref(), Some("mm/swapfile.c:3701"));
}

#[test]
fn the_fatal_line_gives_program_and_entry_point() {
    // Without a sanitizer stack, the entry point the fatal reporter names is
    // the function of the signature.
    let script = "echo 'swapdiff-fatal: cause=SIGSEGV program=42 entry=swap_duplicate' >&2; kill -SEGV $$";
    let d = diagnose(&sh(script, 10 * SECOND).0);
    assert_eq!(d.class, Some(Class::Crash));
    assert_eq!(d.program, Some(42));
    assert_eq!(d.entry.as_deref(), Some("swap_duplicate"));
    assert_eq!(d.function(), Some("swap_duplicate"));
    // `-` means unknown.
    let d = diagnose(&sh("echo 'swapdiff-fatal: cause=SIGABRT program=- entry=-' >&2; exit 134", 10 * SECOND).0);
    assert_eq!((d.program, d.entry.clone(), d.class), (None, None, Some(Class::Crash)));
}
