// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: /proc/PID/maps lines (sym/procmaps). Each line that parses is added to a mapping
 * set as an MMAP2 record would be (trimming and splitting what it overlaps), the set is copied
 * and searched, and its invariants (sorted, never overlapping, non-empty) are checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/sym/procmaps.h"
#include "fuzz.h"

FUZZ_TARGET(procmaps);

int
FUZZ_INIT(procmaps)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_procmaps_check(const struct procmaps *pm)
{
	for (size_t i = 0; i < pm->n; i++) {
		const struct procmaps_map *m = &pm->maps[i];

		if (m->start >= m->end || (i > 0 && pm->maps[i - 1].end > m->start) ||
		    procmaps_find(pm, m->start) != m || procmaps_find(pm, m->end - 1) != m) {
			fprintf(stderr,
				"fuzz_procmaps: mapping %zu [%#llx, %#llx) breaks the set\n", i,
				(unsigned long long)m->start, (unsigned long long)m->end);
			abort();
		}
	}
}

int
FUZZ_ONE(procmaps)(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *line, *save = NULL;
	struct procmaps pm, copy;

	procmaps_init(&pm);
	procmaps_init(&copy);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct procmaps_map m;

		if (procmaps_parse_line(line, &m) != 0)
			continue;
		(void)procmaps_is_file(&m);
		procmaps_add(&pm, m.start, m.end, m.pgoff, m.dev, m.inode, m.flags, m.path);
		free(m.path);
		fuzz_procmaps_check(&pm);
	}
	procmaps_copy(&copy, &pm);
	fuzz_procmaps_check(&copy);
	(void)procmaps_memory(&copy);
	procmaps_fini(&copy);
	procmaps_fini(&pm);
	free(text);
	return 0;
}
