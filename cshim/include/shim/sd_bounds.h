/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounded calls (ENVIRONMENT.md "Bounded calls"): a kernel call that does
 * not return is trapped as a HANG, like a BUG, so the program ends and the
 * process goes on.
 *
 * 1. Work budget (deterministic). Every shim hook the extracted code calls
 *    (locks, allocation and free sites, vmalloc_to_page, xarray operations,
 *    percpu refs, schedule_work, swap cache lookups, recorded events) costs
 *    work; the trampoline zeroes the count when a call starts. Past
 *    SD_WORK_BUDGET the hook traps: HANG at the kernel function that called
 *    it (its __func__, passed through the macros), text "work budget
 *    exceeded". This ends runaway allocate/free loops at the same point on
 *    every run.
 * 2. Wall clock (bounds.c): for loops that reach no hook. A watchdog thread
 *    signals the calling thread when one call has run longer than the
 *    timeout, and the handler jumps back to the trampoline, but only while
 *    the thread is in kernel code: shim code that calls libc or the
 *    allocator marks itself with sd_env_enter()/sd_env_leave(), and a signal
 *    that lands there is retried by the watchdog a little later.
 */
#ifndef SD_BOUNDS_H
#define SD_BOUNDS_H

#include <stdatomic.h>

#include "sd_compiler.h"

/*
 * The largest legitimate call of the modelled environment does a few
 * thousand units of work (measured over `swapdiff campaign`; ENVIRONMENT.md
 * gives the numbers). The budget is three orders of magnitude above it and
 * still costs well under a second of runaway loop (tens of ms in a release
 * build, a few hundred under ASan).
 */
#define SD_WORK_BUDGET 4000000UL
/* A recorded event costs this much: it allocates and copies its text, and a
 * loop that warns forever must hit the budget long before it has filled
 * memory with events (at most SD_WORK_BUDGET / SD_EVENT_WORK per call). */
#define SD_EVENT_WORK 100UL

static unsigned long sd_work;
/* > 0 while the thread runs shim code the watchdog must not jump out of. */
static volatile int sd_env_depth;

static void sd_work_exceeded(const char *func, int line);

/* The trampoline's side of both bounds (bounds.c). */
static void sd_call_prepare(const char *entry);
static void sd_call_begin(void);
static void sd_call_end(void);
static long sd_after_watchdog(const char *entry);

static inline void sd_work_charge(unsigned long units, const char *func, int line)
{
	sd_work += units;
	if (unlikely(sd_work > SD_WORK_BUDGET))
		sd_work_exceeded(func, line);
}
#define sd_work_hook(func, line) sd_work_charge(1, (func), (line))
/* One unit of work at the kernel call site (a statement-like expression). */
#define SD_HOOK() sd_work_hook(__func__, __LINE__)

/* Signal fences keep the compiler from moving environment work across the
 * depth updates; the signal handler runs on this same thread. */
static inline void sd_env_enter(void)
{
	sd_env_depth++;
	atomic_signal_fence(memory_order_seq_cst);
}
static inline void sd_env_leave(void)
{
	atomic_signal_fence(memory_order_seq_cst);
	sd_env_depth--;
}

#endif /* SD_BOUNDS_H */
