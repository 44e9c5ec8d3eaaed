// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A task's wake-up latencies as (value, count) pairs for histograms: read out of its log-linear
 * histogram (bucket midpoints, clamped to the maximum as its percentiles are), rebuilt as the
 * ladder of its percentiles when the histogram is gone, and loaded back from a snapshot.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/xalloc.h"

#include "schedmap_int.h"

/* Append count latencies of ns to out (merged into the last pair when it has the same ns). */
static void
schedmap_lat_push(struct schedmap_latency *out, size_t *n, uint64_t ns, uint64_t count)
{
	if (!count)
		return;
	if (*n && out[*n - 1].ns == ns) {
		out[*n - 1].count += count;
		return;
	}
	out[*n].ns = ns;
	out[(*n)++].count = count;
}

/* The ladder of a task without a histogram: ranks up to p50's at p50, ..., the rest at max. */
static struct schedmap_latency *
schedmap_lat_ladder(const struct schedmap_task *t, size_t *n)
{
	static const unsigned pct[3] = { 50, 95, 99 };
	struct schedmap_latency *out = xcalloc(4, sizeof(*out));
	uint64_t done = 0;

	for (unsigned k = 0; k < 3; k++) {
		uint64_t rank = (pct[k] * t->lat_count + 99) / 100;

		if (rank > done) {
			schedmap_lat_push(out, n, t->lat_frozen[k], rank - done);
			done = rank;
		}
	}
	schedmap_lat_push(out, n, t->lat_max, t->lat_count - done);
	return out;
}

static int
schedmap_lat_cmp(const void *a, const void *b)
{
	const struct schedmap_hpair *x = a, *y = b;

	return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

struct schedmap_latency *
schedmap_task_latencies(const struct schedmap *m, uint32_t task, size_t *n)
{
	const struct schedmap_task *t;
	struct schedmap_latency *out;

	*n = 0;
	if (task >= m->ntasks || !m->tasks[task].lat_count)
		return NULL;
	t = &m->tasks[task];
	if (!t->hist)
		return t->frozen ? schedmap_lat_ladder(t, n) : NULL;
	if (t->dense) {
		const uint32_t *d = t->hist;

		out = xcalloc(SCHEDMAP_HIST_N, sizeof(*out));
		for (unsigned b = 0; b < SCHEDMAP_HIST_N; b++) {
			uint64_t v = schedmap_hist_value(b);

			schedmap_lat_push(out, n, v < t->lat_max ? v : t->lat_max, d[b]);
		}
	} else {
		struct schedmap_hpair sorted[SCHEDMAP_HIST_SPARSE];

		memcpy(sorted, t->hist, t->nsparse * sizeof(*sorted));
		qsort(sorted, t->nsparse, sizeof(*sorted), schedmap_lat_cmp);
		out = xcalloc(t->nsparse ? t->nsparse : 1, sizeof(*out));
		for (unsigned i = 0; i < t->nsparse; i++) {
			uint64_t v = schedmap_hist_value(sorted[i].bucket);

			schedmap_lat_push(out, n, v < t->lat_max ? v : t->lat_max, sorted[i].count);
		}
	}
	return out;
}

void
schedmap_load_latencies(struct schedmap *m, uint32_t task, const struct schedmap_latency *l,
			size_t n)
{
	if (task >= m->ntasks)
		return;
	for (size_t i = 0; i < n; i++)
		schedmap_hist_put(m, &m->tasks[task], schedmap_hist_bucket(l[i].ns), l[i].count);
}
