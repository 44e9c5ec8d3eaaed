// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for view/histo: nearest-rank percentiles, power-of-two buckets where the range is
 * wide (a zero bucket first when there are zeros), equal linear buckets where it is narrow, one
 * bucket for equal values, NAN skipped, and every value in exactly one bucket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>

#include "ringside/view/histo.h"

static void
test_percentiles(void **state)
{
	double s[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		s[i] = i + 1;
	assert_true(histo_percentile(s, 100, 50) == 50);
	assert_true(histo_percentile(s, 100, 95) == 95);
	assert_true(histo_percentile(s, 100, 99) == 99);
	assert_true(histo_percentile(s, 100, 100) == 100);
	assert_true(histo_percentile(s, 3, 50) == 2); /* ceil(1.5) = 2 */
	assert_true(histo_percentile(s, 3, 99) == 3); /* ceil(2.97) = 3 */
	assert_true(histo_percentile(s, 1, 50) == 1);
	assert_true(isnan(histo_percentile(s, 0, 50)));
}

static void
test_log(void **state)
{
	double v[] = { 0, 0, 3, 4, 5, 7.9, 8, 100, 1000, NAN };
	struct histo h;

	(void)state;
	histo_build(&h, v, 10);
	assert_true(h.log);
	assert_int_equal(h.n, 9);
	/* zeros, [2,4), [4,8), [8,16), ... [512,1024) */
	assert_int_equal(h.nbuckets, 1 + 9);
	assert_true(h.lo[0] == 0 && h.hi[0] == 0);
	assert_true(h.lo[1] == 2 && h.hi[1] == 4);
	assert_int_equal(h.count[0], 2);
	assert_int_equal(h.count[1], 1);
	assert_int_equal(h.count[2], 3); /* 4, 5, 7.9 */
	assert_int_equal(h.count[3], 1); /* 8 */
	assert_int_equal(h.count[6], 1); /* 100 in [64,128) */
	assert_int_equal(h.count[9], 1); /* 1000 in [512,1024) */
	assert_int_equal(h.maxcount, 3);
	assert_true(h.p50 == 5 && h.p99 == 1000 && h.max == 1000 && h.min == 0);
	assert_int_equal(histo_bucket(&h, 1024), SIZE_MAX);
	histo_fini(&h);
}

static void
test_linear(void **state)
{
	double v[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	uint64_t sum = 0;
	struct histo h;

	(void)state;
	histo_build(&h, v, 11);
	assert_false(h.log);
	assert_int_equal(h.nbuckets, HISTO_LINEAR);
	assert_true(h.lo[0] == 10 && h.hi[HISTO_LINEAR - 1] == 20);
	assert_int_equal(histo_bucket(&h, 20), HISTO_LINEAR - 1);
	assert_int_equal(histo_bucket(&h, 10), 0);
	assert_int_equal(histo_bucket(&h, 15), 8); /* (5/10)*16 */
	for (size_t i = 0; i < h.nbuckets; i++)
		sum += h.count[i];
	assert_int_equal(sum, 11);
	assert_true(h.p50 == 15 && h.p95 == 20);
	histo_fini(&h);

	double same[] = { 7, 7, 7 };
	histo_build(&h, same, 3);
	assert_int_equal(h.nbuckets, 1);
	assert_int_equal(h.count[0], 3);
	histo_fini(&h);

	double none[] = { NAN };
	histo_build(&h, none, 1);
	assert_int_equal(h.nbuckets, 0);
	assert_int_equal(h.n, 0);
	histo_fini(&h);
	histo_fini(&h);
}

/* Weighted: the same histogram and percentiles as the values repeated. */
static void
test_weighted(void **state)
{
	double v[] = { 1000, 2000, 50000, 0 };
	uint64_t w[] = { 90, 6, 4, 0 };
	double rep[100];
	struct histo a, b;

	(void)state;
	for (int i = 0; i < 100; i++)
		rep[i] = i < 90 ? 1000 : i < 96 ? 2000 : 50000;
	histo_build_weighted(&a, v, w, 4);
	histo_build(&b, rep, 100);
	assert_int_equal(a.n, 100);
	assert_true(a.log && b.log);
	assert_int_equal(a.nbuckets, b.nbuckets);
	for (size_t i = 0; i < a.nbuckets; i++)
		assert_int_equal(a.count[i], b.count[i]);
	assert_true(a.p50 == 1000 && a.p95 == 2000 && a.p99 == 50000);
	assert_true(a.p50 == b.p50 && a.p95 == b.p95 && a.p99 == b.p99 && a.max == b.max);
	assert_true(a.min == 1000); /* a value counted 0 times is not there */
	histo_fini(&a);
	histo_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_weighted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
