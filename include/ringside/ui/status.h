/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The screen's status line (ui/status.c).
 */
#ifndef RINGSIDE_UI_STATUS_H
#define RINGSIDE_UI_STATUS_H

#include "ringside/ui/view.h"

/* Draw the last row: the message showing, or the figures and the target. */
void status_draw(struct ui *ui);

#endif
