/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pages and folios as the 7.x swap code sees them (ENVIRONMENT.md "Kernel
 * 7.x"). Two things are new against 6.12:
 *
 *  - the swap table stores a cached folio as its PFN (swp_tb_to_folio() is
 *    pfn_folio()), so every folio owns a PFN range: folio slot s (folios72.c)
 *    has PFNs (s + 1) << SD_MAX_FOLIO_ORDER and up, and pfn_folio() is one
 *    array lookup;
 *  - folio reference counts are real: the swap cache takes nr_pages
 *    references (folio_ref_add) and gives them back, and a count that drops
 *    below zero is a BUG as in put_page_testzero(). A data folio's memory
 *    belongs to the harness (sd72_folio_free); a swap-table page is freed by
 *    its last folio_put().
 *
 * A page's memory is a struct sd_page_mem: 4096 bytes and the 128 MTE tag
 * bytes arm64 keeps beside them (page_address() leads to both). A swap table
 * (512 atomic longs, one page) is the bytes of its page.
 */
#ifndef SD_MM72_H
#define SD_MM72_H

#include "../shim/sd_list.h"
#include "../shim/sd_locks.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PMD_ORDER 9
#define HPAGE_PMD_NR (1 << PMD_ORDER)
/* arm64 with 4K pages and 48-bit PAs: SWAP_CACHE_PFN_BITS is 36, which
 * leaves room for the zero flag inline (SWAP_TABLE_HAS_ZEROFLAG) and five
 * flag bits, four of them the count (SWP_TB_COUNT_MAX 15). */
#define MAX_PHYSMEM_BITS 48
#define MTE_PAGE_TAG_STORAGE SD_MTE_PAGE_TAG_STORAGE
#define BITS_PER_BYTE 8
#define BITS_PER_TYPE(t) (sizeof(t) * BITS_PER_BYTE)
#define BIT(n) (1UL << (n))
#define type_max(t) ((t)~0U > 0 ? (t)~0ULL : (t)((1ULL << (BITS_PER_TYPE(t) - 1)) - 1))
#define IS_ALIGNED(x, a) (((x) & ((typeof(x))(a) - 1)) == 0)
#define __read_mostly
#define __rcu
#ifndef __always_inline /* glibc's sys/cdefs.h has it */
#define __always_inline inline __attribute__((always_inline))
#endif

typedef struct {
	unsigned long val;
} swp_entry_t;

struct sd_page_mem {
	unsigned char bytes[PAGE_SIZE];
	unsigned char tags[MTE_PAGE_TAG_STORAGE];
};

/* Who owns a folio: the harness (a handle, or a folio the swap-in path
 * allocated and the wrapper gave a handle) or the swap code (a table page). */
enum sd_folio_kind { SD_FOLIO_DATA = 1, SD_FOLIO_TABLE };

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *);
};

struct folio;
struct page {
	unsigned long flags;    /* PG_mte_tagged, PG_mte_lock */
	void *virtual;          /* page_address() */
	struct folio *folio;
	struct rcu_head rcu_head;
};

/* Folio flag bits (folio->fflags); PG_* page flags are in sd_mte.h. */
enum {
	SD_FOLIO_LOCKED,
	SD_FOLIO_SWAPCACHE,
	SD_FOLIO_DIRTY,
	SD_FOLIO_UPTODATE,
	SD_FOLIO_SWAPBACKED,
	SD_FOLIO_WRITEBACK,
	SD_FOLIO_LRU,
};

struct folio {
	struct page pages[1 << SD_MAX_FOLIO_ORDER];
	struct sd_page_mem *mem;
	swp_entry_t swap;
	unsigned int order;
	unsigned long fflags;
	bool mapped;
	long refcount;
	unsigned long pfn;  /* of pages[0] */
	int slot;           /* in sd72_folios (folios72.c) */
	int kind;           /* enum sd_folio_kind */
};

static inline void *page_address(const struct page *p) { return p->virtual; }
static inline void *kmap_local_page(struct page *p) { return p->virtual; }
#define kunmap_local(addr) ((void)(addr))
static inline struct folio *page_folio(struct page *p) { return p->folio; }
#define folio_page(f, n) (&(f)->pages[(n)])
static inline long folio_page_idx(const struct folio *f, const struct page *p) { return p - f->pages; }
static inline unsigned int folio_order(const struct folio *f) { return f->order; }
static inline long folio_nr_pages(const struct folio *f) { return 1L << f->order; }
static inline bool folio_test_large(const struct folio *f) { return f->order > 0; }
static inline unsigned long folio_pfn(const struct folio *f) { return f->pfn; }
static inline void *folio_address(const struct folio *f) { return f->pages[0].virtual; }

#define SD_FOLIO_TEST(name, bit) \
	static inline bool folio_test_##name(const struct folio *f) { return test_bit((bit), &f->fflags); }
SD_FOLIO_TEST(locked, SD_FOLIO_LOCKED)
SD_FOLIO_TEST(swapcache, SD_FOLIO_SWAPCACHE)
SD_FOLIO_TEST(uptodate, SD_FOLIO_UPTODATE)
SD_FOLIO_TEST(swapbacked, SD_FOLIO_SWAPBACKED)
SD_FOLIO_TEST(writeback, SD_FOLIO_WRITEBACK)
SD_FOLIO_TEST(dirty, SD_FOLIO_DIRTY)
#undef SD_FOLIO_TEST
static inline void folio_set_swapcache(struct folio *f) { set_bit(SD_FOLIO_SWAPCACHE, &f->fflags); }
static inline void folio_clear_swapcache(struct folio *f) { clear_bit(SD_FOLIO_SWAPCACHE, &f->fflags); }
static inline void folio_set_dirty(struct folio *f) { set_bit(SD_FOLIO_DIRTY, &f->fflags); }
static inline void __folio_set_locked(struct folio *f) { set_bit(SD_FOLIO_LOCKED, &f->fflags); }
static inline void __folio_set_swapbacked(struct folio *f) { set_bit(SD_FOLIO_SWAPBACKED, &f->fflags); }
static inline bool folio_mapped(const struct folio *f) { return f->mapped; }
/* ENVIRONMENT.md: folio_trylock() succeeds unless the folio is locked; the
 * caller-level ops lock the folios they work on, as the kernel's callers do. */
static inline bool folio_trylock(struct folio *f) { return !test_and_set_bit(SD_FOLIO_LOCKED, &f->fflags); }
static inline void folio_unlock(struct folio *f) { clear_bit(SD_FOLIO_LOCKED, &f->fflags); }
static inline bool pm_suspended_storage(void) { return false; }
/* The LRU is not modelled: the flag only says the swap-in path added it. */
static inline void folio_add_lru(struct folio *f) { set_bit(SD_FOLIO_LRU, &f->fflags); }

/* Reference counts (folios72.c): folio_put of the last reference frees a
 * table page; a data folio stays until the harness frees it. */
static void sd72_folio_ref_dropped(struct folio *f, const char *func, int line);
static inline void sd72_folio_ref_sub(struct folio *f, long nr, const char *func, int line)
{
	f->refcount -= nr;
	sd72_folio_ref_dropped(f, func, line);
}
#define folio_ref_add(f, nr) ((f)->refcount += (nr))
#define folio_ref_sub(f, nr) sd72_folio_ref_sub((f), (nr), __func__, __LINE__)
#define folio_put(f) sd72_folio_ref_sub((f), 1, __func__, __LINE__)
#define folio_put_refs(f, nr) sd72_folio_ref_sub((f), (nr), __func__, __LINE__)
static inline long folio_ref_count(const struct folio *f) { return f->refcount; }
/* A folio the swap table names is live in this single thread. */
static inline bool folio_try_get(struct folio *f) { f->refcount++; return true; }

/* PFNs and table pages (folios72.c). */
static struct folio *sd72_pfn_folio(unsigned long pfn, const char *func, int line);
#define pfn_folio(pfn) sd72_pfn_folio((pfn), __func__, __LINE__)
static struct folio *(virt_to_folio)(const void *addr);
#define virt_to_folio(addr) (SD_HOOK(), (virt_to_folio)(addr))

/* The allocation sites (alloc72.c), shim hooks (sd_bounds.h). */
#define __GFP_ZERO 0x100u
#define __GFP_HIGH 0x200u
#define __GFP_NOMEMALLOC 0x400u
#define __GFP_NOWARN 0x800u
static struct folio *(folio_alloc)(gfp_t gfp, unsigned int order);
static void *(kmalloc)(size_t size, gfp_t gfp);
static void *(kzalloc)(size_t size, gfp_t gfp);
static void (kfree)(const void *p);
#define folio_alloc(gfp, order) (SD_HOOK(), (folio_alloc)((gfp), (order)))
#define kmalloc(size, gfp) (SD_HOOK(), (kmalloc)((size), (gfp)))
#define kzalloc(size, gfp) (SD_HOOK(), (kzalloc)((size), (gfp)))
#define kfree(p) (SD_HOOK(), (kfree)(p))

#endif /* SD_MM72_H */
