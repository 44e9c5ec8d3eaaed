// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * app/range: the grammar of export --range (absolute, open, relative to the end, units), its
 * refusals (each one line naming the span, bad input), and a profile cut to a range: the tree
 * of the samples inside, its own time index, the counter intervals that overlap it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "ringside/app/range.h"
#include "ringside/model/counters.h"
#include "ringside/model/stacktree.h"
#include "ringside/model/timeline.h"

#define SEC 1000000000ull

static void
expect_range(const char *text, uint64_t from, uint64_t to)
{
	struct errbuf err;
	uint64_t a = 1, b = 1;

	errbuf_clear(&err);
	if (range_resolve(text, 6 * SEC, &a, &b, &err) != 0)
		fail_msg("'%s' refused: %s", text, err.msg);
	if (a != from || b != to)
		fail_msg("'%s' gave [%llu, %llu), want [%llu, %llu)", text, (unsigned long long)a,
			 (unsigned long long)b, (unsigned long long)from, (unsigned long long)to);
}

static void
expect_refused(const char *text, const char *why)
{
	struct errbuf err;
	uint64_t a = 1, b = 1;

	errbuf_clear(&err);
	assert_int_equal(range_resolve(text, 6 * SEC, &a, &b, &err), -EINVAL);
	assert_int_equal(errbuf_exit_status(&err), 2);
	assert_non_null(strstr(err.msg, "spans 0-6.000 s"));
	assert_null(strchr(err.msg, '\n'));
	if (!strstr(err.msg, why))
		fail_msg("'%s': '%s' does not say '%s'", text, err.msg, why);
	assert_int_equal(a, 1);
}

static void
test_range_grammar(void **state)
{
	(void)state;
	expect_range("2-4", 2 * SEC, 4 * SEC);
	expect_range("2s-4s", 2 * SEC, 4 * SEC);
	expect_range("1.5-", 1500000000, 6 * SEC);
	expect_range("500ms-1.25", 500000000, 1250000000);
	expect_range("-1s", 5 * SEC, 6 * SEC);
	expect_range("-10s", 0, 6 * SEC);
	expect_range("2--1", 2 * SEC, 5 * SEC);
	expect_range("0-6", 0, 6 * SEC);
	expect_range("2-10", 2 * SEC, 6 * SEC); /* an end past the recording is cut */
	expect_range(".5-1", 500000000, SEC);
}

static void
test_range_refused(void **state)
{
	(void)state;
	expect_refused("9-12", "outside the recording");
	expect_refused("6-7", "outside the recording");
	expect_refused("3-2", "reversed or empty");
	expect_refused("2-2", "reversed or empty");
	expect_refused("1--5.5", "reversed or empty");
	expect_refused("-", "cannot read");
	expect_refused("", "cannot read");
	expect_refused("abc", "cannot read");
	expect_refused("1-x", "cannot read");
	expect_refused("-1-2", "cannot read");
	expect_refused("1..2-3", "cannot read");
	expect_refused("0x1-5", "cannot read");
	expect_refused("1e0-2", "cannot read");
	expect_refused("inf-", "cannot read");
	expect_refused("2-4h", "cannot read");
	expect_refused("2", "cannot read");
}

/* A profile whose leaf A has a sample every 10 ms of [0, 3) s and B every 10 ms of [3, 6) s. */
static struct profile *
two_phases(void)
{
	struct profile *p = profile_new();
	struct counter_track *t;
	struct counter_series *s;
	uint32_t a[] = { 2, 3 }, b[] = { 2, 4 };

	p->meta.duration_ns = 6 * SEC;
	profile_enable_stacks(p, 0, 0);
	stacktree_set_timeline(p->stacks, timeline_new(0, 0));
	for (uint64_t ms = 0; ms < 6000; ms += 10)
		stacktree_insert(p->stacks, ms < 3000 ? a : b, 2, 1, ms * 1000000);
	p->sampling.samples = 600;
	t = profile_add_track(p);
	t->name = strdup("task-clock");
	s = counter_track_series(t, -1);
	for (uint64_t i = 1; i <= 6; i++)
		counter_series_append(s, i * SEC, i, SEC, SEC);
	return p;
}

static void
test_range_apply(void **state)
{
	struct profile *p = two_phases();
	const struct timeline_entry *e;
	const struct counter_series *s;
	struct errbuf err;
	size_t n;
	uint32_t a, b;

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(range_apply(p, "2.5-3.5", "x.json", &err), 0);
	/* [2.5, 3.5): 50 samples of A, 50 of B. */
	assert_int_equal(stacktree_node(p->stacks, STACKTREE_ROOT)->total, 100);
	assert_int_equal(p->sampling.samples, 100);
	a = stacktree_child(p->stacks, stacktree_child(p->stacks, STACKTREE_ROOT, 2), 3);
	b = stacktree_child(p->stacks, stacktree_child(p->stacks, STACKTREE_ROOT, 2), 4);
	assert_int_not_equal(a, STACKTREE_NONE);
	assert_int_not_equal(b, STACKTREE_NONE);
	assert_int_equal(stacktree_node(p->stacks, a)->self, 50);
	assert_int_equal(stacktree_node(p->stacks, b)->self, 50);
	/* Its own time index: the 100 entries inside, on the new tree's ids. */
	assert_non_null(stacktree_timeline(p->stacks));
	e = timeline_entries(stacktree_timeline(p->stacks), &n);
	assert_int_equal(n, 100);
	for (size_t i = 0; i < n; i++) {
		uint64_t at = (uint64_t)e[i].time * TIMELINE_QUANTUM_NS;

		assert_true(at >= 2500000000ull && at < 3500000000ull);
		assert_int_equal(e[i].leaf, at < 3 * SEC ? a : b);
	}
	/* Intervals (2, 3] and (3, 4] overlap it; the others are gone. */
	s = &p->tracks[0].series[0];
	assert_int_equal(s->n, 2);
	assert_int_equal(s->t[0], 3 * SEC);
	assert_int_equal(s->t[1], 4 * SEC);
	assert_int_equal(s->count[0], 3);
	/* Cut again: the range of the range. */
	assert_int_equal(range_apply(p, "3-", "x.json", &err), 0);
	assert_int_equal(stacktree_node(p->stacks, STACKTREE_ROOT)->total, 50);
	profile_free(p);
}

static void
test_range_no_index(void **state)
{
	struct profile *p = profile_new();
	struct errbuf err;

	(void)state;
	errbuf_clear(&err);
	p->meta.duration_ns = 6 * SEC;
	assert_int_equal(range_apply(p, "1-2", "old.json", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "old.json has no time index"));
	profile_enable_stacks(p, 0, 0);
	errbuf_clear(&err);
	assert_int_equal(range_apply(p, "1-2", "old.json", &err), -EINVAL);
	assert_int_equal(errbuf_exit_status(&err), 2);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_grammar),
		cmocka_unit_test(test_range_refused),
		cmocka_unit_test(test_range_apply),
		cmocka_unit_test(test_range_no_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
