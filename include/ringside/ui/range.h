/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time ranges on the screen: the keys that move the cursor on the shared time axis and set the
 * range's start and end, the mouse's two clicks, the range's marks on a view's time axis, the
 * status line's words for it, the tree the flamegraph and the hottest functions show for it
 * and a frame's samples against time as a sparkline. The state is ui->range (view/timerange).
 */
#ifndef RINGSIDE_UI_RANGE_H
#define RINGSIDE_UI_RANGE_H

#include <stddef.h>
#include <stdint.h>

#include "ringside/ui/view.h"

/* The keys of ranges, for the help screen. */
extern const char range_keys[];

/* Whether the profile has a time index (live, or a snapshot written since it exists). */
bool range_available(const struct ui *ui);
/* The time shown last: now live, the freeze's time frozen, the recording's end in a snapshot. */
uint64_t range_end_ns(const struct ui *ui);
/* A range key ([ ] < > , . R); true when key was one (handled, or told why not). */
bool range_key(struct ui *ui, int key);
/* A click on the time axis cell [t0, t1) (ns from the start): two clicks choose a range. */
void range_click(struct ui *ui, uint64_t t0, uint64_t t1);
/* The button released on the cell [t0, t1): the end of a drag when it left the pressed cell. */
void range_release(struct ui *ui, uint64_t t0, uint64_t t1);
/* A mouse event on the time axis cell [t0, t1): a press or click, or a release ending a drag. */
void range_mouse(struct ui *ui, mmask_t bstate, uint64_t t0, uint64_t t1);
/* The tree of the range for the on-CPU samples (borrowed), or NULL when no range applies. */
const struct stacktree *range_tree(struct ui *ui);
/* A value that changes whenever the range does (for views that hold what they drew). */
uint64_t range_stamp(const struct ui *ui);
/* Append " | range 1.00-2.00 s" (or the cursor) for the status line; returns the length added. */
size_t range_status(const struct ui *ui, char *buf, size_t len);
/* Draw the axis mark of [t0, t1) at (y, x), w columns: the cursor, in the range, or blank. */
void range_mark(struct ui *ui, int y, int x, int w, uint64_t t0, uint64_t t1);
/*
 * The time of column k of a sparkline of n intervals drawn width columns wide (live sweep style,
 * else right-aligned, as the overview draws them) into [*t0, *t1); false for a blank column.
 */
bool range_spark_span(const struct ui *ui, size_t n, int width, int k, uint64_t *t0, uint64_t *t1);
/* The overview's axis row under its sparklines: the range and the cursor over n intervals. */
void range_spark_axis(struct ui *ui, int y, int x, int width, size_t n);
/*
 * Append " | when ▁▂█▅ 0.00-6.00 s" for the node of p->stacks at frames[0..n) (frame path from
 * the root's child): its samples per interval over the range (or the whole recording), cells
 * cells. Returns the length added (0 without a time index or such a node). Frozen, the line
 * first drawn for these frames is kept (ui->spark) until the range, event or freeze changes.
 */
size_t range_spark(struct ui *ui, const uint32_t *frames, size_t n, int cells, char *buf,
		   size_t len);

#endif
