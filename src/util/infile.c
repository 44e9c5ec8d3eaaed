// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bounded reading of a file the user named: refuse what is not a regular file, refuse what is
 * larger than the caller allows, and never read more than that plus one byte whatever the file
 * does meanwhile. The buffer is sized from fstat, so memory is the file's size, not a doubling
 * guess; it only grows when the file grows while it is read.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/util/infile.h"
#include "ringside/util/xalloc.h"

const char *
infile_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO (a pipe)";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISREG(mode))
		return "a regular file";
	return "not a file";
}

const char *
infile_size_str(uint64_t bytes, char *buf, size_t bufsz)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, bufsz, "%llu bytes", (unsigned long long)bytes);
		return buf;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, bufsz, "%.1f %s", v, units[u]);
	return buf;
}

/* Read up to want bytes at buf + *len until end of file; -errno on a read error. */
static int
infile_fill(int fd, char **buf, size_t *cap, size_t *len, size_t want)
{
	for (;;) {
		ssize_t got;

		if (*len == want)
			return 0;
		if (*len == *cap) {
			/* The file grew while read: grow by half, never past want. */
			size_t next = *cap + *cap / 2 + 4096;

			*cap = next > want ? want : next;
			*buf = xrealloc(*buf, *cap + 1);
		}
		got = read(fd, *buf + *len, *cap - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return 0;
		*len += (size_t)got;
	}
}

int
infile_read(const char *path, size_t max, char **buf, size_t *len, mode_t *mode, uint64_t *size)
{
	struct stat st;
	size_t cap, n = 0;
	char *b;
	int fd, r;

	*buf = NULL;
	*len = 0;
	/* Non-blocking, so that opening a FIFO nobody writes to does not wait: it is refused. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (mode)
		*mode = st.st_mode;
	if (size)
		*size = (uint64_t)st.st_size;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ESPIPE;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	/* One byte more than the size, to see the end of file (or a file that grew) at once. */
	cap = (size_t)st.st_size + 1;
	if (cap > max + 1)
		cap = max + 1;
	b = xmalloc(cap + 1);
	r = infile_fill(fd, &b, &cap, &n, max + 1);
	close(fd);
	if (r == 0 && n > max) {
		if (size)
			*size = (uint64_t)max + 1;
		r = -EFBIG;
	}
	if (r < 0) {
		free(b);
		return r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
