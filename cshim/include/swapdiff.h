/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swapdiff.h - the version-neutral C API of the extracted kernel code.
 *
 * This header is the contract between the C side (kernel code extracted at
 * build time, compiled against our shims) and everything above it: the safe
 * Rust wrapper in cshim/src/lib.rs and, by shape, the Rust model in rust-impl/.
 * The model implements exactly the semantics written here, so every sentence
 * below is a promise both engines keep.
 *
 * Naming: a kernel entry point K is wrapped as sd_K (sd___swap_duplicate wraps
 * __swap_duplicate). The Rust model's method and the harness op carry the
 * kernel name K itself, so one grep finds all three faces.
 *
 * Entries are raw swp_entry_t values: type << SD_SWP_TYPE_SHIFT | offset,
 * the generic encoding of include/linux/swapops.h (MAX_SWAPFILES_SHIFT 5,
 * BITS_PER_XA_VALUE 63).
 *
 * Single-threaded state, one set per build: callers serialize (the Rust
 * wrapper enforces it with one lock per build). A process may link several
 * builds (stock and patched), each a translation unit whose only exported
 * symbol is its table of these functions, sd_api_<n> (generated sd_api.h).
 */
#ifndef SWAPDIFF_H
#define SWAPDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SD_SWP_TYPE_SHIFT 58
#define SD_SWP_OFFSET_MASK ((1ULL << SD_SWP_TYPE_SHIFT) - 1)

/* Modelled configuration (4K pages, CONFIG_THP_SWAP). */
#define SD_PAGE_SIZE 4096
#define SD_SWAPFILE_CLUSTER 512
#define SD_MAX_DEVICES 4          /* swap types 0..3 may hold a device */
#define SD_MAX_CLUSTERS 4         /* a device spans 1..=4 clusters */
#define SD_MAX_FOLIO_ORDER 4      /* folios of 1..=16 pages */
#define SD_MAX_FOLIOS 8           /* live folio handles at once */
#define SD_MTE_PAGE_TAG_STORAGE 128
#define SD_MAX_CONT_PAGES 8       /* inspection bound per continuation list */

/*
 * Fresh continuation pages are not zeroed by the kernel ("we didn't zero the
 * page"); the environment fills them with this byte so runs are deterministic
 * and a read of an unwritten digit is visible. 0x6b has no COUNT_CONTINUED bit.
 */
#define SD_PAGE_POISON 0x6b

/* A call that hit BUG() or a hang (including the call bounds: see
 * "Process" below) returns this; the event log says which. */
#define SD_TRAPPED (-100000L)
/* The wrapper refused the arguments and did not call the kernel function
 * (see "Argument guards" in ENVIRONMENT.md). */
#define SD_REFUSED (-100001L)

/* Page flags as seen through this API. */
#define SD_PG_MTE_TAGGED 1u
#define SD_PG_MTE_LOCK 2u

/* Allocation sites: fault injection and live-allocation counters. */
enum sd_site {
	SD_SITE_CONT_PAGE = 0,   /* alloc_page() in add_swap_count_continuation */
	SD_SITE_TAG_STORAGE = 1, /* kmalloc() in mte_allocate_tag_storage */
	SD_SITE_XA_NODE = 2,     /* xa_store() of a key not yet present */
	SD_NR_SITES = 3,
};

enum sd_event_kind {
	SD_EV_WARN = 0, /* WARN*, VM_WARN*, lockdep_assert_held failing */
	SD_EV_BUG = 1,  /* BUG, BUG_ON, VM_BUG_ON*: the call is abandoned */
	SD_EV_HANG = 2, /* a wait that cannot end single-threaded */
	SD_EV_LOG = 3,  /* pr_err* and friends: the formatted message */
	SD_EV_DISCARD = 4, /* blkdev_issue_discard(): "discard %u:%lu+%lu\n"
			    * (type, first page, pages); func the kernel caller */
};

/* Device kinds: sd_swapon's kind bits (ENVIRONMENT.md "Device kinds"). */
#define SD_DEV_SSD 1u     /* bdev_nonrot(): SWP_SOLIDSTATE, cluster_info */
#define SD_DEV_DISCARD 2u /* SWAP_FLAG_DISCARD: area and page discards */

/* The allocator's lists (ENVIRONMENT.md "Allocator"): SWAP_NR_ORDERS and the
 * list ids of sd_cluster_list. */
#define SD_NR_ORDERS 10
#define SD_SWAP_BATCH 64
#define SD_LIST_FREE 0
#define SD_LIST_FULL 1
#define SD_LIST_DISCARD 2
#define SD_LIST_NONFULL(o) (3 + (o))
#define SD_LIST_FRAG(o) (3 + SD_NR_ORDERS + (o))
#define SD_NR_LISTS (3 + 2 * SD_NR_ORDERS)

/* sd_work_queued bits. */
#define SD_WORK_DISCARD 1u
#define SD_WORK_RECLAIM 2u

/*
 * One event. func is __func__ where the macro was used (the kernel function
 * for extracted code). text is the macro's stringified condition exactly as
 * the preprocessor produces it (#cond: source spacing, one space between
 * tokens), "" for a bare BUG(), or for SD_EV_LOG (and any event that carries
 * arguments) the formatted message without its trailing newline. line is
 * informational only (never compared).
 */
struct sd_event {
	int kind;
	const char *func;
	const char *text;
	int line;
};

/* A value a message's format read: an integer conversion as 64 bits (signed
 * ones sign-extended, %p the address), or a %s string, copied. */
#define SD_EVENT_MAX_ARGS 4
#define SD_EVENT_STR_MAX 64
struct sd_event_arg {
	int is_str;
	uint64_t value;
	const char *str; /* is_str: valid until sd_events_clear() */
};

/*
 * An event as recorded, nothing formatted. For SD_EV_LOG, and any event with
 * nargs > 0, text is the printf format (trailing newline included) and args
 * hold what it reads, in order; capturing stops at a conversion it cannot
 * read (a '*' width, an unknown letter) or after SD_EVENT_MAX_ARGS.
 * func and text always point to string literals (__func__, a stringified
 * condition, a format: the shim's macros accept nothing else), so they stay
 * valid and unchanged for the life of the process.
 */
struct sd_event_raw {
	int kind;
	const char *func;
	const char *text;
	int line;
	int nargs;
	struct sd_event_arg args[SD_EVENT_MAX_ARGS];
};

/* ---------------------------------------------------------------------------
 * Environment. All return 0 or a negative errno unless stated.
 */

/* Everything back to the initial state: devices gone, folios freed, tag
 * store emptied, events cleared, faults disarmed, counters zero, MTE on. */
void sd_env_reset(void);

/* system_supports_mte() from now on. */
void sd_set_mte(bool on);

/*
 * Add a block device (SWP_BLKDEV) of nr_clusters * SD_SWAPFILE_CLUSTER slots
 * in the lowest free type, as swapon does: slot 0 (the header) holds
 * SWAP_MAP_BAD; kind SD_DEV_SSD: SWP_SOLIDSTATE and cluster_info from the
 * kernel's setup_clusters() (cluster 0, counting the header, on
 * nonfull_clusters[0], the others free); without it rotational, no
 * cluster_info. SD_DEV_DISCARD: SWP_DISCARDABLE | SWP_AREA_DISCARD |
 * SWP_PAGE_DISCARD, then discard_swap() (one SD_EV_DISCARD of every page but
 * the header). Flags SWP_USED | SWP_WRITEOK, work items initialised.
 * Returns the type, -EINVAL for a bad size or kind, -EBUSY when all types
 * are used, SD_TRAPPED if the kernel's setup trapped.
 */
int sd_swapon(int nr_clusters, unsigned int kind);

/*
 * Remove device `type` the way swapoff's tail does once try_to_unuse() is
 * done: its queued work runs first (flush_work(&p->discard_work), then
 * reclaim_work; SD_TRAPPED if one trapped, and the device stays), then
 * free_swap_count_continuations(), then arch_swap_invalidate_area(),
 * then the map is released and the type becomes free. Slots still in use are
 * simply dropped with the map. -EINVAL when there is no device.
 */
int sd_swapoff(int type);

/* Mark a free slot bad (as swapon does for the header's bad-page list):
 * byte -> SWAP_MAP_BAD, cluster count + 1. -EINVAL: no device or offset out
 * of range; -EBUSY: the byte is not 0. */
int sd_mark_bad(uint64_t entry);

/*
 * What get_swap_pages(1, &e, order) runs for the device it picked, on device
 * `type` (not through the avail list): the nr_swap_pages check and
 * subtraction, si->lock, the highest_bit / SWP_WRITEOK test,
 * scan_swap_map_slots(si, SWAP_HAS_CACHE, 1, &e, order), and the add-back
 * when nothing was found. Kernel call name "get_swap_pages". 0 and *entry,
 * -EINVAL: no device or order > SD_MAX_FOLIO_ORDER; -ENOSPC: nothing found;
 * SD_TRAPPED.
 */
int sd_alloc_swap(int type, int order, uint64_t *entry);

/* Run the queued work items oldest first, each its own kernel call named by
 * its worker (swap_discard_work, swap_reclaim_work); an item leaves the queue
 * before it runs. 0, or SD_TRAPPED at the first that trapped (the rest stay
 * queued); more than 64 items in one flush: HANG in flush_work. */
long sd_flush_work(void);

/* The nth allocation (1 = the next) at `site` from now fails. nth 0 disarms.
 * One armed fault per site; arming again replaces it. */
void sd_fault_arm(int site, unsigned int nth);

/* Folios: pages with 128 tag bytes each and the flags above; tags start 0,
 * flags 0, folio->swap 0, not in the swap cache, not mapped.
 * sd_folio_new returns a handle 0..SD_MAX_FOLIOS-1 (lowest free) or -ENOSPC
 * (-EINVAL for a bad order). */
int sd_folio_new(int order);
int sd_folio_free(int folio);
/* -EBUSY while the folio is in the swap cache. */
int sd_folio_set_swap(int folio, uint64_t entry);
int sd_page_set(int folio, int idx, const uint8_t tags[SD_MTE_PAGE_TAG_STORAGE],
		unsigned int flags);

/*
 * Swap cache (for free_swap_and_cache_nr): a folio added covers entries
 * folio->swap .. + nr_pages - 1. -EEXIST when one of them is covered already,
 * -EINVAL for a bad handle or folio->swap == 0. `mapped` is folio_mapped().
 * Removing (sd_swapcache_del) only unlinks; it does not touch swap counts.
 */
int sd_swapcache_add(int folio);
int sd_swapcache_del(int folio);
int sd_folio_set_mapped(int folio, bool mapped);

/* ---------------------------------------------------------------------------
 * Kernel entry points. Each returns the kernel function's return value
 * (0 for void, 0/1 for bool), or SD_TRAPPED after a BUG or a hang.
 * Functions whose kernel signature takes a struct swap_info_struct * get it
 * from swp_swap_info(entry). Arguments the kernel would turn into memory
 * corruption (a missing device where the kernel dereferences it, a range past
 * the map where the kernel does not check) are refused with SD_REFUSED before
 * the kernel function runs: the table is in ENVIRONMENT.md.
 */
/* get_swap_pages(n_goal, entries, order) over the avail list: n_ret, the
 * entries filled; SD_REFUSED for n_goal outside 1..=SD_SWAP_BATCH or order
 * outside 0..=SD_MAX_FOLIO_ORDER. */
long sd_get_swap_pages(int n_goal, int order, uint64_t entries[SD_SWAP_BATCH]);
long sd___swap_duplicate(uint64_t entry, unsigned char usage, int nr);
long sd_swap_duplicate(uint64_t entry);
long sd_swapcache_prepare(uint64_t entry, int nr);
long sd_swap_shmem_alloc(uint64_t entry, int nr);
long sd_swapcache_clear(uint64_t entry, int nr);
long sd_add_swap_count_continuation(uint64_t entry);
long sd_swap_free_nr(uint64_t entry, int nr);
long sd_put_swap_folio(uint64_t entry, int order); /* a folio of that order */
long sd_swapcache_free_entries(const uint64_t *entries, int n);
long sd_free_swap_and_cache_nr(uint64_t entry, int nr);
long sd___swap_count(uint64_t entry);
long sd_swap_swapcount(uint64_t entry);
long sd_swp_swapcount(uint64_t entry);

long sd_arch_prepare_to_swap(int folio);
long sd_arch_swap_restore(uint64_t entry, int folio);
long sd_mte_save_tags(int folio, int idx);
long sd_mte_restore_tags(uint64_t entry, int folio, int idx);
long sd_mte_invalidate_tags(int type, uint64_t offset);
long sd_mte_invalidate_tags_area(int type);
long sd_arch_swap_invalidate_page(int type, uint64_t offset);
long sd_arch_swap_invalidate_area(int type);

/* ---------------------------------------------------------------------------
 * Inspection (never changes state, never records events).
 */

/* Kernel version of the extracted source, e.g. "6.12.117". */
const char *sd_kernel_version(void);

/* max (slots) of device `type`, 0 when there is none. */
unsigned int sd_device_max(int type);
bool sd_device_has_clusters(int type);
unsigned int sd_device_inuse_pages(int type);
/* Raw swap_map byte; -1 without a device or out of range. */
int sd_map_byte(uint64_t entry);

/* The whole swap_map of device `type` (si->max bytes, header included) in
 * one call, for comparisons that compare regions rather than bytes: the
 * pointer stays valid, and the bytes unchanged, until the next call that
 * changes swap state. NULL and *len 0 without a device. */
const uint8_t *sd_swap_map(int type, uint64_t *len);

/* Length of the continuation list of the map page holding `entry`, and the
 * byte at the entry's in-page offset in each list page, head first, up to
 * max (raw: includes COUNT_CONTINUED and stale or poison bytes). */
int sd_cont_digits(uint64_t entry, uint8_t *out, int max);

/* Cluster `idx` of device `type`: count and flags; -EINVAL without
 * cluster_info or out of range. */
int sd_cluster(int type, int idx, unsigned int *count, unsigned int *flags);

/* Cluster `idx`'s order field; 0 without cluster_info or out of range. */
unsigned int sd_cluster_order(int type, int idx);

/* The cluster indices on list `list` (SD_LIST_*) of device `type`, head
 * first; returns how many are on it (at most max written), -EINVAL without
 * cluster_info or for a bad list. */
int sd_cluster_list(int type, int list, unsigned int *idx, int max);

/* CPU 0's percpu_cluster->next[order] (0 without cluster_info or for a bad
 * order), and si->frag_cluster_nr[order] (0 without a device). */
unsigned int sd_percpu_next(int type, int order);
unsigned int sd_frag_cluster_nr(int type, int order);

/* lowest_bit, highest_bit, cluster_next, cluster_nr; -EINVAL without a
 * device. */
int sd_device_bits(int type, unsigned int out[4]);

/* SD_WORK_* bits of device `type`'s queued work items; 0 without a device. */
unsigned int sd_work_queued(int type);

/* The globals nr_swap_pages and total_swap_pages (swapon adds a device's
 * good pages to both; the allocator takes from nr_swap_pages, swap_range_free
 * gives back; swapoff takes the device's free slots from nr_swap_pages and
 * its good pages from total_swap_pages). vm_swap_full() reads them. */
long sd_nr_swap_pages(void);
long sd_total_swap_pages(void);

/* Live allocations at a site (allocated and not yet freed). An xarray key
 * costs one SD_SITE_XA_NODE allocation while it is present. */
unsigned long sd_live_allocs(int site);

/* Tag store (mte_pages), ascending by key: number of entries, and the i-th
 * key and its 128 bytes. */
int sd_tags_count(void);
int sd_tags_get(int i, uint64_t *key, uint8_t out[SD_MTE_PAGE_TAG_STORAGE]);

/* A page's tags and SD_PG_* flags. -EINVAL for a bad handle or index. */
int sd_page_get(int folio, int idx, uint8_t tags[SD_MTE_PAGE_TAG_STORAGE],
		unsigned int *flags);

/* Events recorded since the last sd_events_clear(). */
int sd_events_count(void);
int sd_event_get(int i, struct sd_event *out); /* text formatted on request */
int sd_event_raw_get(int i, struct sd_event_raw *out);
void sd_events_clear(void);

/* ---------------------------------------------------------------------------
 * Process: call bounds and the fatal-error note (ENVIRONMENT.md "Bounded
 * calls" and "Fatal errors"). Safe from any thread.
 */

/* Wall-clock bound of one kernel call, process-wide; 0 disables it (the
 * work budget stays). Default 1000 ms. A call running longer is trapped:
 * HANG, func = the entry point, text "no return within <ms> ms". */
void sd_set_call_timeout_ms(unsigned long ms);
unsigned long sd_call_timeout_ms(void);
/* Work units one call may spend at shim hooks (and events it may record,
 * SD_EVENT_BUDGET in shim/sd_bounds.h) before it is trapped as a HANG
 * under the entry point's name, text "work budget exceeded in <the kernel
 * function whose hook crossed it>". */
unsigned long sd_work_budget(void);
/* Watchdog signals that found the thread in environment code and were
 * retried (monotonic, for tests). */
unsigned long sd_watchdog_deferrals(void);

/*
 * Install the fatal-signal handlers and (with a sanitizer runtime, unless
 * libFuzzer owns it) the sanitizer death callback. Several builds linked into
 * one process share them through a hub: the first build's call (hub NULL)
 * installs them and returns its hub; pass that hub to every other build's
 * call, which then only joins it, so the one note names whichever build was
 * in a call. Idempotent per build (a repeated call returns the hub joined);
 * callers serialize.
 */
struct sd_fatal_hub;
struct sd_fatal_hub *sd_fatal_install(struct sd_fatal_hub *hub);
/* The program in flight, for the note (known false: "-"). */
void sd_fatal_set_program(bool known, uint64_t program);

/*
 * Interleavings (ENVIRONMENT.md "Interleavings", src/c/sched.c): up to
 * SD_MAX_CPUS simulated CPUs on the calling thread, one running at a time,
 * switching only at yield points. sd_sched_begin(n) starts a run of n CPUs
 * (-EINVAL if one is on or n is outside 1..SD_MAX_CPUS); sd_sched_spawn
 * gives CPU i its body (called with arg, it makes kernel calls through the
 * sd_* functions). sd_sched_resume(i, &at) runs CPU i until its next yield
 * point: 0, and at says where; 1 when its body returned; -EINVAL when it
 * cannot run (sd_sched_runnable(i) is false: done, or waiting for a lock
 * another CPU holds). sd_sched_op_point() is the yield point a body makes
 * between two ops. sd_sched_end() ends the run; reset the environment
 * after it if a CPU was left mid-call.
 */
#define SD_MAX_CPUS 4
struct sd_yield {
	int kind; /* SD_YIELD_* of sd_compiler.h: 1 lock ... 9 start */
	int line;
	const char *func; /* the kernel function at the yield point */
	const char *text; /* the call there, as written ("spin_lock(&ci->lock)") */
};
int sd_sched_begin(int ncpus);
int sd_sched_spawn(int cpu, void (*body)(void *arg), void *arg);
int sd_sched_resume(int cpu, struct sd_yield *at);
int sd_sched_runnable(int cpu);
void sd_sched_op_point(void);
void sd_sched_end(void);

/*
 * TEST HOOKS. Misbehaving functions of our own run through the same
 * trampoline as the entry points, so tests can exercise the bounds and the
 * fatal note on a stock build. Never used outside tests.
 */
enum sd_test_hook {
	SD_TEST_SPIN = 0,                  /* for (;;) without hooks: the watchdog traps it */
	SD_TEST_HOOK_LOOP = 1,             /* lock/unlock forever: the work budget traps it */
	SD_TEST_ENV_THEN_SPIN = 2,         /* arg ms in environment code, then SD_TEST_SPIN */
	SD_TEST_SIGSEGV_IN_CALL = 3,       /* raise(SIGSEGV) inside a call */
	SD_TEST_SIGSEGV_OUTSIDE = 4,       /* raise(SIGSEGV) outside any call */
	SD_TEST_HEAP_OVERFLOW_IN_CALL = 5, /* ASan builds: a heap-buffer-overflow in a call (else -ENOSYS) */
	SD_TEST_FORK_SPIN = 6,             /* fork; the child's SD_TEST_SPIN must be trapped: 0 if so */
	SD_TEST_ENV_DONE = 7,              /* 1 if the last SD_TEST_ENV_THEN_SPIN finished its env part */
	SD_TEST_WARN_LOOP = 8,             /* WARN forever: the per-call event budget traps it */
	SD_TEST_QUEUE_WORK = 9,            /* queue test work: arg 0 an item that requeues itself
					    * on every run; arg 1 an item that BUGs, then one that
					    * only counts (sd_flush_work runs them) */
	SD_TEST_WORK_RUNS = 10,            /* how many times test work items have run since reset */
};
long sd_test_hook(int which, unsigned long arg);

#endif /* SWAPDIFF_H */
