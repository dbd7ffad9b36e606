/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pages, folios and the allocators the extracted code calls.
 *
 * A page's memory is a struct sd_page_mem: its 4096 bytes followed by the
 * 128 MTE tag bytes that arm64 keeps beside them, so page_address() leads to
 * both and mte_save_page_tags() can work from an address as on arm64.
 * Folios own up to 1 << SD_MAX_FOLIO_ORDER pages in one array, so
 * folio_page(f, i) and folio_page_idx() are plain array arithmetic.
 */
#ifndef SD_MM_H
#define SD_MM_H

#include "sd_list.h"
#include "sd_locks.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PMD_ORDER 9
#define HPAGE_PMD_NR (1 << PMD_ORDER)
#define MTE_PAGE_TAG_STORAGE SD_MTE_PAGE_TAG_STORAGE

typedef struct {
	unsigned long val;
} swp_entry_t;

struct sd_page_mem {
	unsigned char bytes[PAGE_SIZE];
	unsigned char tags[MTE_PAGE_TAG_STORAGE];
};

/* Who owns a struct page, so that freeing a page we did not hand out is
 * caught instead of corrupting the heap. */
enum sd_page_kind { SD_PAGE_MAP_HEAD = 1, SD_PAGE_CONT, SD_PAGE_FOLIO };

struct folio;
struct page {
	unsigned long flags;    /* PG_mte_tagged, PG_mte_lock */
	unsigned long private;  /* SWP_CONTINUED on a swap_map head */
	struct list_head lru;   /* continuation list */
	void *virtual;          /* page_address() */
	struct folio *folio;    /* NULL unless a folio page */
	int sd_kind;
};

/* Folio flag bits (folio->fflags); PG_* page flags are in sd_mte.h. */
enum { SD_FOLIO_LOCKED, SD_FOLIO_SWAPCACHE, SD_FOLIO_DIRTY };

struct folio {
	struct page pages[1 << SD_MAX_FOLIO_ORDER];
	struct sd_page_mem *mem;
	swp_entry_t swap;
	unsigned int order;
	unsigned long fflags;
	bool mapped;
	/* the swap cache covers cache_base .. + nr_pages - 1 while SWAPCACHE */
	swp_entry_t cache_base;
};

static inline void *page_address(const struct page *p) { return p->virtual; }
static inline void *kmap_local_page(struct page *p) { return p->virtual; }
#define kunmap_local(addr) ((void)(addr))
static inline unsigned long page_private(const struct page *p) { return p->private; }
static inline void set_page_private(struct page *p, unsigned long v) { p->private = v; }

static inline struct folio *page_folio(struct page *p) { return p->folio; }
#define folio_page(f, n) (&(f)->pages[(n)])
static inline long folio_page_idx(struct folio *f, struct page *p) { return p - f->pages; }
static inline unsigned int folio_order(const struct folio *f) { return f->order; }
static inline long folio_nr_pages(const struct folio *f) { return 1L << f->order; }
static inline bool folio_test_large(const struct folio *f) { return f->order > 0; }
static inline bool folio_test_locked(struct folio *f) { return test_bit(SD_FOLIO_LOCKED, &f->fflags); }
static inline bool folio_test_swapcache(struct folio *f) { return test_bit(SD_FOLIO_SWAPCACHE, &f->fflags); }
static inline bool folio_test_writeback(struct folio *f) { (void)f; return false; }
static inline bool folio_mapped(struct folio *f) { return f->mapped; }
/* ENVIRONMENT.md: folio_trylock() always succeeds. */
static inline bool folio_trylock(struct folio *f) { set_bit(SD_FOLIO_LOCKED, &f->fflags); return true; }
static inline void folio_unlock(struct folio *f) { clear_bit(SD_FOLIO_LOCKED, &f->fflags); }
static inline void folio_set_dirty(struct folio *f) { set_bit(SD_FOLIO_DIRTY, &f->fflags); }
/* Folio lifetime belongs to the environment (sd_folio_new/free). */
static inline void folio_put(struct folio *f) { (void)f; }
static inline void folio_ref_sub(struct folio *f, int nr) { (void)f; (void)nr; }
static inline bool pm_suspended_storage(void) { return false; }

/* Allocation sites with fault injection and live counters (alloc.c). Each
 * is a shim hook: the macro charges the work to the kernel function calling
 * it (sd_bounds.h); the parenthesised names are the functions themselves. */
static struct page *(alloc_page)(gfp_t gfp);
static void (__free_page)(struct page *page);
static void *(kmalloc)(size_t size, gfp_t gfp);
static void (kfree)(const void *p);
#define alloc_page(gfp) (SD_HOOK(), (alloc_page)(gfp))
#define __free_page(page) (SD_HOOK(), (__free_page)(page))
#define kmalloc(size, gfp) (SD_HOOK(), (kmalloc)((size), (gfp)))
#define kfree(p) (SD_HOOK(), (kfree)(p))

/* The head page of a swap_map byte (devices.c). */
static struct page *(vmalloc_to_page)(const void *addr);
#define vmalloc_to_page(addr) (SD_HOOK(), (vmalloc_to_page)(addr))

#endif /* SD_MM_H */
