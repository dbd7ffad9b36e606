//! The fuzz driver's peak-RSS figure (src/drive/child.rs): read from a real
//! child while it runs, and shown in the summary the bench and
//! `make bench-memory` read.

use std::process::Command;
use std::time::{Duration, Instant};
use swapdiff::drive::child::{vm_hwm_kb, Proc};
use swapdiff::drive::summary::TargetResult;

#[test]
fn a_childs_peak_rss_is_sampled_while_it_runs() {
    let dir = std::env::temp_dir().join(format!("swapdiff-bench-rss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // dd reads /dev/zero into one 64 MiB buffer, again and again (~1 s): the
    // kernel writes every page of it, so its resident set holds at least
    // 64 MiB = 65,536 kB from the first block on.
    let mut cmd = Command::new("dd");
    cmd.args(["if=/dev/zero", "of=/dev/null", "bs=64M", "count=100"]);
    let mut p = Proc::spawn(&mut cmd, &dir.join("dd.log")).unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = p.poll() {
            break s;
        }
        assert!(Instant::now() < until, "dd did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let kb = p.peak_rss_kb().expect("sampled while dd ran");
    // At least the buffer; far below a second copy plus a generous margin
    // for dd itself (a few MB).
    assert!((65_536..120_000).contains(&kb), "peak RSS {kb} kB");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vm_hwm_is_read_from_a_status_text() {
    // This process's own status has the line, and its peak is at least its
    // current resident set.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = vm_hwm_kb(&status).expect("VmHWM in /proc/self/status");
    let rss: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|r| r.split_whitespace().next()?.parse().ok())
        .unwrap();
    assert!(hwm >= rss && hwm > 0, "VmHWM {hwm} VmRSS {rss}");
    // A zombie's status has no Vm lines: no figure, not zero.
    assert_eq!(vm_hwm_kb("Name:\tx\nState:\tZ (zombie)\n"), None);
    assert_eq!(vm_hwm_kb("VmHWM:\t  2048 kB\n"), Some(2048));
}

#[test]
fn the_summary_shows_the_peak_in_mb() {
    // 500,000 kB = 512,000,000 bytes: exactly 512 MB (10^6 bytes), the limit.
    let r = TargetResult { peak_rss_kb: Some(500_000), ..TargetResult::default() };
    assert_eq!(r.peak_rss_mb(), Some(512));
    // Rounded up: one kB over 0 MB is 1 MB, never 0.
    assert_eq!(TargetResult { peak_rss_kb: Some(1), ..TargetResult::default() }.peak_rss_mb(), Some(1));
    assert_eq!(TargetResult::default().peak_rss_mb(), None);
}
