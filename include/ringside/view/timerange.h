/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The time range the screens show, without curses: a cursor on the shared time axis, the range's
 * start and end set at it (either alone: from the start, or to the end), the range's tree of a
 * stack tree (model/stacktree_range) kept between draws and rebuilt when the tree grows, and a
 * counter track's total over the range. Times are ns from the recording's start, the origin of
 * the time index and of the scheduler map (profile->sched_origin); an open end is UINT64_MAX.
 */
#ifndef RINGSIDE_VIEW_TIMERANGE_H
#define RINGSIDE_VIEW_TIMERANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/counters.h"
#include "ringside/model/stacktree.h"

#define TIMERANGE_OPEN UINT64_MAX

struct timerange {
	bool active;		 /* a range is chosen */
	uint64_t from_ns, to_ns; /* [from, to); to may be TIMERANGE_OPEN */
	uint64_t cursor_ns;	 /* the cursor on the time axis */
	bool cursor_moved;	 /* the cursor was moved: the status line shows it */
	bool click_pending;	 /* a first click set the start; a second one sets the end */
	uint64_t click_from, click_to;
	uint64_t step_ns; /* the cursor's step: the time of a cell of the axis drawn last */
	/* The range tree built last, and what it was built from. */
	struct stacktree *tree;
	uint32_t *map; /* the range tree's node i is node map[i] of the tree it came from */
	const struct stacktree *of;
	uint64_t of_samples, of_folds, built_from, built_to;
};

/* No range, the cursor at the start. */
void timerange_init(struct timerange *r);
/* Free the range tree. */
void timerange_fini(struct timerange *r);
/* Show [a, b) (ordered; b may be TIMERANGE_OPEN); an empty range clears it. */
void timerange_set(struct timerange *r, uint64_t a, uint64_t b);
/* Show everything again. */
void timerange_clear(struct timerange *r);
/* The key '[': the range starts at the cursor (its end kept when after the cursor, else open). */
void timerange_mark_start(struct timerange *r);
/* The key ']': the range ends at the cursor (its start kept when before it, else 0). */
void timerange_mark_end(struct timerange *r);
/*
 * A click on the axis cell [t0, t1): the first chooses one end, the second the other (the range
 * covers both cells). Returns true when a range is set.
 */
bool timerange_click(struct timerange *r, uint64_t t0, uint64_t t1);
/* Move the cursor by steps of step_ns, kept within [0, end_ns]. */
void timerange_move(struct timerange *r, int64_t steps, uint64_t step_ns, uint64_t end_ns);
/* Whether [t0, t1) overlaps the range (false when none is chosen). */
bool timerange_overlaps(const struct timerange *r, uint64_t t0, uint64_t t1);
/* The range's end, end_ns when open. */
uint64_t timerange_end(const struct timerange *r, uint64_t end_ns);
/*
 * The tree of t's samples in the range (borrowed until the next call), an open end cut at end_ns
 * (TIMERANGE_OPEN: not cut; a frozen screen gives the time it holds), rebuilt when the range or
 * t's samples changed (hold: only when the range changed). NULL when no range is chosen or t has
 * no time index.
 */
const struct stacktree *timerange_tree(struct timerange *r, const struct stacktree *t,
				       uint64_t end_ns, bool hold);
/* The node of the tree the range tree came from for range tree node id (id itself without one). */
uint32_t timerange_node(const struct timerange *r, uint32_t id);
/*
 * A counter track over [from_ns, to_ns): *value the scaled count (intervals cut by the range
 * count in proportion to their overlap), *rate the value per second of the time covered, *lo and
 * *hi the smallest and largest interval rates. False when no interval counted in it.
 */
bool timerange_track(const struct counter_track *t, uint64_t from_ns, uint64_t to_ns, double *value,
		     double *rate, double *lo, double *hi);
/*
 * A ratio over [from_ns, to_ns): its numerator's total there over its denominator's (times its
 * scale) into *out. False when an input is missing, never counted there, or the denominator is 0.
 */
struct profile;
struct ratio_def;
bool timerange_ratio(const struct profile *p, const struct ratio_def *r, uint64_t from_ns,
		     uint64_t to_ns, double *out);
/* "1.00-2.50 s", "1.00 s-end" into buf; returns buf. */
const char *timerange_format(uint64_t from_ns, uint64_t to_ns, char *buf, size_t len);

#endif
