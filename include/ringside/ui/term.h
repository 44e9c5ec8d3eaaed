/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal under curses: started for the screen, and restored on every way out, normal or
 * a fatal signal.
 */
#ifndef RINGSIDE_UI_TERM_H
#define RINGSIDE_UI_TERM_H

#include "ringside/util/errbuf.h"

/*
 * Start curses on stdin/stdout in the screen's modes and arm the restoration (xalloc's cleanup,
 * the fatal-signal handlers). Returns 0, or -ENOTTY (not a terminal, bad input) or -EINVAL (a
 * terminal type curses cannot use) with err.
 */
int term_start(struct errbuf *err);
/* Give the terminal back as it was: one function for every normal way out; safe to repeat. */
void term_restore(void);

#endif
