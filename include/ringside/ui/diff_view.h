/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal diff screen of 'ringside diff A B': the diff flamegraph (B's tree, each frame
 * coloured by the change of its share: red grew, blue shrank; marked + and - as well, for
 * terminals without colour), a details line for the selected frame, the functions by change and
 * the counters side by side.
 */
#ifndef RINGSIDE_UI_DIFF_VIEW_H
#define RINGSIDE_UI_DIFF_VIEW_H

#include <stdbool.h>

#include "ringside/view/diff.h"

struct diff_view;

/*
 * A diff drawn into part of the screen (the live screen's Diff view, the diff screen): it owns d
 * and copies the names a and b; colour pairs pair_base to pair_base + 6 are its own (0: no
 * colour, the + and - marks only).
 */
struct diff_view *diff_view_new(struct diff *d, const char *a, const char *b, short pair_base);
/* Show d instead (owned from now on); the selected frame stays selected while it is there. */
void diff_view_set(struct diff_view *v, struct diff *d);
/*
 * Draw into rows [top, top + rows) of stdscr, cols wide: a title line (title, then both sides'
 * names and samples), the keys (keys: the caller's own, such as "q quit"), the flamegraph, the
 * selected frame's details, the functions by change and the counters.
 */
void diff_view_render(struct diff_view *v, int top, int rows, int cols, const char *title,
		      const char *keys);
/* Handle a key (arrows, a absolute/shares, o only in A, t/s by total/self); true when used. */
bool diff_view_key(struct diff_view *v, int key);
/* Free the view and its diff; NULL is fine. */
void diff_view_free(struct diff_view *v);

/*
 * Load snapshots a and b (their time ranges range_a and range_b when not NULL), diff them with
 * flags (diff_flags) and show the diff until q. ascii: no Unicode. Returns the exit code (0, 1
 * runtime failure, 2 bad input).
 */
int diff_view_main(const char *a, const char *b, const char *range_a, const char *range_b,
		   unsigned flags, bool ascii);

#endif
