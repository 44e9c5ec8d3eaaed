/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ratio flamegraphs, curses-free: a user ratio NAME=A/B (--ratio) whose A and B were both
 * sampled events gives a flamegraph whose widths are B's samples and whose colour is A/B per
 * frame, A's samples under the same call path (matched frame by frame from the root) divided by
 * B's. Frames with fewer than RATIOFLAME_MIN_SAMPLES of B's samples have no ratio (drawn grey).
 * The colours are a log scale between the smallest and largest ratio of the whole tree (every
 * frame with a ratio, drawn or too narrow to draw), as the HTML page has it.
 */
#ifndef RINGSIDE_VIEW_RATIOFLAME_H
#define RINGSIDE_VIEW_RATIOFLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/profile.h"

/* Below this many samples of B under a frame its ratio is not given (the frame is grey). */
#define RATIOFLAME_MIN_SAMPLES 10
/* The colour levels of the scale, from the lowest ratio to the highest. */
#define RATIOFLAME_LEVELS 5

/* The user ratios of p with both events sampled: their indexes in p->ratios into out (at most
 * max); returns how many there are. */
size_t ratioflame_list(const struct profile *p, size_t *out, size_t max);
/* The sampled-event indexes (profile_event_tree) of ratio r's A and B; false when either was not
 * sampled. */
bool ratioflame_events(const struct profile *p, const struct ratio_def *r, size_t *a, size_t *b);
/* The samples of t through the node reached from the root by path[0..n) (frames below the root),
 * or 0 when t has no such node. */
uint64_t ratioflame_count(const struct stacktree *t, const uint32_t *path, size_t n);
/*
 * The scale of ratio A/B over every node of tb (B's tree, the root included) whose path has at
 * least RATIOFLAME_MIN_SAMPLES of B: the smallest positive ratio into *lo and the largest into
 * *hi (both 0 when no node has a ratio).
 */
void ratioflame_scale(const struct stacktree *ta, const struct stacktree *tb, double *lo,
		      double *hi);
/* A/B, or a negative value when b is under RATIOFLAME_MIN_SAMPLES (no ratio). */
double ratioflame_value(uint64_t a, uint64_t b);
/*
 * The colour level of ratio v (0..RATIOFLAME_LEVELS - 1) on the log scale from lo to hi; a zero
 * ratio is level 0. lo and hi are the smallest and largest ratio with a value.
 */
int ratioflame_level(double v, double lo, double hi);
/* The lower bound of level k on that scale (k = RATIOFLAME_LEVELS: hi). */
double ratioflame_level_from(int k, double lo, double hi);
/* v with three significant digits ("0.0123", "4.56", "1.2e+03") into buf; returns buf. */
const char *ratioflame_format(double v, char *buf, size_t len);

#endif
