// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Flame view (being built).
 */
#include "ringside/ui/draw.h"
#include "ringside/ui/view.h"

static void
flame_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	(void)state;
	(void)rows;
	draw_text(ui, top, 0, cols, draw_attr(ui, THEME_DIM), "Flame: not built yet");
}

const struct view_ops flame_view_ops = {
	.name = "Flame",
	.keys = "",
	.draw = flame_view_draw,
};
