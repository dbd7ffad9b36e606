/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_72.c translation unit: swap devices of a 7.x kernel
 * (ENVIRONMENT.md "Kernel 7.x"). swapon and swapoff are the syscalls' steps
 * that concern the swap table, in their order, with the kernel's own code
 * where the extract has it (setup_swap_clusters_info, add_to_avail_list,
 * del_from_avail_list, flush_percpu_swap_cluster, free_swap_cluster_info,
 * discard_swap); the rest (files, inodes, the header read) is what this
 * file sets up as the syscall would.
 */

_Static_assert(SD_SWAPFILE_CLUSTER == SWAPFILE_CLUSTER, "swapdiff.h and the extract disagree");
_Static_assert(SD_MAX_DEVICES <= MAX_SWAPFILES, "more devices than swap types");
_Static_assert(SD_PG_MTE_TAGGED == 1u << PG_mte_tagged && SD_PG_MTE_LOCK == 1u << PG_mte_lock,
	       "page flag bits differ from swapdiff.h");
_Static_assert(SWP_TABLE_USE_PAGE, "a swap table is one page (folios72.c allocates it so)");

struct sd_device {
	struct swap_extent extent;
	struct block_device bdev;
	struct gendisk disk;
};
/* Lock discipline (sd_list.h): 7.x keeps no continuation lists, and no list
 * of its own has a rule checked yet. */
static void sd_list_changing(const struct list_head *h, const char *func, int line)
{
	(void)h;
	(void)func;
	(void)line;
}

static struct sd_device sd_devices[SD_MAX_DEVICES];

static struct swap_info_struct *sd_dev(long type)
{
	return type >= 0 && type < SD_MAX_DEVICES ? swap_info[type] : NULL;
}

static struct swap_info_struct *sd_dev_of_entry(uint64_t entry)
{
	return sd_dev((long)(entry >> SD_SWP_TYPE_SHIFT));
}

/* Frees what swapon allocated and whatever tables a trapped call left. */
static void sd_device_release(int type)
{
	struct swap_info_struct *si = swap_info[type];

	sd_work_unqueue(&si->discard_work);
	sd_work_unqueue(&si->reclaim_work);
	if (!plist_node_empty(&si->avail_list))
		plist_del(&si->avail_list, &swap_avail_head);
	if (!plist_node_empty(&si->list))
		plist_del(&si->list, &swap_active_head);
	for (int c = 0; si->cluster_info && c < (int)DIV_ROUND_UP(si->max, SWAPFILE_CLUSTER); c++)
		si->cluster_info[c].table = NULL; /* their pages go with the folio reset */
	free(si->cluster_info);
	free(si->global_cluster);
	free(si);
	swap_info[type] = NULL;
	for (int o = 0; o < SWAP_NR_ORDERS; o++)
		if (percpu_swap_cluster.si[o] == si) {
			percpu_swap_cluster.si[o] = NULL;
			percpu_swap_cluster.offset[o] = SWAP_ENTRY_INVALID;
		}
}

/* swapon from the header on: the rotational device's or SSD's flags,
 * setup_swap_clusters_info(), the area discard, enable_swap_info(). */
static long sd_swapon_kernel(struct swap_info_struct *si, union swap_header *hdr, unsigned int kind)
{
	int err;

	if (kind & SD_DEV_SSD)
		si->flags |= SWP_SOLIDSTATE;
	err = setup_swap_clusters_info(si, hdr, si->max);
	if (err)
		return err;
	if (kind & SD_DEV_DISCARD) {
		si->flags |= SWP_DISCARDABLE | SWP_AREA_DISCARD | SWP_PAGE_DISCARD;
		err = discard_swap(si);
		if (unlikely(err))
			pr_err("swapon: discard_swap(%p): %d\n", si, err);
	}
	/* enable_swap_info() */
	si->users.live = true;
	spin_lock(&swap_lock);
	spin_lock(&si->lock);
	atomic_long_add(si->pages, &nr_swap_pages);
	total_swap_pages += si->pages;
	plist_add(&si->list, &swap_active_head);
	add_to_avail_list(si, true);
	spin_unlock(&si->lock);
	spin_unlock(&swap_lock);
	return 0;
}

static long sd_swapon_setup(struct swap_info_struct *si, union swap_header *hdr, unsigned int kind)
{
	SD_CALL("swapon", sd_swapon_kernel(si, hdr, kind));
}

int sd72_swapon(int nr_clusters, unsigned int kind)
{
	struct swap_info_struct *si;
	struct sd_device *dev;
	union swap_header hdr;
	int type, i;
	long err;

	if (nr_clusters < 1 || nr_clusters > SD_MAX_CLUSTERS || (kind & ~(SD_DEV_SSD | SD_DEV_DISCARD)))
		return -EINVAL;
	for (type = 0; type < SD_MAX_DEVICES && swap_info[type]; type++)
		;
	if (type == SD_MAX_DEVICES)
		return -EBUSY;

	/* alloc_swap_info(): off the avail list until enabled (the off-list
	 * bit set), the works initialised, priority -1 - type. */
	si = sd_xmalloc(sizeof(*si));
	memset(si, 0, sizeof(*si));
	si->type = type;
	si->flags = SWP_USED;
	si->prio = -1 - type;
	plist_node_init(&si->list, -si->prio);
	plist_node_init(&si->avail_list, -si->prio);
	atomic_long_set(&si->inuse_pages, SWAP_USAGE_OFFLIST_BIT);
	INIT_WORK(&si->discard_work, swap_discard_work);
	INIT_WORK(&si->reclaim_work, swap_reclaim_work);

	/* claim_swapfile(): a block device, no swap_slot_free_notify. */
	dev = &sd_devices[type];
	memset(dev, 0, sizeof(*dev));
	dev->disk.fops = &sd_bdev_ops;
	dev->bdev.bd_disk = &dev->disk;
	dev->bdev.sd_type = type;
	si->bdev = &dev->bdev;
	si->flags |= SWP_BLKDEV;

	/* read_swap_header(): no bad pages; pages counts all but the header. */
	si->max = nr_clusters * SWAPFILE_CLUSTER;
	si->pages = si->max - 1;
	memset(&hdr, 0, sizeof(hdr));
	hdr.info.version = 1;
	hdr.info.last_page = si->max - 1;

	/* setup_swap_extents(): one extent over the whole device. */
	dev->extent.nr_pages = si->max;
	si->swap_extent_root.rb_node = &dev->extent.rb_node;
	swap_info[type] = si;
	(void)i;

	err = sd_swapon_setup(si, &hdr, kind);
	if (err) {
		sd_device_release(type);
		return (int)err;
	}
	return type;
}

/* The part of swapoff after try_to_unuse() succeeded, in its order. */
static long sd_swapoff_kernel(struct swap_info_struct *si)
{
	struct swap_cluster_info *cluster_info;
	unsigned int maxpages;

	spin_lock(&swap_lock);
	spin_lock(&si->lock);
	del_from_avail_list(si, true);
	plist_del(&si->list, &swap_active_head);
	atomic_long_sub(si->pages, &nr_swap_pages);
	total_swap_pages -= si->pages;
	spin_unlock(&si->lock);
	spin_unlock(&swap_lock);
	si->users.live = false; /* percpu_ref_kill */
	flush_percpu_swap_cluster(si);
	maxpages = si->max;
	cluster_info = si->cluster_info;
	si->cluster_info = NULL;
	arch_swap_invalidate_area(si->type);
	free_swap_cluster_info(cluster_info, maxpages);
	return 0;
}

static long sd_swapoff_call(struct swap_info_struct *si)
{
	SD_CALL("swapoff", sd_swapoff_kernel(si));
}

int sd72_swapoff(int type)
{
	struct swap_info_struct *si = sd_dev(type);
	long ret;

	if (!si)
		return -EINVAL;
	/* try_to_unuse() would swap every slot in; the harness does that first
	 * and calls this with nothing left (the header and masked slots are
	 * bad slots, not use). */
	if (swap_usage_in_pages(si))
		return -EBUSY;
	if (sd_work_flush_one(&si->discard_work) == SD_TRAPPED ||
	    sd_work_flush_one(&si->reclaim_work) == SD_TRAPPED)
		return (int)SD_TRAPPED;
	ret = sd_swapoff_call(si);
	if (ret)
		return (int)ret;
	sd_device_release(type);
	return 0;
}

unsigned int sd72_device_max(int type)
{
	struct swap_info_struct *si = sd_dev(type);

	return si ? si->max : 0;
}

long sd72_device_inuse_pages(int type, bool *offlist)
{
	struct swap_info_struct *si = sd_dev(type);

	if (!si)
		return 0;
	if (offlist)
		*offlist = atomic_long_read(&si->inuse_pages) & SWAP_USAGE_OFFLIST_BIT;
	return swap_usage_in_pages(si);
}

int sd72_table_get(uint64_t entry, uint64_t *tb)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);
	pgoff_t offset = swp_offset((swp_entry_t){ entry });
	struct swap_cluster_info *ci;

	if (!si || !si->cluster_info || offset >= si->max || !tb)
		return -EINVAL;
	ci = &si->cluster_info[offset / SWAPFILE_CLUSTER];
	*tb = ci->table ? (uint64_t)atomic_long_read(&ci->table[offset % SWAPFILE_CLUSTER]) : 0;
	return 0;
}

unsigned int sd72_extend_get(uint64_t entry)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);
	pgoff_t offset = swp_offset((swp_entry_t){ entry });
	struct swap_cluster_info *ci;

	if (!si || !si->cluster_info || offset >= si->max)
		return 0;
	ci = &si->cluster_info[offset / SWAPFILE_CLUSTER];
	return ci->extend_table ? ci->extend_table[offset % SWAPFILE_CLUSTER] : 0;
}

int sd72_cluster(int type, int idx, struct sd72_cluster_info *out)
{
	struct swap_info_struct *si = sd_dev(type);
	struct swap_cluster_info *ci;

	if (!si || !si->cluster_info || idx < 0 || (unsigned int)idx >= DIV_ROUND_UP(si->max, SWAPFILE_CLUSTER) ||
	    !out)
		return -EINVAL;
	ci = &si->cluster_info[idx];
	out->count = ci->count;
	out->flags = ci->flags;
	out->order = ci->order;
	out->has_table = ci->table != NULL;
	out->has_extend = ci->extend_table != NULL;
	return 0;
}

long sd72_nr_swap_pages(void)
{
	return atomic_long_read(&nr_swap_pages);
}

long sd72_total_swap_pages(void)
{
	return total_swap_pages;
}

static void sd_devices_reset(void)
{
	for (int t = 0; t < SD_MAX_DEVICES; t++)
		if (swap_info[t])
			sd_device_release(t);
	for (int o = 0; o < SWAP_NR_ORDERS; o++) {
		percpu_swap_cluster.si[o] = NULL;
		percpu_swap_cluster.offset[o] = SWAP_ENTRY_INVALID;
	}
	percpu_swap_cluster.lock.held = 0;
	plist_head_init(&swap_active_head);
	plist_head_init(&swap_avail_head);
	spin_lock_init(&swap_lock);
	spin_lock_init(&swap_avail_lock);
	atomic_long_set(&nr_swap_pages, 0);
	total_swap_pages = 0;
}
