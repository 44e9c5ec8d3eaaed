// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The profile's further sampled events: one stack tree per event after the first, over the
 * profile's one frame table, so that a page-faults flamegraph sits beside the cpu-clock one
 * while everything that reads profile.stacks keeps reading the first event's tree. The events of
 * a group (leader sampling) weigh counts, and a member names its leader.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/model/profile.h"
#include "ringside/util/xalloc.h"

struct profile_event *
profile_add_event(struct profile *p, const char *event, uint64_t freq, uint64_t period,
		  size_t max_nodes, uint64_t window_ns)
{
	struct profile_event *e;

	p->events = xreallocarray(p->events, p->nevents + 1, sizeof(*p->events));
	e = &p->events[p->nevents++];
	e->event = xstrdup(event);
	e->freq = freq;
	e->period = period;
	e->stacks = stacktree_new(p->frame_root, p->frame_other, max_nodes, window_ns);
	e->counts = false;
	e->leader = NULL;
	return e;
}

size_t
profile_nsampled(const struct profile *p)
{
	return p->stacks ? 1 + p->nevents : 0;
}

struct stacktree *
profile_event_tree(const struct profile *p, size_t k)
{
	if (k == 0)
		return p->stacks;
	return k <= p->nevents ? p->events[k - 1].stacks : NULL;
}

const char *
profile_event_name(const struct profile *p, size_t k)
{
	if (k == 0)
		return p->sampling.event ? p->sampling.event : "";
	return k <= p->nevents ? p->events[k - 1].event : "";
}

bool
profile_event_counts(const struct profile *p, size_t k)
{
	if (k == 0)
		return p->sampling.counts;
	return k <= p->nevents && p->events[k - 1].counts;
}

size_t
profile_event_find(const struct profile *p, const char *name)
{
	for (size_t k = 0; k < profile_nsampled(p); k++)
		if (strcmp(profile_event_name(p, k), name) == 0)
			return k;
	return SIZE_MAX;
}

void
profile_events_free(struct profile *p)
{
	for (size_t i = 0; i < p->nevents; i++) {
		free(p->events[i].event);
		free(p->events[i].leader);
		stacktree_free(p->events[i].stacks);
	}
	free(p->events);
	p->events = NULL;
	p->nevents = 0;
}
