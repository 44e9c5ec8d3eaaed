/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flame chart, the Flamegraph view's second mode (key c): the on-CPU samples against time,
 * root on top, one column per slice of the range (or of the whole recording), each column the
 * call path that took most of it, equal neighbours merged (view/flamechart). Enter makes the
 * selected frame's time the range, which zooms the chart in; Esc goes back to the range before.
 */
#ifndef RINGSIDE_UI_FLAMECHART_VIEW_H
#define RINGSIDE_UI_FLAMECHART_VIEW_H

#include <curses.h>
#include <stdbool.h>

#include "ringside/ui/view.h"
#include "ringside/view/flame.h"

struct flamechart_view;

struct flamechart_view *flamechart_view_new(void);
void flamechart_view_free(struct flamechart_view *cv);
/* Draw the chart of the samples under flt (NULL: every thread) in rows [top, top + rows). */
void flamechart_view_draw(struct ui *ui, struct flamechart_view *cv, const struct flame_filter *flt,
			  int top, int rows, int cols);
/* A key of the chart; true when it was one. */
bool flamechart_view_key(struct ui *ui, struct flamechart_view *cv, int key);
/* A click selects a frame; a double click (or a click on the selected one) takes its time. */
bool flamechart_view_mouse(struct ui *ui, struct flamechart_view *cv, int y, int x, mmask_t bstate);

#endif
