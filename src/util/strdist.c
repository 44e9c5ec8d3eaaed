// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "Did you mean": edit distance between what the user typed and the names we know.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/strdist.h"
#include "ringside/util/xalloc.h"

size_t
strdist_levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row, result;

	row = xcalloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) !=
				      tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

void
strdist_best_init(struct strdist_best *best, const char *query)
{
	memset(best, 0, sizeof(*best));
	best->query = query;
}

void
strdist_best_offer(struct strdist_best *best, const char *candidate)
{
	size_t len = strlen(best->query), d, limit, i;

	/* A plausible typo changes at most about a third of the name (at least 2 edits). */
	limit = len / 3 > 2 ? len / 3 : 2;
	if (labs((long)strlen(candidate) - (long)len) > (long)limit)
		return;
	d = strdist_levenshtein(best->query, candidate);
	if (d > limit)
		return;
	for (i = 0; i < best->n; i++)
		if (strcmp(best->names[i], candidate) == 0)
			return;
	for (i = best->n; i > 0 && best->dist[i - 1] > d; i--) {
		if (i < 3) {
			best->names[i] = best->names[i - 1];
			best->dist[i] = best->dist[i - 1];
		}
	}
	if (i >= 3)
		return;
	best->names[i] = candidate;
	best->dist[i] = d;
	if (best->n < 3)
		best->n++;
}

char *
strdist_best_format(const struct strdist_best *best)
{
	switch (best->n) {
	case 0:
		return xstrdup("");
	case 1:
		return xstrdup(best->names[0]);
	case 2:
		return xasprintf("%s or %s", best->names[0], best->names[1]);
	default:
		return xasprintf("%s, %s or %s", best->names[0], best->names[1], best->names[2]);
	}
}
