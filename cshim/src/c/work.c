/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: queued work (ENVIRONMENT.md
 * "Work"). Interim: schedule_work() still queues nothing, so the queue is
 * always empty.
 */

long sd_flush_work(void)
{
	return 0;
}

unsigned int sd_work_queued(int type)
{
	(void)type;
	return 0;
}
