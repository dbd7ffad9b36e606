/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: the block device under every
 * swap device (ENVIRONMENT.md "Device kinds", "Discard"). Its disk has no
 * swap_slot_free_notify; a discard is recorded, not performed.
 */

static const struct block_device_operations sd_bdev_ops = { .swap_slot_free_notify = NULL };

static int sd_blkdev_issue_discard(struct block_device *bdev, sector_t sector, sector_t nr_sects,
				   const char *func, int line)
{
	/* One extent from block 0: page p is sectors 8p .. 8p + 7. */
	const unsigned int shift = PAGE_SHIFT - SECTOR_SHIFT;

	sd_event_charge(func, line);
	sd_event_addf(SD_EV_DISCARD, func, line, "discard %u:%lu+%lu\n", (unsigned int)bdev->sd_type,
		      (unsigned long)(sector >> shift), (unsigned long)(nr_sects >> shift));
	return 0;
}
