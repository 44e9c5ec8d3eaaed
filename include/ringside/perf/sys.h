/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The thin layer over the kernel's perf interface: the perf_event_open system call, the sysctls
 * that govern who may use it, and the tracefs mount where tracepoints are described.
 */
#ifndef RINGSIDE_PERF_SYS_H
#define RINGSIDE_PERF_SYS_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <sys/types.h>

/* perf_event_open with PERF_FLAG_FD_CLOEXEC; returns the fd or -errno. */
int sys_perf_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd);

/* kernel.perf_event_paranoid, or 2 (the kernel's default) when it cannot be read. */
int sys_perf_paranoid(void);

/* The soft limit on open file descriptors (ulimit -n), for messages; 0 when unknown. */
unsigned long sys_fd_limit(void);

/*
 * One sentence for a permission failure: which sysctl blocks what was asked (system-wide or per
 * process, kernel included or not), its value, and the fix. The result is the caller's.
 */
char *sys_perf_permission_hint(bool system_wide, bool with_kernel);

/*
 * The tracefs directory ("/sys/kernel/tracing"), mounting tracefs there when it is not mounted
 * and we may (root). Returns a borrowed string, or NULL when there is no tracefs to be had.
 */
const char *sys_tracefs_dir(void);

/* Override the tracefs directory (tests); NULL restores discovery. */
void sys_tracefs_set_dir(const char *dir);

#endif
