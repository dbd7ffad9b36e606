/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 6.12 kernel code behind swapdiff.h, as ONE translation unit so the
 * sd_* wrappers can reach the extract's static functions and globals
 * (swap_info[], nr_swapfiles, mte_pages) without changing the kernel text:
 *
 *   1. the shim (include/shim/): what the kernel files expect to exist;
 *   2. the extracted kernel files, generated at build time by build.rs
 *      (sd_kernel_files.h #includes them from the extraction cache);
 *   3. our environment and the wrappers (src/c/), in dependency order;
 *   4. the table of the sd_* functions, this build's one exported symbol.
 *
 * Several builds (stock and patched) link into one process: build.rs
 * compiles this file once per build with -fvisibility=hidden and then makes
 * every hidden symbol local, so only sd_api_<index> (SD_API_SYMBOL) is seen
 * by the link. The standalone command (repro.c, the bench floor) compiles
 * it without that flag: there the sd_* functions are called directly.
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

#include "shim/sd_kernel.h"

#include "sd_kernel_files.h"
#include "sd_build_info.h"

/* A swapfile.c global that no extracted function names (vm_swap_full() in
 * our shim reads it), so the extract may leave it out. Repeating a tentative
 * definition is harmless if the extract has it too. */
long total_swap_pages;

#include "c/events.c"
#include "c/bounds.c"
#include "c/sched.c"
#include "c/fatal.c"
#include "c/alloc.c"
#include "c/sort.c"
#include "c/xarray.c"
#include "c/folios.c"
#include "c/work.c"
#include "c/blkdev.c"
#include "c/devices.c"
#include "c/entry_points.c"
#include "c/reset.c"
#include "c/test_hooks.c"

#include "sd_api.h"

/* The entry points of this build, for Rust (cshim::Build). */
__attribute__((visibility("default"))) const struct sd_api SD_API_SYMBOL = SD_API_INITIALIZER;
