// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers the fuzz targets share (linked into each libFuzzer binary and into the replay test).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ringside/util/xalloc.h"
#include "fuzz.h"
#include "fuzz_file.h"

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

const char *
fuzz_file_put(int *fd, char *path, size_t pathlen, const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (*fd < 0) {
		*fd = memfd_create("ringside-fuzz", MFD_CLOEXEC);
		if (*fd < 0)
			return NULL;
		snprintf(path, pathlen, "/proc/self/fd/%d", *fd);
	}
	if (ftruncate(*fd, 0) != 0)
		return NULL;
	while (done < size) {
		ssize_t w = pwrite(*fd, data + done, size - done, (off_t)done);

		if (w <= 0)
			return NULL;
		done += (size_t)w;
	}
	return path;
}
