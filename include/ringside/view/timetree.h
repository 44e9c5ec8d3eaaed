/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which time a flamegraph or hottest-functions table shows: on-CPU (the sampled stacks, in
 * samples), off-CPU (the time tree's waits, in ns) or wall-clock (under each thread both: the
 * "[on-CPU]" node holding the thread's sampled stacks scaled to its measured run time, beside
 * its "[off-CPU ...]" nodes; in ns). The off-CPU and wall-clock trees are built from the profile on
 * demand and kept until its trees change. No curses: the screens and the exports use it.
 */
#ifndef RINGSIDE_VIEW_TIMETREE_H
#define RINGSIDE_VIEW_TIMETREE_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/model/profile.h"

enum timetree_mode { TIMETREE_ON, TIMETREE_OFF, TIMETREE_WALL, TIMETREE_NR_MODES };

/* "on-CPU", "off-CPU", "wall-clock". */
const char *timetree_mode_name(enum timetree_mode mode);
/* The mode for "on", "off" or "wall" (or the full names); false when unknown. */
bool timetree_mode_parse(const char *word, enum timetree_mode *mode);
/* Whether p can show mode (off-CPU and wall-clock need p->offcpu). */
bool timetree_available(const struct profile *p, enum timetree_mode mode);
/* Whether mode's counts are nanoseconds (else samples). */
bool timetree_in_ns(enum timetree_mode mode);

/*
 * A new tree of p for mode off or wall (the caller frees it), or NULL when p has no time tree.
 * May intern the "[on-CPU]" frame in p->frames.
 */
struct stacktree *timetree_build(const struct profile *p, enum timetree_mode mode);

/* A built tree kept between draws. */
struct timetree {
	enum timetree_mode mode; /* the mode shown */
	size_t event;		 /* on-CPU: the sampled event shown (profile_event_tree) */
	struct stacktree *built;
	enum timetree_mode built_mode;
	uint64_t built_on, built_off; /* the profile's trees' totals it was built from */
};

/* On-CPU, nothing built. */
void timetree_init(struct timetree *tt);
void timetree_fini(struct timetree *tt);
/*
 * The tree to show for tt->mode (borrowed until the next call): on-CPU, sampled event tt->event's
 * tree (p->stacks for the first, and when tt->event is past the last); else the built tree,
 * rebuilt when p's trees grew. NULL when p has none for that mode.
 */
const struct stacktree *timetree_get(struct timetree *tt, const struct profile *p);

#endif
