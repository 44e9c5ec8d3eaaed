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

/*
 * Load snapshots a and b, diff them with flags (diff_flags) and show the diff until q. ascii: no
 * Unicode. Returns the exit code (0, 1 runtime failure, 2 bad input).
 */
int diff_view_main(const char *a, const char *b, unsigned flags, bool ascii);

#endif
