/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The swap side of a 7.x kernel as mm/swapfile.c, mm/swap_state.c and
 * mm/swap.h see it: entry encoding, device flags, struct swap_info_struct
 * (the fields the extract uses, in our own layout), atomics on longs, RCU,
 * the per-CPU lock, and the services of other kernel files (memcg, zswap,
 * workingset, LRU statistics) reduced to what ENVIRONMENT.md "Kernel 7.x"
 * says they do in the modelled configuration (no memcg, one CPU).
 *
 * mm/swap.h and mm/swap_table.h are not here: they are extracted whole and
 * compiled as they are.
 */
#ifndef SD_SWAP72_H
#define SD_SWAP72_H

#include "../shim/sd_blkdev.h"
#include "../shim/sd_cpu.h"
#include "../shim/sd_xarray.h"
#include "sd_mm72.h"

/* Entry encoding of include/linux/swapops.h (generic, 64-bit). */
#define MAX_SWAPFILES_SHIFT 5
#define MAX_SWAPFILES 27
#define SWP_TYPE_SHIFT SD_SWP_TYPE_SHIFT
#define SWP_OFFSET_MASK ((1UL << SWP_TYPE_SHIFT) - 1)
static inline swp_entry_t swp_entry(unsigned long type, pgoff_t offset)
{
	return (swp_entry_t){ (type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK) };
}
static inline unsigned int swp_type(swp_entry_t e) { return e.val >> SWP_TYPE_SHIFT; }
static inline pgoff_t swp_offset(swp_entry_t e) { return e.val & SWP_OFFSET_MASK; }

/* Device flags (include/linux/swap.h, 7.2). */
enum {
	SWP_USED = 1 << 0,
	SWP_WRITEOK = 1 << 1,
	SWP_DISCARDABLE = 1 << 2,
	SWP_DISCARDING = 1 << 3,
	SWP_SOLIDSTATE = 1 << 4,
	SWP_BLKDEV = 1 << 6,
	SWP_ACTIVATED = 1 << 7,
	SWP_FS_OPS = 1 << 8,
	SWP_AREA_DISCARD = 1 << 9,
	SWP_PAGE_DISCARD = 1 << 10,
	SWP_STABLE_WRITES = 1 << 11,
	SWP_SYNCHRONOUS_IO = 1 << 12,
	SWP_HIBERNATION = 1 << 13,
};
/* IS_ENABLED() of the options 7.x's extract tests besides sd_compiler.h's. */
#define SD_IS_ENABLED_CONFIG_DEBUG_VM 1
#define SD_IS_ENABLED_CONFIG_HIBERNATION 0
#define SWAP_ENTRY_INVALID 0
#define SWAP_NR_ORDERS (PMD_ORDER + 1)
#define SWAP_BATCH 64

/* Atomics on longs: one CPU runs at a time, so plain arithmetic with the
 * kernel's return conventions; each is a yield point (sd_compiler.h). */
#define atomic_long_set(v, i) (SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_set(" #v ")"), (v)->counter = (i))
static inline long (atomic_long_xchg_relaxed)(atomic_long_t *v, long i)
{
	long old = v->counter;

	v->counter = i;
	return old;
}
static inline void (atomic_long_or)(long i, atomic_long_t *v) { v->counter |= i; }
static inline long (atomic_long_fetch_and_relaxed)(long i, atomic_long_t *v)
{
	long old = v->counter;

	v->counter &= i;
	return old;
}
static inline long (atomic_long_add_return_relaxed)(long i, atomic_long_t *v) { return v->counter += i; }
static inline long (atomic_long_sub_return_relaxed)(long i, atomic_long_t *v) { return v->counter -= i; }
static inline bool sd_atomic_long_try_cmpxchg(atomic_long_t *v, long *old, long new)
{
	if (v->counter == *old) {
		v->counter = new;
		return true;
	}
	*old = v->counter;
	return false;
}
#define atomic_long_xchg_relaxed(v, i) (SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_xchg_relaxed(" #v ")"), (atomic_long_xchg_relaxed)((v), (i)))
#define atomic_long_or(i, v) (SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_or(" #v ")"), (atomic_long_or)((i), (v)))
#define atomic_long_fetch_and_relaxed(i, v) \
	(SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_fetch_and_relaxed(" #v ")"), (atomic_long_fetch_and_relaxed)((i), (v)))
#define atomic_long_add_return_relaxed(i, v) \
	(SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_add_return_relaxed(" #v ")"), (atomic_long_add_return_relaxed)((i), (v)))
#define atomic_long_sub_return_relaxed(i, v) \
	(SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_sub_return_relaxed(" #v ")"), (atomic_long_sub_return_relaxed)((i), (v)))
/* The kernel passes an unsigned long *: the same bits. */
#define atomic_long_try_cmpxchg(v, old, new) \
	(SD_YIELD(SD_YIELD_ATOMIC, "atomic_long_try_cmpxchg(" #v ")"), sd_atomic_long_try_cmpxchg((v), (long *)(old), (long)(new)))
#define cmpxchg(p, old, new) \
	({ SD_YIELD(SD_YIELD_ATOMIC, "cmpxchg(" #p ")"); typeof(*(p)) old_ = (old); typeof(*(p)) cur_ = *(p); if (cur_ == old_) *(p) = (new); cur_; })

/* RCU with one thread: a read section is a hook, a grace period has always
 * passed, and call_rcu() runs its callback at once. */
#define rcu_read_lock() (SD_HOOK(), SD_YIELD(SD_YIELD_RCU, "rcu_read_lock()"))
#define rcu_read_unlock() (SD_HOOK(), SD_YIELD(SD_YIELD_RCU, "rcu_read_unlock()"))
#define rcu_dereference(p) (p)
#define rcu_dereference_protected(p, c) ((void)(c), (p))
#define rcu_dereference_check(p, c) ((void)(c), (p))
#define rcu_access_pointer(p) (p)
#define rcu_assign_pointer(p, v) ((p) = (typeof(p))(v))
#define lockdep_is_held(l) sd_lock_mine(l)
static inline void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *))
{
	SD_HOOK();
	func(head);
}

/* The per-CPU swap cluster cache of one CPU. Its lock is a lock like any
 * other: taking it twice is the self-deadlock a HANG records. */
typedef spinlock_t local_lock_t;
#define INIT_LOCAL_LOCK() { 0 }
#define DEFINE_PER_CPU(type, name) type name
#define local_lock(l) spin_lock(l)
#define local_unlock(l) spin_unlock(l)
#define spin_lock_irq(l) spin_lock(l)
#define spin_unlock_irq(l) spin_unlock(l)
static inline bool in_task(void) { return true; }
/* Fails on a held lock, whoever holds it; a yield point first. */
static inline bool sd_trylock(spinlock_t *l, const char *func, const char *text, int line)
{
	if (unlikely(sd_sched_on))
		sd_sched_point(SD_YIELD_LOCK, func, text, line);
	if (l->held)
		return false;
	sd_lock(l, func, text, line);
	return true;
}
#define spin_trylock(l) (SD_HOOK(), sd_trylock((l), __func__, "spin_trylock(" #l ")", __LINE__))

/* Diagnostics 7.x adds: folio-carrying VM checks are the plain ones (the
 * folio dump is not part of the event), and a BUILD_BUG_ON whose condition
 * the shim does not make constant is checked at run time, as a BUG. */
#define VM_WARN_ON_FOLIO(cond, folio) (void)sd_warn_if(!!(cond), __func__, #cond, __LINE__)
#define VM_WARN_ON_ONCE_FOLIO(cond, folio) sd_warn_if(!!(cond), __func__, #cond, __LINE__)
#define BUILD_BUG_ON(cond) SD_BUG_IF((cond), "BUILD_BUG_ON(" #cond ")")
/* Without DEBUG, pr_debug() prints nothing. */
#define pr_debug(fmt, ...) ((void)0)
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))

/* The allocation helpers of 7.x's slab.h over our sites (alloc72.c). */
/* The global cluster of a rotational device is swapon memory (kvcalloc). */
#define kmalloc_obj(obj) kvcalloc(1, sizeof(obj), GFP_KERNEL)
#define kzalloc_obj(obj, gfp) kzalloc(sizeof(obj), (gfp))
#define kvzalloc_objs(obj, n) kvcalloc((n), sizeof(obj), GFP_KERNEL)
/* SWP_TABLE_USE_PAGE holds (a table is one page), so the slab cache of
 * tables is never used; its calls stay in the extract's dead branch. */
struct kmem_cache;
static inline void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp) { (void)c; (void)gfp; return NULL; }
static inline void kmem_cache_free(struct kmem_cache *c, void *p) { (void)c; (void)p; }
#define bitmap_zalloc(bits, gfp) kzalloc(BITS_TO_LONGS(bits) * sizeof(unsigned long), (gfp))

struct swap_sequential_cluster {
	unsigned int next[SWAP_NR_ORDERS];
};

struct swap_cluster_info;
struct swap_info_struct {
	struct percpu_ref users;
	unsigned long flags;
	signed short prio;
	struct plist_node list;
	signed char type;
	unsigned int max;
	struct swap_cluster_info *cluster_info;
	struct list_head free_clusters;
	struct list_head full_clusters;
	struct list_head nonfull_clusters[SWAP_NR_ORDERS];
	struct list_head frag_clusters[SWAP_NR_ORDERS];
	unsigned int pages;
	atomic_long_t inuse_pages;
	struct swap_sequential_cluster *global_cluster;
	spinlock_t global_cluster_lock;
	struct rb_root swap_extent_root;
	struct block_device *bdev;
	struct completion comp;
	spinlock_t lock;
	struct work_struct discard_work;
	struct work_struct reclaim_work;
	struct list_head discard_clusters;
	struct plist_node avail_list;
};

extern atomic_long_t nr_swap_pages;
extern long total_swap_pages;
static inline bool vm_swap_full(void)
{
	return atomic_long_read(&nr_swap_pages) * 2 < total_swap_pages;
}
static inline void put_swap_device(struct swap_info_struct *si) { percpu_ref_put(&si->users); }
static inline bool percpu_ref_is_zero(struct percpu_ref *r) { return !r->live && r->count == 0; }

/* The non-static functions of the extracts, as include/linux/swap.h declares them. */
struct swap_info_struct *get_swap_device(swp_entry_t entry);
int swap_dup_entry_direct(swp_entry_t entry);
void swap_put_entries_direct(swp_entry_t entry, int nr);
bool folio_free_swap(struct folio *folio);
int __swap_count(swp_entry_t entry);
int swp_swapcount(swp_entry_t entry);
bool swap_entry_swapped(struct swap_info_struct *si, swp_entry_t entry);
void free_swap_cache(struct folio *folio);

/* Workingset shadows: the harness stores none (ENVIRONMENT.md), so a shadow
 * entry of the table is the empty shadow and refault does nothing. */
#define BITS_PER_XA_VALUE (BITS_PER_LONG - 1)
static inline void *xa_mk_value(unsigned long v) { return (void *)((v << 1) | 1); }
static inline bool xa_is_value(const void *e) { return (unsigned long)e & 1; }
static inline void workingset_refault(struct folio *f, void *shadow) { (void)f; (void)shadow; }

/* No memcg (CONFIG_MEMCG unset: the tables' memcg ids compile out), no
 * zswap, no statistics. */
struct mempolicy;
/* The swap-in path reads a fault's VMA and address; the harness passes none. */
struct vm_area_struct {
	void *vm_mm;
};
struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long address;
};
static inline bool mem_cgroup_swap_full(struct folio *f) { (void)f; return vm_swap_full(); }
static inline int mem_cgroup_try_charge_swap(struct folio *f) { (void)f; return 0; }
static inline void mem_cgroup_uncharge_swap(unsigned short id, unsigned int nr) { (void)id; (void)nr; }
static inline int mem_cgroup_swapin_charge_folio(struct folio *f, unsigned short id, void *mm, gfp_t gfp)
{
	(void)f; (void)id; (void)mm; (void)gfp;
	return 0;
}
static inline bool folio_memcg_alloc_deferred(struct folio *f) { (void)f; return false; }
static inline void memcg1_swapin(struct folio *f) { (void)f; }
static inline void zswap_invalidate(swp_entry_t e) { (void)e; }
#define node_stat_mod_folio(f, item, nr) ((void)(f), (void)(nr))
#define lruvec_stat_mod_folio(f, item, nr) ((void)(f), (void)(nr))
#define count_mthp_stat(order, item) ((void)(order))

/* Folio allocation on the swap-in path (folios72.c): a new data folio, or
 * NULL when the harness has no free handle or a fault is armed. */
static struct folio *(sd72_folio_alloc_data)(gfp_t gfp, unsigned int order);
#define folio_alloc_mpol(gfp, order, mpol, ilx, nid) \
	((void)(mpol), (void)(ilx), (void)(nid), SD_HOOK(), (sd72_folio_alloc_data)((gfp), (order)))
#define vma_alloc_folio(gfp, order, vma, addr) \
	((void)(vma), (void)(addr), SD_HOOK(), (sd72_folio_alloc_data)((gfp), (order)))
#define thp_shmem_limit_gfp_mask(a, b) ((void)(a), (b))
#define vma_thp_gfp_mask(vma) ((void)(vma), 0u)
/* fls_long(orders) - 1: -1 for no order (the caller WARNs about that itself). */
static inline int highest_order(unsigned long orders) { return orders ? 63 - __builtin_clzl(orders) : -1; }
static inline int next_order(unsigned long *orders, int prev)
{
	*orders &= ~(1UL << prev);
	return *orders ? highest_order(*orders) : 0;
}

#endif /* SD_SWAP72_H */
