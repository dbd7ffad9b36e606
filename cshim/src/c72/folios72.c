/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_72.c translation unit: folios (ENVIRONMENT.md "Kernel
 * 7.x"). Every folio sits in one slot of sd72_folios, which gives it its
 * PFNs ((slot + 1) << SD_MAX_FOLIO_ORDER onwards), so pfn_folio() is one
 * lookup. Slots below SD_MAX_FOLIOS are the harness's handles; the slots
 * above hold swap-table pages, which the swap code allocates with
 * folio_alloc() and frees with its last folio_put() (through call_rcu).
 */

/* Up to 4 devices of 4 clusters: one table page per cluster. */
#define SD72_TABLE_SLOTS (SD_MAX_DEVICES * SD_MAX_CLUSTERS)
#define SD72_SLOTS (SD_MAX_FOLIOS + SD72_TABLE_SLOTS)

static struct folio *sd72_folios[SD72_SLOTS];

/* A table page: the folio and its one page of memory together, so
 * virt_to_folio() of the table is arithmetic. */
struct sd72_table_page {
	struct folio folio;
	struct sd_page_mem mem;
};

static struct folio *sd_folio_at(int handle)
{
	return handle >= 0 && handle < SD_MAX_FOLIOS ? sd72_folios[handle] : NULL;
}

static struct page *sd_folio_page_at(int handle, int idx)
{
	struct folio *f = sd_folio_at(handle);

	if (!f || idx < 0 || idx >= folio_nr_pages(f))
		return NULL;
	return folio_page(f, idx);
}

static void sd_folio_init(struct folio *f, int slot, int order, int kind, struct sd_page_mem *mem)
{
	memset(f, 0, sizeof(*f));
	f->mem = mem;
	f->order = order;
	f->slot = slot;
	f->kind = kind;
	f->refcount = 1;
	f->pfn = (unsigned long)(slot + 1) << SD_MAX_FOLIO_ORDER;
	for (int i = 0; i < (1 << order); i++) {
		f->pages[i].virtual = mem[i].bytes;
		f->pages[i].folio = f;
	}
	sd72_folios[slot] = f;
}

/* A data folio in the first free handle, or -ENOSPC. */
static int sd_folio_make(int order)
{
	struct sd_page_mem *mem;
	struct folio *f;
	int h;

	for (h = 0; h < SD_MAX_FOLIOS && sd72_folios[h]; h++)
		;
	if (h == SD_MAX_FOLIOS)
		return -ENOSPC;
	sd_env_enter();
	f = sd_xmalloc(sizeof(*f));
	mem = sd_xmalloc((1 << order) * sizeof(*mem));
	memset(mem, 0, (1 << order) * sizeof(*mem));
	sd_folio_init(f, h, order, SD_FOLIO_DATA, mem);
	sd_env_leave();
	return h;
}

int sd72_folio_new(int order)
{
	int h;

	if (order < 0 || order > SD_MAX_FOLIO_ORDER)
		return -EINVAL;
	/* An anonymous folio as a fault leaves it: up to date and swap-backed
	 * (folio_add_new_anon_rmap sets PG_swapbacked), so reclaim may swap it. */
	h = sd_folio_make(order);
	if (h >= 0) {
		set_bit(SD_FOLIO_UPTODATE, &sd72_folios[h]->fflags);
		set_bit(SD_FOLIO_SWAPBACKED, &sd72_folios[h]->fflags);
	}
	return h;
}

static void sd_folio_release(struct folio *f)
{
	sd72_folios[f->slot] = NULL;
	if (f->kind == SD_FOLIO_TABLE) {
		free(container_of(f, struct sd72_table_page, folio));
		return;
	}
	free(f->mem);
	free(f);
}

int sd72_folio_free(int handle)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	if (folio_test_swapcache(f))
		return -EBUSY;
	sd_folio_release(f);
	return 0;
}

int sd72_folio_set_mapped(int handle, bool mapped)
{
	struct folio *f = sd_folio_at(handle);

	if (!f)
		return -EINVAL;
	f->mapped = mapped;
	return 0;
}

int sd72_folio_info(int handle, struct sd72_folio_info *out)
{
	struct folio *f = sd_folio_at(handle);

	if (!f || !out)
		return -EINVAL;
	out->order = f->order;
	out->swap = f->swap.val;
	out->swapcache = folio_test_swapcache(f);
	out->dirty = folio_test_dirty(f);
	out->locked = folio_test_locked(f);
	out->refcount = f->refcount;
	return 0;
}

int sd72_page_set(int handle, int idx, const uint8_t tags[SD_MTE_PAGE_TAG_STORAGE], unsigned int flags)
{
	struct page *p = sd_folio_page_at(handle, idx);

	if (!p || !tags)
		return -EINVAL;
	memcpy(((struct sd_page_mem *)p->virtual)->tags, tags, SD_MTE_PAGE_TAG_STORAGE);
	p->flags = flags & (SD_PG_MTE_TAGGED | SD_PG_MTE_LOCK);
	return 0;
}

int sd72_page_get(int handle, int idx, uint8_t tags[SD_MTE_PAGE_TAG_STORAGE], unsigned int *flags)
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

/* put_page_testzero(): a count below zero is a BUG; a table page goes with
 * its last reference. A data folio at zero is the harness's to free. */
static void sd72_folio_ref_dropped(struct folio *f, const char *func, int line)
{
	if (f->refcount < 0)
		sd_trap(SD_EV_BUG, func, "folio_ref_count(folio) < 0", line);
	if (f->refcount == 0 && f->kind == SD_FOLIO_TABLE) {
		sd_env_enter();
		sd_sites[SD72_SITE_SWAP_TABLE].live--;
		sd_folio_release(f);
		sd_env_leave();
	}
}

static struct folio *sd72_pfn_folio(unsigned long pfn, const char *func, int line)
{
	long slot = (long)(pfn >> SD_MAX_FOLIO_ORDER) - 1;

	if (slot < 0 || slot >= SD72_SLOTS || !sd72_folios[slot])
		sd_trap(SD_EV_BUG, func, "pfn_folio() of a PFN no folio has", line);
	return sd72_folios[slot];
}

static struct folio *(virt_to_folio)(const void *addr)
{
	const struct sd72_table_page *t =
		container_of((const struct sd_page_mem *)addr, struct sd72_table_page, mem);

	if (t->folio.kind != SD_FOLIO_TABLE || t->folio.mem != &t->mem)
		sd_trap(SD_EV_BUG, __func__, "virt_to_folio() of memory that is no table page", __LINE__);
	return (struct folio *)&t->folio;
}

/* The swap code's folio_alloc(): order 0, a swap-table page. */
static struct folio *(folio_alloc)(gfp_t gfp, unsigned int order)
{
	struct sd72_table_page *t;
	int slot;

	if (order != 0)
		sd_trap(SD_EV_BUG, __func__, "folio_alloc() of a large folio", __LINE__);
	if (sd_alloc_fails(SD72_SITE_SWAP_TABLE))
		return NULL;
	for (slot = SD_MAX_FOLIOS; slot < SD72_SLOTS && sd72_folios[slot]; slot++)
		;
	if (slot == SD72_SLOTS)
		sd_trap(SD_EV_BUG, __func__, "more swap tables than clusters", __LINE__);
	sd_env_enter();
	t = sd_xmalloc(sizeof(*t));
	if (gfp & __GFP_ZERO)
		memset(&t->mem, 0, sizeof(t->mem));
	else
		memset(&t->mem, SD_PAGE_POISON, sizeof(t->mem));
	sd_folio_init(&t->folio, slot, 0, SD_FOLIO_TABLE, &t->mem);
	sd_sites[SD72_SITE_SWAP_TABLE].live++;
	sd_env_leave();
	return &t->folio;
}

/* The swap-in path's folio: a data folio in a free handle. */
static struct folio *(sd72_folio_alloc_data)(gfp_t gfp, unsigned int order)
{
	int h;

	(void)gfp;
	if (sd_alloc_fails(SD72_SITE_SWAPIN_FOLIO))
		return NULL;
	h = sd_folio_make(order);
	return h < 0 ? NULL : sd72_folios[h];
}

static void sd_folios_reset(void)
{
	for (int s = 0; s < SD72_SLOTS; s++)
		if (sd72_folios[s])
			sd_folio_release(sd72_folios[s]);
}
