// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The top bar, laid out once by topbar_layout and then drawn or hit-tested from that layout: the
 * program's name at column 1, two blank columns, then " N Name " for each view with a column
 * between tabs, " Help " while the help screen is up, and the session's state at the right edge.
 */
#include <stdio.h>
#include <string.h>

#include "ringside/ui/draw.h"
#include "ringside/ui/topbar.h"

/* The columns draw_text takes for s given width columns (s cut to fit). */
static int
topbar_clip(const struct ui *ui, const char *s, int width)
{
	int w = draw_width(ui, s);

	if (width <= 0)
		return 0;
	return w < width ? w : width;
}

/* Append a tab showing view at column x, cut to the bar's width; returns the column after it. */
static int
topbar_add(const struct ui *ui, struct topbar *bar, int x, int cols, int view, const char *label)
{
	struct topbar_tab *t = &bar->tabs[bar->ntabs++];

	snprintf(t->label, sizeof(t->label), "%s", label);
	t->x = x;
	t->w = topbar_clip(ui, t->label, cols - x);
	t->view = view;
	t->current = view == TOPBAR_HELP || ((int)ui->view == view && !ui->help);
	return x + t->w;
}

void
topbar_layout(const struct ui *ui, const struct view_ops *const views[UI_NVIEWS], int cols,
	      struct topbar *bar)
{
	char label[sizeof(bar->tabs[0].label)];
	int x = 1;

	memset(bar, 0, sizeof(*bar));
	bar->name_x = x;
	bar->name_w = topbar_clip(ui, "ringside", cols - x);
	x += bar->name_w + 2;
	for (int v = 0; v < UI_NVIEWS && x < cols; v++) {
		if (views[v]->hidden && views[v]->hidden(ui))
			continue;
		snprintf(label, sizeof(label), " %d %s ", v + 1, views[v]->name);
		x = topbar_add(ui, bar, x, cols, v, label) + 1;
	}
	if (ui->help && x < cols)
		x = topbar_add(ui, bar, x, cols, TOPBAR_HELP, " Help ");
	bar->end = x;
}

void
topbar_draw(const struct ui *ui, const struct view_ops *const views[UI_NVIEWS])
{
	attr_t attr = draw_attr(ui, THEME_TITLE);
	struct topbar bar;

	topbar_layout(ui, views, ui->cols, &bar);
	draw_fill(0, 0, ui->cols, attr);
	draw_text(ui, 0, bar.name_x, bar.name_w, attr | A_BOLD, "ringside");
	for (int i = 0; i < bar.ntabs; i++) {
		const struct topbar_tab *t = &bar.tabs[i];

		draw_text(ui, 0, t->x, t->w, t->current ? draw_attr(ui, THEME_TAB) : attr,
			  t->label);
	}
	if (ui->ended || ui->frozen) {
		const char *tag = ui->session ? (ui->ended ? " ENDED " : " FROZEN ") : " SNAPSHOT ";
		int w = (int)strlen(tag);

		if (ui->cols - w - 1 > bar.end)
			draw_text(ui, 0, ui->cols - w - 1, w, draw_attr(ui, THEME_WARN) | A_REVERSE,
				  tag);
	}
}

int
topbar_hit(const struct ui *ui, const struct view_ops *const views[UI_NVIEWS], int x)
{
	struct topbar bar;

	topbar_layout(ui, views, ui->cols, &bar);
	for (int i = 0; i < bar.ntabs; i++)
		if (x >= bar.tabs[i].x && x < bar.tabs[i].x + bar.tabs[i].w)
			return bar.tabs[i].view;
	return -1;
}
