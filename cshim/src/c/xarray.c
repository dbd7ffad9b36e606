/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: the ordered-map xarray declared
 * in shim/sd_xarray.h. A sorted array with binary search: mte_pages holds at
 * most a few thousand keys.
 */

/* Position of the first slot whose index is >= index. */
static unsigned long sd_xa_lower_bound(const struct xarray *xa, unsigned long index)
{
	unsigned long lo = 0, hi = xa->nr;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (xa->slots[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool sd_xa_find(const struct xarray *xa, unsigned long index, unsigned long *pos)
{
	*pos = sd_xa_lower_bound(xa, index);
	return *pos < xa->nr && xa->slots[*pos].index == index;
}

static void *(xa_load)(struct xarray *xa, unsigned long index)
{
	unsigned long pos;

	return sd_xa_find(xa, index, &pos) ? xa->slots[pos].entry : NULL;
}

static void *(__xa_erase)(struct xarray *xa, unsigned long index)
{
	unsigned long pos;
	void *old;

	lockdep_assert_held(&xa->xa_lock);
	if (!sd_xa_find(xa, index, &pos))
		return NULL;
	/* environment code: the watchdog must not leave the array half moved */
	sd_env_enter();
	old = xa->slots[pos].entry;
	memmove(&xa->slots[pos], &xa->slots[pos + 1], (xa->nr - pos - 1) * sizeof(xa->slots[0]));
	xa->nr--;
	sd_sites[SD_SITE_XA_NODE].live--;
	sd_env_leave();
	return old;
}

/* The xarray's own locking is not a hook of the caller: sd_lock directly,
 * under this function's name (ENVIRONMENT.md: HANG func xa_erase). */
static void *(xa_erase)(struct xarray *xa, unsigned long index)
{
	void *old;

	sd_lock(&xa->xa_lock, __func__, "xa_lock(xa)", __LINE__);
	old = (__xa_erase)(xa, index);
	sd_unlock(&xa->xa_lock, __func__, "xa_unlock(xa)", __LINE__);
	return old;
}

/* A new key costs an XA_NODE allocation; a replaced one costs nothing. */
static void *sd_xa_store_locked(struct xarray *xa, unsigned long index, void *entry)
{
	unsigned long pos;
	void *old;

	if (!entry)
		return (__xa_erase)(xa, index);
	if (sd_xa_find(xa, index, &pos)) {
		old = xa->slots[pos].entry;
		xa->slots[pos].entry = entry;
		return old;
	}
	if (sd_alloc_fails(SD_SITE_XA_NODE))
		return xa_mk_err(-ENOMEM);
	sd_env_enter();
	if (xa->nr == xa->cap) {
		unsigned long cap = xa->cap ? 2 * xa->cap : 64;
		struct sd_xa_slot *s = realloc(xa->slots, cap * sizeof(*s));

		if (!s) {
			fputs("swapdiff: out of memory\n", stderr);
			abort();
		}
		xa->slots = s;
		xa->cap = cap;
	}
	memmove(&xa->slots[pos + 1], &xa->slots[pos], (xa->nr - pos) * sizeof(xa->slots[0]));
	xa->slots[pos].index = index;
	xa->slots[pos].entry = entry;
	xa->nr++;
	sd_sites[SD_SITE_XA_NODE].live++;
	sd_env_leave();
	return NULL;
}

static void *(xa_store)(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	void *old;

	(void)gfp;
	sd_lock(&xa->xa_lock, __func__, "xa_lock(xa)", __LINE__);
	old = sd_xa_store_locked(xa, index, entry);
	sd_unlock(&xa->xa_lock, __func__, "xa_unlock(xa)", __LINE__);
	return old;
}

static void *(xas_find)(struct xa_state *xas, unsigned long max)
{
	struct xarray *xa = xas->xa;
	unsigned long pos;

	if (!xas->started) {
		pos = sd_xa_lower_bound(xa, xas->xa_index);
		xas->started = true;
	} else if (xas->xa_index == ULONG_MAX) {
		return NULL;
	} else {
		pos = sd_xa_lower_bound(xa, xas->xa_index + 1);
	}
	if (pos >= xa->nr || xa->slots[pos].index > max)
		return NULL;
	xas->xa_index = xa->slots[pos].index;
	return xa->slots[pos].entry;
}

/* Drops every key without touching the entries (sd_env_reset frees those
 * through the allocation registry). */
static void sd_xa_reset(struct xarray *xa)
{
	free(xa->slots);
	memset(xa, 0, sizeof(*xa));
}
