/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The time mode that the flamegraph and the hottest functions share (key o): on-CPU samples,
 * off-CPU time or wall-clock time (view/timetree.h), and how their counts read on screen.
 */
#ifndef RINGSIDE_UI_TIMEMODE_H
#define RINGSIDE_UI_TIMEMODE_H

#include <stddef.h>
#include <stdint.h>

#include "ringside/ui/view.h"

/* Go to the next mode the profile has (on, off, wall), saying which on the status line. */
void timemode_cycle(struct ui *ui);
/*
 * Key E: show the next sampled event's tree (on-CPU; the first after the last), saying which on
 * the status line; a recording of one event says so.
 */
void timemode_next_event(struct ui *ui);
/* The sampled event shown when the profile has several ("page-faults"), else "". */
const char *timemode_event(const struct ui *ui);
/* The tree of the current mode (borrowed until the next call), or NULL. */
const struct stacktree *timemode_tree(struct ui *ui);
/* The current mode's name: "on-CPU", "off-CPU", "wall-clock". */
const char *timemode_name(const struct ui *ui);
/* v as the mode counts it: "1.2k samples" or "1.50 s" (into buf; returns buf). */
const char *timemode_amount(const struct ui *ui, uint64_t v, char *buf, size_t len);

#endif
