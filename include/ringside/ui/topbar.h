/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The top bar: the program's name, a tab per view (the current one highlighted), the help screen's
 * tab while it is up, and on the right ENDED, FROZEN or SNAPSHOT. One layout says where each tab
 * is; drawing and mouse clicks both read it, so a click lands on the tab it is drawn on.
 */
#ifndef RINGSIDE_UI_TOPBAR_H
#define RINGSIDE_UI_TOPBAR_H

#include <stdbool.h>

#include "ringside/ui/view.h"

/* The view of the help screen's tab, which shows no view and switches to none. */
enum { TOPBAR_HELP = -1, TOPBAR_MAX_TABS = UI_NVIEWS + 1 };

struct topbar_tab {
	int x, w;	/* columns [x, x + w) of the first row */
	int view;	/* the view it shows (enum ui_view_id), or TOPBAR_HELP */
	bool current;	/* drawn highlighted */
	char label[48]; /* " 1 Overview " */
};

struct topbar {
	int name_x, name_w; /* "ringside" */
	struct topbar_tab tabs[TOPBAR_MAX_TABS];
	int ntabs; /* the tabs that fit, left to right */
	int end;   /* the first column after the tabs and the gap that follows a view's tab */
};

/*
 * Lay out the top bar of a screen cols wide for ui's state (the current view, the help screen):
 * views[] gives the tabs' names, one per enum ui_view_id.
 */
void topbar_layout(const struct ui *ui, const struct view_ops *const views[UI_NVIEWS], int cols,
		   struct topbar *bar);
/* Draw the top bar on the first row, ui->cols wide. */
void topbar_draw(const struct ui *ui, const struct view_ops *const views[UI_NVIEWS]);
/* The view whose tab is drawn at column x of the first row, or -1 for none (or the help tab). */
int topbar_hit(const struct ui *ui, const struct view_ops *const views[UI_NVIEWS], int x);

#endif
