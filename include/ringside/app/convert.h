/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'ringside export': a snapshot converted to another snapshot, a self-contained page or folded
 * stacks, chosen by the output's extension.
 */
#ifndef RINGSIDE_APP_CONVERT_H
#define RINGSIDE_APP_CONVERT_H

#include "ringside/view/timetree.h"

/*
 * Convert the snapshot in (.json or .html) to out, whose extension export_format_known accepts;
 * failures are said on stderr. Returns the process exit code (0 ok, 1 runtime failure, 2 bad
 * input: an unreadable snapshot or an output that cannot be written). A mode other than on-CPU
 * writes that time tree as folded stacks (out ends in .folded), in nanoseconds. A non-NULL event
 * writes that sampled event's tree as folded stacks (on-CPU; out ends in .folded). A range (NULL:
 * none) cuts the profile to it first (app/range.h); a bad one is bad input.
 */
int convert_main(const char *in, const char *out, enum timetree_mode mode, const char *event,
		 const char *range);

#endif
