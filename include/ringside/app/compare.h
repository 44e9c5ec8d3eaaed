/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'ringside diff A B': load two snapshots and compare them (view/diff.h), then write the diff
 * (-o) or hand it to the terminal view.
 */
#ifndef RINGSIDE_APP_COMPARE_H
#define RINGSIDE_APP_COMPARE_H

#include <stddef.h>

#include "ringside/util/errbuf.h"
#include "ringside/view/diff.h"

/*
 * Load snapshots a and b (.json or .html) and diff them with flags (diff_flags); range_a and
 * range_b (app/range.h's START-END, or NULL for the whole recording) diff those time ranges.
 * Returns 0 and *out (the caller's, diff_free), or a negative code with err naming the file or
 * range that failed.
 */
int compare_load(const char *a, const char *b, const char *range_a, const char *range_b,
		 unsigned flags, struct diff **out, struct errbuf *err);
/* A side's name: path, or "path@range" into buf with a range. */
const char *compare_name(const char *path, const char *range, char *buf, size_t len);
/*
 * Diff a and b (their ranges, as compare_load) and write the result to out (.folded, .json or
 * .html); a note on stderr when the runs sampled differently. Returns the exit code: 0, 1
 * (runtime failure) or 2 (bad input).
 */
int compare_main(const char *a, const char *b, const char *range_a, const char *range_b,
		 const char *out, unsigned flags);

#endif
