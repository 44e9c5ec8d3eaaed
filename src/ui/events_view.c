// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Events view (being built).
 */
#include "ringside/ui/draw.h"
#include "ringside/ui/view.h"

static void
events_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	(void)state;
	(void)rows;
	draw_text(ui, top, 0, cols, draw_attr(ui, THEME_DIM), "Events: not built yet");
}

const struct view_ops events_view_ops = {
	.name = "Events",
	.keys = "",
	.draw = events_view_draw,
};
