// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for util/sorted: the in-place sort against qsort's order on random arrays of every
 * length up to a few hundred and of element sizes 4 to 64 bytes (many equal keys, told apart by a
 * second field as its callers do), already sorted and reversed input; and sorted_upper's bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ringside/util/sorted.h"

/* An element: a key with few values, a tie-breaker, padding up to the size tested. */
struct elem {
	uint32_t key, seq;
	unsigned char pad[56];
};

static int
elem_cmp(const void *a, const void *b, void *arg)
{
	struct elem x, y;
	size_t size = *(const size_t *)arg;

	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	memcpy(&x, a, size < sizeof(x) ? size : sizeof(x));
	memcpy(&y, b, size < sizeof(y) ? size : sizeof(y));
	if (x.key != y.key)
		return x.key < y.key ? -1 : 1;
	if (size < 8)
		return 0;
	return (x.seq > y.seq) - (x.seq < y.seq);
}

static size_t qsort_size;

static int
elem_qsort_cmp(const void *a, const void *b)
{
	return elem_cmp(a, b, &qsort_size);
}

/* Sort n elements of size bytes made by kind (0 random, 1 sorted, 2 reversed) both ways. */
static void
check(size_t n, size_t size, int kind, unsigned *rng)
{
	unsigned char *a = malloc(n * size + 1), *b = malloc(n * size + 1);

	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		struct elem e;

		memset(&e, (int)(i & 0xff), sizeof(e));
		*rng = *rng * 1103515245u + 12345u;
		e.key = kind == 0 ? (*rng >> 16) % 17 : kind == 1 ? (uint32_t)i : (uint32_t)(n - i);
		e.seq = (uint32_t)i;
		memcpy(a + i * size, &e, size);
	}
	memcpy(b, a, n * size);
	qsort_size = size;
	qsort(a, n, size, elem_qsort_cmp);
	sorted_sort(b, n, size, elem_cmp, &size);
	if (size >= 8) /* every two elements differ: one order only */
		assert_memory_equal(a, b, n * size);
	for (size_t i = 1; i < n; i++)
		assert_true(elem_cmp(b + (i - 1) * size, b + i * size, &size) <= 0);
	free(a);
	free(b);
}

static void
test_sort(void **state)
{
	static const size_t sizes[] = { 4, 8, 12, 16, 24, 32, 40, 64 };
	unsigned rng = 1;

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t n = 0; n <= 300; n += n < 20 ? 1 : 37)
			for (int kind = 0; kind < 3; kind++)
				check(n, sizes[s], kind, &rng);
	check(100000, 16, 0, &rng);
}

static void
test_upper(void **state)
{
	const uint64_t keys[] = { 10, 20, 20, 30 };

	(void)state;
	assert_int_equal(sorted_upper(keys, 4, sizeof(keys[0]), 0, 5), 0);
	assert_int_equal(sorted_upper(keys, 4, sizeof(keys[0]), 0, 10), 1);
	assert_int_equal(sorted_upper(keys, 4, sizeof(keys[0]), 0, 20), 3);
	assert_int_equal(sorted_upper(keys, 4, sizeof(keys[0]), 0, 99), 4);
	assert_int_equal(sorted_upper(keys, 0, sizeof(keys[0]), 0, 99), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_upper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
