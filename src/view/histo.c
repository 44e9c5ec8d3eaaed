// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Histograms of per-interval values (include/ringside/view/histo.h has the bucket rules): the
 * values sorted once for the percentiles, then bucketed by the power of two they fall under or
 * by their linear position between the minimum and the maximum.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "ringside/view/histo.h"

static int
histo_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
histo_percentile(const double *sorted, size_t n, unsigned pct)
{
	size_t rank;

	if (n == 0)
		return NAN;
	rank = ((size_t)pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* The power of two at or below v > 0: 2^k with 2^k <= v < 2^(k+1). */
static int
histo_log2(double v)
{
	int e;

	frexp(v, &e); /* v = f * 2^e, 0.5 <= f < 1 */
	return e - 1;
}

size_t
histo_bucket(const struct histo *h, double v)
{
	if (!h->nbuckets || isnan(v) || v < h->min || v > h->max)
		return SIZE_MAX;
	if (h->log) {
		size_t zero = h->lo[0] == 0 ? 1 : 0;

		if (v == 0)
			return zero ? 0 : SIZE_MAX;
		return zero + (size_t)(histo_log2(v) - histo_log2(h->lo[zero]));
	}
	if (h->nbuckets == 1)
		return 0;
	size_t b = (size_t)floor((v - h->min) / (h->max - h->min) * HISTO_LINEAR);
	return b >= HISTO_LINEAR ? HISTO_LINEAR - 1 : b;
}

/* A value and how many times it occurs. */
struct histo_pair {
	double v;
	uint64_t w;
};

static int
histo_pair_cmp(const void *a, const void *b)
{
	return histo_cmp(&((const struct histo_pair *)a)->v, &((const struct histo_pair *)b)->v);
}

/* The nearest-rank percentile pct of the m sorted pairs s holding n values (n > 0). */
static double
histo_wpercentile(const struct histo_pair *s, size_t m, uint64_t n, unsigned pct)
{
	uint64_t rank = (pct * n + 99) / 100, cum = 0;

	if (rank < 1)
		rank = 1;
	for (size_t i = 0; i < m; i++) {
		cum += s[i].w;
		if (cum >= rank)
			return s[i].v;
	}
	return s[m - 1].v;
}

/* Lay out h's buckets for the m sorted pairs s (m > 0). */
static void
histo_layout(struct histo *h, const struct histo_pair *s, size_t n)
{
	size_t zeros = 0;

	while (zeros < n && s[zeros].v == 0)
		zeros++;
	h->log = zeros < n && s[zeros].v > 0 && s[n - 1].v >= HISTO_LOG_SPAN * s[zeros].v;
	if (h->log) {
		int k0 = histo_log2(s[zeros].v), k1 = histo_log2(s[n - 1].v);
		size_t z = zeros ? 1 : 0;

		h->nbuckets = z + (size_t)(k1 - k0) + 1;
		h->lo = xcalloc(h->nbuckets, sizeof(*h->lo));
		h->hi = xcalloc(h->nbuckets, sizeof(*h->hi));
		for (size_t i = z; i < h->nbuckets; i++) {
			h->lo[i] = ldexp(1, k0 + (int)(i - z));
			h->hi[i] = ldexp(1, k0 + (int)(i - z) + 1);
		}
		return;
	}
	h->nbuckets = s[n - 1].v > s[0].v ? HISTO_LINEAR : 1;
	h->lo = xcalloc(h->nbuckets, sizeof(*h->lo));
	h->hi = xcalloc(h->nbuckets, sizeof(*h->hi));
	for (size_t i = 0; i < h->nbuckets; i++) {
		h->lo[i] = s[0].v + (s[n - 1].v - s[0].v) * (double)i / HISTO_LINEAR;
		h->hi[i] = s[0].v + (s[n - 1].v - s[0].v) * (double)(i + 1) / HISTO_LINEAR;
	}
	if (h->nbuckets == 1)
		h->hi[0] = s[0].v;
}

void
histo_build_weighted(struct histo *h, const double *v, const uint64_t *w, size_t n)
{
	struct histo_pair *s = xcalloc(n ? n : 1, sizeof(*s));
	size_t m = 0;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]) && (!w || w[i])) {
			s[m].v = v[i];
			s[m++].w = w ? w[i] : 1;
			h->n += w ? w[i] : 1;
		}
	h->min = h->max = h->p50 = h->p95 = h->p99 = NAN;
	if (m) {
		qsort(s, m, sizeof(*s), histo_pair_cmp);
		h->min = s[0].v;
		h->max = s[m - 1].v;
		h->p50 = histo_wpercentile(s, m, h->n, 50);
		h->p95 = histo_wpercentile(s, m, h->n, 95);
		h->p99 = histo_wpercentile(s, m, h->n, 99);
		histo_layout(h, s, m);
		h->count = xcalloc(h->nbuckets, sizeof(*h->count));
		for (size_t i = 0; i < m; i++) {
			size_t b = histo_bucket(h, s[i].v);

			if (b < h->nbuckets) {
				h->count[b] += s[i].w;
				if (h->count[b] > h->maxcount)
					h->maxcount = h->count[b];
			}
		}
	}
	free(s);
}

void
histo_build(struct histo *h, const double *v, size_t n)
{
	histo_build_weighted(h, v, NULL, n);
}

void
histo_fini(struct histo *h)
{
	free(h->lo);
	free(h->hi);
	free(h->count);
	memset(h, 0, sizeof(*h));
}
