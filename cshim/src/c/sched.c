/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of each build's translation unit: simulated CPUs for interleaved runs
 * (ENVIRONMENT.md "Interleavings"). Each CPU is a coroutine (ucontext) on
 * the calling thread with its own stack, running a body the caller gives
 * (Rust: one CPU's ops). Exactly one runs at a time; the caller is the
 * scheduler. sd_sched_resume runs one CPU until its next yield point
 * (sd_compiler.h) and says where it stopped, so the caller decides every
 * switch and a schedule replays exactly.
 *
 * Everything stays on one thread, so the call watchdog, the signal handlers
 * and the fatal note see what they always see. What belongs to a call in
 * flight (the trap's jump buffer, the work count, the "in call" flag the
 * watchdog reads, the locks the call holds) is per CPU: it is saved when a
 * CPU stops and put back when it runs again.
 */

#include <sys/mman.h>
#include <ucontext.h>

#define SD_SCHED_STACK (1UL << 20)

/* What a call in flight owns in the trampoline's globals. */
struct sd_call_ctx {
	sigjmp_buf trap_env;
	bool trap_armed;
	unsigned long work, call_events;
	int env_depth, locks_held, in_call;
	const char *entry;
};

struct sd_sched_cpu {
	ucontext_t uc;
	void *stack; /* SD_SCHED_STACK bytes above one guard page */
	void (*body)(void *);
	void *arg;
	bool done;
	/* The lock it waits for, while blocked. */
	const spinlock_t *waiting;
	struct sd_call_ctx call;
	struct sd_yield at; /* where it stopped last */
	/* AddressSanitizer's view of the stack it runs on (sched_fiber_*). */
	void *fake_stack;
};

static struct sd_sched_cpu sd_cpus[SD_MAX_CPUS];
static int sd_sched_ncpus;
static ucontext_t sd_sched_main;
static struct sd_call_ctx sd_sched_main_call;
static void *sd_sched_main_fake_stack;
/* The CPU running now, or -1 while the scheduler runs. */
static int sd_sched_running = -1;

/* AddressSanitizer must be told about every stack switch, or it reads the
 * coroutine's frames as overflows of the thread's stack. Weak: present only
 * when the runtime is linked. */
extern void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size)
	__attribute__((weak));
extern void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old)
	__attribute__((weak));
static const void *sd_sched_main_bottom;
static size_t sd_sched_main_size;

static void sd_call_save(struct sd_call_ctx *c)
{
	memcpy(&c->trap_env, &sd_trap_env, sizeof(sd_trap_env));
	c->trap_armed = sd_trap_armed;
	c->work = sd_work;
	c->call_events = sd_call_events;
	c->env_depth = sd_env_depth;
	c->locks_held = sd_locks_held;
	c->in_call = atomic_load_explicit(&sd_in_call, memory_order_relaxed);
	c->entry = atomic_load_explicit(&sd_call_entry, memory_order_relaxed);
}

static void sd_call_load(const struct sd_call_ctx *c)
{
	memcpy(&sd_trap_env, &c->trap_env, sizeof(sd_trap_env));
	sd_trap_armed = c->trap_armed;
	sd_work = c->work;
	sd_call_events = c->call_events;
	sd_env_depth = c->env_depth;
	sd_locks_held = c->locks_held;
	atomic_store_explicit(&sd_call_entry, c->entry, memory_order_relaxed);
	if (c->in_call) {
		/* A new sequence number: the watchdog times the call from here, not
		 * from before the CPU stopped. */
		atomic_store_explicit(&sd_call_tid, sd_tls_tid, memory_order_relaxed);
		sd_call_begin();
	} else {
		atomic_store_explicit(&sd_in_call, 0, memory_order_release);
	}
}

/* The body's first frame: runs it, then returns to the scheduler (uc_link). */
static void sd_sched_trampoline(void)
{
	struct sd_sched_cpu *cpu = &sd_cpus[sd_sched_running];

	if (__sanitizer_finish_switch_fiber)
		__sanitizer_finish_switch_fiber(NULL, &sd_sched_main_bottom, &sd_sched_main_size);
	cpu->body(cpu->arg);
	cpu->done = true;
	cpu->at = (struct sd_yield){ SD_YIELD_OP, 0, "", "done" };
	if (__sanitizer_start_switch_fiber)
		__sanitizer_start_switch_fiber(NULL, sd_sched_main_bottom, sd_sched_main_size);
}

int sd_sched_begin(int ncpus)
{
	if (ncpus < 1 || ncpus > SD_MAX_CPUS || sd_sched_on || sd_trap_armed)
		return -EINVAL;
	for (int i = 0; i < ncpus; i++) {
		struct sd_sched_cpu *cpu = &sd_cpus[i];

		if (!cpu->stack) {
			/* A guard page below the stack: an overflow faults. */
			char *m = mmap(NULL, SD_SCHED_STACK + 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (m == MAP_FAILED)
				return -ENOMEM;
			mprotect(m, 4096, PROT_NONE);
			cpu->stack = m + 4096;
		}
		cpu->body = NULL;
		cpu->done = true;
		cpu->waiting = NULL;
		memset(&cpu->call, 0, sizeof(cpu->call));
		cpu->at = (struct sd_yield){ SD_YIELD_START, 0, "", "start" };
	}
	sd_sched_ncpus = ncpus;
	sd_sched_on = 1;
	return 0;
}

int sd_sched_spawn(int cpu_nr, void (*body)(void *arg), void *arg)
{
	struct sd_sched_cpu *cpu;

	if (!sd_sched_on || cpu_nr < 0 || cpu_nr >= sd_sched_ncpus || !body)
		return -EINVAL;
	cpu = &sd_cpus[cpu_nr];
	if (getcontext(&cpu->uc))
		return -ENOMEM;
	cpu->uc.uc_stack.ss_sp = cpu->stack;
	cpu->uc.uc_stack.ss_size = SD_SCHED_STACK;
	cpu->uc.uc_link = &sd_sched_main;
	makecontext(&cpu->uc, sd_sched_trampoline, 0);
	cpu->body = body;
	cpu->arg = arg;
	cpu->done = false;
	cpu->waiting = NULL;
	return 0;
}

int sd_sched_runnable(int cpu_nr)
{
	const struct sd_sched_cpu *cpu;

	if (!sd_sched_on || cpu_nr < 0 || cpu_nr >= sd_sched_ncpus)
		return 0;
	cpu = &sd_cpus[cpu_nr];
	return !cpu->done && !(cpu->waiting && cpu->waiting->held);
}

/* Runs the CPU until it stops at a yield point (0) or its body returns (1);
 * -EINVAL when it cannot run (not spawned, done, or waiting for a lock that
 * is still held). *out: where it stopped. */
int sd_sched_resume(int cpu_nr, struct sd_yield *out)
{
	struct sd_sched_cpu *cpu;

	if (!sd_sched_runnable(cpu_nr) || sd_sched_running >= 0)
		return -EINVAL;
	cpu = &sd_cpus[cpu_nr];
	sd_call_save(&sd_sched_main_call);
	sd_call_load(&cpu->call);
	sd_sched_running = cpu_nr;
	sd_sched_cpu = cpu_nr;
	if (__sanitizer_start_switch_fiber)
		__sanitizer_start_switch_fiber(&sd_sched_main_fake_stack, cpu->stack, SD_SCHED_STACK);
	swapcontext(&sd_sched_main, &cpu->uc);
	if (__sanitizer_finish_switch_fiber)
		__sanitizer_finish_switch_fiber(sd_sched_main_fake_stack, NULL, NULL);
	sd_sched_running = -1;
	sd_sched_cpu = 0;
	sd_call_save(&cpu->call);
	sd_call_load(&sd_sched_main_call);
	if (out)
		*out = cpu->at;
	return cpu->done ? 1 : 0;
}

/* Back to the scheduler; returns when this CPU runs again. */
static void sd_sched_switch(void)
{
	struct sd_sched_cpu *cpu = &sd_cpus[sd_sched_running];

	if (__sanitizer_start_switch_fiber)
		__sanitizer_start_switch_fiber(&cpu->fake_stack, sd_sched_main_bottom, sd_sched_main_size);
	swapcontext(&cpu->uc, &sd_sched_main);
	if (__sanitizer_finish_switch_fiber)
		__sanitizer_finish_switch_fiber(cpu->fake_stack, &sd_sched_main_bottom, &sd_sched_main_size);
}

static void sd_sched_point(int kind, const char *func, const char *text, int line)
{
	struct sd_sched_cpu *cpu;

	/* Only a CPU stops: environment code the scheduler itself runs (a reset,
	 * an inspection between steps) goes straight through. */
	if (sd_sched_running < 0)
		return;
	cpu = &sd_cpus[sd_sched_running];
	cpu->at = (struct sd_yield){ kind, line, func, text };
	sd_sched_switch();
}

static void sd_sched_acquire(spinlock_t *l, const char *func, const char *text, int line)
{
	struct sd_sched_cpu *cpu;

	if (sd_sched_running < 0)
		return;
	sd_sched_point(SD_YIELD_LOCK, func, text, line);
	cpu = &sd_cpus[sd_sched_running];
	/* Held by this CPU is the self-deadlock sd_lock traps; held by another,
	 * this CPU waits: the scheduler does not pick it until the lock is free. */
	while (l->held && l->owner != sd_sched_running) {
		cpu->waiting = l;
		cpu->at = (struct sd_yield){ SD_YIELD_BLOCKED, line, func, text };
		sd_sched_switch();
	}
	cpu->waiting = NULL;
}

void sd_sched_op_point(void)
{
	if (sd_sched_on)
		sd_sched_point(SD_YIELD_OP, "", "between ops", 0);
}

/* Ends the run. CPUs whose body did not return (a deadlock, or a caller that
 * stopped early) are abandoned mid-call: their stacks are reused, and the
 * environment reset the caller makes next frees what their calls held. */
void sd_sched_end(void)
{
	for (int i = 0; i < sd_sched_ncpus; i++) {
		sd_cpus[i].done = true;
		sd_cpus[i].waiting = NULL;
	}
	sd_sched_ncpus = 0;
	sd_sched_on = 0;
	sd_sched_cpu = 0;
}
