// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pingpong: a workload with a known number of context switches. Two threads pass one byte back and
 * forth over two pipes N round trips; each thread blocks in read() once per round trip, so the
 * pair makes about 2N context switches (plus a handful from start-up and exit).
 *
 *   pingpong N [--wait-fifo PATH]
 *
 * Both threads are pinned to one CPU (the first the process may run on), so every handoff is a
 * real switch on that CPU rather than a cross-CPU wake-up. Measured on the 2-CPU test VM with
 * `perf stat -e context-switches`, N = 20000: pinned gives 40000-40002 (2N, exact to a few);
 * unpinned gives ~39945 (a reader on the other CPU sometimes finds its byte already there and
 * does not block), so pinned it is.
 *
 * With --wait-fifo, the process first blocks until a line can be read from PATH; the second thread
 * is created only AFTER that, so an attach test also checks that threads started after attaching
 * are counted.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

static long rounds;
static int ping[2], pong[2];	/* ping: main -> partner; pong: partner -> main */

static void
usage(void)
{
	fprintf(stderr, "usage: pingpong N [--wait-fifo PATH]\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "pingpong: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
xread(int fd, char *c)
{
	ssize_t n;

	while ((n = read(fd, c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		die("read");
}

static void
xwrite(int fd, char c)
{
	ssize_t n;

	while ((n = write(fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		die("write");
}

/* Pin the calling thread (and the threads it creates later) to its first allowed CPU. */
static void
pin_first_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		die("sched_getaffinity");
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &set)) {
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set) != 0)
				die("sched_setaffinity");
			return;
		}
	}
}

static void *
partner(void *arg)
{
	char c;

	(void)arg;
	for (long i = 0; i < rounds; i++) {
		xread(ping[0], &c);
		xwrite(pong[1], c);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *fifo = NULL;
	pthread_t tid;
	char *end;
	char c = 'x';
	int rc;

	rounds = -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--wait-fifo") == 0 && i + 1 < argc) {
			fifo = argv[++i];
		} else if (rounds < 0 && argv[i][0] >= '0' && argv[i][0] <= '9') {
			errno = 0;
			rounds = strtol(argv[i], &end, 10);
			if (errno || *end || rounds <= 0)
				usage();
		} else {
			usage();
		}
	}
	if (rounds < 0)
		usage();
	if (fifo)
		workload_wait_fifo("pingpong", fifo);

	pin_first_cpu();
	if (pipe(ping) != 0 || pipe(pong) != 0)
		die("pipe");
	rc = pthread_create(&tid, NULL, partner, NULL);
	if (rc != 0) {
		errno = rc;
		die("pthread_create");
	}
	for (long i = 0; i < rounds; i++) {
		xwrite(ping[1], c);
		xread(pong[0], &c);
	}
	pthread_join(tid, NULL);
	return 0;
}
