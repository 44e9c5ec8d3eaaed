// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * onecpu.so: an LD_PRELOAD shim that makes ringside's per-thread counters really multiplexed on a
 * machine without a PMU. Every event ringside can open here is a software event, and a group of
 * software events always goes on the CPU, so time_running equals time_enabled in every way
 * ringside opens them (per thread with cpu -1, per CPU with pid -1). A per-thread counter opened
 * for one CPU (pid P, cpu N) is another matter: the kernel keeps it enabled while P runs anywhere
 * but running only while P runs on CPU N, which is the "enabled, not running" state of a
 * multiplexed hardware counter. This shim turns each counting perf_event_open(2) of ringside's
 * (pid > 0, cpu -1, group read format, no sampling) into one for CPU $ONECPU_CPU (default 0), and
 * appends one line per call it changed to $ONECPU_LOG when set. Everything else passes through.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>

typedef long (*onecpu_syscall_fn)(long, long, long, long, long, long, long);

long syscall(long nr, ...);

static void
onecpu_log(long pid, long cpu)
{
	const char *path = getenv("ONECPU_LOG");
	FILE *f;

	if (!path || !(f = fopen(path, "ae")))
		return;
	fprintf(f, "onecpu: pid %ld cpu -1 -> %ld\n", pid, cpu);
	fclose(f);
}

long
syscall(long nr, ...)
{
	static onecpu_syscall_fn real;
	long a[6];
	va_list ap;

	/* The kernel takes six register arguments; reading them all is what glibc's own does. */
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real)
		real = (onecpu_syscall_fn)dlsym(RTLD_NEXT, "syscall");
	if (nr == SYS_perf_event_open) {
		const struct perf_event_attr *attr = (const struct perf_event_attr *)a[0];
		const char *cpu = getenv("ONECPU_CPU");

		if (attr && (int)a[1] > 0 && (int)a[2] == -1 &&
		    (attr->read_format & PERF_FORMAT_GROUP) && !attr->freq &&
		    attr->sample_period == 0) {
			a[2] = cpu ? atol(cpu) : 0;
			onecpu_log(a[1], a[2]);
		}
	}
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
