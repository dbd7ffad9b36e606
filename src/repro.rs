//! A standalone C reproducer: the executed steps as calls into the same
//! extracted kernel code (through swapdiff.h), printing every return value
//! and event, then the state the harness compared. No Rust, no fuzzer:
//! `cc` and a kernel extract are enough.

use crate::program::text::print_op;
use crate::program::Op;
use std::fmt::Write;

/// The reproducer's source. `header` is put in the leading comment (the
/// signature, expected against actual, how to build).
pub fn c_source(ops: &[Op], header: &str) -> String {
    let mut s = String::new();
    s.push_str("/*\n");
    for line in header.lines() {
        let _ = writeln!(s, " * {line}");
    }
    s.push_str(" */\n");
    s.push_str(CALL_HELPERS);
    s.push_str(PRINTERS);
    s.push_str("int main(void)\n{\n\tuint8_t t[SD_MTE_PAGE_TAG_STORAGE];\n\tuint64_t e = 0;\n\tlong r = 0;\n\t(void)t; (void)e;\n\n\tsd_env_reset();\n");
    for (i, op) in ops.iter().enumerate() {
        let _ = writeln!(s, "\n\t/* {} */", print_op(op));
        s.push_str(&op.c_call());
        let _ = writeln!(s, "\tstep({}, \"{}\", r);", i + 1, print_op(op));
    }
    s.push_str("\n\tdump();\n\tteardown();\n\treturn 0;\n}\n");
    s
}

/// What the C of [`Op::c_call`] needs: the includes, entry encoding and the
/// harness's tag pattern (the same function as `program::tags_from_seed`).
/// The bench's C floor (`bench::floor`) carries it too.
pub const CALL_HELPERS: &str = r#"#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "swapdiff.h"

#define E(type, offset) (((uint64_t)(type) << SD_SWP_TYPE_SHIFT) | (uint64_t)(offset))

/* The harness's kworker switch (op `kworker`): on, queued work runs after every step. */
static bool kworker = true;

/* The tags swapdiff gives page `page` for `seed` (program::tags_from_seed). */
static void tags_from_seed(uint8_t seed, uint8_t page, uint8_t out[SD_MTE_PAGE_TAG_STORAGE])
{
	for (unsigned long i = 0; i < SD_MTE_PAGE_TAG_STORAGE; i++) {
		unsigned long x = (unsigned long)seed * 31 ^ (unsigned long)page * 131 ^ i * 7;
		out[i] = (uint8_t)((uint8_t)x + seed);
	}
}

"#;

/// Event and state printing, the reproducer's own.
pub(crate) const PRINTERS: &str = r#"static const char *kinds[] = { "WARN", "BUG", "HANG", "LOG", "DISCARD" };

static void events(void)
{
	struct sd_event ev;

	for (int i = 0; i < sd_events_count(); i++)
		if (sd_event_get(i, &ev) == 0)
			printf("      %s in %s: %s\n", ev.kind >= 0 && ev.kind <= 4 ? kinds[ev.kind] : "?", ev.func, ev.text);
	sd_events_clear();
}

/* What the runner does after a step while the kworker is on: the queued work runs. */
static void kwork(void)
{
	bool queued = false;

	for (int t = 0; t < SD_MAX_DEVICES; t++)
		queued |= sd_work_queued(t) != 0;
	if (kworker && queued) {
		printf("      flush_work -> %ld\n", sd_flush_work());
		events();
	}
}

static void step(int n, const char *what, long r)
{
	printf("%4d  %-44s -> %ld\n", n, what, r);
	events();
	kwork();
}

static void hex(const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* The state swapdiff compares, as the kernel code leaves it. */
static void dump(void)
{
	uint8_t t[SD_MTE_PAGE_TAG_STORAGE], d[SD_MAX_CONT_PAGES];
	unsigned int count, flags;
	uint64_t key;

	printf("state:\n  nr_swap_pages %ld total_swap_pages %ld\n", sd_nr_swap_pages(), sd_total_swap_pages());
	printf("  live allocations: cont_page %lu tag_storage %lu xa_node %lu\n",
	       sd_live_allocs(SD_SITE_CONT_PAGE), sd_live_allocs(SD_SITE_TAG_STORAGE), sd_live_allocs(SD_SITE_XA_NODE));
	for (int type = 0; type < SD_MAX_DEVICES; type++) {
		unsigned int max = sd_device_max(type);

		if (!max)
			continue;
		printf("  swap type %d: max %u inuse_pages %u\n", type, max, sd_device_inuse_pages(type));
		for (unsigned int off = 0; off < max; off++) {
			int b = sd_map_byte(E(type, off));
			int n;

			if (b <= 0)
				continue;
			printf("    %d:%u byte %#04x", type, off, b);
			n = sd_cont_digits(E(type, off), d, SD_MAX_CONT_PAGES);
			if ((b & 0x80) && n > 0) {
				printf(" digits");
				for (int k = 0; k < n && k < SD_MAX_CONT_PAGES; k++)
					printf(" %#04x", d[k]);
			}
			printf("\n");
		}
		for (int c = 0; sd_cluster(type, c, &count, &flags) == 0; c++)
			printf("    cluster %d: count %u flags %#x\n", c, count, flags);
	}
	for (int i = 0; i < sd_tags_count(); i++)
		if (sd_tags_get(i, &key, t) == 0) {
			printf("  tags %#llx: ", (unsigned long long)key);
			hex(t, SD_MTE_PAGE_TAG_STORAGE);
		}
	for (int f = 0; f < SD_MAX_FOLIOS; f++)
		for (int p = 0; sd_page_get(f, p, t, &flags) == 0; p++) {
			printf("  folio f%d page %d flags 0x%x tags ", f, p, flags);
			hex(t, SD_MTE_PAGE_TAG_STORAGE);
		}
}

/* Swap off every device and free every folio: what is still allocated leaked. */
static void teardown(void)
{
	for (int type = 0; type < SD_MAX_DEVICES; type++)
		sd_swapoff(type);
	for (int f = 0; f < SD_MAX_FOLIOS; f++)
		sd_folio_free(f);
	events();
	printf("after teardown: cont_page %lu tag_storage %lu xa_node %lu\n",
	       sd_live_allocs(SD_SITE_CONT_PAGE), sd_live_allocs(SD_SITE_TAG_STORAGE), sd_live_allocs(SD_SITE_XA_NODE));
}

"#;
