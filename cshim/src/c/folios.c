/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: folio handles and the swap
 * cache (ENVIRONMENT.md "Swap cache"). The cache is the set of folios added
 * with sd_swapcache_add(); each covers the entries from its folio->swap at
 * the time it was added, as the kernel's swap cache xarray holds a folio at
 * the indices it was inserted at.
 */

static struct folio *sd_folios[SD_MAX_FOLIOS];

static struct folio *sd_folio_at(int handle)
{
	return handle >= 0 && handle < SD_MAX_FOLIOS ? sd_folios[handle] : NULL;
}

static struct page *sd_folio_page_at(int handle, int idx)
{
	struct folio *f = sd_folio_at(handle);

	if (!f || idx < 0 || idx >= folio_nr_pages(f))
		return NULL;
	return folio_page(f, idx);
}

int sd_folio_new(int order)
{
	struct folio *f;
	int h, nr;

	if (order < 0 || order > SD_MAX_FOLIO_ORDER)
		return -EINVAL;
	for (h = 0; h < SD_MAX_FOLIOS && sd_folios[h]; h++)
		;
	if (h == SD_MAX_FOLIOS)
		return -ENOSPC;
	nr = 1 << order;
	f = sd_xmalloc(sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->mem = sd_xmalloc(nr * sizeof(*f->mem));
	memset(f->mem, 0, nr * sizeof(*f->mem));
	f->order = order;
	for (int i = 0; i < nr; i++) {
		INIT_LIST_HEAD(&f->pages[i].lru);
		f->pages[i].virtual = f->mem[i].bytes;
		f->pages[i].folio = f;
		f->pages[i].sd_kind = SD_PAGE_FOLIO;
	}
	sd_folios[h] = f;
	return h;
}

int sd_folio_free(int handle)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	free(f->mem);
	free(f);
	sd_folios[handle] = NULL;
	return 0;
}

int sd_folio_set_swap(int handle, uint64_t entry)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	/* The kernel never re-points a folio that sits in the swap cache; doing
	 * so would let reclaim walk a range the cache does not cover. */
	if (folio_test_swapcache(f))
		return -EBUSY;
	f->swap.val = entry;
	return 0;
}

int sd_folio_set_mapped(int handle, bool mapped)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	f->mapped = mapped;
	return 0;
}

int sd_page_set(int handle, int idx, const uint8_t tags[SD_MTE_PAGE_TAG_STORAGE],
		unsigned int flags)
{
	struct page *p = sd_folio_page_at(handle, idx);

	if (!p || !tags)
		return -EINVAL;
	memcpy(((struct sd_page_mem *)p->virtual)->tags, tags, SD_MTE_PAGE_TAG_STORAGE);
	p->flags = flags & (SD_PG_MTE_TAGGED | SD_PG_MTE_LOCK);
	return 0;
}

int sd_page_get(int handle, int idx, uint8_t tags[SD_MTE_PAGE_TAG_STORAGE],
		unsigned int *flags)
{
	struct page *p = sd_folio_page_at(handle, idx);

	if (!p)
		return -EINVAL;
	if (tags)
		memcpy(tags, ((struct sd_page_mem *)p->virtual)->tags, SD_MTE_PAGE_TAG_STORAGE);
	if (flags)
		*flags = p->flags & (SD_PG_MTE_TAGGED | SD_PG_MTE_LOCK);
	return 0;
}

/* Does cached folio f cover (type, index)? */
static bool sd_cache_covers(struct folio *f, unsigned int type, pgoff_t index)
{
	pgoff_t first = swap_cache_index(f->cache_base);

	return test_bit(SD_FOLIO_SWAPCACHE, &f->fflags) && swp_type(f->cache_base) == type &&
	       index >= first && index - first < (pgoff_t)folio_nr_pages(f);
}

int sd_swapcache_add(int handle)
{
	struct folio *f = sd_folio_at(handle);
	long nr;

	if (!f || !f->swap.val)
		return -EINVAL;
	nr = folio_nr_pages(f);
	for (int h = 0; h < SD_MAX_FOLIOS; h++) {
		if (!sd_folios[h])
			continue;
		for (long i = 0; i < nr; i++)
			if (sd_cache_covers(sd_folios[h], swp_type(f->swap),
					    swap_cache_index(f->swap) + i))
				return -EEXIST;
	}
	f->cache_base = f->swap;
	set_bit(SD_FOLIO_SWAPCACHE, &f->fflags);
	return 0;
}

int sd_swapcache_del(int handle)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	if (!folio_test_swapcache(f))
		return -ENOENT;
	clear_bit(SD_FOLIO_SWAPCACHE, &f->fflags);
	return 0;
}

/* swapoff tears down the type's swap address space: its folios leave the
 * cache (folio->swap is left as it is). */
static void sd_swapcache_drop_type(unsigned int type)
{
	for (int h = 0; h < SD_MAX_FOLIOS; h++)
		if (sd_folios[h] && test_bit(SD_FOLIO_SWAPCACHE, &sd_folios[h]->fflags) &&
		    swp_type(sd_folios[h]->cache_base) == type)
			clear_bit(SD_FOLIO_SWAPCACHE, &sd_folios[h]->fflags);
}

static struct folio *(filemap_get_folio)(struct address_space *mapping, pgoff_t index)
{
	unsigned int type = mapping - sd_swapper_spaces;

	for (int h = 0; h < SD_MAX_FOLIOS; h++)
		if (sd_folios[h] && sd_cache_covers(sd_folios[h], type, index))
			return sd_folios[h];
	return ERR_PTR(-ENOENT);
}

/* mm/swap_state.c: unlink and clear folio->swap; no swap count changes. */
static void __delete_from_swap_cache(struct folio *folio, swp_entry_t entry, void *shadow)
{
	(void)entry;
	(void)shadow;
	clear_bit(SD_FOLIO_SWAPCACHE, &folio->fflags);
	folio->swap.val = 0;
}

/* mm/swap_state.c: unlink, then drop the cache's reference on the slots. */
static void (delete_from_swap_cache)(struct folio *folio)
{
	swp_entry_t entry = folio->swap;

	__delete_from_swap_cache(folio, entry, NULL);
	put_swap_folio(folio, entry);
}

static void sd_folios_reset(void)
{
	for (int h = 0; h < SD_MAX_FOLIOS; h++)
		if (sd_folios[h])
			sd_folio_free(h);
}
