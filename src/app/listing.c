// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside list': the events this machine can count, grouped as the catalog groups them (PMU
 * events, software, tracepoints...), one line each with its description, optionally filtered by a
 * pattern.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ringside/app/listing.h"
#include "ringside/perf/catalog.h"

/* Print the entries pattern matches (all of them for NULL); returns how many were printed. */
static size_t
listing_print(const struct catalog *cat, const char *pattern)
{
	const char *group = NULL;
	size_t shown = 0;

	for (size_t i = 0; i < cat->n; i++) {
		const struct catalog_entry *e = &cat->v[i];

		if (pattern && !catalog_entry_matches(e, pattern))
			continue;
		if (!group || strcmp(group, e->group) != 0) {
			group = e->group;
			printf("%s%s events:\n", shown ? "\n" : "", group);
		}
		printf("  %-40s [%s]  %s%s\n", e->name, e->group, e->desc,
		       e->supported ? "" : " (not supported here)");
		shown++;
	}
	return shown;
}

int
listing_main(const char *pattern, bool all)
{
	struct catalog cat;
	size_t shown;

	catalog_build(&cat, (all ? 0 : CATALOG_CONFIRM) | CATALOG_TRACE_FIELDS);
	shown = listing_print(&cat, pattern);
	catalog_fini(&cat);
	if (shown == 0) {
		fprintf(stderr,
			"ringside: no event matches '%s'; try a shorter pattern or 'ringside "
			"list'\n",
			pattern ? pattern : "");
		return 1;
	}
	return 0;
}
