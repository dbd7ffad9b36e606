/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: TEST HOOKS. Stock 6.12 never
 * hangs or crashes through the guarded API, so the call bounds and the
 * fatal-error note cannot be exercised through a kernel entry point without
 * a patched build. Each hook runs a tiny misbehaving "kernel function" of
 * our own through the same trampoline (SD_CALL) the entry points use, so the
 * tests see the real mechanism: the work budget, the watchdog thread and
 * its signal, the fatal handlers. Nothing else calls them; they are not in
 * the op language. Patched builds (cshim/tests/patches/) show the same
 * classes on real kernel code.
 */

static volatile unsigned long sd_test_spins;
static volatile int sd_test_env_done;
static spinlock_t sd_test_lock;

/* A loop that reaches no shim hook: only the watchdog can end it. The
 * volatile counter makes it a loop with a side effect (not one the compiler
 * may assume to terminate). */
static long sd_test_spin(void)
{
	for (;;)
		sd_test_spins++;
	return 0;
}

/* A loop of hook calls and nothing else: the work budget ends it, in this
 * function (the lock macros pass __func__ through). */
static long sd_test_hook_loop(void)
{
	for (;;) {
		spin_lock(&sd_test_lock);
		spin_unlock(&sd_test_lock);
	}
	return 0;
}

/* WARN for ever: the per-call event budget ends it. */
static long sd_test_warn_loop(void)
{
	for (;;)
		WARN_ON(sd_test_spins != (unsigned long)-1);
	return 0;
}

/* `ms` milliseconds inside environment code (where the watchdog must not
 * jump), then a loop in "kernel" code. */
static long sd_test_env_then_spin(unsigned long ms)
{
	struct timespec t0;

	sd_env_enter();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sd_ms_since(&t0) < ms)
		sd_test_spins++;
	sd_test_env_done = 1;
	sd_env_leave();
	return sd_test_spin();
}

static long sd_test_fault(int sig)
{
	raise(sig);
	return 0;
}

/* A heap-buffer-overflow, only in an ASan build (elsewhere it would be
 * silent heap corruption). */
static long sd_test_heap_overflow(void)
{
#if defined(__SANITIZE_ADDRESS__)
#define SD_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SD_TEST_ASAN 1
#endif
#endif
#ifdef SD_TEST_ASAN
	volatile unsigned char *p = sd_xmalloc(16);

	p[16] = 1;
	free((void *)p);
	return 0;
#else
	return -ENOSYS;
#endif
}

/* fork, then in the child a spinning call: the child has no watchdog thread
 * until its first call starts one. Child exit 0: the call was trapped as a
 * HANG under its entry name. alarm() kills a child whose watchdog never came. */
static long sd_test_fork_spin(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct sd_event ev;
		long ret;

		alarm(10);
		sd_events_free();
		ret = sd_test_hook(SD_TEST_SPIN, 0);
		_exit(ret == SD_TRAPPED && sd_ev.n == 1 && sd_event_get(0, &ev) == 0 &&
				      ev.kind == SD_EV_HANG && !strcmp(ev.func, "sd_test_spin") ?
			      0 :
			      1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Work items of our own for the queue's bounds (work.c): reset drops them
 * with the queue (sd_test_work_reset, called by sd_env_reset). */
static struct work_struct sd_test_requeuer, sd_test_buggy, sd_test_counter;
static long sd_test_work_runs;

static void sd_test_work_requeue(struct work_struct *w)
{
	sd_test_work_runs++;
	schedule_work(w);
}

static void sd_test_work_bug(struct work_struct *w)
{
	(void)w;
	sd_test_work_runs++;
	BUG();
}

static void sd_test_work_count(struct work_struct *w)
{
	(void)w;
	sd_test_work_runs++;
}

static void sd_test_work_reset(void)
{
	INIT_WORK(&sd_test_requeuer, sd_test_work_requeue);
	INIT_WORK(&sd_test_buggy, sd_test_work_bug);
	INIT_WORK(&sd_test_counter, sd_test_work_count);
	sd_test_work_runs = 0;
}

static long sd_test_queue_work(unsigned long which)
{
	if (which == 0)
		return (schedule_work)(&sd_test_requeuer) ? 0 : -EBUSY;
	if (which == 1)
		return (schedule_work)(&sd_test_buggy) && (schedule_work)(&sd_test_counter) ? 0 : -EBUSY;
	return -EINVAL;
}

long sd_test_hook(int which, unsigned long arg)
{
	switch (which) {
	case SD_TEST_SPIN:
		SD_CALL("sd_test_spin", sd_test_spin());
	case SD_TEST_HOOK_LOOP:
		sd_test_lock.held = 0;
		SD_CALL("sd_test_hook_loop", sd_test_hook_loop());
	case SD_TEST_ENV_THEN_SPIN:
		sd_test_env_done = 0;
		SD_CALL("sd_test_env_then_spin", sd_test_env_then_spin(arg));
	case SD_TEST_SIGSEGV_IN_CALL:
		SD_CALL("sd_test_sigsegv", sd_test_fault(SIGSEGV));
	case SD_TEST_SIGSEGV_OUTSIDE:
		return sd_test_fault(SIGSEGV);
	case SD_TEST_HEAP_OVERFLOW_IN_CALL:
		SD_CALL("sd_test_heap_overflow", sd_test_heap_overflow());
	case SD_TEST_FORK_SPIN:
		return sd_test_fork_spin();
	case SD_TEST_WARN_LOOP:
		SD_CALL("sd_test_warn_loop", sd_test_warn_loop());
	case SD_TEST_ENV_DONE:
		return sd_test_env_done;
	case SD_TEST_QUEUE_WORK:
		return sd_test_queue_work(arg);
	case SD_TEST_WORK_RUNS:
		return sd_test_work_runs;
	default:
		return -EINVAL;
	}
}
