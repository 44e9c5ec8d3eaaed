/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPU lists in the kernel's notation ("0-3,8,10-11"): parsing user input and reading the online
 * and possible sets from sysfs.
 */
#ifndef RINGSIDE_UTIL_CPULIST_H
#define RINGSIDE_UTIL_CPULIST_H

#include <stddef.h>

#include "ringside/util/errbuf.h"

struct cpulist {
	int *cpus; /* sorted ascending, no duplicates */
	size_t n;
};

/*
 * Parse "0-3,8" into list (sorted, deduplicated). Returns 0, or -EINVAL with a message in err.
 * list must be zeroed or finished with cpulist_fini before.
 */
int cpulist_parse(struct cpulist *list, const char *text, struct errbuf *err);
/* Read a sysfs CPU list file such as /sys/devices/system/cpu/online. Returns 0 or -errno. */
int cpulist_read_file(struct cpulist *list, const char *path);
/* The online CPUs; falls back to 0..nprocs-1 when sysfs is unreadable. Returns 0 or -errno. */
int cpulist_online(struct cpulist *list);
/* True when cpu is in list. */
int cpulist_contains(const struct cpulist *list, int cpu);
/* Add cpu to list in its place (nothing when it is there already). */
void cpulist_add(struct cpulist *list, int cpu);
/* Format as "0-3,8"; the result is the caller's. */
char *cpulist_format(const struct cpulist *list);
/* Release the array (list may be zeroed). */
void cpulist_fini(struct cpulist *list);

#endif
