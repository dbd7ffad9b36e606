/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Locks as counters (ENVIRONMENT.md "Events"), with their holder's CPU. A
 * lock its own holder takes again is a self-deadlock: a HANG that abandons
 * the call. In an interleaved run (sd_compiler.h "Yield points") taking a
 * lock is a yield point, and a lock another CPU holds makes the taker wait
 * (sched.c) until it is released; releasing one is a yield point after the
 * release. The text names the lock as written at the call site, so the
 * macros stringify their argument.
 */
#ifndef SD_LOCKS_H
#define SD_LOCKS_H

#include "sd_events.h"
#include "sd_list.h"

typedef struct {
	int held;
	int owner; /* the CPU holding it, while held */
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name) { 0, 0 }
#define DEFINE_SPINLOCK(name) spinlock_t name = __SPIN_LOCK_UNLOCKED(name)
static inline void spin_lock_init(spinlock_t *l) { l->held = 0; l->owner = 0; }
/* Interleaved runs (sched.c): yield, then wait while another CPU holds it. */
static void sd_sched_acquire(spinlock_t *l, const char *func, const char *text, int line);
/* Held by the CPU running now. */
static inline bool sd_lock_mine(const spinlock_t *l) { return l->held && l->owner == sd_sched_cpu; }

/* Locks held right now, over all lock objects: an entry point that returns
 * with this above zero leaked a lock. */
static int sd_locks_held;

static inline void sd_lock(spinlock_t *l, const char *func, const char *text, int line)
{
	if (unlikely(sd_sched_on))
		sd_sched_acquire(l, func, text, line);
	if (l->held)
		sd_trap(SD_EV_HANG, func, text, line);
	l->held = 1;
	l->owner = sd_sched_cpu;
	sd_locks_held++;
}
static inline void sd_unlock(spinlock_t *l, const char *func, const char *text, int line)
{
	if (sd_warn_if(!sd_lock_mine(l), func, text, line))
		return;
	l->held = 0;
	sd_locks_held--;
	if (unlikely(sd_sched_on))
		sd_sched_point(SD_YIELD_UNLOCK, func, text, line);
}

/* The kernel's lock calls are shim hooks (sd_bounds.h): they cost work. The
 * shim's own internal locking calls sd_lock/sd_unlock directly. */
#define spin_lock(l) (SD_HOOK(), sd_lock((l), __func__, "spin_lock(" #l ")", __LINE__))
#define spin_unlock(l) (SD_HOOK(), sd_unlock((l), __func__, "spin_unlock(" #l ")", __LINE__))
#define lockdep_assert_held(l) \
	(void)sd_warn_if(!sd_lock_mine(l), __func__, "lockdep_assert_held(" #l ")", __LINE__)
/* The kernel's assert_spin_locked() is a BUG_ON, not a lockdep warning; it
 * asks only whether the lock is held, by anyone. */
#define assert_spin_locked(l) SD_BUG_IF(!(l)->held, "assert_spin_locked(" #l ")")

/* percpu_ref of a swap device: live from swapon to swapoff. */
struct percpu_ref {
	long count;
	bool live;
};
static inline bool (percpu_ref_tryget_live)(struct percpu_ref *r)
{
	if (!r->live)
		return false;
	r->count++;
	return true;
}
static inline void (percpu_ref_put)(struct percpu_ref *r) { r->count--; }
#define percpu_ref_tryget_live(r) (SD_HOOK(), (percpu_ref_tryget_live)(r))
#define percpu_ref_put(r) (SD_HOOK(), (percpu_ref_put)(r))

struct completion { int done; };

/* Queued work (ENVIRONMENT.md "Work", src/c/work.c): one FIFO queue that
 * sd_flush_work() runs, each item through the trampoline under its worker's
 * name. `entry` is linked on the queue exactly while `queued`. */
struct work_struct {
	void (*func)(struct work_struct *);
	const char *name; /* the worker function's name: a literal */
	struct list_head entry;
	bool queued;
};
static inline void sd_init_work(struct work_struct *w, void (*func)(struct work_struct *), const char *name)
{
	w->func = func;
	w->name = name;
	INIT_LIST_HEAD(&w->entry);
	w->queued = false;
}
#define INIT_WORK(w, f) sd_init_work((w), (f), #f)
/* queue_work() on the system queue: false, and nothing changes, when the
 * item is pending already. */
static bool (schedule_work)(struct work_struct *w);
#define schedule_work(w) (SD_HOOK(), (schedule_work)(w))

#endif /* SD_LOCKS_H */
