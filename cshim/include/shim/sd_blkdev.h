/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The block layer as mm/swapfile.c sees a swap device (ENVIRONMENT.md
 * "Device kinds" and "Discard"): every device is a block device whose disk
 * has no swap_slot_free_notify, with one swap extent (start_page 0, nr_pages
 * max, start_block 0) in a one-node rb tree, and blkdev_issue_discard()
 * records an SD_EV_DISCARD event instead of talking to a disk. The swap
 * header is what swapon reads of it: the bad-page list.
 */
#ifndef SD_BLKDEV_H
#define SD_BLKDEV_H

#include "sd_compiler.h"
#include "sd_events.h"

typedef u64 sector_t;
#define SECTOR_SHIFT 9

/* An rb tree of at most one node: nothing ever rebalances it. */
struct rb_node {
	struct rb_node *rb_left, *rb_right;
};
struct rb_root {
	struct rb_node *rb_node;
};
#define RB_ROOT ((struct rb_root){ NULL })
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
static inline struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	while (n && n->rb_left)
		n = n->rb_left;
	return n;
}
/* One node: it has no successor. (A tree the shim built with more would
 * need parent links; swapon never builds one.) */
static inline struct rb_node *rb_next(const struct rb_node *node)
{
	(void)node;
	return NULL;
}

struct swap_extent {
	struct rb_node rb_node;
	pgoff_t start_page;
	pgoff_t nr_pages;
	sector_t start_block;
};

struct block_device;
struct block_device_operations {
	void (*swap_slot_free_notify)(struct block_device *, unsigned long);
};
struct gendisk {
	const struct block_device_operations *fops;
};
struct block_device {
	struct gendisk *bd_disk;
	int sd_type; /* the swap type it backs, for the DISCARD event */
};

#define GFP_NOIO 0x10u

/* Records "discard TYPE:PAGE+PAGES" under the calling kernel function; the
 * extent maps page p to sectors 8p..8p+7, so pages are sectors / 8. */
static int sd_blkdev_issue_discard(struct block_device *bdev, sector_t sector, sector_t nr_sects,
				   const char *func, int line);
#define blkdev_issue_discard(bdev, sector, nr_sects, gfp) \
	((void)(gfp), sd_blkdev_issue_discard((bdev), (sector), (nr_sects), __func__, __LINE__))

/* The part of include/uapi's swap header swapon reads: the bad-page list. */
union swap_header {
	struct {
		u32 version;
		u32 last_page;
		u32 nr_badpages;
		u32 badpages[1];
	} info;
};

#endif /* SD_BLKDEV_H */
