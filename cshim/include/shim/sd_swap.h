/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The swap side of the kernel as mm/swapfile.c sees it: entry encoding,
 * swap_map constants, the device and cluster structures (only the fields
 * the extract uses, in our own layout), and the services of other kernel
 * files (swap cache, slot cache, memcg, zswap) reduced to what
 * ENVIRONMENT.md says they do in the modelled configuration.
 */
#ifndef SD_SWAP_H
#define SD_SWAP_H

#include "sd_blkdev.h"
#include "sd_cpu.h"
#include "sd_mm.h"
#include "sd_xarray.h"

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
static inline int non_swap_entry(swp_entry_t e) { return swp_type(e) >= MAX_SWAPFILES; }

/* swap_map byte values and device flags (include/linux/swap.h, 6.12). */
#define SWAP_HAS_CACHE 0x40
#define COUNT_CONTINUED 0x80
#define SWAP_MAP_MAX 0x3e
#define SWAP_MAP_BAD 0x3f
#define SWAP_MAP_SHMEM 0xbf
#define SWAP_CONT_MAX 0x7f
enum {
	SWP_USED = 1 << 0,
	SWP_WRITEOK = 1 << 1,
	SWP_DISCARDABLE = 1 << 2,
	SWP_DISCARDING = 1 << 3,
	SWP_SOLIDSTATE = 1 << 4,
	SWP_CONTINUED = 1 << 5,
	SWP_BLKDEV = 1 << 6,
	SWP_ACTIVATED = 1 << 7,
	SWP_FS_OPS = 1 << 8,
	SWP_AREA_DISCARD = 1 << 9,
	SWP_PAGE_DISCARD = 1 << 10,
	SWP_STABLE_WRITES = 1 << 11,
	SWP_SYNCHRONOUS_IO = 1 << 12,
	SWP_SCANNING = 1 << 14,
};
#define CLUSTER_FLAG_FREE 1
#define CLUSTER_FLAG_NONFULL 2
#define CLUSTER_FLAG_FRAG 4
#define CLUSTER_FLAG_FULL 8
#define SWAP_NR_ORDERS (PMD_ORDER + 1)
#define SWAP_NEXT_INVALID 0
#define SWAP_BATCH 64
#define SD_NR_NODES 1
#define for_each_node(nid) for ((nid) = 0; (nid) < SD_NR_NODES; (nid)++)

struct swap_cluster_info {
	spinlock_t lock;
	u16 count;
	u8 flags;
	u8 order;
	struct list_head list;
};

struct percpu_cluster {
	unsigned int next[SWAP_NR_ORDERS];
};


struct swap_info_struct {
	struct percpu_ref users;
	unsigned long flags;
	signed short prio;
	signed char type;
	unsigned int max;
	unsigned char *swap_map;
	unsigned long *zeromap;
	struct swap_cluster_info *cluster_info;
	struct list_head free_clusters;
	struct list_head full_clusters;
	struct list_head nonfull_clusters[SWAP_NR_ORDERS];
	struct list_head frag_clusters[SWAP_NR_ORDERS];
	unsigned int frag_cluster_nr[SWAP_NR_ORDERS];
	unsigned int lowest_bit;
	unsigned int highest_bit;
	unsigned int pages;
	unsigned int inuse_pages;
	unsigned int cluster_next;
	unsigned int cluster_nr;
	unsigned int *cluster_next_cpu;        /* one CPU: a single unsigned int */
	struct percpu_cluster *percpu_cluster; /* one CPU: CPU 0's */
	struct rb_root swap_extent_root;
	struct block_device *bdev;
	struct completion comp;
	spinlock_t lock;
	spinlock_t cont_lock;
	struct work_struct discard_work;
	struct work_struct reclaim_work;
	struct list_head discard_clusters;
	struct plist_node avail_lists[SD_NR_NODES];
};

extern atomic_long_t nr_swap_pages;
extern long total_swap_pages;
static inline bool vm_swap_full(void)
{
	return atomic_long_read(&nr_swap_pages) * 2 < total_swap_pages;
}
static inline void put_swap_device(struct swap_info_struct *si) { percpu_ref_put(&si->users); }

/* The non-static functions of the swapfile.c extract (as swap.h declares them). */
struct swap_info_struct *swp_swap_info(swp_entry_t entry);
struct swap_info_struct *get_swap_device(swp_entry_t entry);
int swap_duplicate(swp_entry_t entry);
int swapcache_prepare(swp_entry_t entry, int nr);
void swap_shmem_alloc(swp_entry_t entry, int nr);
void swapcache_clear(struct swap_info_struct *si, swp_entry_t entry, int nr);
int add_swap_count_continuation(swp_entry_t entry, gfp_t gfp_mask);
void swap_free_nr(swp_entry_t entry, int nr_pages);
void put_swap_folio(struct folio *folio, swp_entry_t entry);
void swapcache_free_entries(swp_entry_t *entries, int n);
void free_swap_and_cache_nr(swp_entry_t entry, int nr);
int __swap_count(swp_entry_t entry);
int swap_swapcount(struct swap_info_struct *si, swp_entry_t entry);
int swp_swapcount(swp_entry_t entry);

/* Slot cache disabled: the direct path of mm/swap_slots.c. */
static inline void free_swap_slot(swp_entry_t entry) { swapcache_free_entries(&entry, 1); }

/* Swap cache (mm/swap_state.c), one address space per swap type. */
struct address_space {
	struct xarray i_pages;
	int sd_type;
};
static struct address_space sd_swapper_spaces[MAX_SWAPFILES];
#define swap_address_space(entry) (&sd_swapper_spaces[swp_type(entry)])
#define SWAP_ADDRESS_SPACE_SHIFT 14
#define SWAP_ADDRESS_SPACE_PAGES (1 << SWAP_ADDRESS_SPACE_SHIFT)
static inline pgoff_t swap_cache_index(swp_entry_t e)
{
	return swp_offset(e) & ((1UL << SWAP_ADDRESS_SPACE_SHIFT) - 1);
}
static struct folio *(filemap_get_folio)(struct address_space *mapping, pgoff_t index);
static void __delete_from_swap_cache(struct folio *folio, swp_entry_t entry, void *shadow);
static void (delete_from_swap_cache)(struct folio *folio);
/* Shim hooks (sd_bounds.h). */
#define filemap_get_folio(mapping, index) (SD_HOOK(), (filemap_get_folio)((mapping), (index)))
#define delete_from_swap_cache(folio) (SD_HOOK(), (delete_from_swap_cache)(folio))
/* Shadow entries (workingset) are not modelled. */
static inline void clear_shadow_from_swap_cache(int type, unsigned long begin, unsigned long end)
{
	(void)type; (void)begin; (void)end;
}

/* No memcg, no zswap (ENVIRONMENT.md "Configuration"). */
static inline bool mem_cgroup_swap_full(struct folio *f) { (void)f; return vm_swap_full(); }
static inline void mem_cgroup_uncharge_swap(swp_entry_t e, unsigned int nr) { (void)e; (void)nr; }
static inline void zswap_invalidate(swp_entry_t e) { (void)e; }

#endif /* SD_SWAP_H */
