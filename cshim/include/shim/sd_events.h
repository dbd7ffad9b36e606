/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * WARN/BUG/VM_* and pr_err as recorded events (ENVIRONMENT.md "Events").
 *
 * Each macro stringifies its own argument (#cond) instead of forwarding it to
 * another macro, because forwarding would macro-expand the condition before
 * it is stringified and the recorded text would no longer be the source text.
 * WARN*_ONCE fire every time so that runs are deterministic; VM_* checks are
 * always evaluated (CONFIG_DEBUG_VM). BUG-class macros record the event and
 * longjmp to the trampoline of the sd_* entry point that is running.
 */
#ifndef SD_EVENTS_H
#define SD_EVENTS_H

#include "sd_compiler.h"
#include "sd_bounds.h"
#include "../swapdiff.h"

static void sd_event_add(int kind, const char *func, const char *text, int line);
static void sd_event_addf(int kind, const char *func, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool sd_warn_if(bool cond, const char *func, const char *text, int line);
static _Noreturn void sd_trap(int kind, const char *func, const char *text, int line);
static void sd_log(const char *func, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define WARN_ON(cond) sd_warn_if(!!(cond), __func__, #cond, __LINE__)
#define WARN_ON_ONCE(cond) sd_warn_if(!!(cond), __func__, #cond, __LINE__)
#define WARN(cond, ...) sd_warn_if(!!(cond), __func__, #cond, __LINE__)
#define WARN_ONCE(cond, ...) sd_warn_if(!!(cond), __func__, #cond, __LINE__)
#define VM_WARN_ON(cond) (void)sd_warn_if(!!(cond), __func__, #cond, __LINE__)
#define VM_WARN_ON_ONCE(cond) sd_warn_if(!!(cond), __func__, #cond, __LINE__)

#define BUG() sd_trap(SD_EV_BUG, __func__, "", __LINE__)
#define SD_BUG_IF(cond, text) \
	do { if (unlikely(cond)) sd_trap(SD_EV_BUG, __func__, (text), __LINE__); } while (0)
#define BUG_ON(cond) SD_BUG_IF(cond, #cond)
#define VM_BUG_ON(cond) SD_BUG_IF(cond, #cond)
#define VM_BUG_ON_PAGE(cond, page) SD_BUG_IF(cond, #cond)
#define VM_BUG_ON_FOLIO(cond, folio) SD_BUG_IF(cond, #cond)

/* The message is recorded as its format and the arguments it reads;
 * formatted (without its trailing newline) only when its text is asked for. */
/* `"" fmt`: a format must be a string literal (a build error otherwise),
 * because the log keeps the pointer, not a copy (swapdiff.h "sd_event_raw"). */
#define pr_err(fmt, ...) sd_log(__func__, __LINE__, "" fmt, ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...) sd_log(__func__, __LINE__, "" fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) sd_log(__func__, __LINE__, "" fmt, ##__VA_ARGS__)

#endif /* SD_EVENTS_H */
