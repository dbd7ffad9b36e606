/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: the event log, the BUG/HANG
 * trap and the trampoline every sd_* entry point runs the kernel through.
 *
 * A trap longjmps to the setjmp of the running trampoline, which lives in
 * the C wrapper itself, so the jump never crosses a Rust frame.
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

static jmp_buf sd_trap_env;
static bool sd_trap_armed;

static void *sd_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		fputs("swapdiff: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void sd_event_add(int kind, const char *func, const char *text, int line)
{
	size_t len = strlen(text);

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
}

static bool sd_warn_if(bool cond, const char *func, const char *text, int line)
{
	if (cond)
		sd_event_add(SD_EV_WARN, func, text, line);
	return cond;
}

static _Noreturn void sd_trap(int kind, const char *func, const char *text, int line)
{
	sd_event_add(kind, func, text, line);
	if (!sd_trap_armed) {
		/* Only environment code runs outside a trampoline; reaching this
		 * is a bug in swapdiff itself, not in the code under test. */
		fprintf(stderr, "swapdiff: %s in %s (%s) outside any trampoline\n",
			kind == SD_EV_HANG ? "HANG" : "BUG", func, text);
		abort();
	}
	longjmp(sd_trap_env, 1);
}

static void sd_log(const char *func, int line, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	sd_event_add(SD_EV_LOG, func, buf, line);
}

/*
 * The trampoline. SD_CALL evaluates one kernel call with a trap target set
 * and returns from the calling sd_* function: SD_TRAPPED after a trap,
 * otherwise the value. A call that leaves more locks held than it found
 * leaked one: WARN "lock held on return" under the kernel entry point's name.
 * held_before_ is written before setjmp and never after, so it survives the
 * longjmp without volatile.
 */
static long sd_leave(const char *entry, int held_before, long ret)
{
	sd_trap_armed = false;
	if (sd_locks_held > held_before)
		sd_event_add(SD_EV_WARN, entry, "lock held on return", 0);
	return ret;
}

#define SD_CALL(entry, expr)                                         \
	do {                                                         \
		int held_before_ = sd_locks_held;                    \
		if (setjmp(sd_trap_env)) {                           \
			sd_trap_armed = false;                       \
			return SD_TRAPPED;                           \
		}                                                    \
		sd_trap_armed = true;                                \
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
