/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Histograms for the screens and the page, with no curses: the distribution of a list of values
 * (a counter's per-interval rates) in buckets, power-of-two buckets where the range is wide, and
 * nearest-rank percentiles. The page's script (histo.js) uses the same rules, so the screen, the
 * page and a jq check agree on every bucket.
 *
 * Bucket rules: values that are NAN are skipped. When the smallest positive value and the
 * largest are at least HISTO_LOG_SPAN apart (max >= HISTO_LOG_SPAN * min), the buckets are the
 * powers of two [2^k, 2^(k+1)) from the smallest positive value's to the largest's, after one
 * bucket [0, 0] for the zeros if there are any. Otherwise HISTO_LINEAR equal buckets cover
 * [min, max], bucket floor((v - min) / (max - min) * HISTO_LINEAR) (the last one includes max);
 * one bucket when every value is equal. Percentile p is the nearest rank: the value at sorted
 * index ceil(p * n / 100) - 1.
 */
#ifndef RINGSIDE_VIEW_HISTO_H
#define RINGSIDE_VIEW_HISTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HISTO_LOG_SPAN 16.0
#define HISTO_LINEAR   16

struct histo {
	bool log;	   /* power-of-two buckets */
	size_t nbuckets;   /* 0 when no value was counted */
	double *lo, *hi;   /* bucket i holds [lo[i], hi[i]) (the last linear one includes hi) */
	uint64_t *count;   /* values in bucket i */
	uint64_t n;	   /* values counted (NAN skipped) */
	uint64_t maxcount; /* the fullest bucket's count */
	double min, max, p50, p95, p99;
};

/* Build h (the caller's, freed with histo_fini) from the n values v (NAN ones skipped). */
void histo_build(struct histo *h, const double *v, size_t n);
/* The same, value v[i] counted w[i] times (w NULL: once each); percentiles by rank over the counts.
 */
void histo_build_weighted(struct histo *h, const double *v, const uint64_t *w, size_t n);
/* Free h's buckets; h may be zeroed or built. */
void histo_fini(struct histo *h);
/* The nearest-rank percentile pct (1..100) of the n sorted values (NAN when n is 0). */
double histo_percentile(const double *sorted, size_t n, unsigned pct);
/* The bucket of h that value v falls in, or SIZE_MAX when none (NAN, outside [min, max]). */
size_t histo_bucket(const struct histo *h, double v);

#endif
