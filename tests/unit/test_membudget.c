// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the memory budget of a long recording (man ringside(1), record: the parts that
 * grow with a recording's length): with their default caps, a stack tree with its time index fed
 * far more distinct paths and samples than the caps hold stays under 4.5 MiB + 1.5 MiB with every
 * sample still counted, its hot path intact and old times coarsened; a two-CPU scheduler map fed
 * a switch storm for longer than its exact horizon holds at most its share of exact runs, with
 * the older time in summary buckets whose busy and known time add up to what was fed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ringside/model/schedmap.h"
#include "ringside/model/stacktree.h"
#include "ringside/model/timeline.h"

#define SEC  1000000000ull
#define MSEC 1000000ull
#define MIB  (1024u * 1024u)

enum { ROOT_FRAME, OTHER_FRAME, FIRST_FRAME };

static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* 600k distinct 5-frame paths over 10 min, one hot path every other sample. */
static void
test_tree_and_index_default_caps(void **state)
{
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 0);
	struct timeline *tl = timeline_new(0, 0);
	const uint32_t hot[5] = { FIRST_FRAME, FIRST_FRAME + 1, FIRST_FRAME + 2, FIRST_FRAME + 3,
				  FIRST_FRAME + 4 };
	const size_t n = 600000;
	uint64_t seed = 22, hot_n = 0;
	uint32_t leaf;

	(void)state;
	stacktree_set_timeline(t, tl);
	for (size_t i = 0; i < n; i++) {
		uint64_t now = i * 1000 * 1000; /* 1000 samples a second */
		uint32_t path[5];

		for (size_t k = 0; k < 5; k++)
			path[k] = FIRST_FRAME + 10 + (uint32_t)(rng_next(&seed) % 4000);
		stacktree_insert(t, path, 5, 1, now);
		if (i % 2 == 0) {
			stacktree_insert(t, hot, 5, 1, now);
			hot_n++;
		}
	}
	assert_true(stacktree_nnodes(t) <=
		    STACKTREE_DEFAULT_MAX_NODES + STACKTREE_DEFAULT_MAX_NODES / 8 + 1);
	assert_true(stacktree_folds(t) > 0);
	assert_int_equal(stacktree_samples(t), n + hot_n);
	leaf = STACKTREE_ROOT;
	for (size_t k = 0; k < 5; k++) {
		leaf = stacktree_child(t, leaf, hot[k]);
		assert_int_not_equal(leaf, STACKTREE_NONE);
	}
	assert_int_equal(stacktree_node(t, leaf)->self, hot_n);
	/* The time index: every sample kept, the old half coarsened, 1.5 MiB at most. */
	assert_int_equal(timeline_samples(tl), n + hot_n);
	assert_true(timeline_coarsenings(tl) > 0);
	assert_true(timeline_coarse_until(tl) > 0);
	assert_true(timeline_memory(tl) <= (size_t)TIMELINE_DEFAULT_MAX * 12 + 4096);
	assert_true(timeline_memory(tl) <= 3 * MIB / 2 + 4096);
	print_message("# tree %zu nodes, %zu KiB with its index (%zu KiB)\n", stacktree_nnodes(t),
		      stacktree_memory(t) / 1024, timeline_memory(tl) / 1024);
	assert_true(stacktree_memory(t) < 9 * MIB / 2 + 3 * MIB / 2 + 64 * 1024);
	stacktree_free(t);
}

static void
feed_switch(struct schedmap *m, int cpu, uint64_t t, int32_t prev, int32_t next)
{
	struct sched_event e;

	memset(&e, 0, sizeof(e));
	e.type = SCHED_SWITCH;
	e.time = t;
	e.cpu = cpu;
	e.prev_pid = prev;
	e.next_pid = next;
	snprintf(e.prev_comm, sizeof(e.prev_comm), "t%d", (int)prev);
	snprintf(e.next_comm, sizeof(e.next_comm), "t%d", (int)next);
	schedmap_event(m, &e);
}

/* 120 s of 5000 switches a second on each of two CPUs between two busy tasks. */
static void
test_schedmap_default_runs(void **state)
{
	struct schedmap *m = schedmap_new(2, 0, 0);
	const uint64_t t0 = 1000 * SEC, step = 200000, end = t0 + 120 * SEC;
	uint64_t t;

	(void)state;
	for (t = t0; t < end; t += step) {
		for (int cpu = 0; cpu < 2; cpu++) {
			int32_t a = 100 + cpu * 10, b = a + 1;
			bool odd = ((t - t0) / step) % 2;

			feed_switch(m, cpu, t, odd ? b : a, odd ? a : b);
		}
		if ((t - t0) % (10 * MSEC) == 0)
			schedmap_advance(m, t);
	}
	schedmap_advance(m, end);
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		uint64_t busy = 0, known = 0;
		struct schedmap_run first;

		/* The exact runs: at most the CPU's share of the 2^18 (one bucket's slack). */
		assert_true(schedmap_nruns(m, cpu) <= SCHEDMAP_TOTAL_RUNS / 2 + 100 * MSEC / step);
		assert_true(schedmap_nsummaries(m, cpu) > 0);
		assert_int_equal(schedmap_run_at(m, cpu, 0, &first), 0);
		/* 2^17 runs at 5000 a second: about 26 s exact, the rest in summaries. */
		assert_true(first.start > t0 + 60 * SEC && first.start < end - 20 * SEC);
		assert_int_equal(schedmap_busy_ns(m, cpu, t0, end - step, &busy, &known), 0);
		assert_int_equal(known, end - step - t0);
		assert_int_equal(busy, known);
	}
	print_message("# schedmap %zu KiB\n", schedmap_memory(m) / 1024);
	assert_true(schedmap_memory(m) < 4 * MIB);
	schedmap_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_and_index_default_caps),
		cmocka_unit_test(test_schedmap_default_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
