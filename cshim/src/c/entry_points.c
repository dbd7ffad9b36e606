/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: the sd_* wrappers of the kernel
 * entry points. Each applies its row of the argument-guard table
 * (ENVIRONMENT.md "Argument guards"), then runs the kernel function through
 * the trampoline (SD_CALL). The guards refuse exactly the calls the kernel
 * would turn into out-of-bounds memory accesses; everything the kernel
 * checks itself is passed through.
 */

static swp_entry_t sd_e(uint64_t v)
{
	return (swp_entry_t){ v };
}

static pgoff_t sd_off(uint64_t v)
{
	return swp_offset(sd_e(v));
}

static bool sd_bad_nr(int nr)
{
	return nr < 1 || nr > SWAPFILE_CLUSTER;
}

/* __swap_duplicate and its callers index swap_map[offset .. offset + nr)
 * without a bound check; without a device the kernel WARNs by itself. */
static bool sd_dup_refused(uint64_t entry, int nr)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);

	return sd_bad_nr(nr) || (si && sd_off(entry) + nr > si->max);
}

long sd___swap_duplicate(uint64_t entry, unsigned char usage, int nr)
{
	sd_held_call_begins(&entry);
	if (sd_dup_refused(entry, nr))
		return SD_REFUSED;
	sd_call_guard = SD_GUARD_HELD;
	SD_CALL("__swap_duplicate", __swap_duplicate(sd_e(entry), usage, nr));
}

long sd_swap_duplicate(uint64_t entry)
{
	sd_held_call_begins(&entry);
	if (sd_dup_refused(entry, 1))
		return SD_REFUSED;
	sd_call_guard = SD_GUARD_HELD;
	SD_CALL("swap_duplicate", swap_duplicate(sd_e(entry)));
}

long sd_swapcache_prepare(uint64_t entry, int nr)
{
	sd_held_call_begins(&entry);
	if (sd_dup_refused(entry, nr))
		return SD_REFUSED;
	sd_call_guard = SD_GUARD_HELD;
	SD_CALL("swapcache_prepare", swapcache_prepare(sd_e(entry), nr));
}

long sd_swap_shmem_alloc(uint64_t entry, int nr)
{
	sd_held_call_begins(&entry);
	if (sd_dup_refused(entry, nr))
		return SD_REFUSED;
	sd_call_guard = SD_GUARD_HELD;
	SD_CALL_VOID("swap_shmem_alloc", swap_shmem_alloc(sd_e(entry), nr));
}

long sd_swapcache_clear(uint64_t entry, int nr)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);

	if (!si || sd_bad_nr(nr) || sd_off(entry) + nr > si->max)
		return SD_REFUSED;
	SD_CALL_VOID("swapcache_clear", swapcache_clear(si, sd_e(entry), nr));
}

long sd_add_swap_count_continuation(uint64_t entry)
{
	sd_call_guard = SD_GUARD_NONE;
	SD_CALL("add_swap_count_continuation", add_swap_count_continuation(sd_e(entry), GFP_KERNEL));
}

/* _swap_info_get() checks the first offset only; the rest of the range
 * must then fit in the map. */
static bool sd_range_refused(uint64_t entry, long nr)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);

	return si && sd_off(entry) < si->max && sd_off(entry) + nr > si->max;
}

long sd_swap_free_nr(uint64_t entry, int nr)
{
	if (sd_bad_nr(nr) || sd_range_refused(entry, nr))
		return SD_REFUSED;
	SD_CALL_VOID("swap_free_nr", swap_free_nr(sd_e(entry), nr));
}

long sd_put_swap_folio(uint64_t entry, int order)
{
	struct folio folio;

	if (order < 0 || order > SD_MAX_FOLIO_ORDER || sd_range_refused(entry, 1L << order))
		return SD_REFUSED;
	/* put_swap_folio() only reads the folio's order. */
	memset(&folio, 0, sizeof(folio));
	folio.order = order;
	SD_CALL_VOID("put_swap_folio", put_swap_folio(&folio, sd_e(entry)));
}

long sd_swapcache_free_entries(const uint64_t *entries, int n)
{
	swp_entry_t copy[64]; /* the kernel sorts its argument in place */

	if (n < 0 || n > 64 || (n > 0 && !entries))
		return SD_REFUSED;
	for (int i = 0; i < n; i++)
		copy[i] = sd_e(entries[i]);
	SD_CALL_VOID("swapcache_free_entries", swapcache_free_entries(copy, n));
}

long sd_free_swap_and_cache_nr(uint64_t entry, int nr)
{
	if (sd_bad_nr(nr))
		return SD_REFUSED;
	SD_CALL_VOID("free_swap_and_cache_nr", free_swap_and_cache_nr(sd_e(entry), nr));
}

/* These two read swap_map[offset] of swp_swap_info(entry) unchecked. */
static struct swap_info_struct *sd_count_target(uint64_t entry)
{
	struct swap_info_struct *si = sd_dev_of_entry(entry);

	return si && sd_off(entry) < si->max ? si : NULL;
}

long sd___swap_count(uint64_t entry)
{
	sd_held_call_begins(&entry);
	if (!sd_count_target(entry))
		return SD_REFUSED;
	sd_call_guard = SD_GUARD_HELD;
	SD_CALL("__swap_count", __swap_count(sd_e(entry)));
}

long sd_swap_swapcount(uint64_t entry)
{
	struct swap_info_struct *si;

	sd_held_call_begins(&entry);
	si = sd_count_target(entry);
	if (!si)
		return SD_REFUSED;
	sd_call_guard = SD_GUARD_HELD;
	SD_CALL("swap_swapcount", swap_swapcount(si, sd_e(entry)));
}

long sd_swp_swapcount(uint64_t entry)
{
	sd_held_call_begins(&entry);
	sd_call_guard = SD_GUARD_HELD;
	SD_CALL("swp_swapcount", swp_swapcount(sd_e(entry)));
}

/* ---- arm64 MTE (mteswap.c and the pgtable.h inlines) ---- */

long sd_arch_prepare_to_swap(int handle)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	SD_CALL("arch_prepare_to_swap", arch_prepare_to_swap(f));
}

long sd_arch_swap_restore(uint64_t entry, int handle)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	SD_CALL_VOID("arch_swap_restore", arch_swap_restore(sd_e(entry), f));
}

long sd_mte_save_tags(int handle, int idx)
{
	struct page *p = sd_folio_page_at(handle, idx);

	if (!p)
		return -EINVAL;
	SD_CALL("mte_save_tags", mte_save_tags(p));
}

long sd_mte_restore_tags(uint64_t entry, int handle, int idx)
{
	struct page *p = sd_folio_page_at(handle, idx);

	if (!p)
		return -EINVAL;
	SD_CALL_VOID("mte_restore_tags", mte_restore_tags(sd_e(entry), p));
}

long sd_mte_invalidate_tags(int type, uint64_t offset)
{
	SD_CALL_VOID("mte_invalidate_tags", mte_invalidate_tags(type, offset));
}

long sd_mte_invalidate_tags_area(int type)
{
	SD_CALL_VOID("mte_invalidate_tags_area", mte_invalidate_tags_area(type));
}

long sd_arch_swap_invalidate_page(int type, uint64_t offset)
{
	SD_CALL_VOID("arch_swap_invalidate_page", arch_swap_invalidate_page(type, offset));
}

long sd_arch_swap_invalidate_area(int type)
{
	SD_CALL_VOID("arch_swap_invalidate_area", arch_swap_invalidate_area(type));
}
