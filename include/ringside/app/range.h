/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'ringside export --range': a profile cut to one time range of its recording. The range's text
 * is START-END in seconds from the recording's start: "2-4", "1.5-" (to the end), "-10s" (the
 * last 10 s), "2--1" (from 2 s to 1 s before the end); each number may end in "s" or "ms". The
 * first '-' after a number separates the bounds; a leading '-' counts back from the end.
 */
#ifndef RINGSIDE_APP_RANGE_H
#define RINGSIDE_APP_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/*
 * Resolve text against a recording of span_ns into [*from_ns, *to_ns); an END past the end is cut
 * to it. -EINVAL (a one-line message naming the span in err) when text cannot be read, is
 * reversed or empty, or lies outside the recording.
 */
int range_resolve(const char *text, uint64_t span_ns, uint64_t *from_ns, uint64_t *to_ns,
		  struct errbuf *err);

/* The recording's span in ns: its duration, else the end of its time index. */
uint64_t range_span(const struct profile *p);

/*
 * Cut p to the range text: its stack tree (and time index) to the samples in the range, its
 * counter intervals to those overlapping it. The scheduler timeline, off-CPU time and memory
 * accesses stay whole. -EINVAL with a message when p has no time index or text is bad.
 */
int range_apply(struct profile *p, const char *text, const char *in, struct errbuf *err);

#endif
