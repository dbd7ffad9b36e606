/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: the event log, the BUG/HANG
 * trap and the trampoline every sd_* entry point runs the kernel through.
 *
 * A trap longjmps to the setjmp of the running trampoline, which lives in
 * the C wrapper itself, so the jump never crosses a Rust frame. The jump
 * buffer is a sigjmp_buf because the watchdog (bounds.c) jumps to it from a
 * signal handler.
 */

struct sd_event_rec {
	int kind;
	const char *func; /* __func__: static storage */
	char *text;       /* owned copy */
	int line;
};

static struct {
	struct sd_event_rec *v;
	int n, cap;
} sd_ev;

static sigjmp_buf sd_trap_env;
static bool sd_trap_armed;

/* How the trampoline was reached again (its sigsetjmp's value). */
enum { SD_JUMP_TRAP = 1, SD_JUMP_WATCHDOG = 2 };

static void *sd_xmalloc(size_t size)
{
	void *p;

	sd_env_enter();
	p = malloc(size ? size : 1);
	if (!p) {
		fputs("swapdiff: out of memory\n", stderr);
		abort();
	}
	sd_env_leave();
	return p;
}

/* Environment code as a whole: the watchdog never interrupts a half-written
 * record (env_reset frees the log). Charges no work: a trap records its
 * event here, and the hooks that record one charge it (sd_warn_if, sd_log). */
static void sd_event_add(int kind, const char *func, const char *text, int line)
{
	size_t len = strlen(text);

	sd_env_enter();
	if (sd_ev.n == sd_ev.cap) {
		int cap = sd_ev.cap ? 2 * sd_ev.cap : 16;
		struct sd_event_rec *v = realloc(sd_ev.v, (size_t)cap * sizeof(*v));

		if (!v) {
			fputs("swapdiff: out of memory\n", stderr);
			abort();
		}
		sd_ev.v = v;
		sd_ev.cap = cap;
	}
	sd_ev.v[sd_ev.n].kind = kind;
	sd_ev.v[sd_ev.n].func = func;
	sd_ev.v[sd_ev.n].text = memcpy(sd_xmalloc(len + 1), text, len + 1);
	sd_ev.v[sd_ev.n].line = line;
	sd_ev.n++;
	sd_env_leave();
}

static bool sd_warn_if(bool cond, const char *func, const char *text, int line)
{
	if (cond) {
		sd_event_charge(func, line);
		sd_event_add(SD_EV_WARN, func, text, line);
	}
	return cond;
}

static _Noreturn void sd_trap(int kind, const char *func, const char *text, int line)
{
	/* From here on this thread is leaving the call by itself: the
	 * watchdog must not jump too (the trampoline resets the depth). */
	sd_env_enter();
	sd_event_add(kind, func, text, line);
	if (!sd_trap_armed) {
		/* Only environment code runs outside a trampoline; reaching this
		 * is a bug in swapdiff itself, not in the code under test. */
		fprintf(stderr, "swapdiff: %s in %s (%s) outside any trampoline\n",
			kind == SD_EV_HANG ? "HANG" : "BUG", func, text);
		abort();
	}
	siglongjmp(sd_trap_env, SD_JUMP_TRAP);
}

/* Past the work budget: a HANG at the kernel function whose hook crossed
 * it. Outside a trampoline (environment code calling a hook) nothing is
 * being bounded, so the count just starts over. */
static void sd_work_exceeded(const char *func, int line)
{
	if (!sd_trap_armed) {
		sd_work = 0;
		return;
	}
	sd_trap(SD_EV_HANG, func, "work budget exceeded", line);
}

static void sd_log(const char *func, int line, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t len;

	sd_event_charge(func, line);
	sd_env_enter(); /* vsnprintf is libc: no jump out of it */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	sd_event_add(SD_EV_LOG, func, buf, line);
	sd_env_leave();
}

/*
 * The trampoline. SD_CALL evaluates one kernel call with a trap target set
 * and returns from the calling sd_* function: SD_TRAPPED after a trap (a
 * BUG or HANG raised by the shim, or the watchdog's jump), otherwise the
 * value. A call that leaves more locks held than it found leaked one: WARN
 * "lock held on return" under the kernel entry point's name.
 *
 * held_before_ is written before sigsetjmp and never after, so it survives
 * the jump without volatile. sigsetjmp saves no signal mask (that would be
 * a syscall per call); the one path that jumps from a signal handler
 * unblocks its signal itself (sd_after_watchdog).
 *
 * sd_call_prepare (bounds.c): work count zeroed, watchdog started if it is
 * not running, the entry point's name published for the watchdog and the
 * fatal-error note. sd_call_begin: the call is running (plain atomic
 * stores). sd_leave / sd_after_*: it is not.
 */
static long sd_leave(const char *entry, int held_before, long ret)
{
	sd_call_end();
	sd_trap_armed = false;
	if (sd_locks_held > held_before)
		sd_event_add(SD_EV_WARN, entry, "lock held on return", 0);
	return ret;
}

static long sd_after_trap(void)
{
	sd_call_end();
	sd_trap_armed = false;
	sd_env_depth = 0;
	return SD_TRAPPED;
}

#define SD_CALL(entry, expr)                                         \
	do {                                                         \
		int held_before_ = sd_locks_held;                    \
		sd_call_prepare(entry);                              \
		switch (sigsetjmp(sd_trap_env, 0)) {                 \
		case 0:                                              \
			break;                                       \
		case SD_JUMP_WATCHDOG:                               \
			return sd_after_watchdog(entry);             \
		default:                                             \
			return sd_after_trap();                      \
		}                                                    \
		sd_trap_armed = true;                                \
		sd_call_begin();                                     \
		long ret_ = (expr);                                  \
		return sd_leave((entry), held_before_, ret_);        \
	} while (0)

/* For kernel functions returning void: the entry point returns 0. */
#define SD_CALL_VOID(entry, stmt) SD_CALL(entry, ((stmt), 0L))

static void sd_events_free(void)
{
	for (int i = 0; i < sd_ev.n; i++)
		free(sd_ev.v[i].text);
	free(sd_ev.v);
	sd_ev.v = NULL;
	sd_ev.n = sd_ev.cap = 0;
}

int sd_events_count(void)
{
	return sd_ev.n;
}

int sd_event_get(int i, struct sd_event *out)
{
	if (i < 0 || i >= sd_ev.n || !out)
		return -EINVAL;
	out->kind = sd_ev.v[i].kind;
	out->func = sd_ev.v[i].func;
	out->text = sd_ev.v[i].text;
	out->line = sd_ev.v[i].line;
	return 0;
}

void sd_events_clear(void)
{
	sd_events_free();
}
