// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libcsort: a path through the C library that calls back into the program, for the DWARF
 * unwinding tests. Debian builds libc without frame pointers, so a frame-pointer unwinder loses
 * the program's frames above it; call frame information has them.
 *
 *   libcsort SECONDS [--wait-fifo PATH]
 *
 * For SECONDS of wall time: main -> sort_round, which fills an array with pseudo-random numbers
 * and sorts it with qsort(3), whose merge sort calls cmp_u64 back for every comparison. Most
 * samples land in the libc sort or in cmp_u64, with main;sort_round as their callers. Built -O2
 * -fomit-frame-pointer, the way distributions build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workload.h"

#define LIBCSORT_N     4096
#define LIBCSORT_NOIPA __attribute__((noipa))

static uint64_t values[LIBCSORT_N];
static volatile uint64_t sink;

static int LIBCSORT_NOIPA
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t LIBCSORT_NOIPA
sort_round(uint64_t x)
{
	for (size_t i = 0; i < LIBCSORT_N; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		values[i] = x >> 11;
	}
	qsort(values, LIBCSORT_N, sizeof(values[0]), cmp_u64);
	__asm__ volatile("" : "+r"(x));
	return x ^ values[LIBCSORT_N / 2];
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	double seconds, end;
	uint64_t x = 1;
	char *stop;

	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--wait-fifo") == 0)) {
		fprintf(stderr, "usage: libcsort SECONDS [--wait-fifo PATH]\n");
		return 2;
	}
	seconds = strtod(argv[1], &stop);
	if (*stop || seconds < 0) {
		fprintf(stderr, "usage: libcsort SECONDS [--wait-fifo PATH]\n");
		return 2;
	}
	if (argc == 4)
		workload_wait_fifo("libcsort", argv[3]);
	end = now_s() + seconds;
	while (now_s() < end)
		x = sort_round(x);
	sink = x;
	return 0;
}
