// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * migrator: a workload with a known number of CPU migrations. One thread (the main one) moves
 * itself between CPUs N times with sched_setaffinity(2), going round the CPUs it may run on (0, 1,
 * 0, 1 ... on a 2-CPU machine), and busy-loops ~MS milliseconds (default 2) on each so that it
 * really runs there:
 *
 *   migrator N [--spin-ms MS] [--wait-fifo PATH]
 *
 * sched_setaffinity() on the calling thread returns only once the kernel has moved it to an
 * allowed CPU, so every move is one sched:sched_migrate_task; the thread checks it with
 * sched_getcpu() and counts the moves it saw. The first pin (to the first allowed CPU, before the
 * N moves) may be a migration too, and the scheduler may add a few of its own, so a tracer sees
 * at least N. At the end it prints on stdout:
 *
 *   migrator: tid TID, N moves, M seen on the new CPU
 *
 * It exits 1 if a move did not land (M < N), and 3 when fewer than two CPUs are allowed (nothing
 * to migrate between). With --wait-fifo, the process first blocks until a line can be read from
 * PATH. Measured on the 2-CPU test VM: `perf stat -e cpu-migrations` counts 200-201 for
 * migrator 200 (one per move, and the first pin when the thread started on the other CPU), and
 * system-wide `perf record -e sched:sched_migrate_task` as many; per-task (`perf record -e
 * sched:sched_migrate_task -- migrator 100`) only a handful, because the tracepoint fires in the
 * CPU's migration thread, not in the task that moves.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

static volatile uint64_t sink;

static void
usage(void)
{
	fprintf(stderr, "usage: migrator N [--spin-ms MS] [--wait-fifo PATH]\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "migrator: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long
parse_positive(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		usage();
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0)
		usage();
	return v;
}

static long long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Busy-loop for ms milliseconds of wall time (the vDSO clock: no system calls). */
static void
spin_ms(long ms)
{
	long long end = now_ns() + ms * 1000000LL;
	uint64_t x = (uint64_t)end;

	do {
		for (int i = 0; i < 4096; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sink = x;
	} while (now_ns() < end);
}

/* Allow the calling thread only cpu; 1 when it is running there once the call returns. */
static int
move_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		die("sched_setaffinity");
	return sched_getcpu() == cpu;
}

int
main(int argc, char **argv)
{
	int cpus[CPU_SETSIZE];
	int ncpus = 0;
	long moves = -1, ms = 2, seen = 0;
	const char *fifo = NULL;
	cpu_set_t allowed;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--wait-fifo") == 0 && i + 1 < argc)
			fifo = argv[++i];
		else if (strcmp(argv[i], "--spin-ms") == 0 && i + 1 < argc)
			ms = parse_positive(argv[++i]);
		else if (moves < 0)
			moves = parse_positive(argv[i]);
		else
			usage();
	}
	if (moves < 0)
		usage();
	if (fifo)
		workload_wait_fifo("migrator", fifo);

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		die("sched_getaffinity");
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			cpus[ncpus++] = cpu;
	if (ncpus < 2) {
		fprintf(stderr, "migrator: only %d CPU allowed; nothing to migrate between\n",
			ncpus);
		return 3;
	}

	move_to(cpus[0]);
	spin_ms(ms);
	for (long i = 1; i <= moves; i++) {
		seen += move_to(cpus[i % ncpus]);
		spin_ms(ms);
	}
	printf("migrator: tid %ld, %ld moves, %ld seen on the new CPU\n", (long)syscall(SYS_gettid),
	       moves, seen);
	return seen == moves ? 0 : 1;
}
