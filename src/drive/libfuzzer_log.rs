//! What a libFuzzer worker's log says: its status lines (`#N ... cov: C ft: F
//! corp: U/Sb ... exec/s: E`), its `-print_final_stats=1` block
//! (`stat::number_of_executed_units: N`), how it stopped (a divergence, a
//! sanitizer report, a timeout, an out-of-memory, another crash, an
//! interrupt) and the divergence signature the target printed.
//!
//! A worker appends every run (restarts included) to one log, so the parser
//! keeps the executions of finished runs apart from the running one's.

use crate::render::DIVERGENCE_PREFIX;

/// How one libFuzzer run ended, from its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The target panicked with a divergence report (the signature).
    Divergence(String),
    /// AddressSanitizer or UndefinedBehaviorSanitizer: the report's first line.
    Sanitizer(String),
    Timeout,
    OutOfMemory,
    /// A deadly signal without a divergence line (a panic elsewhere, an abort).
    Crash,
    /// SIGINT/SIGTERM: our stop, or the user's.
    Interrupted,
}

impl Stop {
    pub fn is_finding(&self) -> bool {
        !matches!(self, Stop::Interrupted)
    }
    pub fn describe(&self) -> String {
        match self {
            Stop::Divergence(sig) => sig.clone(),
            Stop::Sanitizer(s) => s.clone(),
            Stop::Timeout => "timeout (a hang)".into(),
            Stop::OutOfMemory => "out of memory".into(),
            Stop::Crash => "crash".into(),
            Stop::Interrupted => "interrupted".into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogState {
    /// Executions of the runs whose final stats were read.
    pub finished_execs: u64,
    /// The running run's last status line count (`#N`).
    pub current_execs: u64,
    pub cov: Option<u64>,
    pub ft: Option<u64>,
    pub corpus: Option<u64>,
    pub exec_per_sec: Option<u64>,
    /// libFuzzer printed its seed: the binary started and parsed its flags.
    pub started: bool,
    /// Every stop seen, in order (one per run that did not end cleanly).
    pub stops: Vec<Stop>,
    /// Runs that reached their time budget (`Done N runs in S second(s)`).
    pub done: u32,
    pending_signature: Option<String>,
    pending_stop: Option<Stop>,
}

impl LogState {
    pub fn execs(&self) -> u64 {
        self.finished_execs + self.current_execs
    }

    /// The first divergence signature any run printed.
    pub fn signature(&self) -> Option<&str> {
        self.stops.iter().find_map(|s| match s {
            Stop::Divergence(sig) => Some(sig.as_str()),
            _ => None,
        })
    }

    pub fn feed(&mut self, text: &str) {
        for line in text.lines() {
            self.line(line);
        }
    }

    fn line(&mut self, line: &str) {
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("stat::number_of_executed_units:") {
            // The final stats close a run: its count replaces its last status line.
            if let Ok(n) = rest.trim().parse::<u64>() {
                self.finished_execs += n;
                self.current_execs = 0;
            }
            self.close_run();
            return;
        }
        if line.starts_with("INFO: Seed:") {
            self.started = true;
            return;
        }
        if let Some(n) = status_count(line) {
            self.started = true;
            self.current_execs = self.current_execs.max(n);
            let mut words = line.split_whitespace();
            while let Some(w) = words.next() {
                let value = |v: Option<&str>| v.and_then(|v| v.split('/').next()?.parse::<u64>().ok());
                match w {
                    "cov:" => self.cov = max(self.cov, value(words.next())),
                    "ft:" => self.ft = max(self.ft, value(words.next())),
                    "corp:" => self.corpus = value(words.next()).or(self.corpus),
                    "exec/s:" => self.exec_per_sec = value(words.next()).or(self.exec_per_sec),
                    _ => {}
                }
            }
            return;
        }
        if let Some(at) = line.find(DIVERGENCE_PREFIX) {
            if self.pending_signature.is_none() {
                self.pending_signature = Some(line[at + DIVERGENCE_PREFIX.len()..].trim().to_string());
            }
            return;
        }
        if line.starts_with("Done ") && line.contains(" runs in ") {
            self.done += 1;
            return;
        }
        let stop = if line.contains("ERROR: AddressSanitizer") || line.contains("ERROR: LeakSanitizer") {
            Some(Stop::Sanitizer(sanitizer_line(line)))
        } else if line.contains("runtime error:") || line.contains("SUMMARY: UndefinedBehaviorSanitizer") {
            Some(Stop::Sanitizer(format!("UBSan: {}", sanitizer_line(line))))
        } else if line.contains("ERROR: libFuzzer: timeout") {
            Some(Stop::Timeout)
        } else if line.contains("ERROR: libFuzzer: out-of-memory") {
            Some(Stop::OutOfMemory)
        } else if line.contains("ERROR: libFuzzer: deadly signal")
            || line.contains("ERROR: libFuzzer: fuzz target exited")
        {
            Some(Stop::Crash)
        } else if line.contains("libFuzzer: run interrupted") {
            Some(Stop::Interrupted)
        } else {
            None
        };
        // The first cause wins: ASan's report comes before libFuzzer's "deadly signal".
        if let Some(s) = stop {
            if self.pending_stop.is_none() {
                self.pending_stop = Some(s);
            }
        }
    }

    /// A run ended (its final stats): file how it stopped, if it did not end cleanly.
    fn close_run(&mut self) {
        let sig = self.pending_signature.take();
        match (self.pending_stop.take(), sig) {
            (Some(Stop::Sanitizer(s)), _) => self.stops.push(Stop::Sanitizer(s)),
            (Some(Stop::Interrupted), None) => self.stops.push(Stop::Interrupted),
            (_, Some(sig)) => self.stops.push(Stop::Divergence(sig)),
            (Some(other), None) => self.stops.push(other),
            (None, None) => {}
        }
    }

    /// The log ended (the process exited): a run that printed a cause but no
    /// final stats (killed hard) still counts.
    pub fn finish(&mut self) {
        if self.pending_stop.is_some() || self.pending_signature.is_some() {
            self.close_run();
        }
        self.finished_execs += self.current_execs;
        self.current_execs = 0;
    }
}

fn max(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// `#1234\tNEW ...` → 1234.
fn status_count(line: &str) -> Option<u64> {
    let rest = line.strip_prefix('#')?;
    let digits: &str = &rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())];
    let after = &rest[digits.len()..];
    if digits.is_empty() || !after.starts_with(['\t', ' ']) {
        return None;
    }
    digits.parse().ok()
}

/// `==123==ERROR: AddressSanitizer: heap-buffer-overflow on address ...` →
/// `AddressSanitizer: heap-buffer-overflow`.
fn sanitizer_line(line: &str) -> String {
    let body = line.rsplit_once("ERROR: ").map_or(line, |(_, b)| b);
    let body = body.strip_prefix("SUMMARY: ").unwrap_or(body);
    body.split(" on address").next().unwrap_or(body).trim().chars().take(160).collect()
}
