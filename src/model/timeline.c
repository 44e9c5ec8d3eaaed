// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The time index. Entries are appended in arrival order (the rings of several CPUs interleave, so
 * times are nearly but not exactly sorted) and sorted on demand. Coarsening sorts everything, then
 * rounds the times of the older part down to buckets of 2^shift quanta and merges the entries of
 * one leaf in one bucket. The older part is the half before the median entry's time (or before the
 * end of the last coarsening, when that is later), so the newer half always keeps full resolution.
 * The first round keeps the bucket of the last coarsening (on a later cut), each further round
 * doubles it. Should the largest bucket still leave the index over three quarters full (more
 * distinct leaves than fit), the capacity doubles instead: counts are never dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/timeline.h"
#include "ringside/util/sorted.h"
#include "ringside/util/xalloc.h"

#define TIMELINE_MIN 1024u

struct timeline {
	struct timeline_entry *e;
	size_t n, cap, max;
	uint64_t origin;
	uint64_t samples;
	uint32_t coarse_until; /* quanta; entries before it are rounded to 2^shift quanta */
	unsigned shift;
	unsigned coarsenings;
	size_t nsorted; /* e[0, nsorted) is in time order; all of it when nsorted == n */
};

struct timeline *
timeline_new(uint64_t origin_ns, size_t max)
{
	struct timeline *tl = xcalloc(1, sizeof(*tl));

	tl->origin = origin_ns;
	tl->max = max ? max : TIMELINE_DEFAULT_MAX;
	if (tl->max < 16)
		tl->max = 16;
	return tl;
}

void
timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	free(tl->e);
	free(tl);
}

static int
timeline_cmp_r(const void *a, const void *b, void *arg)
{
	(void)arg;
	return timeline_cmp(a, b);
}

/* Sort e[from, to) by time, then leaf, in place (a heap sort: no copy of a large index). */
static void
timeline_sort_range(struct timeline_entry *e, size_t from, size_t to)
{
	sorted_sort(e + from, to - from, sizeof(*e), timeline_cmp_r, NULL);
}

int
timeline_cmp(const void *a, const void *b)
{
	const struct timeline_entry *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->leaf != y->leaf)
		return x->leaf < y->leaf ? -1 : 1;
	return 0;
}

/* Merge adjacent entries of equal (time, leaf) in e[from, to); returns the new end. */
static size_t
timeline_merge(struct timeline_entry *e, size_t from, size_t to)
{
	size_t w = from;

	for (size_t r = from; r < to; r++) {
		if (w > from && e[w - 1].time == e[r].time && e[w - 1].leaf == e[r].leaf &&
		    (uint64_t)e[w - 1].weight + e[r].weight <= UINT32_MAX) {
			e[w - 1].weight += e[r].weight;
			continue;
		}
		e[w++] = e[r];
	}
	return w;
}

/* Round the entries before cut (quanta) to buckets of 2^shift and merge them; e is sorted. */
static void
timeline_round(struct timeline *tl, uint64_t cut)
{
	uint32_t mask = ~((1u << tl->shift) - 1u);
	size_t k = 0, end;

	while (k < tl->n && tl->e[k].time < cut)
		k++;
	for (size_t i = 0; i < k; i++)
		tl->e[i].time &= mask;
	/* Still in time order: only the leaves within each bucket need sorting. */
	for (size_t i = 0, j; i < k; i = j) {
		for (j = i + 1; j < k && tl->e[j].time == tl->e[i].time; j++)
			;
		timeline_sort_range(tl->e, i, j);
	}
	end = timeline_merge(tl->e, 0, k);
	memmove(tl->e + end, tl->e + k, (tl->n - k) * sizeof(*tl->e));
	tl->n -= k - end;
	tl->nsorted = tl->n; /* sorted before, still in time order */
	if (cut > tl->coarse_until)
		tl->coarse_until = cut > UINT32_MAX ? UINT32_MAX : (uint32_t)cut;
}

/* Make room: coarsen until at most three quarters of the capacity is used. */
static void
timeline_coarsen(struct timeline *tl)
{
	size_t target = tl->max / 4 * 3;

	timeline_sort(tl);
	for (unsigned round = 0; tl->n > target; round++) {
		uint64_t cut;

		/* The first round tries the current bucket on a later cut; later ones double it. */
		if (round > 0 || !tl->shift) {
			if (tl->shift >= 31) {
				tl->max *= 2;
				break;
			}
			tl->shift++;
		}
		cut = tl->e[tl->n / 2].time;
		if (cut < tl->coarse_until)
			cut = tl->coarse_until;
		timeline_round(tl, cut);
	}
	tl->coarsenings++;
}

static void
timeline_append(struct timeline *tl, uint32_t time, uint32_t leaf, uint32_t weight)
{
	struct timeline_entry *last;

	if (tl->n >= tl->max)
		timeline_coarsen(tl);
	if (time < tl->coarse_until)
		time &= ~((1u << tl->shift) - 1u);
	last = tl->n ? &tl->e[tl->n - 1] : NULL;
	if (last && last->time == time && last->leaf == leaf &&
	    (uint64_t)last->weight + weight <= UINT32_MAX) {
		last->weight += weight;
		return;
	}
	if (tl->nsorted == tl->n && (!last || time >= last->time))
		tl->nsorted++;
	if (tl->n == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : TIMELINE_MIN;

		if (cap > tl->max)
			cap = tl->max;
		tl->e = xreallocarray(tl->e, cap, sizeof(*tl->e));
		tl->cap = cap;
	}
	tl->e[tl->n++] = (struct timeline_entry){ .time = time, .leaf = leaf, .weight = weight };
}

void
timeline_add_rel(struct timeline *tl, uint64_t rel_ns, uint32_t leaf, uint64_t weight)
{
	uint64_t q = rel_ns / TIMELINE_QUANTUM_NS;
	uint32_t time = q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;

	tl->samples += weight;
	while (weight) {
		uint32_t w = weight > UINT32_MAX ? UINT32_MAX : (uint32_t)weight;

		timeline_append(tl, time, leaf, w);
		weight -= w;
	}
}

void
timeline_add(struct timeline *tl, uint64_t time_ns, uint32_t leaf, uint64_t weight)
{
	timeline_add_rel(tl, time_ns > tl->origin ? time_ns - tl->origin : 0, leaf, weight);
}

void
timeline_remap(struct timeline *tl, const uint32_t *map, size_t n)
{
	size_t w = 0, ns = 0;

	for (size_t r = 0; r < tl->n; r++) {
		uint32_t to = tl->e[r].leaf < n ? map[tl->e[r].leaf] : UINT32_MAX;

		if (r == tl->nsorted)
			ns = w; /* the prefix in time order, less what was dropped */
		if (to == UINT32_MAX) {
			tl->samples -= tl->e[r].weight;
			continue;
		}
		tl->e[w] = tl->e[r];
		tl->e[w++].leaf = to;
	}
	tl->nsorted = tl->nsorted >= tl->n ? w : ns;
	tl->n = w;
}

/*
 * Sort the entries after the prefix in time order, then merge the two: the part of the prefix
 * later than the earliest new entry (the CPUs' rings interleave over about one drain) and the new
 * entries. The merge's buffer holds the smaller of the two, never a copy of the whole index.
 */
void
timeline_sort(struct timeline *tl)
{
	struct timeline_entry *e = tl->e, *buf;
	size_t k = tl->nsorted, n = tl->n, lo, hi, mid, a, b, w;

	if (k >= n)
		return;
	timeline_sort_range(e, k, n);
	/* lo: the prefix's first entry later than the earliest new one. */
	for (lo = 0, hi = k; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (e[mid].time <= e[k].time)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (k - lo <= n - k) {
		/* The prefix's late part is the smaller: merge forwards from a copy of it. */
		buf = xreallocarray(NULL, k - lo ? k - lo : 1, sizeof(*buf));
		memcpy(buf, e + lo, (k - lo) * sizeof(*buf));
		for (a = 0, b = k, w = lo; a < k - lo; w++)
			e[w] = b < n && e[b].time < buf[a].time ? e[b++] : buf[a++];
	} else {
		/* The new entries are the fewer: merge backwards from a copy of them. */
		buf = xreallocarray(NULL, n - k, sizeof(*buf));
		memcpy(buf, e + k, (n - k) * sizeof(*buf));
		for (a = k, b = n - k, w = n; b > 0;) {
			w--;
			e[w] = a > lo && e[a - 1].time > buf[b - 1].time ? e[--a] : buf[--b];
		}
	}
	free(buf);
	tl->nsorted = n;
}

const struct timeline_entry *
timeline_entries(const struct timeline *tl, size_t *n)
{
	*n = tl->n;
	return tl->e;
}

uint64_t
timeline_origin(const struct timeline *tl)
{
	return tl->origin;
}

bool
timeline_span(const struct timeline *tl, uint64_t *first_ns, uint64_t *last_ns)
{
	uint32_t lo = UINT32_MAX, hi = 0;

	if (!tl->n)
		return false;
	if (tl->nsorted == tl->n) {
		lo = tl->e[0].time;
		hi = tl->e[tl->n - 1].time;
	} else {
		for (size_t i = 0; i < tl->n; i++) {
			lo = tl->e[i].time < lo ? tl->e[i].time : lo;
			hi = tl->e[i].time > hi ? tl->e[i].time : hi;
		}
	}
	*first_ns = lo * TIMELINE_QUANTUM_NS;
	*last_ns = hi * TIMELINE_QUANTUM_NS;
	return true;
}

uint64_t
timeline_coarse_until(const struct timeline *tl)
{
	return tl->coarse_until * TIMELINE_QUANTUM_NS;
}

uint64_t
timeline_resolution(const struct timeline *tl, uint64_t rel_ns)
{
	if (rel_ns < timeline_coarse_until(tl))
		return (1ull << tl->shift) * TIMELINE_QUANTUM_NS;
	return TIMELINE_QUANTUM_NS;
}

void
timeline_set_coarse(struct timeline *tl, uint64_t until_ns, uint64_t bucket_ns)
{
	uint64_t q = until_ns / TIMELINE_QUANTUM_NS;
	unsigned shift = 0;

	while (shift < 31 && (TIMELINE_QUANTUM_NS << shift) < bucket_ns)
		shift++;
	tl->shift = shift;
	tl->coarse_until = q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;
}

uint64_t
timeline_samples(const struct timeline *tl)
{
	return tl->samples;
}

unsigned
timeline_coarsenings(const struct timeline *tl)
{
	return tl->coarsenings;
}

size_t
timeline_memory(const struct timeline *tl)
{
	return sizeof(*tl) + tl->cap * sizeof(*tl->e);
}
