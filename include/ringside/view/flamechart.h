/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flame chart's view-model, without curses: x is time, not share. A time span is cut into
 * one column per bucket of equal time. Under the root or a process, each thread with samples in
 * the span gets a band of rows (the thread's row, then its callees by depth; at most
 * FLAMECHART_MAX_THREADS bands, the busiest, in the tree's order); under a thread, one band from
 * the process down. In a band each column shows the call path of the leaf that took the most
 * samples there, and cells of adjacent columns holding the same node (the same frames down to
 * it) merge. The samples come from the tree's time index (model/timeline), so the finest zoom is
 * its quantum, 0.1 ms.
 */
#ifndef RINGSIDE_VIEW_FLAMECHART_H
#define RINGSIDE_VIEW_FLAMECHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/stacktree.h"

#define FLAMECHART_MAX_THREADS 8

struct flamechart_cell {
	uint32_t node;		 /* node id in the tree */
	uint32_t frame;		 /* its frame */
	unsigned depth;		 /* 0: the root */
	unsigned row;		 /* the chart's row, from 0 at the top */
	int x, width;		 /* columns, width >= 1 */
	uint64_t from_ns, to_ns; /* the time it covers, ns from the recording's start */
	uint64_t samples;	 /* samples through it in that time */
};

struct flamechart {
	struct flamechart_cell *cells; /* by row, then column */
	size_t n, cap;
	unsigned rows;	    /* rows laid out */
	size_t threads;	    /* threads with samples in the span */
	size_t bands;	    /* of them shown, each in its band */
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
/* The cell at (row, column x), or -1. */
long flamechart_cell_at(const struct flamechart *fc, unsigned row, int x);
/* The cell next to cell i: dx -1 or +1 along its row, dy -1 (the row above) or +1; i if none. */
long flamechart_move(const struct flamechart *fc, size_t i, int dx, int dy);
/* Free the cells. */
void flamechart_fini(struct flamechart *fc);

#endif
