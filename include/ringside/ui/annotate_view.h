/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The annotate view: one function's source lines and instructions with their share of its
 * samples, over whichever view opened it (the `a` key of the flamegraph and the overview's
 * hottest functions). Live, its counts follow the recording once a second.
 */
#ifndef RINGSIDE_UI_ANNOTATE_VIEW_H
#define RINGSIDE_UI_ANNOTATE_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/ui/view.h"

/* Open the annotation of frame over the current view (a message instead when there is none). */
void annotate_view_open(struct ui *ui, uint32_t frame);
/* Draw the open annotation into rows [top, top + rows). */
void annotate_view_draw(struct ui *ui, int top, int rows, int cols);
/* Handle a key while an annotation is open; false for the keys it leaves to the screen. */
bool annotate_view_key(struct ui *ui, int key);
/* Close the annotation, if one is open. */
void annotate_view_close(struct ui *ui);
/* Close it and the files kept for annotations: the screen's end. */
void annotate_view_fini(struct ui *ui);
/* The help text of its keys. */
extern const char annotate_view_keys[];

#endif
