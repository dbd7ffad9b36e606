//! `repro.c` for a violation: the setup as calls into the same extracted kernel code, then
//! each CPU's ops as a C body on the shim's own simulated CPUs (`sd_sched_*` of swapdiff.h),
//! resumed in the order the run took, so the C stops at the same yield points. It prints each
//! stop, each op's return and the end state. `cc` and the kernel extract are enough.

use std::fmt::Write;

use super::explore::Found;
use super::Concurrent;
use crate::program::text::print_op;
use crate::repro::{CALL_HELPERS, PRINTERS};

/// The reproducer's source; `header` goes into its leading comment.
pub fn c_source(p: &Concurrent, f: &Found, header: &str) -> String {
    let mut s = String::from("/*\n");
    for line in header.lines() {
        let _ = writeln!(s, " * {line}");
    }
    s.push_str(" */\n");
    s.push_str(CALL_HELPERS);
    s.push_str(PRINTERS);
    for (c, ops) in p.cpus.iter().enumerate() {
        let _ = writeln!(s, "static void cpu{c}(void *arg)\n{{\n\tuint8_t t[SD_MTE_PAGE_TAG_STORAGE];\n\tuint64_t e = 0;\n\tlong r = 0;\n\n\t(void)arg; (void)t; (void)e;");
        for (i, op) in ops.iter().enumerate() {
            if i > 0 {
                s.push_str("\tsd_sched_op_point();\n");
            }
            let _ = writeln!(s, "\n\t/* {} */", print_op(op));
            s.push_str(&op.c_call());
            let _ = writeln!(s, "\tprintf(\"      cpu{c} op {i} {} -> %ld\\n\", r);\n\tevents();", print_op(op));
        }
        s.push_str("}\n\n");
    }
    // The CPU resumed at each stop, as the run took them.
    let order: Vec<String> = f.run.trace.iter().map(|(c, _)| c.to_string()).collect();
    let _ = writeln!(s, "static const int order[] = {{ {} }};\n", order.join(", "));
    s.push_str("int main(void)\n{\n\tstatic const char *const kinds[] = { \"?\", \"lock\", \"unlock\", \"atomic\", \"once\", \"resched\", \"rcu\", \"op\", \"blocked\", \"start\" };\n");
    s.push_str("\tuint8_t t[SD_MTE_PAGE_TAG_STORAGE];\n\tuint64_t e = 0;\n\tlong r = 0;\n\tstruct sd_yield at;\n\n\t(void)t; (void)e;\n\tkworker = false;\n\tsd_env_reset();\n");
    for (i, op) in p.setup.iter().enumerate() {
        let _ = writeln!(s, "\n\t/* {} */", print_op(op));
        s.push_str(&op.c_call());
        let _ = writeln!(s, "\tstep({}, \"{}\", r);", i + 1, print_op(op));
    }
    let _ = writeln!(s, "\n\tif (sd_sched_begin({}))\n\t\treturn 2;", p.cpus.len());
    for c in 0..p.cpus.len() {
        let _ = writeln!(s, "\tsd_sched_spawn({c}, cpu{c}, NULL);");
    }
    s.push_str(&resume_loop("sd_"));
    s.push_str("\tdump();\n\tteardown();\n\treturn 0;\n}\n");
    s
}

/// The reproducer's replay of the run's order: each CPU resumed in turn through the API of
/// `prefix` (`sd_` for 6.12, `sd72_` for 7.x), each stop printed as the run's trace prints it,
/// then the run ended. Needs `order[]`, `kinds[]` and a `struct sd_yield at` in scope.
pub fn resume_loop(prefix: &str) -> String {
    format!(
        "\tfor (unsigned long i = 0; i < sizeof(order) / sizeof(order[0]); i++) {{\n\
         \t\tint done;\n\n\
         \t\tif (!{prefix}sched_runnable(order[i])) {{\n\
         \t\t\tprintf(\"stop %lu: cpu%d cannot run: the replay left the run's path\\n\", i, order[i]);\n\
         \t\t\treturn 2;\n\
         \t\t}}\n\
         \t\tdone = {prefix}sched_resume(order[i], &at);\n\
         \t\tif (done)\n\
         \t\t\tprintf(\"%4lu cpu%d done\\n\", i, order[i]);\n\
         \t\telse if (at.kind == 7)\n\
         \t\t\tprintf(\"%4lu cpu%d op\\n\", i, order[i]);\n\
         \t\telse if (at.kind == 8)\n\
         \t\t\tprintf(\"%4lu cpu%d blocked %s:%d %s\\n\", i, order[i], at.func, at.line, at.text);\n\
         \t\telse\n\
         \t\t\tprintf(\"%4lu cpu%d stops at %s %s:%d %s\\n\", i, order[i], kinds[at.kind > 0 && at.kind <= 9 ? at.kind : 0], at.func, at.line, at.text);\n\
         \t}}\n\
         \t{prefix}sched_end();\n"
    )
}
