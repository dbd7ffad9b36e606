//! A fuzzer process of the driver: its own process group (so the driver,
//! not the terminal, decides when it stops, and a signal reaches the
//! fuzzer's children too), its output appended to a log, the log read
//! back as it grows, and its peak memory.
//!
//! Peak RSS: std and rustix offer no wait4/getrusage, and the project has no
//! unsafe of its own outside cshim, so the figure is the kernel's high-water
//! mark of each process's resident set (`VmHWM` in /proc/PID/status, the
//! counter getrusage's ru_maxrss reads too), sampled at every poll while the
//! process lives, over the process and its descendants (AFL++'s targets are
//! afl-fuzz's children). HWM only grows, so a sample misses at most what the
//! process added after the last poll (the drivers poll every 200 ms).

use rustix::process::{kill_process_group, Pid, Signal};
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Proc {
    child: Child,
    pub started: Instant,
    /// The largest VmHWM seen in any process of its tree, in kB.
    peak_rss_kb: Option<u64>,
}

impl Proc {
    /// Starts `cmd` with stdout and stderr appended to `log`.
    pub fn spawn(cmd: &mut Command, log: &Path) -> Result<Proc, String> {
        let file =
            OpenOptions::new().create(true).append(true).open(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| format!("{}: {e}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", Path::new(cmd.get_program()).display()))?;
        Ok(Proc { child, started: Instant::now(), peak_rss_kb: None })
    }

    /// The exit status once it has ended. Samples the peak RSS first, while
    /// the process may still be there to read.
    pub fn poll(&mut self) -> Option<ExitStatus> {
        self.sample_rss();
        self.child.try_wait().ok().flatten()
    }

    /// The largest resident set any process of its tree reached, in kB, as
    /// far as the samples saw (None: never readable, e.g. it ended at once).
    pub fn peak_rss_kb(&self) -> Option<u64> {
        self.peak_rss_kb
    }

    fn sample_rss(&mut self) {
        let now = tree_peak_rss_kb(self.child.id());
        self.peak_rss_kb = self.peak_rss_kb.max(now);
    }

    pub fn signal(&self, sig: Signal) {
        if let Some(group) = Pid::from_raw(self.child.id() as i32) {
            let _ = kill_process_group(group, sig);
        }
    }

    /// Asks it to stop (SIGTERM: libFuzzer and AFL++ print their final
    /// statistics), then kills it after `grace`. Returns its status.
    pub fn stop(&mut self, grace: Duration) -> Option<ExitStatus> {
        if let Some(s) = self.poll() {
            return Some(s);
        }
        self.signal(Signal::TERM);
        let until = Instant::now() + grace;
        while Instant::now() < until {
            if let Some(s) = self.poll() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.signal(Signal::KILL);
        self.child.wait().ok()
    }
}

/// A log read incrementally: each call returns the whole lines added since.
pub struct Tail {
    pub path: PathBuf,
    offset: u64,
    partial: String,
}

impl Tail {
    pub fn new(path: PathBuf) -> Tail {
        Tail { path, offset: 0, partial: String::new() }
    }

    /// New complete lines; with `all`, the unterminated last line too (the
    /// writer has exited).
    pub fn read(&mut self, all: bool) -> String {
        let mut buf = Vec::new();
        if let Ok(mut f) = std::fs::File::open(&self.path) {
            if f.seek(SeekFrom::Start(self.offset)).is_ok() {
                let _ = f.read_to_end(&mut buf);
            }
        }
        self.offset += buf.len() as u64;
        self.partial.push_str(&String::from_utf8_lossy(&buf));
        if all {
            return std::mem::take(&mut self.partial);
        }
        match self.partial.rfind('\n') {
            Some(end) => {
                let rest = self.partial.split_off(end + 1);
                std::mem::replace(&mut self.partial, rest)
            }
            None => String::new(),
        }
    }
}

/// The last `n` lines of a file (for messages about a fuzzer that failed).
pub fn last_lines(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// `VmHWM` of a /proc/PID/status text, in kB (None: no such line, as for a
/// zombie or a kernel thread).
pub fn vm_hwm_kb(status: &str) -> Option<u64> {
    let rest = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let mut words = rest.split_whitespace();
    let kb = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kb)
}

/// The largest VmHWM of `pid` and its descendants now, in kB.
pub fn tree_peak_rss_kb(pid: u32) -> Option<u64> {
    let mut peak = None;
    let mut todo = vec![pid];
    // A bound on the walk: a process tree is small, and /proc can change under us.
    let mut seen = 0;
    while let Some(p) = todo.pop() {
        seen += 1;
        if seen > 4096 {
            break;
        }
        let status = std::fs::read_to_string(format!("/proc/{p}/status")).ok();
        peak = peak.max(status.as_deref().and_then(vm_hwm_kb));
        todo.extend(children(p));
    }
    peak
}

/// The direct children of `pid`, from every thread's `children` list.
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return vec![] };
    let mut out = vec![];
    for t in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(t.path().join("children")) {
            out.extend(text.split_whitespace().filter_map(|w| w.parse::<u32>().ok()));
        }
    }
    out
}
