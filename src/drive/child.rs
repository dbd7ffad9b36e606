//! A fuzzer process of the driver: its own process group (so the driver,
//! not the terminal, decides when it stops, and a signal reaches the
//! fuzzer's children too), its output appended to a log, and the log read
//! back as it grows.

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
        Ok(Proc { child, started: Instant::now() })
    }

    /// The exit status once it has ended.
    pub fn poll(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
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
