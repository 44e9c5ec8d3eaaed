/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output pane: a launched command's stdout and stderr lines (stderr marked) over the current
 * view, toggled by the O key. Live, it follows the relay's file (app/command_log.h); in `view`, it
 * shows the snapshot's kept output. It scrolls, and holds the last OUTPUT_VIEW_LINES lines.
 */
#ifndef RINGSIDE_UI_OUTPUT_VIEW_H
#define RINGSIDE_UI_OUTPUT_VIEW_H

#include <stdbool.h>

#include "ringside/ui/view.h"

enum { OUTPUT_VIEW_LINES = 5000 };

/* Open the pane, or close it when it is open (a message instead when there is no output). */
void output_view_toggle(struct ui *ui);
/* Draw the open pane into rows [top, top + rows). */
void output_view_draw(struct ui *ui, int top, int rows, int cols);
/* Handle a key while the pane is open; false for the keys it leaves to the screen. */
bool output_view_key(struct ui *ui, int key);
/* Close the pane, if it is open. */
void output_view_close(struct ui *ui);
/* The help text of its keys. */
extern const char output_view_keys[];

#endif
