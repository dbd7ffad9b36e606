//! The text form of a concurrent program and its schedule:
//!
//! ```text
//! swapon clusters=1 ssd        # setup: ops run one by one first
//! alloc_swap 0 0
//! cpu0 swap_duplicate 0:1
//! cpu1 swap_free_nr 0:1 nr=1
//! schedule 1 0 0 1             # the CPU chosen at each decision point (optional)
//! ```
//!
//! Every op is written as in a sequential program (`program::text`); `cpuN` in front gives it to
//! CPU N, in order. [`print`] writes the canonical form, which [`parse`] reads back.

use std::fmt::Write;

use cshim::interleave::MAX_CPUS;

use super::{Concurrent, Schedule};
use crate::program::text::print_op;
use crate::program::{parse as parse_program, Op};

/// Reads a program and its schedule (empty when there is no `schedule` line). Errors name the
/// line.
pub fn parse(src: &str) -> Result<(Concurrent, Schedule), String> {
    let (setup, cpus, schedule) = parse_with(src, one_op)?;
    let p = Concurrent { setup, cpus };
    p.validate()?;
    Ok((p, schedule))
}

/// The lines of a concurrent program of either series, each op read by `op` (its text, the
/// line number): the setup ops, each CPU's ops, and the schedule.
#[allow(clippy::type_complexity)]
pub fn parse_with<O>(
    src: &str,
    op: impl Fn(&str, usize) -> Result<O, String>,
) -> Result<(Vec<O>, Vec<Vec<O>>, Schedule), String> {
    let (mut setup, mut cpus) = (Vec::new(), Vec::<Vec<O>>::new());
    let mut schedule = Schedule::default();
    for (i, raw) in src.lines().enumerate() {
        let line = i + 1;
        let code = raw.split('#').next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        let (first, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
        if first == "schedule" {
            for w in rest.split_whitespace() {
                let cpu: u8 = w.parse().map_err(|_| format!("line {line}: `{w}` is not a CPU number"))?;
                if usize::from(cpu) >= MAX_CPUS {
                    return Err(format!("line {line}: CPU {cpu}: at most {} CPUs", MAX_CPUS));
                }
                schedule.0.push(cpu);
            }
            continue;
        }
        if let Some(n) = first.strip_prefix("cpu") {
            let cpu: usize = n.parse().map_err(|_| format!("line {line}: `{first}`: expected cpu0, cpu1, ..."))?;
            if cpu >= MAX_CPUS {
                return Err(format!("line {line}: {first}: at most {} CPUs", MAX_CPUS));
            }
            while cpus.len() <= cpu {
                cpus.push(Vec::new());
            }
            cpus[cpu].push(op(rest, line)?);
            continue;
        }
        setup.push(op(code, line)?);
    }
    Ok((setup, cpus, schedule))
}

fn one_op(text: &str, line: usize) -> Result<Op, String> {
    let prog = parse_program(text).map_err(|e| format!("line {line}: {}", e.message))?;
    match prog.ops.as_slice() {
        [op] => Ok(op.clone()),
        _ => Err(format!("line {line}: expected one op")),
    }
}

/// The canonical text, with the schedule when it is not empty.
pub fn print(p: &Concurrent, schedule: &Schedule) -> String {
    print_with(&p.setup, &p.cpus, schedule, print_op)
}

/// The canonical text of a program of either series, each op written by `op`.
pub fn print_with<O>(setup: &[O], cpus: &[Vec<O>], schedule: &Schedule, op: impl Fn(&O) -> String) -> String {
    let mut s = String::new();
    for o in setup {
        let _ = writeln!(s, "{}", op(o));
    }
    for (c, ops) in cpus.iter().enumerate() {
        for o in ops {
            let _ = writeln!(s, "cpu{c} {}", op(o));
        }
    }
    if !schedule.0.is_empty() {
        let words: Vec<String> = schedule.0.iter().map(u8::to_string).collect();
        let _ = writeln!(s, "schedule {}", words.join(" "));
    }
    s
}
