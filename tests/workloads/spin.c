// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spin: a CPU-bound workload. K threads busy-loop for SECONDS of wall time (checking the clock
 * only every 2^20 iterations, with the vDSO's clock_gettime, so the loop makes no real system
 * calls), or, with --iterations N, each does exactly N iterations whatever the time (fixed work,
 * for benchmarks that measure how long it takes).
 *
 *   spin SECONDS [--threads K] [--pin CPU,CPU..] [--iterations N] [--wait-fifo PATH]
 *        [--report FILE]
 *
 * --pin pins thread i to the i-th listed CPU (the list wraps if shorter than K). With --wait-fifo
 * the process first blocks until a line can be read from PATH; the threads start after that.
 * --report writes one line "CPU_NS WALL_NS" to FILE once the threads are done: the process's own
 * CPU time (CLOCK_PROCESS_CPUTIME_ID, every thread, user and system, since it started) and the
 * wall time from the start of the spinning (after the --wait-fifo release) to its end. Tests
 * compare a profiler's task-clock with CPU_NS, which holds however busy the machine is;
 * CPU_NS / WALL_NS tells whether the spinner had a CPU to itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

#define SPIN_CHECK_MASK ((1UL << 20) - 1)
#define SPIN_MAX_THREADS 1024

struct spinner {
	pthread_t tid;
	int cpu;		/* -1: not pinned */
};

static double seconds;
static unsigned long long iterations;	/* 0: run for seconds */
static struct timespec deadline;
static volatile uint64_t sink;

static long long
ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr, "usage: spin SECONDS [--threads K] [--pin CPU,CPU..] [--iterations N] "
			"[--wait-fifo PATH] [--report FILE]\n");
	exit(2);
}

static void
die(const char *what, int err)
{
	fprintf(stderr, "spin: %s: %s\n", what, strerror(err));
	exit(1);
}

static int
past_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

static void *
spinner_run(void *arg)
{
	struct spinner *s = arg;
	uint64_t x = (uint64_t)(uintptr_t)s;

	if (s->cpu >= 0) {
		cpu_set_t set;
		int rc;

		CPU_ZERO(&set);
		CPU_SET(s->cpu, &set);
		rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		if (rc != 0)
			die("pinning a thread", rc);
	}
	/* A linear congruential step the compiler cannot fold into a closed form. */
	for (unsigned long long i = 0;; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if (iterations) {
			if (i + 1 >= iterations)
				break;
		} else if ((i & SPIN_CHECK_MASK) == 0) {
			sink = x;
			if (past_deadline())
				break;
		}
	}
	sink = x;
	return NULL;
}

static unsigned long long
parse_ull(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		usage();
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	static struct spinner spinners[SPIN_MAX_THREADS];
	int pins[SPIN_MAX_THREADS];
	int npins = 0, nthreads = 1, have_seconds = 0;
	const char *fifo = NULL, *report = NULL;
	struct timespec start, stop, cpu;
	char *end;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--wait-fifo") == 0 && i + 1 < argc) {
			fifo = argv[++i];
		} else if (strcmp(a, "--report") == 0 && i + 1 < argc) {
			report = argv[++i];
		} else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
			unsigned long long k = parse_ull(argv[++i]);

			if (k < 1 || k > SPIN_MAX_THREADS)
				usage();
			nthreads = (int)k;
		} else if (strcmp(a, "--iterations") == 0 && i + 1 < argc) {
			iterations = parse_ull(argv[++i]);
			if (iterations == 0)
				usage();
		} else if (strcmp(a, "--pin") == 0 && i + 1 < argc) {
			char *list = argv[++i], *tok, *save = NULL;

			for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (npins == SPIN_MAX_THREADS)
					usage();
				pins[npins++] = (int)parse_ull(tok);
			}
			if (npins == 0)
				usage();
		} else if (!have_seconds && ((a[0] >= '0' && a[0] <= '9') || a[0] == '.')) {
			errno = 0;
			seconds = strtod(a, &end);
			if (errno || *end || seconds < 0)
				usage();
			have_seconds = 1;
		} else {
			usage();
		}
	}
	if (!have_seconds)
		usage();
	if (fifo)
		workload_wait_fifo("spin", fifo);

	clock_gettime(CLOCK_MONOTONIC, &start);
	deadline = start;
	deadline.tv_sec += (time_t)seconds;
	deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (int i = 0; i < nthreads; i++) {
		int rc;

		spinners[i].cpu = npins ? pins[i % npins] : -1;
		rc = pthread_create(&spinners[i].tid, NULL, spinner_run, &spinners[i]);
		if (rc != 0)
			die("pthread_create", rc);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(spinners[i].tid, NULL);
	if (report) {
		FILE *f;

		clock_gettime(CLOCK_MONOTONIC, &stop);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
		f = fopen(report, "w");
		if (!f)
			die(report, errno);
		fprintf(f, "%lld %lld\n", ts_ns(&cpu), ts_ns(&stop) - ts_ns(&start));
		if (fclose(f) != 0)
			die(report, errno);
	}
	return 0;
}
