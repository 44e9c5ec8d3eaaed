// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Range against range (view/diff_range) on a profile built by hand: in [0, 1 s) 100 samples of
 * f_a; in [1 s, 2 s) 30 of f_a and 70 of f_b. task-clock counted 1e9 in the first second and 5e8
 * in the second. The diff of the two ranges: 100 samples each, f_b +70 points, f_a -70; each
 * side's task-clock is its second's (a range that cuts an interval counts it in proportion);
 * no per-task figures. A range against the whole recording keeps the whole side's figures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ringside/model/profile.h"
#include "ringside/model/stacktree_range.h"
#include "ringside/model/timeline.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/diff_range.h"

#define SEC 1000000000ull

/* Add weight samples of fn (under app/app) at at_ns (the tree's time index records it). */
static void
add(struct profile *p, const char *fn, uint64_t weight, uint64_t at_ns)
{
	uint32_t path[3];

	path[0] = frametab_intern(p->frames, "app", NULL, NULL, 7, FRAME_PROCESS, false);
	path[1] = frametab_intern(p->frames, "app", NULL, NULL, 7, FRAME_THREAD, false);
	path[2] = frametab_intern(p->frames, fn, "/usr/bin/app", NULL, 0, FRAME_USER, false);
	stacktree_insert(p->stacks, path, 3, weight, at_ns);
}

static struct profile *
prof(void)
{
	struct profile *p = profile_new();
	struct counter_track *t;

	profile_enable_stacks(p, 0, 0);
	stacktree_set_timeline(p->stacks, timeline_new(0, 0));
	p->sampling.event = xstrdup("cpu-clock");
	p->sampling.freq = 999;
	p->meta.duration_ns = 2 * SEC;
	for (int i = 0; i < 10; i++)
		add(p, "f_a", 10, (uint64_t)i * SEC / 10);
	for (int i = 0; i < 10; i++) {
		add(p, "f_a", 3, SEC + (uint64_t)i * SEC / 10);
		add(p, "f_b", 7, SEC + (uint64_t)i * SEC / 10);
	}
	timeline_sort(stacktree_timeline(p->stacks));
	t = profile_add_track(p);
	t->name = xstrdup("task-clock");
	t->canonical = xstrdup("task-clock");
	t->supported = true;
	counter_series_append(counter_track_series(t, -1), SEC, 1000000000ull, SEC, SEC);
	counter_series_append(counter_track_series(t, -1), 2 * SEC, 500000000ull, SEC, SEC);
	return p;
}

static const struct diff_func *
func(const struct diff *d, const char *name)
{
	for (size_t i = 0; i < d->nfuncs; i++)
		if (strcmp(frametab_str(d->frames,
					frametab_get(d->frames, d->funcs[i].frame)->name),
			   name) == 0)
			return &d->funcs[i];
	return NULL;
}

static const struct diff_counter *
counter(const struct diff *d, const char *name)
{
	for (size_t i = 0; i < d->ncounters; i++)
		if (strcmp(d->counters[i].name, name) == 0)
			return &d->counters[i];
	return NULL;
}

/* Side [from, to) of p with its own range tree in *tree (the caller frees it). */
static struct diff_range_side
side(const struct profile *p, uint64_t from, uint64_t to, struct stacktree **tree)
{
	*tree = stacktree_range_tree(p->stacks, from, to, NULL);
	return (struct diff_range_side){ p, *tree, true, from, to };
}

static void
test_range_against_range(void **state)
{
	struct profile *p = prof();
	struct stacktree *ta, *tb;
	struct diff_range_side a = side(p, 0, SEC, &ta), b = side(p, SEC, 2 * SEC, &tb);
	struct diff *d = diff_range_new(&a, &b, 0);
	const struct diff_func *fa = func(d, "f_a"), *fb = func(d, "f_b");
	const struct diff_counter *tc = counter(d, "task-clock");

	(void)state;
	assert_int_equal(d->a_samples, 100);
	assert_int_equal(d->b_samples, 100);
	assert_non_null(fa);
	assert_non_null(fb);
	assert_int_equal(fa->a_total, 100);
	assert_int_equal(fa->b_total, 30);
	assert_int_equal(fb->b_total, 70);
	assert_float_equal(fb->total_delta, 70.0, 1e-9);
	assert_float_equal(fa->total_delta, -70.0, 1e-9);
	/* The first second counted 1e9, the second 5e8: one CPU, then half. */
	assert_non_null(tc);
	assert_true(tc->have_a && tc->have_b);
	assert_float_equal(tc->a_value, 1e9, 1);
	assert_float_equal(tc->b_value, 5e8, 1);
	assert_float_equal(tc->a_rate, 1e9, 1);
	assert_float_equal(tc->b_rate, 5e8, 1);
	assert_int_equal(d->ntasks, 0);
	diff_free(d);
	stacktree_free(ta);
	stacktree_free(tb);
	profile_free(p);
}

static void
test_range_cuts_an_interval(void **state)
{
	struct profile *p = prof();
	struct stacktree *ta, *tb;
	/* [0.5 s, 1.5 s): half of each second's count; samples 50 of f_a, then 15 + 35. */
	struct diff_range_side a = side(p, SEC / 2, SEC + SEC / 2, &ta),
			       b = side(p, 0, 2 * SEC, &tb);
	struct diff *d = diff_range_new(&a, &b, DIFF_ABSOLUTE);
	const struct diff_counter *tc = counter(d, "task-clock");

	(void)state;
	assert_int_equal(d->a_samples, 100);
	assert_int_equal(func(d, "f_b")->a_total, 35);
	assert_float_equal(tc->a_value, 5e8 + 2.5e8, 1);
	assert_float_equal(tc->a_rate, 7.5e8, 1);
	assert_float_equal(tc->b_value, 1.5e9, 1);
	diff_free(d);
	stacktree_free(ta);
	stacktree_free(tb);
	profile_free(p);
}

static void
test_range_against_whole(void **state)
{
	struct profile *p = prof();
	struct stacktree *ta;
	struct diff_range_side a = side(p, 0, SEC, &ta), b = { .p = p };
	struct diff *d = diff_range_new(&a, &b, 0);
	const struct diff_counter *tc = counter(d, "task-clock");

	(void)state;
	assert_int_equal(d->a_samples, 100);
	assert_int_equal(d->b_samples, 200);
	/* f_b: 0% of A, 35% of the whole. */
	assert_float_equal(func(d, "f_b")->total_delta, 35.0, 1e-9);
	assert_float_equal(tc->b_value, 1.5e9, 1);
	assert_float_equal(tc->b_rate, 7.5e8, 1); /* over the whole run's 2 s */
	assert_float_equal(tc->a_value, 1e9, 1);
	assert_int_equal(d->ntasks, 0);
	diff_free(d);
	stacktree_free(ta);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_against_range),
		cmocka_unit_test(test_range_cuts_an_interval),
		cmocka_unit_test(test_range_against_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
