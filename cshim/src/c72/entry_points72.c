/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_72.c translation unit: the sd72_* wrappers of the 7.x
 * entry points. A folio function runs with the folio locked, as its callers
 * hold it (folio_lock() in shrink_folio_list, do_swap_page, shmem); the
 * wrapper refuses a folio that is locked already, which no caller passes.
 *
 * Argument guards (ENVIRONMENT.md "Kernel 7.x"): the calls the kernel would
 * turn into an out-of-bounds or NULL access are refused. The 7.x entry
 * points trust their caller to hold a reference on the slot, so an entry
 * whose device is missing, whose offset is past si->max or whose cluster
 * has no swap table is refused for every function that indexes the table
 * without a check; what the kernel checks itself (get_swap_device's type and
 * offset tests, __swap_cache_add_check's missing table) is passed through.
 */

static swp_entry_t sd_e(uint64_t v)
{
	return (swp_entry_t){ v };
}

/* The slot's cluster, when the device, the offset and the table exist. */
static struct swap_cluster_info *sd_tabled_cluster(uint64_t entry)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);
	pgoff_t offset = swp_offset(sd_e(entry));

	if (!si || !si->cluster_info || offset >= si->max)
		return NULL;
	if (!si->cluster_info[offset / SWAPFILE_CLUSTER].table)
		return NULL;
	return &si->cluster_info[offset / SWAPFILE_CLUSTER];
}

/* Every cluster of [entry, entry + nr) has its table. */
static bool sd_range_tabled(uint64_t entry, long nr)
{
	for (long i = 0; i < nr; i++)
		if (!sd_tabled_cluster(entry + i))
			return false;
	return true;
}

static bool sd_folio_unlocked(int self, const void *folio)
{
	(void)self;
	return !folio_test_locked((const struct folio *)folio);
}

/* A folio to pass to a folio function: present and not locked. On a
 * simulated CPU the folio another CPU's call holds locked is waited for
 * first (folio_lock() sleeps); outside a run nothing else can hold it, and a
 * locked folio is one no caller passes. */
static struct folio *sd_lockable(int handle)
{
	struct folio *f = sd_folio_at(handle);

	if (f && folio_test_locked(f))
		sd_sched_wait(sd_folio_unlocked, f, "folio_lock", "folio_lock(folio)", __LINE__);
	return f && !folio_test_locked(f) ? f : NULL;
}

/* A folio whose entries the kernel will index: in the swap cache on
 * existing tables (folio->swap is 0 outside the cache). */
static struct folio *sd_cached(int handle)
{
	struct folio *f = sd_lockable(handle);

	if (!f || !folio_test_swapcache(f) || !sd_range_tabled(f->swap.val, folio_nr_pages(f)))
		return NULL;
	return f;
}

static struct page *sd_subpage(struct folio *f, int subpage, bool *bad)
{
	*bad = subpage < -1 || subpage >= folio_nr_pages(f);
	return subpage < 0 ? NULL : folio_page(f, subpage);
}

static long sd_locked_alloc_swap(struct folio *f)
{
	long ret;

	__folio_set_locked(f);
	ret = folio_alloc_swap(f);
	folio_unlock(f);
	return ret;
}

long sd72_folio_alloc_swap(int handle)
{
	struct folio *f = sd_lockable(handle);

	if (!f)
		return SD_REFUSED;
	SD_CALL("folio_alloc_swap", sd_locked_alloc_swap(f));
}

static long sd_locked_dup(struct folio *f, struct page *sub)
{
	long ret;

	__folio_set_locked(f);
	ret = folio_dup_swap(f, sub);
	folio_unlock(f);
	return ret;
}

long sd72_folio_dup_swap(int handle, int subpage)
{
	struct folio *f = sd_cached(handle);
	struct page *sub;
	bool bad;

	if (!f)
		return SD_REFUSED;
	sub = sd_subpage(f, subpage, &bad);
	if (bad)
		return SD_REFUSED;
	SD_CALL("folio_dup_swap", sd_locked_dup(f, sub));
}

static long sd_locked_put(struct folio *f, struct page *sub)
{
	__folio_set_locked(f);
	folio_put_swap(f, sub);
	folio_unlock(f);
	return 0;
}

long sd72_folio_put_swap(int handle, int subpage)
{
	struct folio *f = sd_cached(handle);
	struct page *sub;
	bool bad;

	if (!f)
		return SD_REFUSED;
	sub = sd_subpage(f, subpage, &bad);
	if (bad)
		return SD_REFUSED;
	SD_CALL("folio_put_swap", sd_locked_put(f, sub));
}

long sd72_swap_dup_entry_direct(uint64_t entry)
{
	/* A type without a device is the kernel's own WARN and -EINVAL. */
	if (sd_dev_of_entry(entry) && !sd_tabled_cluster(entry))
		return SD_REFUSED;
	SD_CALL("swap_dup_entry_direct", swap_dup_entry_direct(sd_e(entry)));
}

long sd72_swap_put_entries_direct(uint64_t entry, int nr)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);
	pgoff_t offset = swp_offset(sd_e(entry));

	if (nr < 1 || nr > SWAPFILE_CLUSTER)
		return SD_REFUSED;
	/* get_swap_device() and the end check are the kernel's; past them,
	 * every slot's table is indexed. */
	if (si && offset < si->max && offset + nr <= si->max && !sd_range_tabled(entry, nr))
		return SD_REFUSED;
	SD_CALL_VOID("swap_put_entries_direct", swap_put_entries_direct(sd_e(entry), nr));
}

static long sd_locked_free_swap(struct folio *f)
{
	long ret;

	__folio_set_locked(f);
	ret = folio_free_swap(f);
	folio_unlock(f);
	return ret;
}

long sd72_folio_free_swap(int handle)
{
	struct folio *f = sd_lockable(handle);

	/* Outside the cache the kernel returns false itself; inside, it reads
	 * the folio's slots. */
	if (!f || (folio_test_swapcache(f) && !sd_cached(handle)))
		return SD_REFUSED;
	SD_CALL("folio_free_swap", sd_locked_free_swap(f));
}

long sd72_swap_retry_table_alloc(uint64_t entry)
{
	SD_CALL("swap_retry_table_alloc", swap_retry_table_alloc(sd_e(entry), GFP_KERNEL));
}

long sd72___swap_count(uint64_t entry)
{
	if (!sd_tabled_cluster(entry))
		return SD_REFUSED;
	SD_CALL("__swap_count", __swap_count(sd_e(entry)));
}

long sd72_swp_swapcount(uint64_t entry)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);

	if (si && swp_offset(sd_e(entry)) < si->max && !sd_tabled_cluster(entry))
		return SD_REFUSED;
	SD_CALL("swp_swapcount", swp_swapcount(sd_e(entry)));
}

long sd72_swap_entry_swapped(uint64_t entry)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);

	if (!si || swp_offset(sd_e(entry)) >= si->max)
		return SD_REFUSED;
	SD_CALL("swap_entry_swapped", swap_entry_swapped(si, sd_e(entry)));
}

/* The lookup's own reference goes back at once: the harness keeps the
 * handle, not the reference (the kernel's callers put it when done). */
static long sd_cache_lookup(swp_entry_t entry)
{
	struct folio *f = swap_cache_get_folio(entry);
	long h;

	if (!f)
		return -ENOENT;
	h = f->kind == SD_FOLIO_DATA ? f->slot : -EFAULT;
	folio_put(f);
	return h;
}

long sd72_swap_cache_get_folio(uint64_t entry)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);

	if (!si || !si->cluster_info || swp_offset(sd_e(entry)) >= si->max)
		return SD_REFUSED;
	SD_CALL("swap_cache_get_folio", sd_cache_lookup(sd_e(entry)));
}

/* swapin: the new folio is locked and in the cache; the read that follows
 * is not modelled, so it is up to date and unlocked at once. */
static long sd_cache_alloc(swp_entry_t entry, int order)
{
	struct folio *f = swap_cache_alloc_folio(entry, GFP_KERNEL, 1UL << order, NULL, NULL, 0);

	if (IS_ERR(f))
		return PTR_ERR(f);
	set_bit(SD_FOLIO_UPTODATE, &f->fflags);
	folio_unlock(f);
	return f->slot;
}

long sd72_swap_cache_alloc_folio(uint64_t entry, int order)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);

	if (!si || !si->cluster_info || swp_offset(sd_e(entry)) >= si->max || order < 0 ||
	    order > SD_MAX_FOLIO_ORDER)
		return SD_REFUSED;
	SD_CALL("swap_cache_alloc_folio", sd_cache_alloc(sd_e(entry), order));
}

static long sd_locked_cache_del(struct folio *f)
{
	__folio_set_locked(f);
	swap_cache_del_folio(f);
	folio_unlock(f);
	return 0;
}

long sd72_swap_cache_del_folio(int handle)
{
	struct folio *f = sd_cached(handle);

	if (!f)
		return SD_REFUSED;
	SD_CALL("swap_cache_del_folio", sd_locked_cache_del(f));
}

long sd72_free_swap_cache(int handle)
{
	struct folio *f = sd_lockable(handle);

	if (!f || (folio_test_swapcache(f) && !sd_cached(handle)))
		return SD_REFUSED;
	SD_CALL_VOID("free_swap_cache", free_swap_cache(f));
}

long sd72_arch_prepare_to_swap(int handle)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	SD_CALL("arch_prepare_to_swap", arch_prepare_to_swap(f));
}

long sd72_arch_swap_restore(uint64_t entry, int handle)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	SD_CALL_VOID("arch_swap_restore", arch_swap_restore(sd_e(entry), f));
}

long sd72_mte_invalidate_tags(int type, uint64_t offset)
{
	SD_CALL_VOID("mte_invalidate_tags", mte_invalidate_tags(type, offset));
}

long sd72_mte_invalidate_tags_area(int type)
{
	SD_CALL_VOID("mte_invalidate_tags_area", mte_invalidate_tags_area(type));
}

/* The scheduler (src/c/sched.c, this build's copy). */
int sd72_sched_begin(int ncpus)
{
	return sd_sched_begin(ncpus);
}

int sd72_sched_spawn(int cpu, void (*body)(void *arg), void *arg)
{
	return sd_sched_spawn(cpu, body, arg);
}

int sd72_sched_resume(int cpu, struct sd_yield *at)
{
	return sd_sched_resume(cpu, at);
}

int sd72_sched_runnable(int cpu)
{
	return sd_sched_runnable(cpu);
}

void sd72_sched_op_point(void)
{
	sd_sched_op_point();
}

void sd72_sched_end(void)
{
	sd_sched_end();
}
