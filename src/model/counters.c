// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Counter time series: per-interval deltas per event and CPU, and their multiplexing-aware totals.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/counters.h"
#include "ringside/util/xalloc.h"

void
counter_series_append(struct counter_series *s, uint64_t t, uint64_t count, uint64_t enabled,
		      uint64_t running)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->t = xreallocarray(s->t, s->cap, sizeof(uint64_t));
		s->count = xreallocarray(s->count, s->cap, sizeof(uint64_t));
		s->enabled = xreallocarray(s->enabled, s->cap, sizeof(uint64_t));
		s->running = xreallocarray(s->running, s->cap, sizeof(uint64_t));
	}
	s->t[s->n] = t;
	s->count[s->n] = count;
	s->enabled[s->n] = enabled;
	s->running[s->n] = running;
	s->n++;
}

void
counter_series_totals(const struct counter_series *s, uint64_t *count, uint64_t *enabled,
		      uint64_t *running)
{
	uint64_t c = 0, e = 0, r = 0;

	for (size_t i = 0; i < s->n; i++) {
		c += s->count[i];
		e += s->enabled[i];
		r += s->running[i];
	}
	if (count)
		*count = c;
	if (enabled)
		*enabled = e;
	if (running)
		*running = r;
}

void
counter_series_fini(struct counter_series *s)
{
	free(s->t);
	free(s->count);
	free(s->enabled);
	free(s->running);
	memset(s, 0, sizeof(*s));
}

struct counter_series *
counter_track_series(struct counter_track *track, int cpu)
{
	struct counter_series *s;

	for (size_t i = 0; i < track->nseries; i++)
		if (track->series[i].cpu == cpu)
			return &track->series[i];
	track->series = xreallocarray(track->series, track->nseries + 1, sizeof(*track->series));
	s = &track->series[track->nseries++];
	memset(s, 0, sizeof(*s));
	s->cpu = cpu;
	return s;
}

bool
counter_track_total(const struct counter_track *track, double *value, double *share)
{
	uint64_t all_enabled = 0, all_running = 0;
	double sum = 0;
	bool counted = false;

	/* Scale interval by interval: the multiplexing share changes with the workload's phases. */
	for (size_t i = 0; i < track->nseries; i++) {
		const struct counter_series *s = &track->series[i];

		for (size_t k = 0; k < s->n; k++) {
			all_enabled += s->enabled[k];
			all_running += s->running[k];
			if (s->running[k] == 0)
				continue;
			counted = true;
			sum += s->running[k] >= s->enabled[k]
				       ? (double)s->count[k]
				       : (double)s->count[k] *
						 ((double)s->enabled[k] / (double)s->running[k]);
		}
	}
	if (value)
		*value = sum;
	if (share)
		*share = all_enabled ? (double)all_running / (double)all_enabled : 0;
	return counted;
}

void
counter_track_fini(struct counter_track *track)
{
	free(track->name);
	free(track->canonical);
	free(track->pmu);
	free(track->kind);
	free(track->reason);
	for (size_t i = 0; i < track->nseries; i++)
		counter_series_fini(&track->series[i]);
	free(track->series);
	memset(track, 0, sizeof(*track));
}
