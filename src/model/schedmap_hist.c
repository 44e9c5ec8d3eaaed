// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Wake-up latency histograms of the scheduler timeline: log-linear buckets (32 ns steps below
 * 1024 ns, then 32 sub-buckets per power of two), kept sparse (bucket, count pairs) while few are
 * used and dense after; percentiles, freezing at exit, and merging into an aggregate.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/xalloc.h"

#include "schedmap_int.h"

uint64_t
schedmap_hist_value(unsigned b)
{
	uint64_t lo, width;

	if (b < SCHEDMAP_HIST_LINEAR) {
		lo = (uint64_t)b * 32;
		width = 32;
	} else {
		unsigned e = 10 + (b - SCHEDMAP_HIST_LINEAR) / 32,
			 sub = (b - SCHEDMAP_HIST_LINEAR) % 32;

		width = 1ull << (e - 5);
		lo = (1ull << e) + sub * width;
	}
	return lo + width / 2;
}

/* The allocated length of a sparse histogram holding n pairs (it doubles from 4). */
static unsigned
schedmap_hist_sparse_cap(unsigned n)
{
	unsigned cap = 4;

	while (cap < n)
		cap *= 2;
	return cap;
}

size_t
schedmap_hist_bytes(const struct schedmap_task *t)
{
	if (!t->hist)
		return 0;
	if (t->dense)
		return SCHEDMAP_HIST_N * sizeof(uint32_t);
	return schedmap_hist_sparse_cap(t->nsparse) * sizeof(struct schedmap_hpair);
}

static inline void
schedmap_hist_count(uint32_t *c, uint64_t n)
{
	*c = n > UINT32_MAX - *c ? UINT32_MAX : *c + (uint32_t)n;
}

/* Count n latencies in bucket b of t's histogram (lat_count and lat_max are the caller's). */
void
schedmap_hist_put(struct schedmap *m, struct schedmap_task *t, unsigned b, uint64_t n)
{
	struct schedmap_hpair *p = t->hist;

	if (t->dense) {
		schedmap_hist_count(&((uint32_t *)t->hist)[b], n);
		return;
	}
	for (unsigned i = 0; i < t->nsparse; i++) {
		if (p[i].bucket == b) {
			schedmap_hist_count(&p[i].count, n);
			return;
		}
	}
	if (t->nsparse < SCHEDMAP_HIST_SPARSE) {
		unsigned cap = p ? schedmap_hist_sparse_cap(t->nsparse) : 0;

		if (t->nsparse == cap) {
			unsigned ncap = cap ? cap * 2 : 4;

			p = t->hist = xreallocarray(t->hist, ncap, sizeof(*p));
			m->hist_bytes += (ncap - cap) * sizeof(*p);
		}
		p[t->nsparse].bucket = (uint16_t)b;
		p[t->nsparse].count = 0;
		schedmap_hist_count(&p[t->nsparse++].count, n);
		return;
	}
	/* Many distinct latencies: a dense array is smaller per value from here on. */
	uint32_t *d = xcalloc(SCHEDMAP_HIST_N, sizeof(*d));
	for (unsigned i = 0; i < t->nsparse; i++)
		schedmap_hist_count(&d[p[i].bucket], p[i].count);
	schedmap_hist_count(&d[b], n);
	m->hist_bytes -= schedmap_hist_bytes(t);
	free(p);
	t->hist = d;
	t->dense = true;
	t->nsparse = 0;
	m->hist_bytes += schedmap_hist_bytes(t);
}

static int
schedmap_hpair_cmp(const void *a, const void *b)
{
	const struct schedmap_hpair *x = a, *y = b;

	return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

/* p50, p95, p99 into out[3], from the histogram. */
void
schedmap_hist_percentiles(const struct schedmap_task *t, uint64_t out[3])
{
	static const unsigned pct[3] = { 50, 95, 99 };
	struct schedmap_hpair sorted[SCHEDMAP_HIST_SPARSE];
	uint64_t rank[3], cum = 0;
	unsigned k = 0;

	memset(out, 0, 3 * sizeof(*out));
	if (!t->lat_count || !t->hist)
		return;
	for (unsigned i = 0; i < 3; i++) {
		rank[i] = (pct[i] * t->lat_count + 99) / 100;
		if (!rank[i])
			rank[i] = 1;
	}
	if (t->dense) {
		const uint32_t *d = t->hist;

		for (unsigned b = 0; b < SCHEDMAP_HIST_N && k < 3; b++) {
			cum += d[b];
			while (k < 3 && cum >= rank[k])
				out[k++] = schedmap_hist_value(b);
		}
	} else {
		memcpy(sorted, t->hist, t->nsparse * sizeof(*sorted));
		qsort(sorted, t->nsparse, sizeof(*sorted), schedmap_hpair_cmp);
		for (unsigned i = 0; i < t->nsparse && k < 3; i++) {
			cum += sorted[i].count;
			while (k < 3 && cum >= rank[k])
				out[k++] = schedmap_hist_value(sorted[i].bucket);
		}
	}
	for (unsigned i = 0; i < 3; i++)
		if (out[i] > t->lat_max)
			out[i] = t->lat_max;
}

/* Compute the percentiles once and free the histogram (an exited task gets no more latencies). */
void
schedmap_hist_freeze(struct schedmap *m, struct schedmap_task *t)
{
	if (t->frozen)
		return;
	schedmap_hist_percentiles(t, t->lat_frozen);
	m->hist_bytes -= schedmap_hist_bytes(t);
	free(t->hist);
	t->hist = NULL;
	t->dense = false;
	t->nsparse = 0;
	t->frozen = true;
}

/*
 * Add t's latencies to the aggregate's histogram. t is frozen (its histogram was freed at exit), so
 * its latencies are rebuilt from its percentiles as a ladder: the ranks up to p50's at p50, then up
 * to p95's at p95, up to p99's at p99, the rest at the maximum. Each value stands for one no
 * smaller, and a task folded alone reports its own percentiles again.
 */
void
schedmap_hist_merge(struct schedmap *m, struct schedmap_task *agg, const struct schedmap_task *t)
{
	static const unsigned pct[3] = { 50, 95, 99 };
	uint64_t n = t->lat_count, done = 0, v[3];

	if (!n)
		return;
	if (t->frozen)
		memcpy(v, t->lat_frozen, sizeof(v));
	else
		schedmap_hist_percentiles(t, v);
	for (unsigned k = 0; k < 3; k++) {
		uint64_t rank = (pct[k] * n + 99) / 100;

		if (rank > done) {
			schedmap_hist_put(m, agg, schedmap_hist_bucket(v[k]), rank - done);
			done = rank;
		}
	}
	if (n > done)
		schedmap_hist_put(m, agg, schedmap_hist_bucket(t->lat_max), n - done);
	agg->lat_count += n;
	if (t->lat_max > agg->lat_max)
		agg->lat_max = t->lat_max;
}
