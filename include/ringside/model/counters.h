/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counter time series: for each event and each slot (a CPU, or -1 for all threads of a target),
 * the per-interval deltas of raw count, time enabled and time running, with the interval's end
 * time. Pure data; no I/O.
 */
#ifndef RINGSIDE_MODEL_COUNTERS_H
#define RINGSIDE_MODEL_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct counter_series {
	int cpu; /* the CPU, or -1 for all threads of the target */
	size_t n, cap;
	uint64_t *t;	   /* interval end, ns since the recording started */
	uint64_t *count;   /* raw count in the interval */
	uint64_t *enabled; /* ns enabled in the interval */
	uint64_t *running; /* ns running in the interval */
};

/* Append one interval. */
void counter_series_append(struct counter_series *s, uint64_t t, uint64_t count, uint64_t enabled,
			   uint64_t running);
/* Sums of count, enabled and running over every interval (any pointer may be NULL). */
void counter_series_totals(const struct counter_series *s, uint64_t *count, uint64_t *enabled,
			   uint64_t *running);
/* Release the arrays. */
void counter_series_fini(struct counter_series *s);

/* One event as recorded: how it was asked for, how it was encoded, whether it opened, its data. */
struct counter_track {
	char *name;	 /* as the user wrote it */
	char *canonical; /* fully qualified name */
	char *pmu;
	char *kind;    /* evspec_kind_name() */
	uint32_t type; /* perf_event_attr encoding */
	uint64_t config, config1, config2;
	bool exclude_user, exclude_kernel, exclude_hv;
	bool supported;
	char *reason; /* why it is unsupported, or NULL */
	/*
	 * Events added or removed while a live session runs: when counting began (0: from the
	 * start) and when it stopped (0: to the end), ns since the start. Intervals outside that
	 * span are kept, with enabled and running 0, so every track has the same intervals.
	 */
	uint64_t added_ns, removed_ns;
	struct counter_series *series;
	size_t nseries;
};

/* The series of track for cpu, creating it when absent. */
struct counter_series *counter_track_series(struct counter_track *track, int cpu);
/*
 * The track's value over the whole recording: each interval scaled for multiplexing
 * (count * enabled / running), summed over intervals and slots. Returns false when it never
 * counted. *share gets running/enabled (0..1).
 */
bool counter_track_total(const struct counter_track *track, double *value, double *share);
/* Release what track owns. */
void counter_track_fini(struct counter_track *track);

#endif
