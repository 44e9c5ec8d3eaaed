/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'ringside diff A B': load two snapshots and compare them (view/diff.h), then write the diff
 * (-o) or hand it to the terminal view.
 */
#ifndef RINGSIDE_APP_COMPARE_H
#define RINGSIDE_APP_COMPARE_H

#include "ringside/util/errbuf.h"
#include "ringside/view/diff.h"

/*
 * Load snapshots a and b (.json or .html) and diff them with flags (diff_flags). Returns 0 and
 * *out (the caller's, diff_free), or a negative code with err naming the file that failed.
 */
int compare_load(const char *a, const char *b, unsigned flags, struct diff **out,
		 struct errbuf *err);
/*
 * Diff a and b and write the result to out (.folded, .json or .html); a note on stderr when the
 * runs sampled differently. Returns the exit code: 0, 1 (runtime failure) or 2 (bad input).
 */
int compare_main(const char *a, const char *b, const char *out, unsigned flags);

#endif
