// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-task run time in a range, through the map's iteration interface: the runs of each CPU are
 * in time order, so the first one ending after t0 is found by binary search and the walk stops
 * at the first starting at or after t1.
 */
#include "config.h"

#include <string.h>

#include "ringside/model/schedmap_range.h"

/* The overlap of [a, b) with [t0, t1). */
static uint64_t
schedmap_range_overlap(uint64_t a, uint64_t b, uint64_t t0, uint64_t t1)
{
	uint64_t lo = a > t0 ? a : t0, hi = b < t1 ? b : t1;

	return hi > lo ? hi - lo : 0;
}

/* The first run of cpu that ends after t0. */
static size_t
schedmap_range_first_run(const struct schedmap *m, unsigned cpu, uint64_t t0)
{
	size_t lo = 0, hi = schedmap_nruns(m, cpu);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct schedmap_run r;

		if (schedmap_run_at(m, cpu, mid, &r) == 0 && r.end <= t0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Summary buckets of cpu: the top task gets its time in proportion to the overlap. */
static uint64_t
schedmap_range_summaries(const struct schedmap *m, unsigned cpu, uint64_t t0, uint64_t t1,
			 uint64_t *out, size_t n)
{
	uint64_t width = schedmap_bucket_ns(m), busy = 0;
	size_t ns = schedmap_nsummaries(m, cpu);

	for (size_t i = 0; width && i < ns; i++) {
		struct schedmap_bucket b;
		uint64_t ov, part;

		if (schedmap_summary_at(m, cpu, i, &b) < 0 || b.start >= t1)
			break;
		ov = schedmap_range_overlap(b.start, b.start + width, t0, t1);
		if (!ov)
			continue;
		part = (uint64_t)((double)b.task_ns * (double)ov / (double)width);
		if (b.task < n)
			out[b.task] += part;
		busy += part;
	}
	return busy;
}

uint64_t
schedmap_range_runtime(const struct schedmap *m, uint64_t t0, uint64_t t1, uint64_t *out, size_t n)
{
	uint64_t busy = 0;

	memset(out, 0, n * sizeof(*out));
	if (!m || t1 <= t0)
		return 0;
	for (unsigned cpu = 0; cpu < schedmap_ncpus(m); cpu++) {
		size_t nr = schedmap_nruns(m, cpu);

		busy += schedmap_range_summaries(m, cpu, t0, t1, out, n);
		for (size_t i = schedmap_range_first_run(m, cpu, t0); i < nr; i++) {
			struct schedmap_run r;
			uint64_t ov;

			if (schedmap_run_at(m, cpu, i, &r) < 0 || r.start >= t1)
				break;
			ov = schedmap_range_overlap(r.start, r.end, t0, t1);
			if (r.task < n && ov) {
				out[r.task] += ov;
				busy += ov;
			}
		}
	}
	return busy;
}
