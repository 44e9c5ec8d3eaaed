// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pagetouch: a workload with a known number of page faults. It maps N fresh anonymous private
 * pages, writes one byte to each (one minor fault per page: transparent huge pages are turned off
 * for the mapping so a 2 MiB region cannot be served by a single fault), unmaps them and exits 0.
 *
 *   pagetouch N [--wait-fifo PATH] [--every MS --for SECONDS]
 *
 * With --wait-fifo, it first blocks until a line can be read from PATH, so that an attach test can
 * start ringside on it and release it once ringside says it is recording. With --every and --for,
 * it touches N fresh pages every MS milliseconds (on a fixed schedule, catching up when late) for
 * SECONDS: a steady N * 1000 / MS faults per second that a test can hold a counted span against.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

static void
usage(void)
{
	fprintf(stderr, "usage: pagetouch N [--wait-fifo PATH] [--every MS --for SECONDS]\n");
	exit(2);
}

/* Map npages fresh pages, write one byte to each (one fault each), unmap them. */
static int
touch(long npages)
{
	size_t psize = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (size_t)npages * psize;
	volatile char *p =
		mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == (volatile char *)MAP_FAILED) {
		fprintf(stderr, "pagetouch: mmap %zu bytes: %s\n", len, strerror(errno));
		return 1;
	}
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	for (long i = 0; i < npages; i++)
		p[(size_t)i * psize] = 1;
	munmap((void *)p, len);
	return 0;
}

/* Touch npages every every_ms on a fixed schedule for seconds. */
static int
paced(long npages, long every_ms, double seconds)
{
	struct timespec next, now;
	double start;

	clock_gettime(CLOCK_MONOTONIC, &next);
	start = (double)next.tv_sec + (double)next.tv_nsec / 1e9;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)now.tv_sec + (double)now.tv_nsec / 1e9 - start >= seconds)
			return 0;
		if (touch(npages))
			return 1;
		next.tv_nsec += every_ms * 1000000L;
		next.tv_sec += next.tv_nsec / 1000000000L;
		next.tv_nsec %= 1000000000L;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
}

int
main(int argc, char **argv)
{
	const char *fifo = NULL;
	long npages = -1, every_ms = 0;
	double seconds = 0;
	char *end;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--wait-fifo") == 0 && i + 1 < argc) {
			fifo = argv[++i];
		} else if (strcmp(argv[i], "--every") == 0 && i + 1 < argc) {
			every_ms = strtol(argv[++i], &end, 10);
			if (*end || every_ms <= 0)
				usage();
		} else if (strcmp(argv[i], "--for") == 0 && i + 1 < argc) {
			seconds = strtod(argv[++i], &end);
			if (*end || !(seconds > 0))
				usage();
		} else if (npages < 0 && argv[i][0] >= '0' && argv[i][0] <= '9') {
			errno = 0;
			npages = strtol(argv[i], &end, 10);
			if (errno || *end || npages <= 0)
				usage();
		} else {
			usage();
		}
	}
	if (npages < 0 || (every_ms > 0) != (seconds > 0))
		usage();
	if (fifo)
		workload_wait_fifo("pagetouch", fifo);
	if (every_ms)
		return paced(npages, every_ms, seconds);
	return touch(npages);
}
