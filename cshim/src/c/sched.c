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
	int guard;
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
	/* Or the condition it waits for (sd_sched_wait): not picked until true. */
	bool (*until)(int self, const void *arg);
	const void *until_arg;
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
	c->guard = sd_call_guard;
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
	sd_call_guard = c->guard;
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

/*
 * What swapoff frees while other CPUs may still be inside calls: kept until
 * the run ends, so that a call still holding a stale pointer reads the old
 * memory, as it would before the kernel reused the pages, and reaches the
 * NULL the kernel leaves in si->swap_map and si->cluster_info instead of
 * freed memory. Outside an interleaved run it is freed at once.
 */
#define SD_QUARANTINE_MAX 64
static void *sd_quarantine[SD_QUARANTINE_MAX];
static int sd_quarantine_nr;

static void sd_quarantine_add(void *p)
{
	if (!p)
		return;
	if (!sd_sched_on || sd_quarantine_nr == SD_QUARANTINE_MAX) {
		free(p);
		return;
	}
	sd_quarantine[sd_quarantine_nr++] = p;
}

static void sd_quarantine_free(void)
{
	while (sd_quarantine_nr > 0)
		free(sd_quarantine[--sd_quarantine_nr]);
}

/*
 * A fault inside a kernel call on a simulated CPU is that CPU's oops: a BUG
 * event under the entry point's name, and the call is abandoned through its
 * trap, as the kernel kills the task. Only while a CPU runs an armed call,
 * and not on a stack's guard page (an overflow is swapdiff's own failure):
 * any other fault goes to the handler that was there before (the fatal
 * note, a sanitizer, or the default action).
 */
static struct sigaction sd_sched_prev_fault[2];
static bool sd_sched_fault_installed;

static bool sd_sched_guard_hit(const void *addr)
{
	for (int i = 0; i < SD_MAX_CPUS; i++) {
		const char *s = sd_cpus[i].stack;

		if (s && (const char *)addr >= s - 4096 && (const char *)addr < s)
			return true;
	}
	return false;
}

static void sd_sched_fault(int sig, siginfo_t *info, void *uc)
{
	const struct sigaction *prev = &sd_sched_prev_fault[sig == SIGBUS];

	if (sd_sched_running >= 0 && sd_trap_armed && !sd_sched_guard_hit(info->si_addr)) {
		const char *entry = sd_call_entry_name();
		sigset_t set;

		/* The jump leaves the handler; the signal must not stay blocked. */
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		sd_env_enter();
		sd_event_add(SD_EV_BUG, entry ? entry : "?", "unable to handle kernel paging request", 0);
		siglongjmp(sd_trap_env, SD_JUMP_TRAP);
	}
	if (prev->sa_flags & SA_SIGINFO) {
		if (prev->sa_sigaction) {
			prev->sa_sigaction(sig, info, uc);
			return;
		}
	} else if (prev->sa_handler == SIG_IGN) {
		return;
	} else if (prev->sa_handler != SIG_DFL) {
		prev->sa_handler(sig);
		return;
	}
	/* The default action: the faulting access runs again and kills. */
	signal(sig, SIG_DFL);
}

static void sd_sched_fault_handler(bool on)
{
	static const int sigs[2] = { SIGSEGV, SIGBUS };

	if (on == sd_sched_fault_installed)
		return;
	for (int i = 0; i < 2; i++) {
		if (on) {
			struct sigaction sa;

			memset(&sa, 0, sizeof(sa));
			sa.sa_sigaction = sd_sched_fault;
			sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
			sigemptyset(&sa.sa_mask);
			sigaction(sigs[i], &sa, &sd_sched_prev_fault[i]);
		} else {
			sigaction(sigs[i], &sd_sched_prev_fault[i], NULL);
		}
	}
	sd_sched_fault_installed = on;
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
		cpu->until = NULL;
		memset(&cpu->call, 0, sizeof(cpu->call));
		cpu->at = (struct sd_yield){ SD_YIELD_START, 0, "", "start" };
	}
	sd_sched_ncpus = ncpus;
	sd_sched_on = 1;
	sd_sched_fault_handler(true);
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
	cpu->until = NULL;
	return 0;
}

int sd_sched_runnable(int cpu_nr)
{
	const struct sd_sched_cpu *cpu;

	if (!sd_sched_on || cpu_nr < 0 || cpu_nr >= sd_sched_ncpus)
		return 0;
	cpu = &sd_cpus[cpu_nr];
	return !cpu->done && !(cpu->waiting && cpu->waiting->held) &&
	       !(cpu->until && !cpu->until(cpu_nr, cpu->until_arg));
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

/*
 * Waits, as a kernel thread sleeps, until `until(arg)` holds: the CPU is not
 * picked before. Outside an interleaved run nothing else can make it true,
 * so the caller must not wait there (sd_sched_running < 0: returns at once).
 */
static void sd_sched_wait(bool (*until)(int, const void *), const void *arg, const char *func,
			  const char *text, int line)
{
	struct sd_sched_cpu *cpu;

	if (sd_sched_running < 0)
		return;
	cpu = &sd_cpus[sd_sched_running];
	while (!until(sd_sched_running, arg)) {
		cpu->until = until;
		cpu->until_arg = arg;
		cpu->at = (struct sd_yield){ SD_YIELD_BLOCKED, line, func, text };
		sd_sched_switch();
	}
	cpu->until = NULL;
}

/* Every CPU but `self` satisfies `ok` (its saved call state), or has
 * finished. */
static bool sd_sched_others(int self, bool (*ok)(const struct sd_call_ctx *))
{
	for (int i = 0; i < sd_sched_ncpus; i++)
		if (i != self && !sd_cpus[i].done && !ok(&sd_cpus[i].call))
			return false;
	return true;
}

/* synchronize_rcu(): a CPU inside a spinlock section (preemption off, an
 * RCU read side since the flavours merged) holds up the grace period. */
static bool sd_ctx_quiescent(const struct sd_call_ctx *c)
{
	return c->locks_held == 0;
}

static bool sd_rcu_grace_over(int self, const void *unused)
{
	(void)unused;
	return sd_sched_others(self, sd_ctx_quiescent);
}

static void sd_synchronize_rcu(const char *func, int line)
{
	sd_sched_wait(sd_rcu_grace_over, NULL, func, "synchronize_rcu()", line);
}

/*
 * try_to_unuse() is done (swapoff may go on) when every other CPU has
 * finished, is in a call whose caller holds nothing against swapoff
 * (SD_GUARD_NONE, bounds.c: its entries can be unused under it), or, once
 * the device has no slot in use (`idle`), is anywhere but in a call whose
 * caller holds the device for the whole call (SD_GUARD_HELD). A CPU between
 * ops while slots are in use still has ops to make on them: taking them
 * away would make those calls ones no caller makes (after try_to_unuse() a
 * page table maps the page, not the entry), so swapoff waits for it.
 */
static bool sd_sched_others_unused(int self, bool idle)
{
	for (int i = 0; i < sd_sched_ncpus; i++) {
		const struct sd_call_ctx *c = &sd_cpus[i].call;

		if (i == self || sd_cpus[i].done)
			continue;
		if (c->in_call && c->guard == SD_GUARD_NONE)
			continue;
		if (idle && !(c->in_call && c->guard == SD_GUARD_HELD))
			continue;
		return false;
	}
	return true;
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
		sd_cpus[i].until = NULL;
	}
	sd_sched_fault_handler(false);
	sd_quarantine_free();
	sd_sched_ncpus = 0;
	sd_sched_on = 0;
	sd_sched_cpu = 0;
}
