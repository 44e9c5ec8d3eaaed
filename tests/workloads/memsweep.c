// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memsweep: a workload with a known memory-access picture. It maps a SWEEP_MIB buffer (256 MiB by
 * default) and writes one byte to each page in address order (one minor fault per page, a
 * diagonal in an address x time map), then maps a RANDOM_MIB buffer (64 MiB) and writes one byte
 * to each of its pages in a random order (a uniform scatter). Transparent huge pages are turned
 * off for both, so every page is one fault. Before touching anything it prints each buffer's
 * address and page count:
 *
 *   sweep 0x7f... 65536
 *   random 0x7f... 16384
 *
 * and after the last page, the seconds both phases took (for benchmarks: a tool's slowdown):
 *
 *   elapsed 0.412
 *
 *   memsweep [SWEEP_MIB [RANDOM_MIB]]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile char *
memsweep_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "memsweep: mmap %zu bytes: %s\n", len, strerror(errno));
		exit(1);
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* A fixed-seed xorshift, so every run touches the same order. */
static uint64_t
memsweep_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int
main(int argc, char **argv)
{
	long sweep_mib = argc > 1 ? strtol(argv[1], NULL, 10) : 256;
	long random_mib = argc > 2 ? strtol(argv[2], NULL, 10) : 64;
	size_t psize = (size_t)sysconf(_SC_PAGESIZE), na, nb;
	volatile char *a, *b;
	size_t *order;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct timespec t0, t1;

	if (sweep_mib <= 0 || random_mib <= 0 || sweep_mib > 65536 || random_mib > 65536) {
		fprintf(stderr, "usage: memsweep [SWEEP_MIB [RANDOM_MIB]] (1 to 65536 each)\n");
		return 2;
	}
	na = (size_t)sweep_mib * 1024 * 1024 / psize;
	nb = (size_t)random_mib * 1024 * 1024 / psize;
	a = memsweep_map(na * psize);
	b = memsweep_map(nb * psize);
	order = calloc(nb, sizeof(*order));
	if (!order)
		return 1;
	for (size_t i = 0; i < nb; i++)
		order[i] = i;
	for (size_t i = nb - 1; i > 0; i--) {
		size_t j = (size_t)(memsweep_rand(&seed) % (i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	printf("sweep %p %zu\nrandom %p %zu\n", (void *)a, na, (void *)b, nb);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < na; i++)
		a[i * psize] = 1;
	for (size_t i = 0; i < nb; i++)
		b[order[i] * psize] = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("elapsed %.6f\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(order);
	return 0;
}
