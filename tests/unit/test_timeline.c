// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/timeline and model/stacktree_range: a range's tree against one built from
 * the samples of that range alone (two phases of known paths), the whole range against the tree
 * itself through compactions (a small node cap) and relabels, coarsening (a small capacity: counts
 * kept, entries bounded, the resolution reported, exact ranges after the coarse part), a node's
 * series summing to its range total, and the cost of a range over a million samples (a TAP
 * diagnostic, not asserted).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ringside/model/stacktree.h"
#include "ringside/model/stacktree_range.h"
#include "ringside/model/timeline.h"

#define MS     1000000ull
#define SEC    1000000000ull
#define ORIGIN (1000 * SEC)

enum { ROOT_FRAME, OTHER_FRAME, FIRST_FRAME };

static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static struct stacktree *
new_tree(size_t max_nodes, size_t max_entries)
{
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, max_nodes, 0);

	stacktree_set_timeline(t, timeline_new(ORIGIN, max_entries));
	return t;
}

/* The node of got at want's node id's path, or STACKTREE_NONE. */
static uint32_t
same_node(const struct stacktree *got, const struct stacktree *want, uint32_t id)
{
	uint32_t path[64], n = 0, g = STACKTREE_ROOT;

	for (uint32_t a = id; a != STACKTREE_ROOT; a = stacktree_node(want, a)->parent)
		path[n++] = stacktree_node(want, a)->frame;
	while (n > 0 && g != STACKTREE_NONE)
		g = stacktree_child(got, g, path[--n]);
	return g;
}

/* Every node of want with samples is in got with the same self and total, and got has no more. */
static void
check_same_counts(const struct stacktree *got, const struct stacktree *want)
{
	size_t with = 0;

	for (uint32_t id = 0; id < stacktree_nnodes(want); id++) {
		const struct stacktree_node *w = stacktree_node(want, id), *x;
		uint32_t g;

		if (!w->total)
			continue;
		with++;
		g = same_node(got, want, id);
		if (g == STACKTREE_NONE)
			fail_msg("node %u of the expected tree is missing", id);
		x = stacktree_node(got, g);
		assert_int_equal(x->self, w->self);
		assert_int_equal(x->total, w->total);
	}
	assert_int_equal(stacktree_nnodes(got), with);
}

/* Phase A (0-2 s) samples a path ending in frame 10, phase B (2-4 s) one ending in frame 20. */
static void
test_two_phases(void **state)
{
	(void)state;
	struct stacktree *t = new_tree(0, 0), *a = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 0);
	uint32_t pa[] = { 2, 3, 4, 10 }, pb[] = { 2, 3, 4, 20 };
	struct stacktree *r;
	uint32_t *map = NULL;

	for (uint64_t ms = 0; ms < 4000; ms++) {
		const uint32_t *p = ms < 2000 ? pa : pb;

		stacktree_insert(t, p, 4, 1, ORIGIN + ms * MS);
		if (ms >= 500 && ms < 2500)
			stacktree_insert(a, p, 4, 1, 0);
	}
	r = stacktree_range_tree(t, 500 * MS, 2500 * MS, &map);
	assert_non_null(r);
	check_same_counts(r, a);
	for (uint32_t id = 0; id < stacktree_nnodes(r); id++)
		assert_int_equal(stacktree_node(t, map[id])->frame, stacktree_node(r, id)->frame);
	assert_int_equal(stacktree_range_samples(t, 500 * MS, 2500 * MS), 2000);
	assert_int_equal(stacktree_range_samples(t, 0, 10 * SEC), 4000);
	stacktree_free(r);
	free(map);

	/* Phase B's leaf per 500 ms: nothing before 2 s, 500 in each bucket after. */
	{
		uint64_t counts[8];
		uint32_t leaf = same_node(t, t, 0);

		(void)leaf;
		leaf = stacktree_child(t, STACKTREE_ROOT, 2);
		leaf = stacktree_child(t, stacktree_child(t, leaf, 3), 4);
		leaf = stacktree_child(t, leaf, 20);
		assert_true(stacktree_range_series(t, leaf, 0, 500 * MS, counts, 8));
		for (int i = 0; i < 8; i++)
			assert_int_equal(counts[i], i < 4 ? 0 : 500);
	}
	stacktree_free(t);
	stacktree_free(a);
}

/* A random workload over a small node cap: the whole range is the tree, compacted or not. */
static void
test_compaction(void **state)
{
	(void)state;
	struct stacktree *t = new_tree(300, 0), *r;
	uint64_t rng = 42;

	for (int i = 0; i < 200000; i++) {
		uint32_t path[8];
		size_t n = 2 + rng_next(&rng) % 6;

		for (size_t d = 0; d < n; d++)
			path[d] = FIRST_FRAME + (uint32_t)(rng_next(&rng) % (d < 2 ? 4 : 12));
		stacktree_insert(t, path, n, 1, ORIGIN + (uint64_t)i * 50000);
	}
	assert_true(stacktree_folds(t) > 0);
	r = stacktree_range_tree(t, 0, UINT64_MAX, NULL);
	check_same_counts(r, t);
	assert_int_equal(timeline_samples(stacktree_timeline(t)), 200000);
	stacktree_free(r);
	stacktree_free(t);
}

static uint32_t
relabel_fold(void *ctx, const struct stacktree_node *node, uint32_t parent_frame)
{
	(void)ctx;
	/* Processes 2..5 fold into 2. */
	if (parent_frame == ROOT_FRAME && node->frame >= 2 && node->frame <= 5)
		return 2;
	return node->frame;
}

static void
test_relabel(void **state)
{
	(void)state;
	struct stacktree *t = new_tree(0, 0), *r;
	uint64_t rng = 9;

	for (int i = 0; i < 50000; i++) {
		uint32_t path[4] = { 2 + (uint32_t)(rng_next(&rng) % 6), 10, 11,
				     12 + (uint32_t)(rng_next(&rng) % 5) };

		stacktree_insert(t, path, 4, 1, ORIGIN + (uint64_t)i * MS);
	}
	assert_true(stacktree_relabel(t, relabel_fold, NULL) > 0);
	r = stacktree_range_tree(t, 0, UINT64_MAX, NULL);
	check_same_counts(r, t);
	stacktree_free(r);
	stacktree_free(t);
}

/* 4096 entries at most: counts are kept, entries stay bounded, and later ranges stay exact. */
static void
test_coarsening(void **state)
{
	(void)state;
	struct stacktree *t = new_tree(0, 4096), *r;
	struct timeline *tl = stacktree_timeline(t);
	uint64_t rng = 5, until, first, last, exact = 0;
	size_t n;
	const int count = 200000;

	for (int i = 0; i < count; i++) {
		uint32_t path[3] = { 2, 3, 10 + (uint32_t)(rng_next(&rng) % 50) };

		stacktree_insert(t, path, 3, 1, ORIGIN + (uint64_t)i * 200000);
	}
	assert_true(timeline_coarsenings(tl) > 0);
	timeline_entries(tl, &n);
	assert_true(n <= 4096);
	assert_int_equal(timeline_samples(tl), count);
	r = stacktree_range_tree(t, 0, UINT64_MAX, NULL);
	check_same_counts(r, t);
	stacktree_free(r);

	until = timeline_coarse_until(tl);
	assert_true(until > 0);
	assert_true(timeline_resolution(tl, 0) > TIMELINE_QUANTUM_NS);
	assert_int_equal(timeline_resolution(tl, until), TIMELINE_QUANTUM_NS);
	assert_true(timeline_span(tl, &first, &last));
	assert_int_equal(first, 0);
	assert_int_equal(last, (uint64_t)(count - 1) * 200000);
	/* Samples at or after the coarse part's end are exact (one sample every 200 us). */
	for (int i = 0; i < count; i++)
		if ((uint64_t)i * 200000 >= until)
			exact++;
	assert_int_equal(stacktree_range_samples(t, until, UINT64_MAX), exact);
	stacktree_free(t);
}

/* Entries added with times out of order, then sorted: by time, nothing lost. */
static void
test_sort(void **state)
{
	(void)state;
	struct timeline *tl = timeline_new(0, 0);
	const struct timeline_entry *e;
	size_t n;
	uint64_t sum = 0;

	for (int cpu = 0; cpu < 2; cpu++)
		for (int i = 0; i < 100; i++)
			timeline_add(tl, (uint64_t)i * MS + (uint64_t)cpu * 300000, (uint32_t)cpu,
				     1);
	timeline_sort(tl);
	e = timeline_entries(tl, &n);
	assert_int_equal(n, 200);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(e[i - 1].time <= e[i].time);
		sum += e[i].weight;
	}
	assert_int_equal(sum, 200);
	timeline_free(tl);
}

/* Per (time quantum, leaf): the weight added, to compare an index against. */
#define REF_TIMES  4096
#define REF_LEAVES 8

static void
check_ref(const struct timeline *tl, uint64_t ref[REF_TIMES][REF_LEAVES])
{
	static uint64_t got[REF_TIMES][REF_LEAVES];
	const struct timeline_entry *e;
	size_t n;

	memset(got, 0, sizeof(got));
	e = timeline_entries(tl, &n);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(e[i - 1].time <= e[i].time);
		assert_true(e[i].time < REF_TIMES && e[i].leaf < REF_LEAVES);
		got[e[i].time][e[i].leaf] += e[i].weight;
	}
	assert_memory_equal(got, ref, sizeof(got));
}

/*
 * Drains as a session makes them: each CPU's entries in order, the CPUs one after the other, so
 * each drain's entries reach back up to a drain's length; sorted after some drains, not others,
 * and remapped (leaves renamed, one dropped) now and then. Every sort leaves the index in time
 * order with every (time, leaf)'s weight; the sort merges only the late part, whichever side of
 * the merge is the smaller.
 */
static void
test_sort_drains(void **state)
{
	(void)state;
	static uint64_t ref[REF_TIMES][REF_LEAVES];
	struct timeline *tl = timeline_new(0, 0);
	uint64_t rng = 11;
	uint32_t now = 0;

	memset(ref, 0, sizeof(ref));
	for (int drain = 0; drain < 60; drain++) {
		/* Long drains and short ones: either side of the merge can be the smaller. */
		uint32_t len = 1 + (uint32_t)(rng_next(&rng) % (drain % 3 ? 8 : 120));

		for (int cpu = 0; cpu < 3; cpu++)
			for (uint32_t q = now; q < now + len; q++) {
				uint32_t leaf = (uint32_t)(rng_next(&rng) % 4) + (uint32_t)cpu;

				timeline_add_rel(tl, (uint64_t)q * TIMELINE_QUANTUM_NS, leaf, 1);
				ref[q][leaf]++;
			}
		now += len;
		if (drain % 7 != 6 && rng_next(&rng) % 2) {
			timeline_sort(tl);
			check_ref(tl, ref);
		}
		if (drain % 7 == 6) {
			/* Unsorted: the prefix in time order ends within this drain. Swap leaves 0 and 1, drop leaf 2's entries (every CPU has some). */
			uint32_t map[REF_LEAVES] = { 1, 0, UINT32_MAX, 3, 4, 5, 6, 7 };

			timeline_remap(tl, map, REF_LEAVES);
			for (uint32_t q = 0; q < now; q++) {
				uint64_t zero = ref[q][0];

				ref[q][0] = ref[q][1];
				ref[q][1] = zero;
				ref[q][2] = 0;
			}
		}
	}
	assert_true(now < REF_TIMES);
	timeline_sort(tl);
	check_ref(tl, ref);
	timeline_free(tl);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 60 s at 2 x 999 Hz over 20,000 paths: the cost of one range tree, printed. */
static void
test_range_cost(void **state)
{
	(void)state;
	struct stacktree *t = new_tree(0, 0), *r;
	uint64_t rng = 3;
	double t0;

	for (int i = 0; i < 119880; i++) {
		uint32_t path[12];

		for (size_t d = 0; d < 12; d++)
			path[d] = FIRST_FRAME + (uint32_t)(rng_next(&rng) % (d < 9 ? 3 : 20));
		stacktree_insert(t, path, 12, 1, ORIGIN + (uint64_t)i * 500500);
	}
	t0 = now_s();
	r = stacktree_range_tree(t, 10 * SEC, 40 * SEC, NULL);
	printf("# range tree of 30 s of 60 s (%zu nodes, 119880 samples): %.2f ms\n",
	       stacktree_nnodes(t), (now_s() - t0) * 1e3);
	assert_int_equal(stacktree_node(r, STACKTREE_ROOT)->total,
			 stacktree_range_samples(t, 10 * SEC, 40 * SEC));
	stacktree_free(r);
	stacktree_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_phases), cmocka_unit_test(test_compaction),
		cmocka_unit_test(test_relabel),	   cmocka_unit_test(test_coarsening),
		cmocka_unit_test(test_sort),	   cmocka_unit_test(test_sort_drains),
		cmocka_unit_test(test_range_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
