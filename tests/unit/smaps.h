// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resident memory of this test's own file mappings, from /proc/self/smaps: what the tests of the
 * symbol resolvers read to see that the pages a lookup touched are given back.
 */
#ifndef RINGSIDE_TESTS_UNIT_SMAPS_H
#define RINGSIDE_TESTS_UNIT_SMAPS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * Resident KiB of the mappings of path (NULL: none) and, with tmpfiles, of the inflated debug
 * copies (an O_TMPFILE shows as dir/#inode).
 */
static inline size_t
smaps_rss_kib(const char *path, bool tmpfiles)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[4096], name[4096];
	bool in = false;
	size_t kib, sum = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		/* A mapping's first line (an anonymous one has no name); then its fields. */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			name[0] = '\0';
			sscanf(line, "%*x-%*x %*s %*s %*s %*s %4095s", name);
			in = (path && strcmp(name, path) == 0) || (tmpfiles && strstr(name, "/#"));
		} else if (in && sscanf(line, "Rss: %zu", &kib) == 1) {
			sum += kib;
		}
	}
	fclose(f);
	return sum;
}

#endif
