/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Range against range: the diff (view/diff.h) of two time ranges of recordings (the same one or
 * two), or of a range against a whole recording. Each side is a profile with the tree of its
 * range; its counters and ratios are taken over the range (view/timerange), and the scheduler's
 * per-task figures, which cover whole recordings, are left out when either side is a range.
 */
#ifndef RINGSIDE_VIEW_DIFF_RANGE_H
#define RINGSIDE_VIEW_DIFF_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/model/profile.h"
#include "ringside/model/stacktree.h"
#include "ringside/view/diff.h"

struct diff_range_side {
	const struct profile *p;      /* borrowed */
	const struct stacktree *tree; /* the range's tree (borrowed), or NULL for p->stacks */
	bool ranged;		      /* the side is [from_ns, to_ns) of p's recording */
	uint64_t from_ns, to_ns;
};

/* The diff of side a (the baseline) against side b with flags (diff_flags; not DIFF_SINCE_A). */
struct diff *diff_range_new(const struct diff_range_side *a, const struct diff_range_side *b,
			    unsigned flags);

#endif
