/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: the allocation sites of the
 * extract (swapdiff.h enum sd_site) with fault injection and live counters.
 *
 * alloc_page() is only called by add_swap_count_continuation() and kmalloc()
 * only by mte_allocate_tag_storage(), so each function is its site. Every
 * live allocation is also kept on a registry list, so sd_env_reset() can free
 * what a trapped call left behind (a BUG between alloc_page() and linking the
 * page would otherwise leak it).
 */

static struct {
	unsigned int countdown; /* armed fault: fails when it reaches 0 */
	unsigned long live;
} sd_sites[SD_NR_SITES];

static struct list_head sd_live_pages = LIST_HEAD_INIT(sd_live_pages);
static struct list_head sd_live_kmallocs = LIST_HEAD_INIT(sd_live_kmallocs);

struct sd_cont_page {
	struct list_head registry;
	struct page page;
	struct sd_page_mem mem;
};

struct sd_kmalloc_hdr {
	struct list_head registry;
	_Alignas(16) unsigned char data[];
};

static bool sd_alloc_fails(int site)
{
	if (sd_sites[site].countdown && --sd_sites[site].countdown == 0)
		return true;
	return false;
}

void sd_fault_arm(int site, unsigned int nth)
{
	if (site >= 0 && site < SD_NR_SITES)
		sd_sites[site].countdown = nth;
}

unsigned long sd_live_allocs(int site)
{
	return site >= 0 && site < SD_NR_SITES ? sd_sites[site].live : 0;
}

/*
 * Each site runs as environment code (sd_env_enter): the watchdog never
 * jumps out of malloc/free or out of a half-linked registry, which
 * sd_env_reset walks.
 */

/* ENVIRONMENT.md "Continuation pages": poisoned bytes, private 0. */
static struct page *(alloc_page)(gfp_t gfp)
{
	struct sd_cont_page *cp;

	(void)gfp;
	if (sd_alloc_fails(SD_SITE_CONT_PAGE))
		return NULL;
	sd_env_enter();
	cp = sd_xmalloc(sizeof(*cp));
	memset(&cp->page, 0, sizeof(cp->page));
	memset(cp->mem.bytes, SD_PAGE_POISON, sizeof(cp->mem.bytes));
	memset(cp->mem.tags, 0, sizeof(cp->mem.tags));
	INIT_LIST_HEAD(&cp->page.lru);
	cp->page.virtual = cp->mem.bytes;
	cp->page.sd_kind = SD_PAGE_CONT;
	list_add_tail(&cp->registry, &sd_live_pages);
	sd_sites[SD_SITE_CONT_PAGE].live++;
	sd_env_leave();
	return &cp->page;
}

static void (__free_page)(struct page *page)
{
	struct sd_cont_page *cp;

	if (!page)
		return;
	if (page->sd_kind != SD_PAGE_CONT)
		sd_trap(SD_EV_BUG, __func__, "page not from alloc_page()", __LINE__);
	cp = container_of(page, struct sd_cont_page, page);
	sd_env_enter();
	list_del(&cp->registry);
	sd_sites[SD_SITE_CONT_PAGE].live--;
	free(cp);
	sd_env_leave();
}

static void *(kmalloc)(size_t size, gfp_t gfp)
{
	struct sd_kmalloc_hdr *h;

	(void)gfp;
	if (sd_alloc_fails(SD_SITE_TAG_STORAGE))
		return NULL;
	sd_env_enter();
	h = sd_xmalloc(sizeof(*h) + size);
	list_add_tail(&h->registry, &sd_live_kmallocs);
	sd_sites[SD_SITE_TAG_STORAGE].live++;
	sd_env_leave();
	return h->data;
}

static void (kfree)(const void *p)
{
	struct sd_kmalloc_hdr *h;

	if (!p)
		return;
	h = container_of((unsigned char *)p, struct sd_kmalloc_hdr, data);
	sd_env_enter();
	list_del(&h->registry);
	sd_sites[SD_SITE_TAG_STORAGE].live--;
	free(h);
	sd_env_leave();
}

/* Swapon's own memory (cluster_info, the per-CPU data): zeroed, owned by
 * the device. The last one is remembered so a swapon whose setup trapped
 * before storing it can free it (sd_swapon). */
static void *sd_kv_last;

static void *(kvcalloc)(size_t n, size_t size, gfp_t gfp)
{
	void *p;

	(void)gfp;
	sd_env_enter();
	p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	sd_kv_last = p;
	sd_env_leave();
	return p;
}

static void (kvfree)(const void *p)
{
	sd_env_enter();
	if (p == sd_kv_last)
		sd_kv_last = NULL;
	free((void *)p);
	sd_env_leave();
}

/* Frees every live page and buffer and zeroes the sites (sd_env_reset). */
static void sd_alloc_reset(void)
{
	while (!list_empty(&sd_live_pages)) {
		struct sd_cont_page *cp = list_first_entry(&sd_live_pages, struct sd_cont_page, registry);

		list_del(&cp->registry);
		free(cp);
	}
	while (!list_empty(&sd_live_kmallocs)) {
		struct sd_kmalloc_hdr *h = list_first_entry(&sd_live_kmallocs, struct sd_kmalloc_hdr, registry);

		list_del(&h->registry);
		free(h);
	}
	memset(sd_sites, 0, sizeof(sd_sites));
}
