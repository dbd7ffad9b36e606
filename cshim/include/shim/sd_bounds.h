/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounded calls (ENVIRONMENT.md "Bounded calls"): a kernel call that does
 * not return is trapped as a HANG, like a BUG, so the program ends and the
 * process goes on.
 *
 * 1. Work budget (deterministic). Every shim hook the extracted code calls
 *    (locks, allocation and free sites, vmalloc_to_page, xarray operations,
 *    percpu refs, schedule_work, swap cache lookups, recorded events) costs
 *    one unit; the trampoline zeroes the count when a call starts. Past
 *    SD_WORK_BUDGET units (or SD_EVENT_BUDGET events) the hook traps: HANG
 *    at the kernel function that called it (its __func__, passed through
 *    the macros), text "work budget exceeded". This ends runaway allocate/free loops at the same point on
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
 * Measured (ENVIRONMENT.md "Bounded calls"): over `swapdiff campaign
 * --programs 20000` (seeds 1 and 7) the largest call spends 746 units
 * (free_swap_and_cache_nr of 512 slots, one LOG each); the heaviest call we
 * could build, swapoff dropping 2032 tag-store keys, spends 6100. The
 * budget is 1340 and 160 times those, and a runaway loop reaches it in
 * about 10 ms (release), far inside the wall-clock bound, so a runaway is
 * always trapped by the budget, at the same hook on every run.
 */
#define SD_WORK_BUDGET 1000000UL
/* Recorded events per call (WARN, LOG): each costs an allocation, so a
 * loop that warns forever must stop long before memory fills. The largest
 * legitimate call records 512 (the same free_swap_and_cache_nr). */
#define SD_EVENT_BUDGET 65536UL

static unsigned long sd_work;
static unsigned long sd_call_events;
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
/* A hook that records an event: one unit, and one of the call's events. */
static inline void sd_event_charge(const char *func, int line)
{
	sd_work_charge(1, func, line);
	if (unlikely(++sd_call_events > SD_EVENT_BUDGET))
		sd_work_exceeded(func, line);
}
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
