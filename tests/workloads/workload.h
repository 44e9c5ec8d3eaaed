// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What every test workload shares: parking on a FIFO until the test has ringside attached.
 */
#ifndef RINGSIDE_TESTS_WORKLOAD_H
#define RINGSIDE_TESTS_WORKLOAD_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Block until a line (or end of file) can be read from the FIFO at path; prog names the caller. */
static inline void
workload_wait_fifo(const char *prog, const char *path)
{
	int fd = open(path, O_RDONLY);
	char c;
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		exit(1);
	}
	while ((n = read(fd, &c, 1)) == 1 || (n < 0 && errno == EINTR))
		if (n == 1 && c == '\n')
			break;
	close(fd);
}

#endif
