//! What a supervised child's end says about the kernel under test: the class
//! of finding (`crash`, `hang`, `asan`, `ubsan`), the sanitizer's kind and
//! report, the program index and kernel entry point from the
//! `swapdiff-fatal:` line, and the first stack frame in kernel code (the
//! extract's `#line` directives make the sanitizers name the kernel's own
//! file and line, e.g. `mm/swapfile.c:3670`).

use crate::worker::{signal_name, Ended, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Died by a signal (SEGV, BUS, FPE, ILL, ABRT) or exited abnormally.
    Crash,
    /// Ran past its wall-clock bound.
    Hang,
    /// AddressSanitizer found a memory error.
    Asan,
    /// UndefinedBehaviorSanitizer found undefined behaviour.
    Ubsan,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Crash => "crash",
            Class::Hang => "hang",
            Class::Asan => "asan",
            Class::Ubsan => "ubsan",
        }
    }
    pub fn from_name(s: &str) -> Option<Class> {
        [Class::Crash, Class::Hang, Class::Asan, Class::Ubsan]
            .into_iter()
            .find(|c| c.name() == s)
    }
}

/// The first kernel frame of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    /// Kernel-relative `file:line`, e.g. `mm/swapfile.c:3670`.
    pub location: String,
}

#[derive(Debug, Clone, Default)]
pub struct Diagnosis {
    /// `None`: nothing abnormal was seen (the caller judges exit codes).
    pub class: Option<Class>,
    /// What happened, e.g. `heap-buffer-overflow`, `SIGSEGV`, `exit 101`,
    /// `no exit within 20 s`, `index 600 out of bounds for type ...`.
    pub kind: String,
    pub frame: Option<Frame>,
    /// From the `swapdiff-fatal:` line.
    pub program: Option<u64>,
    pub entry: Option<String>,
    /// The sanitizer report (or the end of stderr), for the finding's README.
    pub report: String,
}

impl Diagnosis {
    /// The kernel function for the signature: the sanitizer's top kernel
    /// frame, else the entry point the fatal line names.
    pub fn function(&self) -> Option<&str> {
        self.frame
            .as_ref()
            .map(|f| f.function.as_str())
            .or(self.entry.as_deref())
    }
}

/// Reads a child's end. An exit with a code and no report is left to the
/// caller (`class: None`): exit codes mean different things to different
/// commands.
pub fn diagnose(o: &Outcome) -> Diagnosis {
    let err = &o.stderr;
    let mut d = Diagnosis {
        report: report_excerpt(err),
        ..Diagnosis::default()
    };
    if let Some((program, entry)) = fatal_line(err) {
        d.program = program;
        d.entry = entry;
    }
    d.frame = kernel_frame(err);
    if let Some(kind) = after(err, "ERROR: AddressSanitizer: ") {
        let kind = kind.split_whitespace().next().unwrap_or("").to_string();
        // ASan catches deadly signals itself and says so; those are crashes.
        let crash = match kind.as_str() {
            "SEGV" | "BUS" | "FPE" | "ILL" | "ABRT" => Some(format!("SIG{kind}")),
            "stack-overflow" | "deadly" => Some(kind.clone()),
            _ => None,
        };
        d.class = Some(if crash.is_some() { Class::Crash } else { Class::Asan });
        d.kind = crash.unwrap_or(kind);
        if o.ended == Ended::Overran && d.class == Some(Class::Crash) {
            // Our own SIGABRT at the bound, reported by ASan with the stack
            // it was stuck in: a hang, located.
            d.class = Some(Class::Hang);
            d.kind = format!("no exit within {:.0} s", o.elapsed.as_secs_f64().floor());
        }
        return d;
    }
    if let Some(line) = err.lines().find(|l| l.contains(": runtime error: ")) {
        d.class = Some(Class::Ubsan);
        let (place, what) = line.split_once(": runtime error: ").unwrap_or(("", line));
        d.kind = what.trim().to_string();
        // The report line itself names the kernel place, `file:line:col`.
        if d.frame.as_ref().is_none_or(|f| f.location.is_empty()) {
            if let Some(loc) = kernel_location(place) {
                let function = d.frame.take().map(|f| f.function).unwrap_or_default();
                d.frame = Some(Frame {
                    function,
                    location: loc,
                });
            }
        }
        return d;
    }
    match &o.ended {
        Ended::Overran => {
            d.class = Some(Class::Hang);
            d.kind = format!("no exit within {:.0} s", o.elapsed.as_secs_f64().floor());
        }
        Ended::Signaled(sig) => {
            d.class = Some(Class::Crash);
            d.kind = signal_name(*sig);
        }
        Ended::Exited(code) => {
            if let Some(cause) = fatal_cause(err) {
                d.class = Some(Class::Crash);
                d.kind = cause;
            } else if err.contains("panicked at") {
                d.class = Some(Class::Crash);
                d.kind = format!("panic (exit {code})");
            } else {
                d.kind = format!("exit {code}");
            }
        }
        Ended::Stopped => d.kind = "stopped".to_string(),
    }
    d
}

fn after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    text.find(marker).map(|i| &text[i + marker.len()..])
}

/// `swapdiff-fatal: cause=C program=N entry=E` → (program, entry).
fn fatal_line(err: &str) -> Option<(Option<u64>, Option<String>)> {
    let line = err.lines().find(|l| l.starts_with("swapdiff-fatal:"))?;
    let field = |k: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .filter(|v| *v != "-")
            .map(str::to_string)
    };
    Some((field("program=").and_then(|p| p.parse().ok()), field("entry=")))
}

fn fatal_cause(err: &str) -> Option<String> {
    let line = err.lines().find(|l| l.starts_with("swapdiff-fatal:"))?;
    line.split_whitespace()
        .find_map(|w| w.strip_prefix("cause="))
        .map(str::to_string)
}

/// The kernel-relative part of a path with a line, if it is kernel code:
/// `.../mm/swapfile.c:3670:5` → `mm/swapfile.c:3670`; `arch/arm64/mm/x.c`
/// likewise. Shim and Rust files are not kernel code.
pub fn kernel_location(path_line: &str) -> Option<String> {
    let mut parts = path_line.trim().splitn(3, ':');
    let path = parts.next()?;
    let line: u32 = parts.next()?.parse().ok()?;
    let segs: Vec<&str> = path.split('/').collect();
    let file = *segs.last()?;
    if !(file.ends_with(".c") || file.ends_with(".h")) || segs.len() < 2 {
        return None;
    }
    let dir = segs.len() - 2;
    if segs[dir] != "mm" {
        return None;
    }
    // arch/<arch>/mm/file.c, else mm/file.c
    let start = if dir >= 2 && segs[dir - 2] == "arch" {
        dir - 2
    } else {
        dir
    };
    Some(format!("{}:{line}", segs[start..].join("/")))
}

/// The first stack frame (`#N 0x... in FUNC FILE:LINE:COL`) in kernel code.
fn kernel_frame(err: &str) -> Option<Frame> {
    err.lines().find_map(|l| {
        let l = l.trim_start();
        if !l.starts_with('#') {
            return None;
        }
        let rest = l.split_once(" in ")?.1;
        let (function, place) = rest.split_once(' ')?;
        let location = kernel_location(place.trim())?;
        Some(Frame {
            function: function.to_string(),
            location,
        })
    })
}

/// The sanitizer report (from its `====` banner to its SUMMARY line), or the
/// last 40 lines of stderr when there is none.
fn report_excerpt(err: &str) -> String {
    let lines: Vec<&str> = err.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("ERROR: AddressSanitizer") || l.contains(": runtime error: "));
    if let Some(s) = start {
        let end = lines[s..]
            .iter()
            .position(|l| l.starts_with("SUMMARY:"))
            .map_or(lines.len(), |e| s + e + 1);
        return lines[s..end.min(s + 200)].join("\n");
    }
    lines[lines.len().saturating_sub(40)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_locations_are_kernel_relative() {
        assert_eq!(
            kernel_location("/x/target/kernel-cache/v/mm/swapfile.c:3670:5").as_deref(),
            Some("mm/swapfile.c:3670")
        );
        assert_eq!(
            kernel_location("arch/arm64/mm/mteswap.c:12").as_deref(),
            Some("arch/arm64/mm/mteswap.c:12")
        );
        // The shim's own C and Rust sources are not kernel code.
        assert_eq!(kernel_location("/w/cshim/src/c/alloc.c:40:3"), None);
        assert_eq!(kernel_location("/w/src/runner.rs:12:3"), None);
        assert_eq!(kernel_location("mm/swapfile.c"), None);
    }
}
