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

/*
 * A recorded event holds pointers and values only: func, and text, which is
 * a string literal (a stringified condition) or a printf format. A message's
 * arguments are captured as the format reads them, %s strings copied; they
 * are formatted only when someone asks for the text (sd_event_get), never
 * while the kernel code runs.
 */
struct sd_event_rec {
	int kind;
	const char *func; /* __func__: static storage */
	const char *text; /* a literal: the condition, or the message's format */
	int line;
	int nargs;
	struct {
		int is_str;
		uint64_t value;
	} args[SD_EVENT_MAX_ARGS];
	char strs[SD_EVENT_MAX_ARGS][SD_EVENT_STR_MAX]; /* copies of %s arguments */
	char *formatted; /* sd_event_get's text, made on its first request */
};

/* The log keeps its storage across programs: clearing it only forgets the
 * records (and frees any text sd_event_get made). */
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
 * record. Charges no work: a trap records its event here, and the hooks that
 * record one charge it (sd_warn_if, sd_log). The caller leaves the
 * environment after filling in the arguments. */
static struct sd_event_rec *sd_event_push(int kind, const char *func, const char *text, int line)
{
	struct sd_event_rec *r;

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
	r = &sd_ev.v[sd_ev.n++];
	r->kind = kind;
	r->func = func;
	r->text = text;
	r->line = line;
	r->nargs = 0;
	r->formatted = NULL;
	return r;
}

static void sd_event_add(int kind, const char *func, const char *text, int line)
{
	sd_event_push(kind, func, text, line);
	sd_env_leave();
}

/*
 * Reads the arguments `fmt` consumes, as vsnprintf would, into `r`: the
 * integer conversions (d i u x X o c, with h, l, ll, z, j, t) as 64 bits,
 * signed ones sign-extended; %p as its address; %s copied (truncated to
 * SD_EVENT_STR_MAX - 1 bytes, "(null)" for NULL). Capturing stops at the
 * first conversion it cannot read safely (a '*' width, an unknown letter)
 * or past SD_EVENT_MAX_ARGS: the rest of the format is then shown as is.
 */
static void sd_capture_args(struct sd_event_rec *r, const char *fmt, va_list ap)
{
	for (const char *p = fmt; *p; p++) {
		int longs = 0, k = r->nargs;

		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		while (*p && strchr("-+ #0", *p))
			p++;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
		for (; *p && strchr("hlzjt", *p); p++)
			longs += *p != 'h';
		if (!*p || k == SD_EVENT_MAX_ARGS)
			return;
		r->args[k].is_str = 0;
		switch (*p) {
		case 'd':
		case 'i':
			r->args[k].value = longs ? (uint64_t)va_arg(ap, long) : (uint64_t)(int64_t)va_arg(ap, int);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
		case 'c':
			r->args[k].value = longs ? (uint64_t)va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			break;
		case 'p':
			r->args[k].value = (uintptr_t)va_arg(ap, void *);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			size_t len;

			str = str ? str : "(null)";
			len = strnlen(str, SD_EVENT_STR_MAX - 1);
			r->args[k].is_str = 1;
			memcpy(r->strs[k], str, len);
			r->strs[k][len] = '\0';
			break;
		}
		default:
			return;
		}
		r->nargs = k + 1;
	}
}

/* An event whose text is a format, with the arguments it consumes. */
static void sd_event_addf(int kind, const char *func, int line, const char *fmt, ...)
{
	struct sd_event_rec *r = sd_event_push(kind, func, fmt, line);
	va_list ap;

	va_start(ap, fmt);
	sd_capture_args(r, fmt, ap);
	va_end(ap);
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

/* Leaves the running call for its trampoline; the event is recorded and the
 * thread is inside environment code (the watchdog must not jump too: the
 * trampoline resets the depth). */
static _Noreturn void sd_trap_jump(int kind, const char *func, const char *text)
{
	if (!sd_trap_armed) {
		/* Only environment code runs outside a trampoline; reaching this
		 * is a bug in swapdiff itself, not in the code under test. */
		fprintf(stderr, "swapdiff: %s in %s (%s) outside any trampoline\n",
			kind == SD_EV_HANG ? "HANG" : "BUG", func, text);
		abort();
	}
	siglongjmp(sd_trap_env, SD_JUMP_TRAP);
}

static _Noreturn void sd_trap(int kind, const char *func, const char *text, int line)
{
	sd_env_enter();
	sd_event_add(kind, func, text, line);
	sd_trap_jump(kind, func, text);
}

/* Past the work budget: a HANG under the name of the entry point whose
 * call ran away (sd_call_entry, bounds.c), the same name the wall-clock
 * bound uses. Which hook crosses the budget depends on how much work the
 * program did before the loop began (a runaway continuation loop crosses it
 * in lock_cluster in one program, in add_swap_count_continuation in
 * another), so naming the hook's function would file one bug under several
 * signatures; the text keeps where it ran out. Outside a trampoline
 * (environment code calling a hook) nothing is being bounded, so the count
 * just starts over. */
static const char *sd_call_entry_name(void);

static void sd_work_exceeded(const char *func, int line)
{
	const char *entry;

	if (!sd_trap_armed) {
		sd_work = 0;
		return;
	}
	entry = sd_call_entry_name();
	sd_env_enter(); /* the trap below leaves the environment */
	sd_event_addf(SD_EV_HANG, entry ? entry : func, line, "work budget exceeded in %s", func);
	sd_trap_jump(SD_EV_HANG, entry ? entry : func, "work budget exceeded");
}

static void sd_log(const char *func, int line, const char *fmt, ...)
{
	struct sd_event_rec *r;
	va_list ap;

	sd_event_charge(func, line);
	r = sd_event_push(SD_EV_LOG, func, fmt, line);
	va_start(ap, fmt);
	sd_capture_args(r, fmt, ap);
	va_end(ap);
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

/* Forgets the records; the storage stays for the next program. */
static void sd_events_free(void)
{
	for (int i = 0; i < sd_ev.n; i++)
		free(sd_ev.v[i].formatted);
	sd_ev.n = 0;
}

int sd_events_count(void)
{
	return sd_ev.n;
}

static bool sd_event_is_format(const struct sd_event_rec *r)
{
	return r->kind == SD_EV_LOG || r->kind == SD_EV_DISCARD || r->nargs > 0;
}

/* One conversion of a message, `spec` (its '%' to its letter) applied to
 * argument `k` of `r`, appended to `out` at `*len`. */
static void sd_format_one(const struct sd_event_rec *r, int k, const char *spec, char *out, size_t cap, size_t *len)
{
	char conv = spec[strlen(spec) - 1];
	bool longs = strchr(spec, 'l') || strchr(spec, 'z') || strchr(spec, 'j') || strchr(spec, 't');
	uint64_t v = r->args[k].value;
	int n;

	if (conv == 's')
		n = snprintf(out + *len, cap - *len, spec, r->strs[k]);
	else if (conv == 'p')
		n = snprintf(out + *len, cap - *len, spec, (void *)(uintptr_t)v);
	else if (conv == 'd' || conv == 'i')
		n = longs ? snprintf(out + *len, cap - *len, spec, (long)v) : snprintf(out + *len, cap - *len, spec, (int)v);
	else
		n = longs ? snprintf(out + *len, cap - *len, spec, (unsigned long)v)
			  : snprintf(out + *len, cap - *len, spec, (unsigned int)v);
	if (n > 0)
		*len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

/* A message's text from its format and captured arguments, without its
 * trailing newline: what vsnprintf would have printed at the call. Past
 * the captured arguments the format is copied as is. */
static char *sd_event_format(const struct sd_event_rec *r)
{
	size_t cap = 512, len = 0;
	char *out = malloc(cap);
	int k = 0;

	if (!out)
		abort();
	for (const char *p = r->text; *p && len + 1 < cap; p++) {
		const char *start = p;
		char spec[32];

		if (*p != '%' || k >= r->nargs) {
			if (*p == '%' && p[1] == '%')
				p++;
			out[len++] = *p;
			continue;
		}
		if (p[1] == '%') {
			out[len++] = '%';
			p++;
			continue;
		}
		for (p++; *p && !strchr("diuxXocps", *p); p++)
			;
		if (!*p || (size_t)(p - start + 1) >= sizeof(spec))
			break;
		memcpy(spec, start, (size_t)(p - start + 1));
		spec[p - start + 1] = '\0';
		sd_format_one(r, k++, spec, out, cap, &len);
	}
	out[len] = '\0';
	if (len && out[len - 1] == '\n')
		out[len - 1] = '\0';
	return out;
}

int sd_event_get(int i, struct sd_event *out)
{
	struct sd_event_rec *r;

	if (i < 0 || i >= sd_ev.n || !out)
		return -EINVAL;
	r = &sd_ev.v[i];
	if (sd_event_is_format(r) && !r->formatted)
		r->formatted = sd_event_format(r);
	out->kind = r->kind;
	out->func = r->func;
	out->text = r->formatted ? r->formatted : r->text;
	out->line = r->line;
	return 0;
}

int sd_event_raw_get(int i, struct sd_event_raw *out)
{
	const struct sd_event_rec *r;

	if (i < 0 || i >= sd_ev.n || !out)
		return -EINVAL;
	r = &sd_ev.v[i];
	out->kind = r->kind;
	out->func = r->func;
	out->text = r->text;
	out->line = r->line;
	out->nargs = r->nargs;
	for (int k = 0; k < r->nargs; k++) {
		out->args[k].is_str = r->args[k].is_str;
		out->args[k].value = r->args[k].value;
		out->args[k].str = r->args[k].is_str ? r->strs[k] : NULL;
	}
	return 0;
}

void sd_events_clear(void)
{
	sd_events_free();
}
