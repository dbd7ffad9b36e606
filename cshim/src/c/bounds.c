/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: the trampoline's bookkeeping
 * for both call bounds (shim/sd_bounds.h) and the wall-clock watchdog.
 *
 * The calling thread publishes the call in flight with plain atomic stores
 * (no syscall, no lock): a sequence number, an "in call" flag, its thread
 * id and the entry point's name. A watchdog thread, started lazily by the
 * first call of the process (and again in a fork child: AFL++'s forkserver
 * forks after init and a child has no watchdog thread), polls them. When
 * one call has run longer than the timeout it sends SD_WD_SIGNAL to that
 * thread. The handler jumps back to the trampoline only if the thread is
 * still in that same call and in kernel code (sd_env_depth 0); in shim
 * code that calls libc or the allocator it does nothing, and the watchdog
 * sends the signal again 1 ms later.
 *
 * The signal is a real-time one: libFuzzer owns SIGUSR1, SIGUSR2 and
 * SIGALRM, and AFL++ and the sanitizers use none of SIGRTMIN+n. Each build
 * linked into the process has its own watchdog and its own signal,
 * SIGRTMIN + SD_WD_SIGNAL_OFFSET + SD_BUILD_INDEX: a handler is per
 * process, and one build's handler knows only its own calls.
 */

#define SD_WD_SIGNAL_OFFSET 4
/* glibc's SIGRTMIN is 34 or 35 and SIGRTMAX 64: room for this many builds. */
#define SD_WD_MAX_BUILDS 16
#if SD_BUILD_INDEX >= SD_WD_MAX_BUILDS
#error "more kernel builds than watchdog signals"
#endif
#define SD_DEFAULT_CALL_TIMEOUT_MS 1000UL
/* The watchdog looks at the call this often (at most; timeout / 10 when
 * that is shorter), so a hang is trapped within timeout + this. */
#define SD_WD_MAX_POLL_MS 100UL

/* The call in flight. Written only by the thread inside the sd_* function
 * (the Rust Kernel lock serialises them), read by the watchdog thread, the
 * signal handlers and the fatal-error note. */
static _Atomic unsigned long sd_call_seq;
static _Atomic int sd_in_call;

/*
 * What the caller of the call in flight holds against swapoff, which
 * swapoff's try_to_unuse() model reads (sched.c, devices.c): an entry point
 * wrapper sets it before its SD_CALL; it is back to SD_GUARD_REFS when the
 * call ends. Per CPU in an interleaved run, like the rest of a call's state.
 *  SD_GUARD_REFS  only the references the call itself drops: swapoff can
 *                 finish once the device has no slot in use (a zap's
 *                 free_swap_and_cache_nr(), after the PTE is cleared; a put).
 *  SD_GUARD_HELD  for the whole call: a page table lock over a PTE that maps
 *                 the entry, or its own get_swap_device() (duplicating and
 *                 reading counts).
 *  SD_GUARD_NONE  nothing: add_swap_count_continuation(), which
 *                 copy_pte_range() calls after dropping the page table lock.
 */
enum { SD_GUARD_REFS, SD_GUARD_HELD, SD_GUARD_NONE };
static int sd_call_guard;
static _Atomic pid_t sd_call_tid;
static _Atomic(const char *) sd_call_entry;
/* This thread's id, fetched once per thread (gettid is a syscall).
 * initial-exec: the library is linked into the executable, and the signal
 * handler reads it. */
static __thread pid_t sd_tls_tid __attribute__((tls_model("initial-exec")));

static _Atomic unsigned long sd_wd_timeout_ms = SD_DEFAULT_CALL_TIMEOUT_MS;
/* The call the last signal was meant for, and the timeout it overran. */
static _Atomic unsigned long sd_wd_target_seq;
static _Atomic unsigned long sd_wd_fired_ms;
/* Signals that found the thread in environment code (retried). */
static _Atomic unsigned long sd_wd_deferrals;
/* A watchdog thread runs in this process. Only calls touch it (under the
 * Kernel lock) and the fork child handler (single-threaded child). */
static bool sd_wd_running;
static bool sd_wd_installed;
static int sd_wd_signo;

static void sd_wd_start(void);

/* The entry point whose call is running, or NULL between calls. */
static const char *sd_call_entry_name(void)
{
	return atomic_load_explicit(&sd_call_entry, memory_order_relaxed);
}

static void sd_call_prepare(const char *entry)
{
	sd_work = 0;
	sd_call_events = 0;
	sd_env_depth = 0;
	if (unlikely(!sd_wd_running))
		sd_wd_start();
	if (unlikely(!sd_tls_tid))
		sd_tls_tid = (pid_t)syscall(SYS_gettid);
	atomic_store_explicit(&sd_call_tid, sd_tls_tid, memory_order_relaxed);
	atomic_store_explicit(&sd_call_entry, entry, memory_order_relaxed);
}

static void sd_call_begin(void)
{
	/* one writer at a time: a plain store, no locked add */
	unsigned long seq = atomic_load_explicit(&sd_call_seq, memory_order_relaxed) + 1;

	atomic_store_explicit(&sd_call_seq, seq, memory_order_relaxed);
	atomic_store_explicit(&sd_in_call, 1, memory_order_release);
	atomic_signal_fence(memory_order_seq_cst);
}

static void sd_call_end(void)
{
	atomic_signal_fence(memory_order_seq_cst);
	atomic_store_explicit(&sd_in_call, 0, memory_order_release);
	atomic_store_explicit(&sd_call_entry, NULL, memory_order_relaxed);
	sd_call_guard = SD_GUARD_REFS;
}

/* Reached by siglongjmp from sd_wd_handler: the HANG is recorded here, in
 * ordinary context, under the entry point's name. */
static long sd_after_watchdog(const char *entry)
{
	sigset_t set;

	sd_call_end();
	sd_trap_armed = false;
	sd_env_depth = 0;
	/* The kernel blocked the signal for its handler; the jump skipped the
	 * return that would have unblocked it. */
	sigemptyset(&set);
	sigaddset(&set, sd_wd_signo);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	sd_event_addf(SD_EV_HANG, entry, 0, "no return within %lu ms",
		      atomic_load_explicit(&sd_wd_fired_ms, memory_order_relaxed));
	return SD_TRAPPED;
}

static void sd_wd_handler(int sig, siginfo_t *info, void *uc)
{
	int saved_errno = errno;

	(void)sig;
	(void)info;
	(void)uc;
	if (atomic_load_explicit(&sd_in_call, memory_order_acquire) &&
	    atomic_load_explicit(&sd_call_seq, memory_order_relaxed) ==
		    atomic_load_explicit(&sd_wd_target_seq, memory_order_relaxed) &&
	    atomic_load_explicit(&sd_call_tid, memory_order_relaxed) == sd_tls_tid) {
		if (sd_env_depth == 0)
			siglongjmp(sd_trap_env, SD_JUMP_WATCHDOG);
		atomic_fetch_add_explicit(&sd_wd_deferrals, 1, memory_order_relaxed);
	}
	errno = saved_errno;
}

static void sd_wd_sleep_ms(unsigned long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static unsigned long sd_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	/* whole nanoseconds first: never rounds up to a millisecond not yet run */
	return (unsigned long)(((now.tv_sec - t0->tv_sec) * 1000000000L + (now.tv_nsec - t0->tv_nsec)) / 1000000L);
}

static void *sd_wd_main(void *arg)
{
	pid_t pid = getpid();
	unsigned long tracked = 0;
	bool tracking = false;
	struct timespec since = { 0, 0 };

	(void)arg;
	for (;;) {
		unsigned long ms = atomic_load_explicit(&sd_wd_timeout_ms, memory_order_relaxed);
		unsigned long poll = ms / 10 ? ms / 10 : 1;
		unsigned long seq = atomic_load_explicit(&sd_call_seq, memory_order_acquire);
		int in = atomic_load_explicit(&sd_in_call, memory_order_acquire);
		pid_t tid = atomic_load_explicit(&sd_call_tid, memory_order_relaxed);
		unsigned long ran;

		if (poll > SD_WD_MAX_POLL_MS || !ms)
			poll = SD_WD_MAX_POLL_MS;
		/* a sequence number that moved meanwhile: in/tid may be another call's */
		if (!ms || !in || seq != atomic_load_explicit(&sd_call_seq, memory_order_acquire)) {
			tracking = false;
			sd_wd_sleep_ms(poll);
			continue;
		}
		if (!tracking || seq != tracked) {
			/* first sight of this call: it has run at least 0 ms */
			tracking = true;
			tracked = seq;
			clock_gettime(CLOCK_MONOTONIC, &since);
			sd_wd_sleep_ms(poll);
			continue;
		}
		ran = sd_ms_since(&since);
		if (ran < ms) {
			sd_wd_sleep_ms(ms - ran < poll ? ms - ran : poll);
			continue;
		}
		atomic_store_explicit(&sd_wd_fired_ms, ms, memory_order_relaxed);
		atomic_store_explicit(&sd_wd_target_seq, seq, memory_order_relaxed);
		/* tgkill, not pthread_kill: the id of a thread that has just
		 * ended is harmless (ESRCH, or a thread not in this call, which
		 * the handler ignores). */
		syscall(SYS_tgkill, pid, tid, sd_wd_signo);
		/* Still in this call next time round: the signal found the
		 * thread in environment code. Try again soon. */
		sd_wd_sleep_ms(1);
	}
	return NULL;
}

/* In a fork child only the forking thread exists: the next call starts a
 * new watchdog, and the thread's cached id (the parent thread's, copied with
 * its TLS) is looked up again, or the child's watchdog would signal a thread
 * of the parent's id that does not exist in the child. */
static void sd_wd_forked(void)
{
	sd_wd_running = false;
	sd_tls_tid = 0;
}

static void sd_wd_start(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t thread;
	int err;

	if (!atomic_load_explicit(&sd_wd_timeout_ms, memory_order_relaxed))
		return; /* disabled; the next call looks again */
	if (!sd_wd_installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sd_wd_handler;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sd_wd_signo = SIGRTMIN + SD_WD_SIGNAL_OFFSET + SD_BUILD_INDEX;
		if (sigaction(sd_wd_signo, &sa, NULL) || pthread_atfork(NULL, NULL, sd_wd_forked))
			fprintf(stderr, "swapdiff: cannot install the call watchdog's signal handler: %s\n",
				strerror(errno));
		sd_wd_installed = true;
	}
	/* The watchdog takes no process signal (SIGINT and friends go to the
	 * threads that handle them). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&thread, &attr, sd_wd_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		fprintf(stderr, "swapdiff: cannot start the call watchdog (%s): only the work budget bounds calls\n",
			strerror(err));
	sd_wd_running = true; /* also after a failure: no retry per call */
}

void sd_set_call_timeout_ms(unsigned long ms)
{
	atomic_store_explicit(&sd_wd_timeout_ms, ms, memory_order_relaxed);
}

unsigned long sd_call_timeout_ms(void)
{
	return atomic_load_explicit(&sd_wd_timeout_ms, memory_order_relaxed);
}

unsigned long sd_work_budget(void)
{
	return SD_WORK_BUDGET;
}

unsigned long sd_watchdog_deferrals(void)
{
	return atomic_load_explicit(&sd_wd_deferrals, memory_order_relaxed);
}
