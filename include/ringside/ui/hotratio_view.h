/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The overview's hottest functions while a ratio flamegraph is shown (key E past the last
 * sampled event, ui/ratioflame_view.h): per function A's and B's samples, self and total, and A/B
 * of each as the flamegraph's frames have it (view/hot.h's hot_ratio); rows with fewer than
 * RATIOFLAME_MIN_SAMPLES of B in total are grey, their ratios "-". Key t sorts by the next column.
 */
#ifndef RINGSIDE_UI_HOTRATIO_VIEW_H
#define RINGSIDE_UI_HOTRATIO_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/ui/view.h"
#include "ringside/view/hot.h"

/* The table's counts between draws: computed again only when A's or B's tree changed (never
 * while the display is frozen), or the events or the range did. */
struct hotratio_view;

struct hotratio_view *hotratio_view_new(void);
/* Free the table; NULL is fine. */
void hotratio_view_free(struct hotratio_view *hv);

/* Draw the ratio table of ratio r (A's and B's sampled events a and b) in rows [y, y + rows),
 * cols wide from x, sorted by order; *first gets the first row's frame. False: no rows. */
bool hotratio_view_draw(struct ui *ui, struct hotratio_view *hv, const struct ratio_def *r,
			size_t a, size_t b, enum hot_ratio_order order, int y, int x, int rows,
			int cols, uint32_t *first);

#endif
