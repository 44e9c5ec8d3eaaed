/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live baseline: `b` keeps a copy of the live profile as it is now, and from then on `d` in
 * the Flame view shows what changed since (ringside diff's screen, view/diff.h with
 * DIFF_SINCE_A: A is the baseline, B what came after it), refreshed as the recording goes on.
 * With a time range chosen, `b` keeps the range (live and in view) and `d` compares another
 * range, or the whole recording, against it (view/diff_range.h).
 */
#ifndef RINGSIDE_UI_BASELINE_H
#define RINGSIDE_UI_BASELINE_H

#include <stdbool.h>

#include "ringside/ui/view.h"

/*
 * b: take the profile as it is now as the baseline (replacing the one before; live only), or,
 * with a time range chosen (live or view), that range: d then compares the range chosen next (or
 * the whole recording) against it.
 */
void baseline_take(struct ui *ui);
/* True when a baseline was taken. */
bool baseline_taken(const struct ui *ui);
/* d: true when there is a baseline to compare with, else say how to take one (false). */
bool baseline_can_show(struct ui *ui);
/* Draw the change since the baseline into rows [top, top + rows), cols wide. */
void baseline_draw(struct ui *ui, int top, int rows, int cols);
/* A key of the diff (arrows, A absolute/shares, o only before, t total/self); true when used. */
bool baseline_key(struct ui *ui, int key);
/* Free the baseline (ui_fini); NULL is fine. */
void baseline_free(struct baseline *b);

#endif
