//! The status line of a long run. On a terminal, one line rewritten about
//! once a second: elapsed/total, the target, executions and exec/s,
//! coverage, corpus, findings so far. Elsewhere (a log, CI) nothing between
//! the start and end lines, which the driver prints itself.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// What the line shows, gathered by the engine's runner.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub target: String,
    pub execs: u64,
    /// `cov 123 ft 456` or `bitmap 1.23%`.
    pub coverage: String,
    pub corpus: Option<u64>,
    /// Findings of the whole run so far (earlier targets included).
    pub findings: usize,
    pub target_elapsed: Duration,
}

pub struct Progress {
    tty: bool,
    start: Instant,
    total: Duration,
    last: Option<Instant>,
    drawn: bool,
}

impl Progress {
    pub fn new(total: Duration) -> Progress {
        Progress::with_terminal(total, std::io::stderr().is_terminal())
    }

    pub fn with_terminal(total: Duration, tty: bool) -> Progress {
        Progress { tty, start: Instant::now(), total, last: None, drawn: false }
    }

    /// Redraws at most once a second.
    pub fn update(&mut self, s: &Snapshot) {
        if !self.tty || self.last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
            return;
        }
        self.last = Some(Instant::now());
        let line = line(self.start.elapsed(), self.total, s);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Clears the status line before other output.
    pub fn clear(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
            self.drawn = false;
            self.last = None;
        }
    }
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// `[0:12/1:00] swap_mte  12345 execs (1028/s)  cov 123 ft 456  corpus 56  0 findings`
pub fn line(elapsed: Duration, total: Duration, s: &Snapshot) -> String {
    let secs = s.target_elapsed.as_secs_f64();
    let rate = if secs > 0.0 { s.execs as f64 / secs } else { 0.0 };
    let corpus = s.corpus.map_or(String::new(), |c| format!("  corpus {c}"));
    format!(
        "[{}/{}] {}  {} execs ({rate:.0}/s)  {}{corpus}  {} findings",
        clock(elapsed),
        clock(total),
        s.target,
        s.execs,
        s.coverage,
        s.findings
    )
}
