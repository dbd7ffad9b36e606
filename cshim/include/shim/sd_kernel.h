/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Everything the extracted 6.12 kernel files need, in dependency order.
 * The stub headers under include/kstub/ (named like the kernel headers
 * mteswap.c includes) all lead here.
 */
#ifndef SD_KERNEL_H
#define SD_KERNEL_H

#include "sd_compiler.h"
#include "sd_events.h"
#include "sd_list.h"
#include "sd_locks.h"
#include "sd_mm.h"
#include "sd_xarray.h"
#include "sd_swap.h"
#include "sd_mte.h"

#endif /* SD_KERNEL_H */
