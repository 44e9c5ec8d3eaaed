// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for what the screens' time ranges are made of, without curses: view/timerange (the
 * keys' and clicks' semantics, the cursor's clamp and grid, the range tree cached until the tree
 * grows, counter totals cut in proportion at the range's edges), view/flamechart (a band per
 * thread, phases left to right at the columns their times give, merged cells, the moves, a
 * thread's chart from its process down, the busiest 8 of 16 threads, and its cost on 60 s at
 * 999 Hz on 2 CPUs as a TAP diagnostic, not asserted) and model/schedmap_range (run times cut at
 * the edges).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ringside/model/profile.h"
#include "ringside/model/ratio.h"
#include "ringside/model/schedmap_range.h"
#include "ringside/model/stacktree.h"
#include "ringside/model/timeline.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/flamechart.h"
#include "ringside/view/timerange.h"

#define MS  1000000ull
#define SEC 1000000000ull

enum { F_ROOT, F_OTHER, F_PROC, F_T1, F_T2, F_MAIN, F_A, F_B };

static void
test_keys(void **state)
{
	struct timerange r;

	(void)state;
	timerange_init(&r);
	assert_false(r.active);
	/* [ alone: from the cursor to the end */
	timerange_move(&r, 2, SEC, 10 * SEC);
	assert_int_equal(r.cursor_ns, 2 * SEC);
	timerange_mark_start(&r);
	assert_true(r.active);
	assert_int_equal(r.from_ns, 2 * SEC);
	assert_true(r.to_ns == TIMERANGE_OPEN);
	assert_int_equal(timerange_end(&r, 7 * SEC), 7 * SEC);
	/* ] after it: the start kept */
	timerange_move(&r, 3, SEC, 10 * SEC);
	timerange_mark_end(&r);
	assert_int_equal(r.from_ns, 2 * SEC);
	assert_int_equal(r.to_ns, 5 * SEC);
	/* ] before the start: from 0 */
	timerange_move(&r, -4, SEC, 10 * SEC);
	timerange_mark_end(&r);
	assert_int_equal(r.from_ns, 0);
	assert_int_equal(r.to_ns, 1 * SEC);
	/* [ after the end: to the end again */
	timerange_move(&r, 5, SEC, 10 * SEC);
	timerange_mark_start(&r);
	assert_int_equal(r.from_ns, 6 * SEC);
	assert_true(r.to_ns == TIMERANGE_OPEN);
	/* the cursor stays in [0, end] and on the step's grid */
	timerange_move(&r, -100, SEC, 10 * SEC);
	assert_int_equal(r.cursor_ns, 0);
	timerange_move(&r, 100, SEC, 10 * SEC + 300 * MS);
	assert_int_equal(r.cursor_ns, 10 * SEC + 300 * MS);
	timerange_move(&r, -1, SEC, 10 * SEC + 300 * MS);
	assert_int_equal(r.cursor_ns, 9 * SEC);
	/* an empty range is none */
	timerange_set(&r, 3 * SEC, 3 * SEC);
	assert_false(r.active);
	timerange_set(&r, 4 * SEC, 3 * SEC);
	assert_true(r.active);
	assert_int_equal(r.from_ns, 3 * SEC);
	assert_int_equal(r.to_ns, 4 * SEC);
	assert_true(timerange_overlaps(&r, 3500 * MS, 5 * SEC));
	assert_false(timerange_overlaps(&r, 4 * SEC, 5 * SEC));
	timerange_clear(&r);
	assert_false(r.active);
	assert_false(timerange_overlaps(&r, 0, 100 * SEC));
	timerange_fini(&r);
}

static void
test_clicks(void **state)
{
	struct timerange r;
	char buf[64];

	(void)state;
	timerange_init(&r);
	/* two clicks, the second before the first: the range covers both cells */
	assert_false(timerange_click(&r, 5 * SEC, 6 * SEC));
	assert_false(r.active);
	assert_true(timerange_click(&r, 2 * SEC, 3 * SEC));
	assert_int_equal(r.from_ns, 2 * SEC);
	assert_int_equal(r.to_ns, 6 * SEC);
	assert_string_equal(timerange_format(r.from_ns, r.to_ns, buf, sizeof(buf)), "2.00-6.00 s");
	assert_string_equal(timerange_format(SEC / 2, TIMERANGE_OPEN, buf, sizeof(buf)),
			    "0.50 s-end");
	/* a third click starts a new pair */
	assert_false(timerange_click(&r, 1 * SEC, 2 * SEC));
	assert_true(r.click_pending);
	assert_true(timerange_click(&r, 1 * SEC, 2 * SEC));
	assert_int_equal(r.from_ns, 1 * SEC);
	assert_int_equal(r.to_ns, 2 * SEC);
	timerange_fini(&r);
}

/*
 * The two-phase tree: thread 1 runs main;a for [0, 1 s), main;b for [1 s, 2 s); thread 2 runs
 * main;a for [1.5 s, 2 s); a sample every ms.
 */
static struct stacktree *
phases_tree(void)
{
	struct stacktree *t = stacktree_new(F_ROOT, F_OTHER, 0, 0);

	stacktree_set_timeline(t, timeline_new(0, 0));
	for (uint64_t ms = 0; ms < 2000; ms++) {
		uint32_t p1[4] = { F_PROC, F_T1, F_MAIN, ms < 1000 ? F_A : F_B };
		uint32_t p2[4] = { F_PROC, F_T2, F_MAIN, F_A };

		stacktree_insert(t, p1, 4, 1, ms * MS);
		if (ms >= 1500)
			stacktree_insert(t, p2, 4, 1, ms * MS + MS / 2);
	}
	return t;
}

static uint32_t
node_of(const struct stacktree *t, uint32_t thread, uint32_t leaf)
{
	uint32_t n = stacktree_child(t, STACKTREE_ROOT, F_PROC);

	n = stacktree_child(t, n, thread);
	n = stacktree_child(t, n, F_MAIN);
	return leaf == F_MAIN ? n : stacktree_child(t, n, leaf);
}

static void
test_range_tree_cache(void **state)
{
	struct stacktree *t = phases_tree();
	struct timerange r;
	const struct stacktree *a, *b;
	uint32_t pa;

	(void)state;
	timerange_init(&r);
	assert_null(timerange_tree(&r, t, TIMERANGE_OPEN, false));
	timerange_set(&r, 0, SEC);
	a = timerange_tree(&r, t, TIMERANGE_OPEN, false);
	assert_non_null(a);
	assert_int_equal(stacktree_node(a, STACKTREE_ROOT)->total, 1000);
	/* its nodes map back to the tree's */
	pa = node_of(a, F_T1, F_A);
	assert_int_not_equal(pa, STACKTREE_NONE);
	assert_int_equal(timerange_node(&r, pa), node_of(t, F_T1, F_A));
	assert_int_equal(stacktree_node(a, pa)->self, 1000);
	assert_int_equal(node_of(a, F_T1, F_B), STACKTREE_NONE);
	/* the same range and tree: the same build */
	assert_ptr_equal(timerange_tree(&r, t, TIMERANGE_OPEN, false), a);
	/* the tree grows: held, the same; else built again */
	stacktree_insert(t, (uint32_t[]){ F_PROC, F_T1, F_MAIN, F_A }, 4, 1, 10 * MS);
	assert_int_equal(
		stacktree_node(timerange_tree(&r, t, TIMERANGE_OPEN, true), STACKTREE_ROOT)->total,
		1000);
	b = timerange_tree(&r, t, TIMERANGE_OPEN, false);
	assert_int_equal(stacktree_node(b, STACKTREE_ROOT)->total, 1001);
	/* an open end: to the last sample */
	timerange_set(&r, 1500 * MS, TIMERANGE_OPEN);
	assert_int_equal(
		stacktree_node(timerange_tree(&r, t, TIMERANGE_OPEN, false), STACKTREE_ROOT)->total,
		1000);
	/* held at 1.75 s: the open end stops there (thread 1's 250 samples, thread 2's 250) */
	assert_int_equal(
		stacktree_node(timerange_tree(&r, t, 1750 * MS, true), STACKTREE_ROOT)->total, 500);
	timerange_fini(&r);
	stacktree_free(t);
}

static void
test_track(void **state)
{
	struct counter_track tr = { .supported = true };
	struct counter_series *s = counter_track_series(&tr, -1);
	double v, rate, lo, hi;

	(void)state;
	/* 100 a second, then 300, then 200, in 1 s intervals */
	counter_series_append(s, 1 * SEC, 100, SEC, SEC);
	counter_series_append(s, 2 * SEC, 300, SEC, SEC);
	counter_series_append(s, 3 * SEC, 200, SEC, SEC);
	assert_true(timerange_track(&tr, 1 * SEC, 2 * SEC, &v, &rate, &lo, &hi));
	assert_true(fabs(v - 300) < 1e-9);
	assert_true(fabs(rate - 300) < 1e-9);
	/* half of the first, all of the second, a quarter of the third */
	assert_true(timerange_track(&tr, SEC / 2, 2 * SEC + SEC / 4, &v, &rate, &lo, &hi));
	assert_true(fabs(v - (50 + 300 + 50)) < 1e-9);
	assert_true(fabs(rate - 400 / 1.75) < 1e-6);
	assert_true(fabs(lo - 100) < 1e-9);
	assert_true(fabs(hi - 300) < 1e-9);
	assert_false(timerange_track(&tr, 5 * SEC, 6 * SEC, &v, &rate, &lo, &hi));
	counter_track_fini(&tr);
}

static void
test_ratio(void **state)
{
	struct profile *p = profile_new();
	struct counter_track *ins, *cyc;
	char num[] = "instructions", den[] = "cycles", other[] = "branches";
	struct ratio_def r = { .num = num, .den = den, .scale = 1 };
	double v;

	(void)state;
	/* Both added before either is used: adding a track may move the others. */
	profile_add_track(p);
	profile_add_track(p);
	ins = &p->tracks[0];
	cyc = &p->tracks[1];
	ins->name = xstrdup("instructions");
	cyc->name = xstrdup("cycles");
	ins->supported = cyc->supported = true;
	/* IPC 1 in the first second, 3 in the second */
	counter_series_append(counter_track_series(ins, -1), 1 * SEC, 100, SEC, SEC);
	counter_series_append(counter_track_series(ins, -1), 2 * SEC, 300, SEC, SEC);
	counter_series_append(counter_track_series(cyc, -1), 1 * SEC, 100, SEC, SEC);
	counter_series_append(counter_track_series(cyc, -1), 2 * SEC, 100, SEC, SEC);
	assert_true(timerange_ratio(p, &r, 0, SEC, &v));
	assert_true(fabs(v - 1) < 1e-9);
	assert_true(timerange_ratio(p, &r, SEC, 2 * SEC, &v));
	assert_true(fabs(v - 3) < 1e-9);
	assert_true(timerange_ratio(p, &r, 0, 2 * SEC, &v));
	assert_true(fabs(v - 2) < 1e-9);
	assert_false(timerange_ratio(p, &r, 3 * SEC, 4 * SEC, &v));
	r.den = other;
	assert_false(timerange_ratio(p, &r, 0, 2 * SEC, &v));
	profile_free(p);
}

/* The cell of row labelled frame that covers column x, or NULL. */
static const struct flamechart_cell *
cell_of(const struct flamechart *fc, uint32_t frame, int x)
{
	for (size_t i = 0; i < fc->n; i++)
		if (fc->cells[i].frame == frame && x >= fc->cells[i].x &&
		    x < fc->cells[i].x + fc->cells[i].width)
			return &fc->cells[i];
	return NULL;
}

static void
test_flamechart_bands(void **state)
{
	struct stacktree *t = phases_tree();
	struct flamechart fc = { 0 };
	const struct flamechart_cell *a, *b, *t2;
	size_t na = 0;

	(void)state;
	assert_true(flamechart_layout(&fc, t, STACKTREE_ROOT, 0, 2 * SEC, 20));
	assert_int_equal(fc.bucket_ns, 100 * MS);
	assert_int_equal(fc.threads, 2);
	assert_int_equal(fc.bands, 2);
	assert_int_equal(fc.samples, 2500);
	/* thread 1: its row, main, then a left of b, each one merged cell */
	a = cell_of(&fc, F_A, 0);
	b = cell_of(&fc, F_B, 19);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->x, 0);
	assert_int_equal(a->width, 10);
	assert_int_equal(b->x, 10);
	assert_int_equal(b->width, 10);
	assert_int_equal(a->row, 2);
	assert_int_equal(b->row, 2);
	assert_int_equal(a->from_ns, 0);
	assert_int_equal(a->to_ns, SEC);
	assert_int_equal(a->samples, 1000);
	assert_int_equal(cell_of(&fc, F_T1, 0)->width, 20);
	assert_int_equal(cell_of(&fc, F_T1, 0)->row, 0);
	/* thread 2: its band below, from 1.5 s */
	t2 = cell_of(&fc, F_T2, 19);
	assert_non_null(t2);
	assert_int_equal(t2->row, 3);
	assert_int_equal(t2->x, 15);
	assert_int_equal(t2->width, 5);
	assert_null(cell_of(&fc, F_T2, 14));
	for (size_t i = 0; i < fc.n; i++)
		na += fc.cells[i].frame == F_A;
	assert_int_equal(na, 2);
	assert_int_equal(fc.rows, 6);
	/* moves: along the row, up and down */
	assert_int_equal(flamechart_move(&fc, (size_t)(a - fc.cells), 1, 0), b - fc.cells);
	assert_int_equal(flamechart_move(&fc, (size_t)(b - fc.cells), -1, 0), a - fc.cells);
	assert_int_equal(fc.cells[flamechart_move(&fc, (size_t)(a - fc.cells), 0, -1)].frame,
			 F_MAIN);
	assert_int_equal(flamechart_cell_at(&fc, 2, 12), b - fc.cells);
	assert_int_equal(flamechart_cell_at(&fc, 3, 3), -1);
	flamechart_fini(&fc);
	stacktree_free(t);
}

static void
test_flamechart_zoom(void **state)
{
	struct stacktree *t = phases_tree();
	struct flamechart fc = { 0 };
	uint32_t t1 = stacktree_child(t, stacktree_child(t, STACKTREE_ROOT, F_PROC), F_T1);
	const struct flamechart_cell *a, *b;

	(void)state;
	/* one thread, [0.9 s, 1.1 s) in 10 columns: a in the first 5, b in the last 5 */
	assert_true(flamechart_layout(&fc, t, t1, 900 * MS, 1100 * MS, 10));
	assert_int_equal(fc.bands, 1);
	assert_int_equal(fc.samples, 200);
	assert_int_equal(cell_of(&fc, F_PROC, 0)->row, 0);
	assert_int_equal(cell_of(&fc, F_T1, 0)->row, 1);
	a = cell_of(&fc, F_A, 0);
	b = cell_of(&fc, F_B, 9);
	assert_int_equal(a->width, 5);
	assert_int_equal(b->x, 5);
	assert_int_equal(b->from_ns, 1000 * MS);
	assert_null(cell_of(&fc, F_T2, 0));
	/* the finest column is the index's quantum */
	assert_true(flamechart_layout(&fc, t, t1, 0, 1 * MS, 100));
	assert_int_equal(fc.bucket_ns, TIMELINE_QUANTUM_NS);
	/* no time index: no chart */
	stacktree_set_timeline(t, NULL);
	assert_false(flamechart_layout(&fc, t, STACKTREE_ROOT, 0, SEC, 10));
	assert_int_equal(fc.n, 0);
	flamechart_fini(&fc);
	stacktree_free(t);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The chart of 60 s at 999 Hz on 2 CPUs, 16 threads, 12 frames deep: its cost, printed. */
static void
test_flamechart_cost(void **state)
{
	struct stacktree *t = stacktree_new(F_ROOT, F_OTHER, 0, 0);
	struct flamechart fc = { 0 };
	uint64_t rng = 88172645463325252ull, n = 0, per[16] = { 0 }, top = 0;
	double t0;

	(void)state;
	stacktree_set_timeline(t, timeline_new(0, 0));
	for (uint64_t at = 0; at < 60 * SEC; at += SEC / 999)
		for (int cpu = 0; cpu < 2; cpu++) {
			uint32_t path[12];

			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			path[0] = F_PROC;
			path[1] = 100 + (uint32_t)(rng % 16);
			per[rng % 16]++;
			for (size_t d = 2; d < 12; d++)
				path[d] = 200 + (uint32_t)((rng >> (d * 3)) % (d < 9 ? 3 : 20));
			stacktree_insert(t, path, 12, 1, at);
			n++;
		}
	t0 = now_s();
	assert_true(flamechart_layout(&fc, t, STACKTREE_ROOT, 0, 60 * SEC, 200));
	printf("# flame chart of 60 s (%llu samples, %zu nodes, 16 threads) in 200 columns: "
	       "%.2f ms\n",
	       (unsigned long long)n, stacktree_nnodes(t), (now_s() - t0) * 1e3);
	/* the samples laid out are the 8 busiest threads' */
	for (int k = 0; k < FLAMECHART_MAX_THREADS; k++) {
		int best = 0;

		for (int i = 1; i < 16; i++)
			best = per[i] > per[best] ? i : best;
		top += per[best];
		per[best] = 0;
	}
	assert_int_equal(fc.samples, top);
	assert_int_equal(fc.bands, FLAMECHART_MAX_THREADS);
	assert_int_equal(fc.threads, 16);
	flamechart_fini(&fc);
	stacktree_free(t);
}

static void
feed(struct schedmap *m, int cpu, uint64_t t, int32_t prev, int32_t next)
{
	struct sched_event e;

	memset(&e, 0, sizeof(e));
	e.type = SCHED_SWITCH;
	e.time = t;
	e.cpu = cpu;
	e.prev_pid = prev;
	e.next_pid = next;
	snprintf(e.prev_comm, sizeof(e.prev_comm), prev ? "w%d" : "swapper", (int)prev);
	snprintf(e.next_comm, sizeof(e.next_comm), next ? "w%d" : "swapper", (int)next);
	schedmap_event(m, &e);
}

static void
test_schedmap_range(void **state)
{
	struct schedmap *m = schedmap_new(2, 0, 0);
	uint64_t out[8], busy;
	uint32_t w1, w2;

	(void)state;
	/* cpu0: w1 [10, 20) ms, w2 [20, 40) ms, idle; cpu1: w1 [15, 25) ms */
	feed(m, 0, 10 * MS, 0, 1);
	feed(m, 0, 20 * MS, 1, 2);
	feed(m, 0, 40 * MS, 2, 0);
	feed(m, 1, 15 * MS, 0, 1);
	feed(m, 1, 25 * MS, 1, 0);
	schedmap_advance(m, 50 * MS);
	w1 = schedmap_find(m, 1);
	w2 = schedmap_find(m, 2);
	assert_true(schedmap_ntasks(m) <= 8);
	busy = schedmap_range_runtime(m, 15 * MS, 30 * MS, out, schedmap_ntasks(m));
	assert_int_equal(out[w1], 5 * MS + 10 * MS);
	assert_int_equal(out[w2], 10 * MS);
	assert_int_equal(busy, 25 * MS);
	busy = schedmap_range_runtime(m, 40 * MS, 50 * MS, out, schedmap_ntasks(m));
	assert_int_equal(busy, 0);
	assert_int_equal(out[w1], 0);
	assert_int_equal(schedmap_range_runtime(m, 30 * MS, 30 * MS, out, schedmap_ntasks(m)), 0);
	schedmap_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_clicks),
		cmocka_unit_test(test_range_tree_cache),
		cmocka_unit_test(test_track),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_flamechart_bands),
		cmocka_unit_test(test_flamechart_zoom),
		cmocka_unit_test(test_flamechart_cost),
		cmocka_unit_test(test_schedmap_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
