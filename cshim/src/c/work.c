/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: queued work (ENVIRONMENT.md
 * "Work"). schedule_work() appends an item that is not pending to one FIFO
 * queue, as queue_work() on the system workqueue would; sd_flush_work() is
 * the kworker: it runs the items oldest first, each as its own kernel call
 * through the trampoline under its worker's name, with the work budget and
 * the watchdog as for any call. An item leaves the queue before it runs, so
 * a worker may queue itself again; the flush bounds how often.
 */

/* Items one flush may run before it is a HANG (a worker that requeues
 * itself forever would otherwise never let the flush end). */
#define SD_FLUSH_MAX 64

static struct list_head sd_work_queue = LIST_HEAD_INIT(sd_work_queue);

/* Shim code, not kernel code: the watchdog must not jump out of a half
 * linked queue. */
static bool (schedule_work)(struct work_struct *w)
{
	if (w->queued)
		return false;
	sd_env_enter();
	list_add_tail(&w->entry, &sd_work_queue);
	w->queued = true;
	sd_env_leave();
	return true;
}

static void sd_work_unqueue(struct work_struct *w)
{
	if (!w->queued)
		return;
	sd_env_enter();
	list_del(&w->entry);
	w->queued = false;
	sd_env_leave();
}

static long sd_work_run(struct work_struct *w)
{
	SD_CALL(w->name, (w->func(w), 0L));
}

/* flush_work(w) of the kernel: runs `w` now if it is pending. */
static long sd_work_flush_one(struct work_struct *w)
{
	if (!w->queued)
		return 0;
	sd_work_unqueue(w);
	return sd_work_run(w);
}

long sd_flush_work(void)
{
	for (int n = 0; !list_empty(&sd_work_queue); n++) {
		struct work_struct *w = list_first_entry(&sd_work_queue, struct work_struct, entry);

		if (n == SD_FLUSH_MAX) {
			sd_event_add(SD_EV_HANG, "flush_work", "work queued itself again 64 times", __LINE__);
			return SD_TRAPPED;
		}
		sd_work_unqueue(w);
		if (sd_work_run(w) == SD_TRAPPED)
			return SD_TRAPPED;
	}
	return 0;
}

unsigned int sd_work_queued(int type)
{
	struct swap_info_struct *si = type >= 0 && type < SD_MAX_DEVICES ? swap_info[type] : NULL;

	if (!si)
		return 0;
	return (si->discard_work.queued ? SD_WORK_DISCARD : 0) | (si->reclaim_work.queued ? SD_WORK_RECLAIM : 0);
}

/* env_reset: the queue is dropped, whatever a trapped call left in it. */
static void sd_work_reset(void)
{
	for (int t = 0; t < SD_MAX_DEVICES; t++) {
		struct swap_info_struct *si = swap_info[t];

		if (!si)
			continue;
		INIT_LIST_HEAD(&si->discard_work.entry);
		si->discard_work.queued = false;
		INIT_LIST_HEAD(&si->reclaim_work.entry);
		si->reclaim_work.queued = false;
	}
	INIT_LIST_HEAD(&sd_work_queue);
}
