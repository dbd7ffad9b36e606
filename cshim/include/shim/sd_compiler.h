/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Language-level pieces the extracted kernel code takes for granted: fixed
 * width types, the kernel's annotation macros (which mean nothing in a
 * single-threaded userspace build), arithmetic helpers, error pointers and
 * bit operations. Written for swapdiff; behaviour follows the kernel's
 * documented semantics, not its implementation.
 */
#ifndef SD_COMPILER_H
#define SD_COMPILER_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The modelled configuration (ENVIRONMENT.md "Configuration"). */
#define CONFIG_MMU 1
#define CONFIG_SWAP 1
#define CONFIG_THP_SWAP 1
#define CONFIG_ARM64_MTE 1
#define CONFIG_DEBUG_VM 1
/* IS_ENABLED(CONFIG_X) for the options above (only those the extract tests). */
#define IS_ENABLED(option) SD_IS_ENABLED_##option
#define SD_IS_ENABLED_CONFIG_THP_SWAP 1
/* arm64's cache line (setup_clusters' column count). */
#define L1_CACHE_BYTES 64

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef unsigned long pgoff_t;
typedef unsigned int gfp_t;

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * Yield points (ENVIRONMENT.md "Interleavings", src/c/sched.c). While an
 * interleaved run is on, the simulated CPUs take turns and control passes
 * only here: before every lock, atomic and READ_ONCE/WRITE_ONCE/data_race
 * access, after every unlock, at cond_resched and RCU sections. Outside one
 * (every sequential run) a yield point is one predictable branch.
 * sd_sched_cpu is the CPU running now (0 outside an interleaved run).
 */
enum {
	SD_YIELD_LOCK = 1,
	SD_YIELD_UNLOCK,
	SD_YIELD_ATOMIC,
	SD_YIELD_ONCE,
	SD_YIELD_RESCHED,
	SD_YIELD_RCU,
	SD_YIELD_OP, /* between two ops of one CPU */
	SD_YIELD_BLOCKED, /* waiting for a lock another CPU holds */
	SD_YIELD_START, /* the CPU has not run yet */
};
static int sd_sched_on;
static int sd_sched_cpu;
static void sd_sched_point(int kind, const char *func, const char *text, int line);
#define SD_YIELD(kind, text) \
	(unlikely(sd_sched_on) ? sd_sched_point((kind), __func__, (text), __LINE__) : (void)0)

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
#define ATOMIC_INIT(v) { (v) }
static inline long (atomic_long_read)(const atomic_long_t *v) { return v->counter; }
static inline void (atomic_long_add)(long i, atomic_long_t *v) { v->counter += i; }
static inline void (atomic_long_sub)(long i, atomic_long_t *v) { v->counter -= i; }
#define atomic_long_read(v) (SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_read(" #v ")"), (atomic_long_read)(v))
#define atomic_long_add(i, v) (SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_add(" #v ")"), (atomic_long_add)((i), (v)))
#define atomic_long_sub(i, v) (SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_sub(" #v ")"), (atomic_long_sub)((i), (v)))

/* One CPU runs at a time, so ordering macros reduce to compiler barriers and
 * marked accesses to plain ones, each a yield point. */
#define READ_ONCE(x) (SD_YIELD(SD_YIELD_ONCE, "READ_ONCE(" #x ")"), *(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (SD_YIELD(SD_YIELD_ONCE, "WRITE_ONCE(" #x ")"), *(volatile typeof(x) *)&(x) = (v))
#define data_race(expr) (SD_YIELD(SD_YIELD_ONCE, "data_race(" #expr ")"), (expr))
#define smp_wmb() __asm__ __volatile__("" ::: "memory")
#define smp_rmb() __asm__ __volatile__("" ::: "memory")
#define __percpu
#define __init
#define EXPORT_SYMBOL(sym) extern typeof(sym) sym
#define EXPORT_SYMBOL_GPL(sym) extern typeof(sym) sym

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define min(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) ({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b) ({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define min3(a, b, c) min(min(a, b), c)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define round_up(x, y) ((((x) - 1) | ((typeof(x))(y) - 1)) + 1)
#define ALIGN_DOWN(x, a) round_down((x), (a))
#define ALIGN(x, a) (((x) + ((typeof(x))(a) - 1)) & ~((typeof(x))(a) - 1))
#define round_down(x, y) ((x) & ~((typeof(x))(y) - 1))

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE(ptr); }

/* Bit operations on unsigned long arrays (non-atomic is fine here). */
#define BITS_PER_LONG 64
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

static inline void set_bit(unsigned long nr, unsigned long *a) { a[BIT_WORD(nr)] |= BIT_MASK(nr); }
static inline void clear_bit(unsigned long nr, unsigned long *a) { a[BIT_WORD(nr)] &= ~BIT_MASK(nr); }
static inline bool test_bit(unsigned long nr, const unsigned long *a)
{
	return a[BIT_WORD(nr)] & BIT_MASK(nr);
}
static inline bool test_and_set_bit(unsigned long nr, unsigned long *a)
{
	bool old = test_bit(nr, a);

	set_bit(nr, a);
	return old;
}
static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int n)
{
	while (n--)
		set_bit(start++, map);
}
static inline void bitmap_clear(unsigned long *map, unsigned int start, unsigned int n)
{
	while (n--)
		clear_bit(start++, map);
}
static inline bool bitmap_empty(const unsigned long *map, unsigned int bits)
{
	for (unsigned int i = 0; i < bits; i++)
		if (test_bit(i, map))
			return false;
	return true;
}
static inline unsigned int sd_next_set_bit(const unsigned long *map, unsigned int size,
					   unsigned int from)
{
	while (from < size && !test_bit(from, map))
		from++;
	return from;
}
#define for_each_set_bit(bit, addr, size) \
	for ((bit) = sd_next_set_bit((addr), (size), 0); (bit) < (size); \
	     (bit) = sd_next_set_bit((addr), (size), (bit) + 1))

/* GFP flags only travel through the code; their values do not matter. */
#define __GFP_HIGHMEM 0x02u
#define GFP_ATOMIC 0x20u
#define GFP_KERNEL 0xccu

/* sort() of lib/sort.c, made stable (ENVIRONMENT.md "Swap devices"). */
static void sd_stable_sort(void *base, size_t num, size_t size,
			   int (*cmp)(const void *, const void *));
#define sort(base, num, size, cmp, swap_fn) sd_stable_sort((base), (num), (size), (cmp))

#endif /* SD_COMPILER_H */
