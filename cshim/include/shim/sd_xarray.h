/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An xarray good enough for mteswap.c: an ordered map from unsigned long to
 * non-NULL pointers, with the kernel's error-entry encoding and locking
 * rules (ENVIRONMENT.md "MTE and the tag store"). Storing a key not present
 * costs one SD_SITE_XA_NODE allocation, which fault injection can fail.
 */
#ifndef SD_XARRAY_H
#define SD_XARRAY_H

#include "sd_locks.h"

struct sd_xa_slot {
	unsigned long index;
	void *entry;
};

struct xarray {
	spinlock_t xa_lock;
	struct sd_xa_slot *slots; /* ascending by index */
	unsigned long nr, cap;
};

#define DEFINE_XARRAY(name) struct xarray name = { .xa_lock = { 0 } }

/* Error entries: internal entries (low bits 10) holding -errno << 2. */
static inline void *xa_mk_internal(unsigned long v) { return (void *)((v << 2) | 2); }
static inline bool xa_is_internal(const void *e) { return ((unsigned long)e & 3) == 2; }
static inline void *xa_mk_err(long err) { return xa_mk_internal((unsigned long)err); }
static inline bool xa_is_err(const void *e)
{
	return unlikely(xa_is_internal(e) && e >= xa_mk_internal(-MAX_ERRNO));
}
static inline int xa_err(void *e)
{
	return xa_is_err(e) ? (int)((long)e >> 2) : 0;
}

/* Shim hooks (sd_bounds.h): the macros charge the kernel caller; the
 * parenthesised names are the functions (xarray.c calls those directly). */
static void *(xa_load)(struct xarray *xa, unsigned long index);
static void *(xa_store)(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
static void *(xa_erase)(struct xarray *xa, unsigned long index);
static void *(__xa_erase)(struct xarray *xa, unsigned long index);
#define xa_load(xa, index) (SD_HOOK(), (xa_load)((xa), (index)))
#define xa_store(xa, index, entry, gfp) (SD_HOOK(), (xa_store)((xa), (index), (entry), (gfp)))
#define xa_erase(xa, index) (SD_HOOK(), (xa_erase)((xa), (index)))
#define __xa_erase(xa, index) (SD_HOOK(), (__xa_erase)((xa), (index)))

#define xa_lock(xa) (SD_HOOK(), sd_lock(&(xa)->xa_lock, __func__, "xa_lock(" #xa ")", __LINE__))
#define xa_unlock(xa) (SD_HOOK(), sd_unlock(&(xa)->xa_lock, __func__, "xa_unlock(" #xa ")", __LINE__))
#define xa_lock_irq(xa) (SD_HOOK(), sd_lock(&(xa)->xa_lock, __func__, "xa_lock_irq(" #xa ")", __LINE__))
#define xa_unlock_irq(xa) (SD_HOOK(), sd_unlock(&(xa)->xa_lock, __func__, "xa_unlock_irq(" #xa ")", __LINE__))

/* Iteration state: xa_index is the key of the entry last found. */
struct xa_state {
	struct xarray *xa;
	unsigned long xa_index;
	bool started;
};
#define XA_STATE(name, array, index) \
	struct xa_state name = { .xa = (array), .xa_index = (index), .started = false }

/* The first entry at or after (first call) or strictly after (later calls)
 * xas->xa_index, up to max; NULL when there is none. */
static void *(xas_find)(struct xa_state *xas, unsigned long max);
#define xas_find(xas, max) (SD_HOOK(), (xas_find)((xas), (max)))
#define xas_for_each(xas, entry, max) \
	for ((entry) = xas_find((xas), (max)); (entry); (entry) = xas_find((xas), (max)))

#endif /* SD_XARRAY_H */
