/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_72.c translation unit: whole-environment reset, the MTE
 * switch, the tag store view, the version, and the API's forwards to the
 * shared event log, call bounds and fatal-error hub (src/c/).
 */

void sd72_env_reset(void)
{
	sd_work_reset(); /* before the devices whose items it unlinks */
	sd_devices_reset();
	sd_folios_reset(); /* table pages too */
	sd_xa_reset(&mte_pages);
	sd_alloc_reset(); /* after the lists and the xarray that pointed into it */
	sd_events_free();
	sd_locks_held = 0;
	sd_trap_armed = false;
	sd_work = 0;
	sd_call_events = 0;
	sd_env_depth = 0;
	sd_mte_on = true;
}

__attribute__((constructor)) static void sd72_boot(void)
{
	sd72_env_reset();
}

void sd72_set_mte(bool on)
{
	sd_mte_on = on;
}

long sd72_flush_work(void)
{
	return sd_flush_work();
}

unsigned int sd72_work_queued(int type)
{
	return sd_work_queued(type);
}

int sd72_tags_count(void)
{
	return (int)mte_pages.nr;
}

int sd72_tags_get(int i, uint64_t *key, uint8_t out[SD_MTE_PAGE_TAG_STORAGE])
{
	if (i < 0 || (unsigned long)i >= mte_pages.nr)
		return -EINVAL;
	if (key)
		*key = mte_pages.slots[i].index;
	if (out)
		memcpy(out, mte_pages.slots[i].entry, SD_MTE_PAGE_TAG_STORAGE);
	return 0;
}

const char *sd72_kernel_version(void)
{
	return SD_KERNEL_VERSION;
}

int sd72_events_count(void) { return sd_events_count(); }
int sd72_event_get(int i, struct sd_event *out) { return sd_event_get(i, out); }
int sd72_event_raw_get(int i, struct sd_event_raw *out) { return sd_event_raw_get(i, out); }
void sd72_events_clear(void) { sd_events_clear(); }
void sd72_set_call_timeout_ms(unsigned long ms) { sd_set_call_timeout_ms(ms); }
struct sd_fatal_hub *sd72_fatal_install(struct sd_fatal_hub *hub) { return sd_fatal_install(hub); }
void sd72_fatal_set_program(bool known, uint64_t program) { sd_fatal_set_program(known, program); }
