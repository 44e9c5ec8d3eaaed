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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
