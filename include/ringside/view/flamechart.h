/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flame chart's view-model, without curses: x is time, not share. A time span is cut into
 * one column per bucket of equal time; each column shows the call path of the leaf that took
 * the most samples in it (among the nodes under a chosen one: a process or thread, or the root),
 * as rows by depth, and cells of adjacent columns holding the same node (the same frames down to
 * it) merge. The samples come from the tree's time index (model/timeline), so the finest zoom is
 * its quantum, 0.1 ms.
 */
#ifndef RINGSIDE_VIEW_FLAMECHART_H
#define RINGSIDE_VIEW_FLAMECHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/stacktree.h"

struct flamechart_cell {
	uint32_t node;		 /* node id in the tree */
	uint32_t frame;		 /* its frame */
	unsigned depth;		 /* 0: the root */
	int x, width;		 /* columns, width >= 1 */
	uint64_t from_ns, to_ns; /* the time it covers, ns from the recording's start */
	uint64_t samples;	 /* samples through it in that time */
};

struct flamechart {
	struct flamechart_cell *cells; /* by depth, then column */
	size_t n, cap;
	unsigned rows;	    /* the deepest cell's depth + 1 */
	uint64_t bucket_ns; /* the time a column covers */
	uint64_t from_ns;   /* column 0's start */
	uint64_t samples;   /* samples laid out */
};

/*
 * Lay out t's samples in [from_ns, to_ns) under node under (STACKTREE_ROOT: all) in width
 * columns into fc (its cells are reused). False (no cells) when t has no time index.
 */
bool flamechart_layout(struct flamechart *fc, struct stacktree *t, uint32_t under, uint64_t from_ns,
		       uint64_t to_ns, int width);
/* The cell at (depth, column x), or -1. */
long flamechart_cell_at(const struct flamechart *fc, unsigned depth, int x);
/* The cell next to cell i: dx -1 or +1 along its row, dy -1 (toward the root) or +1; i if none. */
long flamechart_move(const struct flamechart *fc, size_t i, int dx, int dy);
/* Free the cells. */
void flamechart_fini(struct flamechart *fc);

#endif
