/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Everything the extracted 7.x kernel files need, in dependency order. The
 * stub headers under include/kstub72/ (named like the kernel headers that
 * mm/swap.h, mm/swap_table.h and mteswap.c include) all lead here. The
 * language-level pieces, events, lists, locks, the xarray, the block layer
 * and MTE are the 6.12 shim's own (include/shim/); pages, folios and the
 * swap device are 7.x's (this directory).
 */
#ifndef SD_KERNEL72_H
#define SD_KERNEL72_H

#include "../shim/sd_compiler.h"
#include "../shim/sd_events.h"
#include "../shim/sd_list.h"
#include "../shim/sd_locks.h"
#include "sd_mm72.h"
#include "../shim/sd_xarray.h"
#include "sd_swap72.h"
#include "../shim/sd_mte.h"

#endif /* SD_KERNEL72_H */
