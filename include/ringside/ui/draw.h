/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drawing helpers shared by the views: themed attributes, text that is cut to fit and has
 * control characters escaped (strings from the profiled system are never sent raw to the
 * terminal), sparklines, bars and filled rows.
 */
#ifndef RINGSIDE_UI_DRAW_H
#define RINGSIDE_UI_DRAW_H

#include <curses.h>
#include <stddef.h>

#include "ringside/ui/view.h"

/* Set up colour pairs for ui->theme (after initscr); fills ui->can_color and ui->ncolors. */
void draw_init_colors(struct ui *ui);
/* The curses attributes of a theme slot. */
attr_t draw_attr(const struct ui *ui, enum theme_slot slot);
/* Fill row y from x over n columns with spaces in attr. */
void draw_fill(int y, int x, int n, attr_t attr);
/*
 * Draw s at (y, x) in at most width columns with attr; control characters show as '?', a cut
 * string ends with the ellipsis glyph; non-ASCII is shown only with Unicode glyphs. Returns the
 * columns drawn.
 */
int draw_text(const struct ui *ui, int y, int x, int width, attr_t attr, const char *s);
/* printf into draw_text. */
int draw_textf(const struct ui *ui, int y, int x, int width, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Columns s takes on screen (as draw_text would draw it, uncut). */
int draw_width(const struct ui *ui, const char *s);
/*
 * A sparkline of values v[0..n-1] (NAN: no data, drawn blank) scaled between lo and hi, right-
 * aligned in width columns at (y, x); braille packs two values per column.
 */
void draw_spark(const struct ui *ui, int y, int x, int width, attr_t attr, const double *v,
		size_t n, double lo, double hi);
/*
 * The live sparkline, sweep style: the values v[0..n-1] are the last n of total so far; value i
 * (cell i / per, per 2 in braille) has the fixed column (i / per) % width and the column after
 * the newest is blank, so each new interval changes one column instead of moving every one.
 */
void draw_sweep(const struct ui *ui, int y, int x, int width, attr_t attr, const double *v,
		size_t n, size_t total, double lo, double hi);
/* A horizontal bar of fraction f (0..1) in width columns: filled part in attr, rest blank. */
void draw_bar(const struct ui *ui, int y, int x, int width, attr_t attr, double f);

#endif
