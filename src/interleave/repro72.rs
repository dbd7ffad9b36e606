//! `repro.c` for a 7.x violation, as `repro` writes 6.12's: the setup as calls into the same
//! extracted 7.x code, then each CPU's ops as a C body on the shim's own simulated CPUs
//! (`sd72_sched_*` of swapdiff72.h), resumed in the order the run took, so the C stops at the
//! same yield points. Each call is the one the run made, as [`Kernel72::record`] writes it
//! (literal arguments: the run is deterministic), checked against the value swapdiff saw; the
//! end state the judge compared (free pages, every slot's table entry and extend count, every
//! cluster's count and extend table) is checked last. It exits 1 when anything differs.
//!
//! [`Kernel72::record`]: cshim::kernel72::Kernel72::record

use std::fmt::Write;

use cshim::kernel72::{Call72, CallLog, Kernel72};

use super::explore::Found;
use super::v72::{run72, Concurrent72, Run72};

const PRELUDE: &str = r#"#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "swapdiff72.h"

static const char *event_kinds[] = { "WARN", "BUG", "HANG", "LOG", "DISCARD" };
static int calls, differ;

/* One value against the one swapdiff's run saw. */
static void check(const char *what, long got, long want)
{
	calls++;
	printf("      %s = %ld", what, got);
	if (got != want) {
		printf("    <-- swapdiff saw %ld", want);
		differ++;
	}
	printf("\n");
}

static void events(void)
{
	struct sd_event ev;
	int n = sd72_events_count();

	for (int i = 0; i < n; i++)
		if (sd72_event_get(i, &ev) == 0)
			printf("      event: %s in %s: %s\n", ev.kind >= 0 && ev.kind < 5 ? event_kinds[ev.kind] : "?",
			       ev.func ? ev.func : "?", ev.text ? ev.text : "");
	sd72_events_clear();
}

static long table_entry(uint64_t entry)
{
	uint64_t tb = 0;

	sd72_table_get(entry, &tb);
	return (long)tb;
}

"#;

/// One call as a C statement checked against what the run saw.
fn call_line(what: &str, c: &Call72) -> String {
    let call = format!("{}({})", c.function, c.args);
    match c.ret {
        Some(want) => format!("\tcheck(\"{what}: {}\", (long){call}, {want}L);\n", c_string(&call)),
        None => format!("\t{call};\n\tprintf(\"      {what}: {}\\n\");\n", c_string(&call).replace('%', "%%")),
    }
}

fn c_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The reproducer's source for `f`, a run of `p` on `k`'s build (run again here, recorded, under
/// the found schedule); `header` goes into its leading comment. Err when the recorded run is not
/// the found one (then no reproducer would be honest).
pub fn c_source72(k: &mut Kernel72, p: &Concurrent72, f: &Found<Run72>, header: &str) -> Result<String, String> {
    let log: CallLog = Default::default();
    k.record(Some(log.clone()));
    let run = run72(k, p, &f.schedule, None);
    k.record(None);
    if run.trace != f.run.trace {
        return Err("the recorded replay of the schedule took another path than the run".into());
    }
    let calls = log.borrow().clone();
    // The log: the reset, one call per setup op, then one per CPU op as each returned (one op
    // ends per resume at most: a yield point separates two ops of a CPU).
    let mut cpu_ops: Vec<((usize, usize), usize)> = run
        .ops
        .iter()
        .enumerate()
        .flat_map(|(c, ops)| ops.iter().enumerate().map(move |(i, r)| ((c, i), r.ended)))
        .collect();
    cpu_ops.sort_by_key(|&(_, ended)| ended);
    let setup_calls = calls.get(1..=p.setup.len()).ok_or("the recorded run has fewer calls than its setup")?;
    let cpu_calls = calls.get(1 + p.setup.len()..1 + p.setup.len() + cpu_ops.len()).ok_or("calls missing")?;
    let mut per_op: Vec<Vec<Option<&Call72>>> = p.cpus.iter().map(|ops| vec![None; ops.len()]).collect();
    for (&((c, i), _), call) in cpu_ops.iter().zip(cpu_calls) {
        per_op[c][i] = Some(call);
    }

    let mut s = String::from("/*\n");
    for line in header.lines() {
        let _ = writeln!(s, "{}", format!(" * {}", line.replace("*/", "* /")).trim_end());
    }
    let build = k.build();
    let _ = writeln!(s, " *\n * kernel: {}, build {}", k.kernel_version(), build.name);
    let _ = writeln!(s, " * build and run:\n *   {} repro.c -o repro && ./repro\n */", build.standalone);
    s.push_str(PRELUDE);
    for (c, ops) in p.cpus.iter().enumerate() {
        let _ = writeln!(s, "static void cpu{c}(void *arg)\n{{\n\t(void)arg;");
        for (i, op) in ops.iter().enumerate() {
            if i > 0 {
                s.push_str("\tsd72_sched_op_point();\n");
            }
            let _ = writeln!(s, "\t/* {} */", op.print());
            match per_op[c][i] {
                Some(call) => s.push_str(&call_line(&format!("cpu{c} op {i}"), call)),
                None => {
                    let _ = writeln!(s, "\t/* not reached in the run: the CPU stopped before it */\n\treturn;");
                }
            }
            s.push_str("\tevents();\n");
        }
        s.push_str("}\n\n");
    }
    let order: Vec<String> = run.trace.iter().map(|(c, _)| c.to_string()).collect();
    let _ = writeln!(s, "static const int order[] = {{ {} }};\n", order.join(", "));
    s.push_str("int main(void)\n{\n\tstatic const char *const kinds[] = { \"?\", \"lock\", \"unlock\", \"atomic\", \"once\", \"resched\", \"rcu\", \"op\", \"blocked\", \"start\" };\n\tstruct sd_yield at;\n\n\tsd72_env_reset();\n");
    for (op, call) in p.setup.iter().zip(setup_calls) {
        let _ = writeln!(s, "\t/* setup: {} */", op.print());
        s.push_str(&call_line("setup", call));
    }
    let _ = writeln!(s, "\tsd72_events_clear();\n\n\tif (sd72_sched_begin({}))\n\t\treturn 2;", p.cpus.len());
    for c in 0..p.cpus.len() {
        let _ = writeln!(s, "\tsd72_sched_spawn({c}, cpu{c}, NULL);");
    }
    s.push_str(&super::repro::resume_loop("sd72_"));
    s.push_str("\tprintf(\"end state:\\n\");\n");
    if let Some(state) = &run.state {
        let _ = writeln!(s, "\tcheck(\"sd72_nr_swap_pages()\", sd72_nr_swap_pages(), {}L);", state.nr_swap_pages);
        for &(ty, off, tb, ext) in &state.slots {
            let e = swapdiff_contract::entry(ty, off);
            let _ = writeln!(s, "\tcheck(\"table entry {ty}:{off}\", table_entry({e:#x}ULL), (long){tb:#x}UL);");
            let _ = writeln!(s, "\tcheck(\"extend count {ty}:{off}\", (long)sd72_extend_get({e:#x}ULL), {ext}L);");
        }
        for &(ty, idx, c) in &state.clusters {
            let _ = writeln!(
                s,
                "\t{{\n\t\tstruct sd72_cluster_info ci = {{ 0 }};\n\n\t\tsd72_cluster({ty}, {idx}, &ci);\n\
                 \t\tcheck(\"cluster {ty}/{idx} count\", ci.count, {}L);\n\
                 \t\tcheck(\"cluster {ty}/{idx} has an extend table\", ci.has_extend, {}L);\n\t}}",
                c.count,
                i64::from(c.has_extend)
            );
        }
    }
    s.push_str(
        "\tif (differ)\n\t\tprintf(\"%d of %d values differ from swapdiff's run\\n\", differ, calls);\n\telse\n\t\t\
         printf(\"all %d values as in swapdiff's run\\n\", calls);\n\tsd72_env_reset();\n\treturn differ ? 1 : 0;\n}\n",
    );
    Ok(s)
}
