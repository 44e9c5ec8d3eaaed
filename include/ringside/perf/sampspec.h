/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sampling events of --sample-event: a comma-separated list of events, each with its own rate
 * in perf's term syntax, "page-faults/period=1/" or "cpu-clock/freq=499/". An event without a term
 * takes -F or -c (a tracepoint: every hit, period 1, as perf record does). The first event is the
 * one every existing view shows; each one gets its own stack tree.
 *
 * A group in braces, "{cycles,instructions}" (perf's ":S" after the brace is taken too), is
 * leader sampling: the first event in the braces samples at its own rate, the others are its
 * members, counted in its group and read with each of its samples (PERF_SAMPLE_READ), never
 * sampled themselves. A group's items are consecutive in the list, the leader first.
 */
#ifndef RINGSIDE_PERF_SAMPSPEC_H
#define RINGSIDE_PERF_SAMPSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/perf/evspec.h"
#include "ringside/util/errbuf.h"

/*
 * The most sampling events at once: each one is opened on every CPU (and thread) and writes
 * into the CPU's one ring, so each more event costs descriptors and ring space.
 */
#define SAMPSPEC_MAX 8
/*
 * The most members in one group: a group is scheduled onto the PMU all at once, and no PMU has
 * more general counters than this beside the leader's.
 */
#define SAMPSPEC_GROUP_MAX 6
/* sampspec.leader of an event in no group. */
#define SAMPSPEC_NO_GROUP SIZE_MAX

struct sampspec {
	struct evspec spec;
	uint64_t freq;	 /* its own frequency (Hz), or 0 */
	uint64_t period; /* its own period (events per sample), or 0; both 0: -F or -c */
	size_t leader;	 /* its group's leader (an index in the list; its own for the leader), or
			  * SAMPSPEC_NO_GROUP */
	size_t nmembers; /* a group's leader: its members, the items right after it */
};

/* Whether s is a member of a group (read with its leader's samples, never sampled itself). */
bool sampspec_member(const struct sampspec *s, size_t index);

struct sampspec_list {
	struct sampspec *v;
	size_t n;
};

/*
 * Parse text ("cpu-clock,page-faults/period=1/") into list (zeroed by the caller). Returns 0, or
 * -EINVAL / -ENOENT with err naming the item at fault and what to do (an empty item, an unknown
 * term, a bad number, an event given twice, more than SAMPSPEC_MAX events; unbalanced braces, an
 * empty group, a member with its own rate, more than SAMPSPEC_GROUP_MAX members).
 */
int sampspec_list_parse(struct sampspec_list *list, const char *text, struct errbuf *err);
/* The rate of s when -F freq or -c period (period wins when not 0) is the default. */
void sampspec_rate(const struct sampspec *s, uint64_t freq, uint64_t period, uint64_t *out_freq,
		   uint64_t *out_period);
/* Release what list owns (list may be zeroed). */
void sampspec_list_fini(struct sampspec_list *list);

#endif
