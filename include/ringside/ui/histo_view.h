/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The histogram pane (H in the overview): the distribution of one counted event's per-interval
 * rates over the current view, in view/histo's buckets (power-of-two ones where the range is
 * wide), a bar per bucket and the buckets holding p50, p95, p99 and the maximum marked. Left and
 * Right step through the counted events; it follows the live profile at every draw. L in the
 * scheduler view opens it on the wake-up latencies of every task (schedmap_task_latencies, the
 * data of the task table's percentiles), Left and Right then step through the tasks.
 */
#ifndef RINGSIDE_UI_HISTO_VIEW_H
#define RINGSIDE_UI_HISTO_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "ringside/ui/view.h"

/* Open the pane on track index track (the next counted one from there), or say there is none. */
void histo_view_open(struct ui *ui, size_t track);
/* Open the pane on the wake-up latencies of every task (L in the scheduler view). */
void histo_view_open_latency(struct ui *ui);
/* Draw the open pane into rows [top, top + rows). */
void histo_view_draw(struct ui *ui, int top, int rows, int cols);
/* Handle a key while the pane is open; false for the keys it leaves to the screen. */
bool histo_view_key(struct ui *ui, int key);
/* Close the pane, if it is open. */
void histo_view_close(struct ui *ui);
/* The help text of its keys. */
extern const char histo_view_keys[];

#endif
