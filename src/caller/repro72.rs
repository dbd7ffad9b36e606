//! A standalone C reproducer of a caller-level program on a 7.x build: the program runs once
//! through [`Caller72`] with the kernel's calls recorded ([`Kernel72::record`]), and every
//! call is written out as plain C against `swapdiff72.h`, with its literal arguments (the run
//! is deterministic: the same folio handles and entries come out in C) and the result swapdiff
//! saw. The program prints each call's result, the events and the free swap pages after every
//! caller-level op, marks each value that differs from swapdiff's run, and exits 1 if any did.
//! clang and the 7.x extract are enough to build it: the header names the build's standalone
//! command (its paths are the building machine's; `swapdiff export` does not handle 7.x
//! findings yet).
//!
//! [`Kernel72::record`]: cshim::kernel72::Kernel72::record

use std::fmt::Write;

use cshim::kernel72::{Call72, CallLog};

use crate::caller::v72::Caller72;
use crate::caller::world::World;
use crate::caller::CallerProgram;

/// Printing and checking, the reproducer's own. Event kinds in `enum sd_event_kind`'s order.
const PRELUDE: &str = r#"#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "swapdiff72.h"

static const char *kinds[] = { "WARN", "BUG", "HANG", "LOG", "DISCARD" };
static int calls, differ;

/* One call's result against the one swapdiff's run saw. */
static void check(const char *call, long got, long want)
{
	calls++;
	printf("  %s = %ld", call, got);
	if (got != want) {
		printf("    <-- swapdiff saw %ld", want);
		differ++;
	}
	printf("\n");
}

/* The events since the last op, then cleared (as swapdiff takes them after every op). */
static void events(void)
{
	struct sd_event ev;
	int n = sd72_events_count();

	for (int i = 0; i < n; i++) {
		if (sd72_event_get(i, &ev) == 0)
			printf("  event: %s in %s: %s\n", ev.kind >= 0 && ev.kind < 5 ? kinds[ev.kind] : "?",
			       ev.func ? ev.func : "?", ev.text ? ev.text : "");
	}
	sd72_events_clear();
}

static void free_pages(long want)
{
	check("sd72_nr_swap_pages()", sd72_nr_swap_pages(), want);
}

"#;

/// One block of the reproducer: a title, the calls made, and what swapdiff saw after it.
struct Block {
    title: String,
    calls: Vec<Call72>,
    /// Comment lines: the events swapdiff saw, the spec's verdict.
    notes: Vec<String>,
    free_pages: i64,
}

/// The reproducer's source for `program` on `caller`'s build; `header` goes into the leading
/// comment (the finding, the kernels, how to build).
pub fn c_source(program: &CallerProgram, caller: &mut Caller72, header: &str) -> String {
    let log: CallLog = Default::default();
    caller.kernel.record(Some(log.clone()));
    let blocks = run(program, caller, &log);
    caller.kernel.record(None);
    let mut s = String::from("/*\n");
    for line in header.lines() {
        let _ = writeln!(s, "{}", format!(" * {}", line.replace("*/", "* /")).trim_end());
    }
    let build = caller.kernel.build();
    let _ = writeln!(s, " *\n * kernel: {}, build {}", caller.kernel.kernel_version(), build.name);
    // The build's own standalone command: the same translation unit over the same extract,
    // paths of the machine that built it (a 7.x export is not written yet).
    let _ = writeln!(s, " * build and run:\n *   {} repro.c -o repro && ./repro\n */", build.standalone);
    s.push_str(PRELUDE);
    s.push_str("int main(void)\n{\n");
    for b in &blocks {
        let _ = writeln!(s, "\tprintf(\"{}\\n\");", c_format(&b.title));
        for n in &b.notes {
            let _ = writeln!(s, "\t/* swapdiff: {} */", n.replace("*/", "* /"));
        }
        for c in &b.calls {
            let call = format!("{}({})", c.function, c.args);
            match c.ret {
                Some(want) => {
                    let _ = writeln!(s, "\tcheck(\"{}\", (long){call}, {want}L);", c_string(&short(&call)));
                }
                None => {
                    let _ = writeln!(s, "\t{call};\n\tprintf(\"  {}\\n\");", c_format(&short(&call)));
                }
            }
        }
        let _ = writeln!(s, "\tevents();\n\tfree_pages({}L);\n", b.free_pages);
    }
    s.push_str(
        "\tif (differ)\n\t\tprintf(\"%d of %d results differ from swapdiff's run\\n\", differ, calls);\n\telse\n\t\t\
         printf(\"all %d results as in swapdiff's run\\n\", calls);\n\treturn differ ? 1 : 0;\n}\n",
    );
    s
}

/// The program through a fresh world over `caller`, its calls cut into one block per op.
fn run(program: &CallerProgram, caller: &mut Caller72, log: &CallLog) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut taken = 0;
    let mut cut = |title: String, notes: Vec<String>, free_pages: i64| {
        let all = log.borrow();
        let calls = all[taken..].to_vec();
        taken = all.len();
        Block { title, calls, notes, free_pages }
    };
    let setup = format!("setup: one SSD of {} clusters", program.clusters);
    let mut world = match World::new(caller, program.clusters) {
        Ok(w) => w,
        Err(why) => {
            blocks.push(cut(setup, vec![format!("setup failed: {why}")], 0));
            return blocks;
        }
    };
    let free = world.free_pages();
    blocks.push(cut(setup, vec![], free));
    let mut reported = 0;
    for (i, &op) in program.ops.iter().enumerate() {
        let obs = world.step(i, op);
        let mut notes: Vec<String> = world.last_events.iter().map(|e| format!("saw {e}")).collect();
        if obs.result != 0 {
            notes.push(format!("the op returned {}", obs.result));
        }
        for (_, why) in &world.violations()[reported..] {
            notes.push(format!("the caller-level spec is broken here: {why}"));
        }
        reported = world.violations().len();
        blocks.push(cut(format!("op {i}: {op}"), notes, obs.free_pages));
        if world.trapped() {
            break;
        }
    }
    blocks
}

/// A call as a title: long arguments (a tag array) shortened.
fn short(call: &str) -> String {
    match call.find("(const uint8_t[])") {
        Some(at) => {
            let end = call[at..].find('}').map_or(call.len(), |e| at + e + 1);
            format!("{}<tags>{}", &call[..at], &call[end..])
        }
        None => call.to_string(),
    }
}

/// `text` inside a C string literal.
fn c_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `text` inside a C string literal that printf reads as its format.
fn c_format(text: &str) -> String {
    c_string(text).replace('%', "%%")
}
