/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: whole-environment reset, the
 * MTE switch, the tag store view and the version string. The kernel globals
 * of both extracted files persist between runs, so reset puts every one of
 * them back to its boot value.
 */

static void sd_test_work_reset(void); /* test_hooks.c */

void sd_env_reset(void)
{
	sd_work_reset(); /* before the devices whose items it unlinks */
	sd_test_work_reset();
	sd_devices_reset();
	sd_folios_reset();
	sd_xa_reset(&mte_pages);
	memset(sd_swapper_spaces, 0, sizeof(sd_swapper_spaces));
	sd_alloc_reset(); /* after the lists and the xarray that pointed into it */
	sd_events_free();
	/* Locks: every lock object was just freed or re-initialised (the
	 * devices' and clusters', swap_avail_lock, the xarrays'); the count of
	 * held locks goes with them. A trapped call (BUG, HANG, a bound) leaves
	 * them held until here. */
	sd_locks_held = 0;
	sd_trap_armed = false;
	sd_work = 0;
	sd_call_events = 0;
	sd_env_depth = 0;
	sd_mte_on = true;
}

__attribute__((constructor)) static void sd_boot(void)
{
	sd_env_reset();
}

void sd_set_mte(bool on)
{
	sd_mte_on = on;
}

int sd_tags_count(void)
{
	return (int)mte_pages.nr;
}

int sd_tags_get(int i, uint64_t *key, uint8_t out[SD_MTE_PAGE_TAG_STORAGE])
{
	if (i < 0 || (unsigned long)i >= mte_pages.nr)
		return -EINVAL;
	if (key)
		*key = mte_pages.slots[i].index;
	if (out)
		memcpy(out, mte_pages.slots[i].entry, SD_MTE_PAGE_TAG_STORAGE);
	return 0;
}

const char *sd_kernel_version(void)
{
	return SD_KERNEL_VERSION;
}
