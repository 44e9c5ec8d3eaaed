/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Edit distance and "did you mean" suggestions, for unknown names typed by the user.
 */
#ifndef RINGSIDE_UTIL_STRDIST_H
#define RINGSIDE_UTIL_STRDIST_H

#include <stddef.h>

/* Levenshtein distance between a and b, ignoring ASCII case. */
size_t strdist_levenshtein(const char *a, const char *b);

struct strdist_best {
	const char *names[3]; /* borrowed from the candidates */
	size_t dist[3];
	size_t n;
	const char *query;
};

/* Start collecting the closest candidates to query. */
void strdist_best_init(struct strdist_best *best, const char *query);
/* Offer one candidate; kept when among the three closest and close enough to be a plausible typo.
 */
void strdist_best_offer(struct strdist_best *best, const char *candidate);
/* Format as "a, b or c" (empty string if none); the result is the caller's. */
char *strdist_best_format(const struct strdist_best *best);

#endif
