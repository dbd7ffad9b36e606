/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One CPU, one node (ENVIRONMENT.md "Allocator"): per-CPU data is CPU 0's
 * single copy, for_each_possible_cpu visits CPU 0, numa_node_id() is 0.
 * cond_resched() is a hook (one work unit) and nothing else; the one random
 * number swapon draws is the low end of its range.
 */
#ifndef SD_CPU_H
#define SD_CPU_H

#include "sd_bounds.h"
#include "sd_compiler.h"

#define this_cpu_ptr(p) (p)
#define per_cpu_ptr(p, cpu) ((void)(cpu), (p))
#define per_cpu(var, cpu) (*((void)(cpu), &(var)))
#define this_cpu_read(var) (var)
#define this_cpu_write(var, v) ((var) = (v))
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
static inline int numa_node_id(void) { return 0; }

#define cond_resched() (SD_HOOK(), SD_YIELD(SD_YIELD_RESCHED, "cond_resched()"))

/* Deterministic: get_random_u32_inclusive(lo, hi) is lo. Its one caller in
 * the extract seeds cluster_next_cpu, which only the rotational scan reads
 * (set_cluster_next on a device with SWP_SOLIDSTATE, which has clusters and
 * so never takes that path). */
static inline u32 get_random_u32_inclusive(u32 lo, u32 hi)
{
	(void)hi;
	return lo;
}

/* Swapon's allocations (cluster_info, the per-CPU data): plain zeroed
 * memory the device owns and sd_device_release frees; no fault site. */
static void *(kvcalloc)(size_t n, size_t size, gfp_t gfp);
static void (kvfree)(const void *p);
#define kvcalloc(n, size, gfp) (SD_HOOK(), (kvcalloc)((n), (size), (gfp)))
#define kvfree(p) (SD_HOOK(), (kvfree)(p))
#define alloc_percpu(type) ((type *)kvcalloc(1, sizeof(type), GFP_KERNEL))
#define free_percpu(p) kvfree(p)

#endif /* SD_CPU_H */
