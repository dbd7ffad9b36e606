/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_72.c translation unit: the allocation sites of the 7.x
 * extract (swapdiff72.h enum sd72_site) with fault injection and live
 * counters. kmalloc() is mteswap.c's tag storage, kzalloc() the extend
 * table, folio_alloc() a cluster's swap table (folios72.c). Every live
 * buffer is also on a registry list, so sd72_env_reset() frees what a
 * trapped call left behind.
 *
 * Swapon's own memory (cluster_info, the rotational device's global
 * cluster) is kvcalloc()'s: zeroed, no fault site, owned by the device.
 */

static struct {
	unsigned int countdown; /* armed fault: fails when it reaches 0 */
	unsigned long live;
} sd_sites[SD72_NR_SITES];

static struct list_head sd_live_kmallocs = LIST_HEAD_INIT(sd_live_kmallocs);

struct sd_kmalloc_hdr {
	struct list_head registry;
	int site;
	_Alignas(16) unsigned char data[];
};

static bool sd_alloc_fails(int site)
{
	if (sd_sites[site].countdown && --sd_sites[site].countdown == 0)
		return true;
	return false;
}

void sd72_fault_arm(int site, unsigned int nth)
{
	if (site > 0 && site < SD72_NR_SITES)
		sd_sites[site].countdown = nth;
}

unsigned long sd72_live_allocs(int site)
{
	return site >= 0 && site < SD72_NR_SITES ? sd_sites[site].live : 0;
}

static void *sd_site_alloc(int site, size_t size)
{
	struct sd_kmalloc_hdr *h;

	if (sd_alloc_fails(site))
		return NULL;
	sd_env_enter();
	h = sd_xmalloc(sizeof(*h) + size);
	memset(h->data, 0, size);
	h->site = site;
	list_add_tail(&h->registry, &sd_live_kmallocs);
	sd_sites[site].live++;
	sd_env_leave();
	return h->data;
}

static void *(kmalloc)(size_t size, gfp_t gfp)
{
	(void)gfp;
	return sd_site_alloc(SD72_SITE_TAG_STORAGE, size);
}

static void *(kzalloc)(size_t size, gfp_t gfp)
{
	(void)gfp;
	return sd_site_alloc(SD72_SITE_EXTEND_TABLE, size);
}

static void (kfree)(const void *p)
{
	struct sd_kmalloc_hdr *h;

	if (!p)
		return;
	h = container_of((unsigned char *)p, struct sd_kmalloc_hdr, data);
	sd_env_enter();
	list_del(&h->registry);
	sd_sites[h->site].live--;
	free(h);
	sd_env_leave();
}

static void *(kvcalloc)(size_t n, size_t size, gfp_t gfp)
{
	void *p;

	(void)gfp;
	sd_env_enter();
	p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	sd_env_leave();
	return p;
}

static void (kvfree)(const void *p)
{
	sd_env_enter();
	free((void *)p);
	sd_env_leave();
}

/* Frees every live buffer and zeroes the sites (sd72_env_reset). */
static void sd_alloc_reset(void)
{
	while (!list_empty(&sd_live_kmallocs)) {
		struct sd_kmalloc_hdr *h = list_first_entry(&sd_live_kmallocs, struct sd_kmalloc_hdr, registry);

		list_del(&h->registry);
		free(h);
	}
	memset(sd_sites, 0, sizeof(sd_sites));
}
