/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flame view's ratio mode (view/ratioflame): after the last sampled event, key E shows each
 * ratio flamegraph of a --ratio NAME=A/B whose A and B were both sampled (widths: B's samples,
 * colour: A/B per frame), then the first event again. This file colours the cells, draws the
 * legend row and writes the selected frame's A, B and A/B.
 */
#ifndef RINGSIDE_UI_RATIOFLAME_VIEW_H
#define RINGSIDE_UI_RATIOFLAME_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "ringside/ui/view.h"
#include "ringside/view/flame.h"

struct ratioflame_view;

struct ratioflame_view *ratioflame_view_new(void);
void ratioflame_view_free(struct ratioflame_view *rv);
/* Key E (flame view and overview): take it when the next step is a ratio flamegraph or leaves
 * one (true), else false. */
bool ratioflame_view_next(struct ui *ui);
/* Whether a ratio flamegraph is shown (it ends when the time mode or the event changes). */
bool ratioflame_view_on(struct ui *ui);
/* The ratio shown (ui->ratio), with its sampled events A and B into *a and *b (either may be
 * NULL), or NULL when none is (then ui->ratio is cleared). */
const struct ratio_def *ratioflame_view_shown(struct ui *ui, size_t *a, size_t *b);
/* Compute every laid-out cell's A, B and A/B, and the scale's bounds. */
void ratioflame_view_update(struct ui *ui, struct ratioflame_view *rv,
			    const struct flame_cell *cells, size_t n);
/* The attribute of cell i: its ratio's colour level, or grey without a ratio. */
attr_t ratioflame_view_attr(const struct ui *ui, const struct ratioflame_view *rv, size_t i);
/* The legend row at y: the ratio's definition, the scale's levels and the grey threshold. */
void ratioflame_view_legend(struct ui *ui, const struct ratioflame_view *rv, int y, int cols);
/* Cell i's "A 123  B 456  NAME 0.27" into buf; returns the length written. */
size_t ratioflame_view_details(const struct ui *ui, const struct ratioflame_view *rv, size_t i,
			       char *buf, size_t len);

#endif
