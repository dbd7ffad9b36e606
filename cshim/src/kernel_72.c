/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 7.x kernel code behind swapdiff72.h, as ONE translation unit (as
 * kernel_612.c is for 6.12):
 *
 *   1. the shim (include/shim72/, which reuses include/shim/);
 *   2. the extracted kernel files (sd_kernel_files.h, generated): mm/swap.h
 *      and mm/swap_table.h whole, the functions of mm/swapfile.c and
 *      mm/swap_state.c, arch/arm64/mm/mteswap.c whole;
 *   3. the environment: the series-neutral parts of src/c/ (events, call
 *      bounds, fatal errors, the xarray, queued work, the block device) and
 *      7.x's own (src/c72/);
 *   4. the table of the sd72_* functions, this build's one exported symbol.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim72/sd_kernel72.h"
#include "../include/swapdiff72.h"

#include "sd_kernel_files.h"
#include "sd_build_info.h"

/* A swapfile.c global that no extracted function names (vm_swap_full()
 * reads it). */
long total_swap_pages;

#include "c/events.c"
#include "c/bounds.c"
#include "c/sched.c"
#include "c/fatal.c"
#include "c72/alloc72.c"
#include "c/xarray.c"
#include "c72/folios72.c"
#include "c/work.c"
#include "c/blkdev.c"
#include "c72/devices72.c"
#include "c72/entry_points72.c"
#include "c72/reset72.c"

#include "sd72_api.h"

/* The entry points of this build, for Rust (cshim::kernel72). */
__attribute__((visibility("default"))) const struct sd72_api SD_API_SYMBOL = SD72_API_INITIALIZER;
