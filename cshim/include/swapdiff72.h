/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swapdiff72.h - the C API of the extracted 7.x swap code (the swap table).
 *
 * The 7.x counterpart of swapdiff.h, whose types it shares (events, the
 * fatal-error hub, the sentinels, the entry encoding). Naming as there: a
 * kernel function K is wrapped as sd72_K. The wrappers act as the kernel's
 * callers do around the call: a folio function runs with the folio locked
 * (folio_lock() before, folio_unlock() after, as shrink_folio_list,
 * do_swap_page and shmem do), an entry function without.
 *
 * Folios are handles (0 .. SD_MAX_FOLIOS - 1), as in swapdiff.h; the swap-in
 * path's own folio (swap_cache_alloc_folio) becomes a handle too.
 *
 * Single-threaded, one set of state per build; the only exported symbol of
 * a build is its table of these functions, sd72_api_<n> (generated
 * sd72_api.h).
 */
#ifndef SWAPDIFF72_H
#define SWAPDIFF72_H

#include "swapdiff.h"

/* Allocation sites of 7.x. The tag store's are swapdiff.h's own numbers
 * (mteswap.c and the xarray are the same code); 0 is unused (7.x has no
 * continuation pages). */
enum sd72_site {
	SD72_SITE_TAG_STORAGE = SD_SITE_TAG_STORAGE, /* kmalloc() in mte_allocate_tag_storage */
	SD72_SITE_XA_NODE = SD_SITE_XA_NODE,         /* xa_store() of a key not yet present */
	SD72_SITE_EXTEND_TABLE = 3, /* kzalloc() in swap_extend_table_alloc */
	SD72_SITE_SWAP_TABLE = 4,   /* folio_alloc() of a cluster's swap table */
	SD72_SITE_SWAPIN_FOLIO = 5, /* the folio swap_cache_alloc_folio allocates */
	SD72_NR_SITES = 6,
};

/* A folio as the harness sees it. */
struct sd72_folio_info {
	int order;
	uint64_t swap;     /* folio->swap */
	bool swapcache;    /* folio_test_swapcache */
	bool dirty;
	bool locked;
	long refcount;     /* the harness's own reference is 1 */
};

/* One cluster's state. */
struct sd72_cluster_info {
	unsigned int count;
	unsigned int flags; /* enum swap_cluster_flags */
	unsigned int order;
	bool has_table;     /* ci->table allocated */
	bool has_extend;    /* ci->extend_table allocated */
};

/* Environment. */
void sd72_env_reset(void);
void sd72_set_mte(bool on);
/* The new device's type, or -EINVAL / -EBUSY; kind as sd_swapon's. */
int sd72_swapon(int nr_clusters, unsigned int kind);
/* Swapoff of a device whose every slot is free (the harness swaps
 * everything in first, as try_to_unuse does): -EBUSY while a slot is in
 * use, else the kernel's teardown of the tables. */
int sd72_swapoff(int type);
long sd72_flush_work(void);
void sd72_fault_arm(int site, unsigned int nth);
unsigned long sd72_live_allocs(int site);
int sd72_folio_new(int order);
/* -EBUSY while the folio is in the swap cache. */
int sd72_folio_free(int folio);
int sd72_folio_set_mapped(int folio, bool mapped);
int sd72_folio_info(int folio, struct sd72_folio_info *out);
int sd72_page_set(int folio, int idx, const uint8_t tags[SD_MTE_PAGE_TAG_STORAGE], unsigned int flags);
int sd72_page_get(int folio, int idx, uint8_t tags[SD_MTE_PAGE_TAG_STORAGE], unsigned int *flags);

/* Kernel entry points (mm/swapfile.c). subpage -1: the whole folio. */
long sd72_folio_alloc_swap(int folio);
long sd72_folio_dup_swap(int folio, int subpage);
long sd72_folio_put_swap(int folio, int subpage);
long sd72_swap_dup_entry_direct(uint64_t entry);
long sd72_swap_put_entries_direct(uint64_t entry, int nr);
long sd72_folio_free_swap(int folio);
long sd72_swap_retry_table_alloc(uint64_t entry);
long sd72___swap_count(uint64_t entry);
long sd72_swp_swapcount(uint64_t entry);
long sd72_swap_entry_swapped(uint64_t entry);

/* The swap cache (mm/swap_state.c). get_folio: the handle, or -ENOENT;
 * alloc_folio: the new folio's handle (locked, in the cache, as the kernel
 * returns it; the wrapper unlocks it after the read the harness does not
 * model), or the kernel's -errno. */
long sd72_swap_cache_get_folio(uint64_t entry);
long sd72_swap_cache_alloc_folio(uint64_t entry, int order);
long sd72_swap_cache_del_folio(int folio);
long sd72_free_swap_cache(int folio);

/* MTE (arch/arm64/mm/mteswap.c). */
long sd72_arch_prepare_to_swap(int folio);
long sd72_arch_swap_restore(uint64_t entry, int folio);
long sd72_mte_invalidate_tags(int type, uint64_t offset);
long sd72_mte_invalidate_tags_area(int type);

/* Inspection: reads state, records no event. */
const char *sd72_kernel_version(void);
/* si->max, or 0 without a device. */
unsigned int sd72_device_max(int type);
/* si->inuse_pages without the off-list bit, and whether the bit is set. */
long sd72_device_inuse_pages(int type, bool *offlist);
/* The raw swap-table entry of the slot (0 when the cluster has no table):
 * 0, or -EINVAL without a device or past its end. */
int sd72_table_get(uint64_t entry, uint64_t *tb);
/* ci->extend_table[ci_off], 0 without an extend table. */
unsigned int sd72_extend_get(uint64_t entry);
int sd72_cluster(int type, int idx, struct sd72_cluster_info *out);
long sd72_nr_swap_pages(void);
long sd72_total_swap_pages(void);
int sd72_tags_count(void);
int sd72_tags_get(int i, uint64_t *key, uint8_t out[SD_MTE_PAGE_TAG_STORAGE]);
unsigned int sd72_work_queued(int type);

/* The event log and the call bounds, as swapdiff.h's. */
int sd72_events_count(void);
int sd72_event_get(int i, struct sd_event *out);
int sd72_event_raw_get(int i, struct sd_event_raw *out);
void sd72_events_clear(void);
void sd72_set_call_timeout_ms(unsigned long ms);
struct sd_fatal_hub *sd72_fatal_install(struct sd_fatal_hub *hub);
void sd72_fatal_set_program(bool known, uint64_t program);

/* Interleavings, as swapdiff.h's sd_sched_* (the same scheduler, this
 * build's copy). On a simulated CPU a folio function waits for a folio
 * another CPU holds locked, as folio_lock() sleeps, instead of refusing it. */
int sd72_sched_begin(int ncpus);
int sd72_sched_spawn(int cpu, void (*body)(void *arg), void *arg);
int sd72_sched_resume(int cpu, struct sd_yield *at);
int sd72_sched_runnable(int cpu);
void sd72_sched_op_point(void);
void sd72_sched_end(void);

#endif /* SWAPDIFF72_H */
