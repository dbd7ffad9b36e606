/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: the fatal-error note
 * (ENVIRONMENT.md "Fatal errors"). A worker that dies of a signal or a
 * sanitizer report first writes one line to stderr,
 *
 *   swapdiff-fatal: cause=<SIGSEGV|SIGBUS|SIGFPE|SIGILL|SIGABRT|sanitizer> program=<n|-> entry=<name|-> build=<name|->
 *
 * naming the program in flight (sd_fatal_set_program), the kernel entry
 * point whose trampoline was running (bounds.c's sd_call_entry) and the
 * build it belongs to (SD_BUILD_NAME). Everything here runs in a signal
 * handler or a sanitizer's death path: write(2) and atomics only. The
 * process then dies as it would have without us: the previous handler (a
 * sanitizer's, Rust's stack-overflow check) runs, and if it returns the
 * signal is raised again with its default action, so the exit status still
 * says "killed by signal N".
 *
 * Several builds in one process: each has its own copy of this state, but
 * signal handlers and the sanitizer death callback are per process. So the
 * first build's sd_fatal_install creates a hub and installs the handlers;
 * every other build joins that hub (the caller passes it on) and only adds
 * its probe. The handler asks the builds' probes, in link order, which one
 * is in a call on the faulting thread, then (a signal another thread took,
 * e.g. a supervisor's SIGABRT) in a call anywhere; the first that is writes
 * the note. None is: entry=- build=-. hub->noted keeps it to one line.
 */

static const int sd_fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static const char *const sd_fatal_names[] = { "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT" };
#define SD_FATAL_NSIG ((int)(sizeof(sd_fatal_signals) / sizeof(sd_fatal_signals[0])))
static struct sigaction sd_fatal_prev[SD_FATAL_NSIG];

#define SD_FATAL_MAX_BUILDS 16
/* Every build compiles this same definition, so they agree on its layout. */
struct sd_fatal_hub {
	/* One note per process: a sanitizer report ends in abort(), whose
	 * SIGABRT must not add a second line. */
	_Atomic int noted;
	_Atomic int nr;
	/* Writes the note if the build is in a call (on this thread only, or
	 * on any); true if it did. */
	bool (*probe[SD_FATAL_MAX_BUILDS])(const char *cause, bool this_thread);
};

static _Atomic int sd_fatal_installed;
/* The hub this build created (the first build) or joined. */
static struct sd_fatal_hub sd_fatal_own_hub;
static struct sd_fatal_hub *_Atomic sd_fatal_hub;
static _Atomic bool sd_program_known;
static _Atomic uint64_t sd_program;

/* Weak: present only when a sanitizer runtime is linked. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));
/* libFuzzer sets its own death callback (it saves the crashing input);
 * only one can be set, so under libFuzzer we leave it alone. */
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *, size_t))
	__attribute__((weak));

void sd_fatal_set_program(bool known, uint64_t program)
{
	atomic_store_explicit(&sd_program, program, memory_order_relaxed);
	atomic_store_explicit(&sd_program_known, known, memory_order_relaxed);
}

static size_t sd_fatal_append(char *buf, size_t at, size_t cap, const char *s)
{
	while (*s && at + 1 < cap)
		buf[at++] = *s++;
	return at;
}

static void sd_fatal_write(const char *cause, const char *entry, const char *build)
{
	char line[320], digits[24];
	struct sd_fatal_hub *hub = atomic_load_explicit(&sd_fatal_hub, memory_order_acquire);
	size_t n = 0;

	if (!hub || atomic_exchange(&hub->noted, 1))
		return;
	n = sd_fatal_append(line, n, sizeof(line), "swapdiff-fatal: cause=");
	n = sd_fatal_append(line, n, sizeof(line), cause);
	n = sd_fatal_append(line, n, sizeof(line), " program=");
	if (atomic_load_explicit(&sd_program_known, memory_order_relaxed)) {
		uint64_t v = atomic_load_explicit(&sd_program, memory_order_relaxed);
		int d = sizeof(digits) - 1;

		digits[d] = '\0';
		do {
			digits[--d] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		n = sd_fatal_append(line, n, sizeof(line), digits + d);
	} else {
		n = sd_fatal_append(line, n, sizeof(line), "-");
	}
	n = sd_fatal_append(line, n, sizeof(line), " entry=");
	/* entry is a string literal of an SD_CALL (or NULL outside calls) */
	n = sd_fatal_append(line, n, sizeof(line), entry ? entry : "-");
	n = sd_fatal_append(line, n, sizeof(line), " build=");
	n = sd_fatal_append(line, n, sizeof(line), build ? build : "-");
	line[n++] = '\n';
	/* one write: the line is not interleaved with other stderr output */
	for (size_t off = 0; off < n;) {
		ssize_t w = write(STDERR_FILENO, line + off, n - off);

		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno == EINTR)
			continue;
		else
			break;
	}
}

/* This build's answer to the hub: is it in a call (on this thread)? */
static bool sd_fatal_probe(const char *cause, bool this_thread)
{
	const char *entry = sd_call_entry_name();

	if (!entry)
		return false;
	if (this_thread && atomic_load_explicit(&sd_call_tid, memory_order_relaxed) != sd_tls_tid)
		return false;
	sd_fatal_write(cause, entry, SD_BUILD_NAME);
	return true;
}

/* Called by the handlers of the build that owns the hub. */
static void sd_fatal_note(const char *cause)
{
	struct sd_fatal_hub *hub = atomic_load_explicit(&sd_fatal_hub, memory_order_acquire);
	int nr;

	if (!hub)
		return;
	nr = atomic_load_explicit(&hub->nr, memory_order_acquire);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nr; i++)
			if (hub->probe[i](cause, pass == 0))
				return;
	sd_fatal_write(cause, NULL, NULL);
}

static void sd_fatal_handler(int sig, siginfo_t *info, void *uc)
{
	struct sigaction dfl;
	int i;

	for (i = 0; i < SD_FATAL_NSIG && sd_fatal_signals[i] != sig; i++)
		;
	if (i == SD_FATAL_NSIG)
		return;
	sd_fatal_note(sd_fatal_names[i]);
	if (sd_fatal_prev[i].sa_flags & SA_SIGINFO) {
		if (sd_fatal_prev[i].sa_sigaction)
			sd_fatal_prev[i].sa_sigaction(sig, info, uc);
	} else if (sd_fatal_prev[i].sa_handler != SIG_DFL && sd_fatal_prev[i].sa_handler != SIG_IGN) {
		sd_fatal_prev[i].sa_handler(sig);
	}
	/* Still here: die of the signal. It is blocked while this handler
	 * runs, so raise() leaves it pending and it is delivered, with the
	 * default action, as the handler returns (for a fault, before the
	 * faulting instruction could run again). */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

static void sd_fatal_sanitizer_died(void)
{
	sd_fatal_note("sanitizer");
}

struct sd_fatal_hub *sd_fatal_install(struct sd_fatal_hub *hub)
{
	int i;

	if (atomic_exchange(&sd_fatal_installed, 1))
		return atomic_load_explicit(&sd_fatal_hub, memory_order_acquire);
	if (!hub) {
		hub = &sd_fatal_own_hub;
		for (i = 0; i < SD_FATAL_NSIG; i++) {
			struct sigaction sa;

			memset(&sa, 0, sizeof(sa));
			sa.sa_sigaction = sd_fatal_handler;
			/* SA_ONSTACK: a stack overflow still gets its note where the
			 * thread has an alternate stack (Rust gives its threads one). */
			sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
			sigemptyset(&sa.sa_mask);
			if (sigaction(sd_fatal_signals[i], &sa, &sd_fatal_prev[i]))
				fprintf(stderr, "swapdiff: cannot install the %s note: %s\n", sd_fatal_names[i],
					strerror(errno));
		}
		if (__sanitizer_set_death_callback && !LLVMFuzzerRunDriver)
			__sanitizer_set_death_callback(sd_fatal_sanitizer_died);
	}
	/* The probe first, then the count that makes the handler see it. */
	i = atomic_load_explicit(&hub->nr, memory_order_relaxed);
	if (i < SD_FATAL_MAX_BUILDS) {
		hub->probe[i] = sd_fatal_probe;
		atomic_store_explicit(&hub->nr, i + 1, memory_order_release);
	} else {
		fprintf(stderr, "swapdiff: more than %d builds: the fatal note cannot name the entry point of %s\n",
			SD_FATAL_MAX_BUILDS, SD_BUILD_NAME);
	}
	atomic_store_explicit(&sd_fatal_hub, hub, memory_order_release);
	return hub;
}
