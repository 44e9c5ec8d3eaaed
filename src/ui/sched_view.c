// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Scheduler view (being built).
 */
#include "ringside/ui/draw.h"
#include "ringside/ui/view.h"

static void
sched_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	(void)state;
	(void)rows;
	draw_text(ui, top, 0, cols, draw_attr(ui, THEME_DIM), "Scheduler: not built yet");
}

const struct view_ops sched_view_ops = {
	.name = "Scheduler",
	.keys = "",
	.draw = sched_view_draw,
};
