// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-address sample counts: an array of (function, address, count) entries and an open-addressing
 * hash of entry indexes over (function, address). Entries are only removed by addrtab_compact, so
 * an index handed out stays valid until the epoch changes and the hot path (addrtab_bump) is one
 * add.
 */
#include <stdlib.h>

#include "ringside/model/addrtab.h"
#include "ringside/util/xalloc.h"

struct addrtab {
	struct addrtab_entry *ents;
	size_t n, cap, max;
	uint32_t *slots; /* entry index + 1, 0 when free */
	size_t nslots;	 /* a power of two, at least twice n */
	uint64_t dropped;
	uint64_t epoch; /* compactions so far */
};

struct addrtab *
addrtab_new(size_t max)
{
	struct addrtab *t = xcalloc(1, sizeof(*t));

	t->max = max ? max : ADDRTAB_DEFAULT_MAX;
	return t;
}

void
addrtab_free(struct addrtab *t)
{
	if (!t)
		return;
	free(t->ents);
	free(t->slots);
	free(t);
}

static size_t
addrtab_hash(uint32_t frame, uint64_t addr)
{
	uint64_t h = (addr ^ ((uint64_t)frame << 40) ^ frame) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ (h >> 29));
}

/* The slot of (frame, addr): the one holding it, or the free one where it would go. */
static size_t
addrtab_slot(const struct addrtab *t, uint32_t frame, uint64_t addr)
{
	size_t mask = t->nslots - 1, i = addrtab_hash(frame, addr) & mask;

	while (t->slots[i]) {
		const struct addrtab_entry *e = &t->ents[t->slots[i] - 1];

		if (e->frame == frame && e->addr == addr)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static void
addrtab_rehash(struct addrtab *t)
{
	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 1024;
	while (t->n * 2 > t->nslots)
		t->nslots *= 2;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (size_t k = 0; k < t->n; k++)
		t->slots[addrtab_slot(t, t->ents[k].frame, t->ents[k].addr)] = (uint32_t)k + 1;
}

/* The entry of (frame, addr), made when new; ADDRTAB_NONE when the table is full. */
static uint32_t
addrtab_find(struct addrtab *t, uint32_t frame, uint64_t addr)
{
	size_t i;

	if (t->nslots == 0)
		addrtab_rehash(t);
	i = addrtab_slot(t, frame, addr);
	if (t->slots[i])
		return t->slots[i] - 1;
	if (t->n >= t->max)
		return ADDRTAB_NONE;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->ents = xreallocarray(t->ents, t->cap, sizeof(*t->ents));
	}
	t->ents[t->n] = (struct addrtab_entry){ frame, addr, 0, 0 };
	t->slots[i] = (uint32_t)++t->n;
	if (t->n * 2 > t->nslots)
		addrtab_rehash(t);
	return (uint32_t)t->n - 1;
}

uint32_t
addrtab_add(struct addrtab *t, uint32_t frame, uint64_t addr, uint64_t count)
{
	uint32_t idx = addrtab_find(t, frame, addr);

	addrtab_bump(t, idx, count);
	return idx;
}

uint32_t
addrtab_add_calls(struct addrtab *t, uint32_t frame, uint64_t addr, uint64_t count)
{
	uint32_t idx = addrtab_find(t, frame, addr);

	addrtab_bump_calls(t, idx, count);
	return idx;
}

void
addrtab_bump(struct addrtab *t, uint32_t idx, uint64_t count)
{
	if (idx < t->n)
		t->ents[idx].count += count;
	else
		t->dropped += count;
}

void
addrtab_bump_calls(struct addrtab *t, uint32_t idx, uint64_t count)
{
	if (idx < t->n)
		t->ents[idx].calls += count;
	else
		t->dropped += count;
}

void
addrtab_bump_calls_n(struct addrtab *t, const uint32_t *idx, size_t n, uint64_t count)
{
	for (size_t i = 0; i < n; i++) {
		if (idx[i] < t->n)
			t->ents[idx[i]].calls += count;
		else
			t->dropped += count;
	}
}

size_t
addrtab_count(const struct addrtab *t)
{
	return t->n;
}

const struct addrtab_entry *
addrtab_get(const struct addrtab *t, size_t i)
{
	return &t->ents[i];
}

uint64_t
addrtab_dropped(const struct addrtab *t)
{
	return t->dropped;
}

void
addrtab_add_dropped(struct addrtab *t, uint64_t n)
{
	t->dropped += n;
}

static int
addrtab_addr_cmp(const void *a, const void *b)
{
	const struct addrtab_entry *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

uint64_t
addrtab_function(const struct addrtab *t, uint32_t frame, struct addrtab_entry **out, size_t *n)
{
	uint64_t total = 0;
	size_t k = 0;

	*out = NULL;
	for (size_t i = 0; i < t->n; i++)
		k += t->ents[i].frame == frame;
	*n = k;
	if (k == 0)
		return 0;
	*out = xcalloc(k, sizeof(**out));
	k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->ents[i].frame == frame) {
			(*out)[k++] = t->ents[i];
			total += t->ents[i].count;
		}
	qsort(*out, k, sizeof(**out), addrtab_addr_cmp);
	return total;
}

static int
addrtab_func_cmp(const void *a, const void *b)
{
	const struct addrtab_func *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return (x->frame > y->frame) - (x->frame < y->frame);
}

/* Entry indexes by frame (qsort_r's context: the table). */
static int
addrtab_index_frame_cmp(const void *a, const void *b, void *ctx)
{
	const struct addrtab *t = ctx;
	uint32_t x = t->ents[*(const uint32_t *)a].frame, y = t->ents[*(const uint32_t *)b].frame;

	return (x > y) - (x < y);
}

/*
 * Entries are grouped by frame through a sort of their indexes (4 bytes each, and as much again
 * for the sort's merge buffer), and the array made holds only the functions: at the default cap a
 * copy of every entry (32 bytes) and its sort's buffer held 4 MiB at once, at a snapshot's write.
 */
size_t
addrtab_functions(const struct addrtab *t, struct addrtab_func **out)
{
	struct addrtab_func *f;
	uint32_t *idx;
	size_t k = 0;

	*out = NULL;
	if (t->n == 0)
		return 0;
	idx = xreallocarray(NULL, t->n, sizeof(*idx));
	for (size_t i = 0; i < t->n; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, t->n, sizeof(*idx), addrtab_index_frame_cmp, (void *)t);
	for (size_t i = 0; i < t->n; i++)
		k += i == 0 || t->ents[idx[i]].frame != t->ents[idx[i - 1]].frame;
	f = xcalloc(k, sizeof(*f));
	k = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct addrtab_entry *e = &t->ents[idx[i]];

		if (k > 0 && f[k - 1].frame == e->frame) {
			f[k - 1].samples += e->count;
			f[k - 1].calls += e->calls;
			f[k - 1].naddrs++;
		} else {
			f[k++] = (struct addrtab_func){ e->frame, e->count, e->calls, 1 };
		}
	}
	free(idx);
	qsort(f, k, sizeof(*f), addrtab_func_cmp);
	*out = f;
	return k;
}

size_t
addrtab_memory(const struct addrtab *t)
{
	return sizeof(*t) + t->cap * sizeof(*t->ents) + t->nslots * sizeof(*t->slots);
}

size_t
addrtab_room(const struct addrtab *t)
{
	return t->n < t->max ? t->max - t->n : 0;
}

uint64_t
addrtab_epoch(const struct addrtab *t)
{
	return t->epoch;
}

static uint64_t
addrtab_weight(const struct addrtab_entry *e)
{
	return e->count + e->calls;
}

/* How many entries weigh at least x. */
static size_t
addrtab_at_least(const struct addrtab *t, uint64_t x)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += addrtab_weight(&t->ents[i]) >= x;
	return n;
}

/*
 * In place, with no array beside the table (a sorted copy of the weights was 512 KiB at the
 * default cap, allocated in the middle of a drain): the cut, the greatest weight that at least
 * keep entries reach, is found by bisection over the weights (at most 64 passes over the table,
 * a few milliseconds once every minute or two of a busy recording).
 */
size_t
addrtab_compact(struct addrtab *t, size_t keep)
{
	uint64_t lo = 0, hi = 0, cut;
	size_t above, ties, tie_from = 0, k = 0, gone;

	if (t->n <= keep)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		uint64_t x = addrtab_weight(&t->ents[i]);

		hi = x > hi ? x : hi;
	}
	if (keep == 0) {
		cut = UINT64_MAX;
	} else {
		/* The greatest x in [lo, hi] with at least keep entries weighing x or more. */
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo + 1) / 2;

			if (addrtab_at_least(t, mid) >= keep)
				lo = mid;
			else
				hi = mid - 1;
		}
		cut = lo;
	}
	above = cut == UINT64_MAX ? 0 : addrtab_at_least(t, cut + 1);
	/* Of the entries at the cut, the newest (highest index) stay: those from tie_from on. */
	ties = keep - above;
	for (size_t i = t->n; i-- > 0 && ties > 0;) {
		if (addrtab_weight(&t->ents[i]) == cut) {
			tie_from = i;
			ties--;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		uint64_t x = addrtab_weight(&t->ents[i]);

		if (x > cut || (x == cut && i >= tie_from && keep > above))
			t->ents[k++] = t->ents[i];
		else
			t->dropped += x;
	}
	gone = t->n - k;
	t->n = k;
	t->nslots /= 2; /* the rehash doubles it back, or more for what stays */
	addrtab_rehash(t);
	t->epoch++;
	return gone;
}
