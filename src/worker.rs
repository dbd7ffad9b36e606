//! Supervising a child process (a hunt worker, a replay, a probe): its
//! stdout is read line by line as it comes, its stderr is kept (read by its
//! own thread, so a full pipe never blocks the child), its wall time is
//! bounded, and how it ended is told apart: a clean exit, an exit code, a
//! signal, an overrun, or a stop we asked for.
//!
//! The child runs in its own process group: a Ctrl-C at the terminal reaches
//! only the parent, which stops its children itself (SIGTERM, then SIGKILL
//! after a grace period), and a signal we send reaches the grandchildren too.
//! An overrun is ended with SIGABRT first, so the fatal-error reporter of a
//! swapdiff child prints which program and kernel function it was stuck in.

use rustix::process::{kill_process_group, Pid, Signal};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How much of a child's stderr is kept (a sanitizer report is a few KiB).
const STDERR_KEEP: usize = 256 * 1024;

/// How a supervised child ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    Exited(i32),
    /// Killed by this signal (not one we sent).
    Signaled(i32),
    /// Ran past its wall-clock bound (we ended it).
    Overran,
    /// Stopped on request (an interrupt), before its bound.
    Stopped,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub ended: Ended,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Runs `cmd` to its end, at most `bound` of wall time (then SIGABRT, and
/// SIGKILL `grace` later). `on_line` gets each stdout line as it arrives;
/// when `stop()` turns true the child gets SIGTERM (then SIGKILL after
/// `grace`) and ends as [`Ended::Stopped`].
pub fn supervise(
    cmd: &mut Command,
    bound: Duration,
    grace: Duration,
    stop: &dyn Fn() -> bool,
    on_line: impl FnMut(&str),
) -> Result<Outcome, String> {
    supervise_quiet(cmd, bound, grace, stop, &|| None, on_line)
}

/// [`supervise`], and a child silent on stdout for longer than `quiet()`
/// (asked afresh after each line; `None`: no limit) has overrun too: a hunt
/// worker announces every program, so one that stops talking is stuck.
pub fn supervise_quiet(
    cmd: &mut Command,
    bound: Duration,
    grace: Duration,
    stop: &dyn Fn() -> bool,
    quiet: &dyn Fn() -> Option<Duration>,
    mut on_line: impl FnMut(&str),
) -> Result<Outcome, String> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    let group = Pid::from_child(&child);
    let stdout = child.stdout.take().ok_or("child has no stdout")?;
    let stderr = child.stderr.take().ok_or("child has no stderr")?;
    let (tx, rx) = mpsc::channel::<String>();
    let out_thread = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let err_thread = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        let mut r = stderr;
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = STDERR_KEEP.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        String::from_utf8_lossy(&kept).into_owned()
    });

    // (why we signalled, when)
    let mut sent: Option<(Ended, Instant)> = None;
    let mut killed = false;
    let mut last_line = start;
    let status = loop {
        // Lines for at most 10 ms, then the clock and the stop flag: a child
        // that prints faster than that (a hunting worker) is still stopped.
        let poll = Instant::now() + Duration::from_millis(10);
        loop {
            let left = poll.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    on_line(&line);
                    last_line = Instant::now();
                }
                Err(_) => break,
            }
            if left.is_zero() {
                break;
            }
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        let now = Instant::now();
        match &sent {
            None if now.duration_since(start) > bound || quiet().is_some_and(|q| now.duration_since(last_line) > q) => {
                let _ = kill_process_group(group, Signal::ABORT);
                sent = Some((Ended::Overran, now));
            }
            None if stop() => {
                let _ = kill_process_group(group, Signal::TERM);
                sent = Some((Ended::Stopped, now));
            }
            Some((_, at)) if !killed && now.duration_since(*at) > grace => {
                let _ = kill_process_group(group, Signal::KILL);
                killed = true;
            }
            _ => {}
        }
    };
    // A grandchild of a child we signalled would keep the pipes (and the
    // readers) open: the rest of its group goes too.
    if sent.is_some() {
        let _ = kill_process_group(group, Signal::KILL);
    }
    let _ = out_thread.join();
    for line in rx.try_iter() {
        on_line(&line);
    }
    let stderr = err_thread.join().unwrap_or_default();
    let ended = match (sent, status.code(), status.signal()) {
        (Some((why, _)), _, _) => why,
        (None, Some(code), _) => Ended::Exited(code),
        (None, None, Some(sig)) => Ended::Signaled(sig),
        (None, None, None) => Ended::Exited(-1),
    };
    Ok(Outcome { ended, stderr, elapsed: start.elapsed() })
}

/// A signal's name (as the kernel's signal(7) spells it).
pub fn signal_name(sig: i32) -> String {
    let name = match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        31 => "SIGSYS",
        _ => return format!("signal {sig}"),
    };
    name.to_string()
}
