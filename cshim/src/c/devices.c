/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: swap devices (ENVIRONMENT.md
 * "Swap devices", "Device kinds", "Allocator" and "Continuation pages"):
 * swapon, swapoff, mark_bad, the allocator's entry points, vmalloc_to_page()
 * over the swap maps, and device inspection. swap_info[], nr_swapfiles, nr_swap_pages and the avail list
 * are the extract's own globals; this file sets them up as swapon would.
 */

#define SD_MAX_SLOTS (SD_MAX_CLUSTERS * SD_SWAPFILE_CLUSTER)
#define SD_MAP_PAGES ((SD_MAX_SLOTS + PAGE_SIZE - 1) / PAGE_SIZE)

_Static_assert(SD_SWAPFILE_CLUSTER == SWAPFILE_CLUSTER, "swapdiff.h and the extract disagree");
_Static_assert(SD_MAX_DEVICES <= MAX_SWAPFILES, "more devices than swap types");
_Static_assert(SD_NR_ORDERS == SWAP_NR_ORDERS && SD_SWAP_BATCH == SWAP_BATCH, "swapdiff.h and the extract disagree");
_Static_assert(SD_PG_MTE_TAGGED == 1u << PG_mte_tagged && SD_PG_MTE_LOCK == 1u << PG_mte_lock,
	       "page flag bits differ from swapdiff.h");

/* What swapon's vmalloc() would give: page aligned map and its pages; and
 * the block device with its one extent. */
struct sd_device {
	unsigned char *map;
	struct page heads[SD_MAP_PAGES];
	struct swap_extent extent;
	struct block_device bdev;
	struct gendisk disk;
};
static struct sd_device sd_devices[SD_MAX_DEVICES];
static struct plist_head sd_avail_heads[SD_NR_NODES];

static struct swap_info_struct *sd_dev(long type)
{
	return type >= 0 && type < SD_MAX_DEVICES ? swap_info[type] : NULL;
}

static struct swap_info_struct *sd_dev_of_entry(uint64_t entry)
{
	return sd_dev((long)(entry >> SD_SWP_TYPE_SHIFT));
}

static struct page *(vmalloc_to_page)(const void *addr)
{
	for (int t = 0; t < SD_MAX_DEVICES; t++) {
		uintptr_t base = (uintptr_t)sd_devices[t].map;

		if (base && (uintptr_t)addr - base < SD_MAP_PAGES * PAGE_SIZE)
			return &sd_devices[t].heads[((uintptr_t)addr - base) / PAGE_SIZE];
	}
	sd_trap(SD_EV_BUG, __func__, "address outside every swap_map", __LINE__);
}

/*
 * Lock discipline (sd_list.h): the swap count continuation list of a
 * swap_map page changes only under si->cont_lock, the lock 2628bd6fc052
 * added to "protect swap count continuation page list" (swap.h) after
 * add_swap_count_continuation() and swap_count_continued() raced on it under
 * two different cluster locks. A change without it is a WARN the kernel
 * would not print, so no sequential order explains it (src/interleave).
 * Not once the device's users are drained: free_swap_count_continuations()
 * takes the lists apart alone, after swapoff's waits.
 */
static void sd_list_changing(const struct list_head *h, const char *func, int line)
{
	for (int t = 0; t < SD_MAX_DEVICES; t++) {
		const struct sd_device *dev = &sd_devices[t];
		const struct swap_info_struct *si = swap_info[t];

		if ((const char *)h < (const char *)&dev->heads[0] ||
		    (const char *)h >= (const char *)&dev->heads[SD_MAP_PAGES])
			continue;
		if (si && si->users.live)
			(void)sd_warn_if(!sd_lock_mine(&si->cont_lock), func,
					 "lock discipline: continuation list changed without si->cont_lock", line);
		return;
	}
}

/* mark_bad after swapon: the cluster counts the slot as setup_clusters
 * counts a bad page of the header's list, and a free cluster moves to the
 * nonfull list as setup_clusters files a cluster with a count. */
static void sd_cluster_take(struct swap_info_struct *si, unsigned long offset, unsigned int n)
{
	struct swap_cluster_info *ci;

	if (!si->cluster_info)
		return;
	ci = &si->cluster_info[offset / SWAPFILE_CLUSTER];
	ci->count += n;
	if (ci->flags & CLUSTER_FLAG_FREE) {
		ci->flags = CLUSTER_FLAG_NONFULL;
		list_move_tail(&ci->list, &si->nonfull_clusters[0]);
	}
}

/* Frees what swapon allocated; continuation pages are the caller's. Its
 * queued work goes with it. */
static void sd_device_release(int type)
{
	struct swap_info_struct *si = swap_info[type];

	sd_work_unqueue(&si->discard_work);
	sd_work_unqueue(&si->reclaim_work);
	if (!plist_node_empty(&si->avail_lists[0]))
		plist_del(&si->avail_lists[0], &swap_avail_heads[0]);
	/* Through the quarantine (sched.c): in an interleaved run another CPU
	 * may still hold `si`; the kernel never frees a swap_info_struct. */
	sd_quarantine_add(si->cluster_info);
	sd_quarantine_add(si->percpu_cluster);
	sd_quarantine_add(si->cluster_next_cpu);
	sd_quarantine_add(si->zeromap);
	sd_quarantine_add(si);
	sd_quarantine_add(sd_devices[type].map);
	sd_devices[type].map = NULL;
	swap_info[type] = NULL;
}

/*
 * The part of swapon after the header is read whose code is the kernel's:
 * SSD: SWP_SOLIDSTATE and setup_clusters(); discard: the flags swapon sets
 * for SWAP_FLAG_DISCARD without a policy flag, and the area discard.
 */
static long sd_swapon_kernel(struct swap_info_struct *si, union swap_header *hdr, unsigned int kind)
{
	if (kind & SD_DEV_SSD) {
		struct swap_cluster_info *ci;

		si->flags |= SWP_SOLIDSTATE;
		ci = setup_clusters(si, hdr, si->max);
		if (IS_ERR(ci))
			return PTR_ERR(ci);
		si->cluster_info = ci;
	}
	if (kind & SD_DEV_DISCARD) {
		si->flags |= SWP_DISCARDABLE | SWP_AREA_DISCARD | SWP_PAGE_DISCARD;
		if (si->flags & SWP_AREA_DISCARD) {
			int err = discard_swap(si);

			if (unlikely(err))
				pr_err("swapon: discard_swap(%p): %d\n", si, err);
		}
	}
	return 0;
}

static long sd_swapon_setup(struct swap_info_struct *si, union swap_header *hdr, unsigned int kind)
{
	SD_CALL("swapon", sd_swapon_kernel(si, hdr, kind));
}

int sd_swapon(int nr_clusters, unsigned int kind)
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

	/* alloc_swap_info(), and swapon's INIT_WORKs */
	si = sd_xmalloc(sizeof(*si));
	memset(si, 0, sizeof(*si));
	si->type = type;
	si->flags = SWP_USED;
	plist_node_init(&si->avail_lists[0], 0);
	INIT_WORK(&si->discard_work, swap_discard_work);
	INIT_WORK(&si->reclaim_work, swap_reclaim_work);
	/* The kernel leaves the lists to setup_clusters(); a rotational device
	 * gets empty ones too, so no walk of them ever reads zeroes. */
	INIT_LIST_HEAD(&si->free_clusters);
	INIT_LIST_HEAD(&si->full_clusters);
	INIT_LIST_HEAD(&si->discard_clusters);
	for (i = 0; i < SWAP_NR_ORDERS; i++) {
		INIT_LIST_HEAD(&si->nonfull_clusters[i]);
		INIT_LIST_HEAD(&si->frag_clusters[i]);
	}

	/* claim_swapfile(): a block device, whose disk has no
	 * swap_slot_free_notify. */
	dev = &sd_devices[type];
	memset(&dev->disk, 0, sizeof(dev->disk));
	dev->disk.fops = &sd_bdev_ops;
	dev->bdev.bd_disk = &dev->disk;
	dev->bdev.sd_type = type;
	si->bdev = &dev->bdev;
	si->flags |= SWP_BLKDEV;

	/* read_swap_header(): no bad pages in the header. */
	si->max = nr_clusters * SWAPFILE_CLUSTER;
	si->pages = si->max - 1;
	si->lowest_bit = 1;
	si->highest_bit = si->max - 1;
	si->cluster_next = 1;
	si->cluster_nr = 0;
	memset(&hdr, 0, sizeof(hdr));
	hdr.info.version = 1;
	hdr.info.last_page = si->max - 1;
	hdr.info.nr_badpages = 0;

	/* setup_swap_extents(): one extent over the whole device. */
	memset(&dev->extent, 0, sizeof(dev->extent));
	dev->extent.start_page = 0;
	dev->extent.nr_pages = si->max;
	dev->extent.start_block = 0;
	si->swap_extent_root.rb_node = &dev->extent.rb_node;

	/* vzalloc(maxpages) and setup_swap_map(). Page aligned, and exactly
	 * max bytes long: under ASan a write past the map's end is a
	 * heap-buffer-overflow, as KASAN reports one past swapon's
	 * vzalloc(maxpages). (posix_memalign: aligned_alloc wants the size to
	 * be a multiple of the alignment.) */
	if (posix_memalign((void **)&dev->map, PAGE_SIZE, si->max))
		abort();
	memset(dev->map, 0, si->max);
	dev->map[0] = SWAP_MAP_BAD; /* the header page */
	for (i = 0; i < (int)SD_MAP_PAGES; i++) {
		memset(&dev->heads[i], 0, sizeof(dev->heads[i]));
		INIT_LIST_HEAD(&dev->heads[i].lru);
		dev->heads[i].virtual = dev->map + i * PAGE_SIZE;
		dev->heads[i].sd_kind = SD_PAGE_MAP_HEAD;
	}
	si->swap_map = dev->map;
	si->zeromap = sd_xmalloc(BITS_TO_LONGS(si->max) * sizeof(long));
	memset(si->zeromap, 0, BITS_TO_LONGS(si->max) * sizeof(long));
	si->users.live = true;
	swap_info[type] = si;

	sd_kv_last = NULL;
	err = sd_swapon_setup(si, &hdr, kind);
	if (err) {
		/* A setup that trapped before storing its cluster array. */
		if (sd_kv_last && sd_kv_last != si->cluster_info)
			free(sd_kv_last);
		sd_kv_last = NULL;
		sd_device_release(type);
		return (int)err;
	}
	sd_kv_last = NULL;

	/* enable_swap_info(): prio -1 - type, SWP_WRITEOK, on the avail list
	 * (higher priority first), the pages join both counters. */
	si->prio = -1 - type;
	si->flags |= SWP_WRITEOK;
	plist_node_init(&si->avail_lists[0], -si->prio);
	plist_add(&si->avail_lists[0], &swap_avail_heads[0]);
	if (nr_swapfiles < (unsigned int)type + 1)
		nr_swapfiles = type + 1;
	atomic_long_add(si->pages, &nr_swap_pages);
	total_swap_pages += si->pages;
	return type;
}

static int sd_swapoff_tail(struct swap_info_struct *si, int type)
{
	SD_CALL("swapoff", (free_swap_count_continuations(si),
			    arch_swap_invalidate_area(type), 0L));
}

/*
 * swapoff(2)'s synchronisation with everything else, for a swapoff on a
 * simulated CPU (ENVIRONMENT.md "Interleavings"): the kernel's order, each
 * wait a sleep the scheduler ends when its condition holds.
 *  - SWP_WRITEOK cleared and the device off the avail list, under p->lock:
 *    no new allocation;
 *  - try_to_unuse(): done when no other CPU's caller keeps the device busy
 *    (sched.c sd_sched_others_unused, bounds.c SD_GUARD_*); the end of this
 *    function drops the references that are left;
 *  - percpu_ref_kill(&p->users), synchronize_rcu() (every other CPU out of
 *    its spinlock sections), then wait_for_completion(&p->comp) (the last
 *    get_swap_device() reference put);
 *  - under p->lock: highest_bit = 0, wait for SWP_SCANNING to drop, then
 *    swap_map and cluster_info NULL. What is freed goes to the quarantine.
 * A second swapoff of the same device finds SWP_WRITEOK clear: -EINVAL, as
 * swapoff(2)'s lookup of the file skips such a device.
 */
static bool sd_unuse_done(int self, const void *arg)
{
	const struct swap_info_struct *si = arg;

	return sd_sched_others_unused(self, si->inuse_pages == 0);
}

static bool sd_users_gone(int self, const void *arg)
{
	(void)self;
	return ((const struct swap_info_struct *)arg)->users.count == 0;
}

static bool sd_not_scanning(int self, const void *arg)
{
	(void)self;
	return ((const struct swap_info_struct *)arg)->flags < SWP_SCANNING;
}

static int sd_swapoff_begin(struct swap_info_struct *si)
{
	/* swapoff(2) finds the device and clears SWP_WRITEOK under one hold of
	 * swap_lock: the test and the clear are one step here too. */
	sd_lock(&si->lock, __func__, "spin_lock(&p->lock)", __LINE__);
	if (!(si->flags & SWP_WRITEOK)) {
		sd_unlock(&si->lock, __func__, "spin_unlock(&p->lock)", __LINE__);
		return -EINVAL;
	}
	sd_lock(&swap_avail_lock, __func__, "spin_lock(&swap_avail_lock)", __LINE__);
	if (!plist_node_empty(&si->avail_lists[0]))
		plist_del(&si->avail_lists[0], &swap_avail_heads[0]);
	sd_unlock(&swap_avail_lock, __func__, "spin_unlock(&swap_avail_lock)", __LINE__);
	si->flags &= ~SWP_WRITEOK;
	sd_unlock(&si->lock, __func__, "spin_unlock(&p->lock)", __LINE__);
	sd_sched_wait(sd_unuse_done, si, __func__, "try_to_unuse()", __LINE__);
	si->users.live = false;
	sd_synchronize_rcu(__func__, __LINE__);
	sd_sched_wait(sd_users_gone, si, __func__, "wait_for_completion(&p->comp)", __LINE__);
	return 0;
}

static void sd_swapoff_unmap(struct swap_info_struct *si)
{
	sd_lock(&si->lock, __func__, "spin_lock(&p->lock)", __LINE__);
	si->highest_bit = 0;
	while (si->flags >= SWP_SCANNING) {
		sd_unlock(&si->lock, __func__, "spin_unlock(&p->lock)", __LINE__);
		sd_sched_wait(sd_not_scanning, si, __func__, "schedule_timeout_uninterruptible(1)", __LINE__);
		sd_lock(&si->lock, __func__, "spin_lock(&p->lock)", __LINE__);
	}
	/* Freed by the caller (cluster_info) and sd_device_release (the map,
	 * through the device's own pointer). */
	si->swap_map = NULL;
	si->cluster_info = NULL;
	sd_unlock(&si->lock, __func__, "spin_unlock(&p->lock)", __LINE__);
}

/*
 * A call whose caller must hold the device (SD_GUARD_HELD) that starts once
 * swapoff has killed the users: its slot is not mapped (try_to_unuse() is
 * over), so its caller relies on get_swap_device(), which now fails, and the
 * caller goes on as if the device were gone. The wrapper makes it exactly
 * that: it waits for swapoff to finish, then calls as after a sequential
 * swapoff.
 */
static bool sd_swapoff_finished(int self, const void *arg)
{
	(void)self;
	return sd_dev_of_entry(*(const uint64_t *)arg) == NULL;
}

static void sd_held_call_begins(const uint64_t *entry)
{
	const struct swap_info_struct *si = sd_dev_of_entry(*entry);

	if (si && !si->users.live)
		sd_sched_wait(sd_swapoff_finished, entry, __func__, "get_swap_device() fails: swapoff", __LINE__);
}

int sd_swapoff(int type)
{
	struct swap_info_struct *si = sd_dev(type);
	struct swap_cluster_info *cluster_info;
	bool interleaved = sd_sched_running >= 0;
	int ret;

	if (!si)
		return -EINVAL;
	if (interleaved && (ret = sd_swapoff_begin(si)))
		return ret;
	/* flush_work(&p->discard_work); flush_work(&p->reclaim_work); */
	if (sd_work_flush_one(&si->discard_work) == SD_TRAPPED ||
	    sd_work_flush_one(&si->reclaim_work) == SD_TRAPPED)
		return (int)SD_TRAPPED;
	ret = sd_swapoff_tail(si, type);
	if (ret)
		return ret;
	cluster_info = si->cluster_info;
	if (interleaved) {
		sd_swapoff_unmap(si);
		sd_quarantine_add(cluster_info);
	}
	atomic_long_sub(si->pages - si->inuse_pages, &nr_swap_pages);
	total_swap_pages -= si->pages;
	sd_swapcache_drop_type(type);
	sd_device_release(type);
	return 0;
}

int sd_mark_bad(uint64_t entry)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);
	pgoff_t offset = swp_offset((swp_entry_t){ entry });

	if (!si || offset >= si->max)
		return -EINVAL;
	if (si->swap_map[offset])
		return -EBUSY;
	si->swap_map[offset] = SWAP_MAP_BAD;
	sd_cluster_take(si, offset, 1);
	si->pages--;
	atomic_long_sub(1, &nr_swap_pages);
	total_swap_pages--;
	return 0;
}

/*
 * get_swap_pages(1, &e, order) for the device it picked, on `si`: the page
 * counter's check and reservation, si->lock and the device test, the scan,
 * the reservation's return when nothing was found (get_swap_pages' own
 * steps, narrowed to one device; sd_get_swap_pages runs the function whole).
 */
static long sd_get_one(struct swap_info_struct *si, int order, swp_entry_t *e)
{
	unsigned long size = 1UL << order;
	long avail_pgs = atomic_long_read(&nr_swap_pages) / (long)size;
	int n_ret = 0;

	if (avail_pgs <= 0)
		return 0;
	atomic_long_sub(size, &nr_swap_pages);
	spin_lock(&si->lock);
	if (si->highest_bit && (si->flags & SWP_WRITEOK))
		n_ret = scan_swap_map_slots(si, SWAP_HAS_CACHE, 1, e, order);
	spin_unlock(&si->lock);
	if (n_ret < 1)
		atomic_long_add(size, &nr_swap_pages);
	return n_ret;
}

static long sd_alloc_call(struct swap_info_struct *si, int order, swp_entry_t *e)
{
	SD_CALL("get_swap_pages", sd_get_one(si, order, e));
}

int sd_alloc_swap(int type, int order, uint64_t *entry)
{
	struct swap_info_struct *si = sd_dev(type);
	swp_entry_t e = { 0 };
	long n;

	if (!si || order < 0 || order > SD_MAX_FOLIO_ORDER || !entry)
		return -EINVAL;
	n = sd_alloc_call(si, order, &e);
	if (n == SD_TRAPPED)
		return (int)SD_TRAPPED;
	if (n < 1)
		return -ENOSPC;
	*entry = e.val;
	return 0;
}

static long sd_get_swap_pages_call(int n_goal, int order, swp_entry_t *out)
{
	SD_CALL("get_swap_pages", get_swap_pages(n_goal, out, order));
}

long sd_get_swap_pages(int n_goal, int order, uint64_t entries[SD_SWAP_BATCH])
{
	swp_entry_t out[SWAP_BATCH];
	long n;

	if (n_goal < 1 || n_goal > SD_SWAP_BATCH || order < 0 || order > SD_MAX_FOLIO_ORDER || !entries)
		return SD_REFUSED;
	memset(out, 0, sizeof(out));
	n = sd_get_swap_pages_call(n_goal, order, out);
	for (long i = 0; i < n && i < SWAP_BATCH; i++)
		entries[i] = out[i].val;
	return n;
}

unsigned int sd_device_max(int type)
{
	struct swap_info_struct *si = sd_dev(type);

	return si ? si->max : 0;
}

bool sd_device_has_clusters(int type)
{
	struct swap_info_struct *si = sd_dev(type);

	return si && si->cluster_info;
}

unsigned int sd_device_inuse_pages(int type)
{
	struct swap_info_struct *si = sd_dev(type);

	return si ? si->inuse_pages : 0;
}

int sd_map_byte(uint64_t entry)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);
	pgoff_t offset = swp_offset((swp_entry_t){ entry });

	return si && offset < si->max ? si->swap_map[offset] : -1;
}

const uint8_t *sd_swap_map(int type, uint64_t *len)
{
	struct swap_info_struct *si = sd_dev(type);

	*len = si ? si->max : 0;
	return si ? si->swap_map : NULL;
}

int sd_cont_digits(uint64_t entry, uint8_t *out, int max)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);
	pgoff_t offset = swp_offset((swp_entry_t){ entry });
	struct page *head, *page;
	int n = 0;

	if (!si || offset >= si->max)
		return -EINVAL;
	head = &sd_devices[swp_type((swp_entry_t){ entry })].heads[offset / PAGE_SIZE];
	/* lru of a head is only a list once private says so */
	if (page_private(head) != SWP_CONTINUED)
		return 0;
	list_for_each_entry(page, &head->lru, lru) {
		if (out && n < max)
			out[n] = ((unsigned char *)page->virtual)[offset % PAGE_SIZE];
		n++;
	}
	return n;
}

int sd_cluster(int type, int idx, unsigned int *count, unsigned int *flags)
{
	struct swap_info_struct *si = sd_dev(type);

	if (!si || !si->cluster_info || idx < 0 || (unsigned int)idx >= si->max / SWAPFILE_CLUSTER)
		return -EINVAL;
	if (count)
		*count = si->cluster_info[idx].count;
	if (flags)
		*flags = si->cluster_info[idx].flags;
	return 0;
}

unsigned int sd_cluster_order(int type, int idx)
{
	struct swap_info_struct *si = sd_dev(type);

	if (!si || !si->cluster_info || idx < 0 || (unsigned int)idx >= si->max / SWAPFILE_CLUSTER)
		return 0;
	return si->cluster_info[idx].order;
}

/* The list head of list id `list` (swapdiff.h SD_LIST_*), NULL for a bad id. */
static struct list_head *sd_list_of(struct swap_info_struct *si, int list)
{
	if (list == SD_LIST_FREE)
		return &si->free_clusters;
	if (list == SD_LIST_FULL)
		return &si->full_clusters;
	if (list == SD_LIST_DISCARD)
		return &si->discard_clusters;
	if (list >= SD_LIST_NONFULL(0) && list < SD_LIST_NONFULL(SD_NR_ORDERS))
		return &si->nonfull_clusters[list - SD_LIST_NONFULL(0)];
	if (list >= SD_LIST_FRAG(0) && list < SD_LIST_FRAG(SD_NR_ORDERS))
		return &si->frag_clusters[list - SD_LIST_FRAG(0)];
	return NULL;
}

int sd_cluster_list(int type, int list, unsigned int *idx, int max)
{
	struct swap_info_struct *si = sd_dev(type);
	struct list_head *head, *pos;
	unsigned int nr = si ? si->max / SWAPFILE_CLUSTER : 0;
	int n = 0;

	if (!si || !si->cluster_info || !(head = sd_list_of(si, list)))
		return -EINVAL;
	/* A call the watchdog cut short may leave a list half linked: the walk
	 * stops after as many nodes as there are clusters (and one more, so a
	 * cycle shows as too long rather than hanging the inspection). */
	for (pos = head->next; pos != head && n <= (int)nr; pos = pos->next) {
		struct swap_cluster_info *ci = list_entry(pos, struct swap_cluster_info, list);

		if (idx && n < max)
			idx[n] = (unsigned int)(ci - si->cluster_info);
		n++;
	}
	return n;
}

unsigned int sd_percpu_next(int type, int order)
{
	struct swap_info_struct *si = sd_dev(type);

	if (!si || !si->percpu_cluster || order < 0 || order >= SWAP_NR_ORDERS)
		return 0;
	return si->percpu_cluster->next[order];
}

unsigned int sd_frag_cluster_nr(int type, int order)
{
	struct swap_info_struct *si = sd_dev(type);

	if (!si || order < 0 || order >= SWAP_NR_ORDERS)
		return 0;
	return si->frag_cluster_nr[order];
}

int sd_device_bits(int type, unsigned int out[4])
{
	struct swap_info_struct *si = sd_dev(type);

	if (!si || !out)
		return -EINVAL;
	out[0] = si->lowest_bit;
	out[1] = si->highest_bit;
	out[2] = si->cluster_next;
	out[3] = si->cluster_nr;
	return 0;
}

long sd_nr_swap_pages(void)
{
	return atomic_long_read(&nr_swap_pages);
}

long sd_total_swap_pages(void)
{
	return total_swap_pages;
}

static void sd_devices_reset(void)
{
	for (int t = 0; t < SD_MAX_DEVICES; t++) {
		if (!swap_info[t])
			continue;
		/* The avail list is rebuilt below; a call the watchdog cut short
		 * may have left it half linked, so release must not walk it. */
		INIT_LIST_HEAD(&swap_info[t]->avail_lists[0].node_list);
		sd_device_release(t); /* after sd_work_reset: nothing is queued */
	}
	for (int t = 0; t < MAX_SWAPFILES; t++)
		swap_info[t] = NULL;
	nr_swapfiles = 0;
	nr_swap_pages.counter = 0;
	total_swap_pages = 0;
	for (int n = 0; n < SD_NR_NODES; n++)
		plist_head_init(&sd_avail_heads[n]);
	swap_avail_heads = sd_avail_heads;
	spin_lock_init(&swap_avail_lock);
}
