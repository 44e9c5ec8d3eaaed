// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for util/idmap, the one PID/TID map: puts, replacements, deletions inside probe runs
 * (keys that share a home slot), growth, a walk, and a long random sequence checked against a
 * plain array after every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ringside/util/idmap.h"

static void
test_empty(void **state)
{
	struct idmap m;

	(void)state;
	idmap_init(&m);
	assert_int_equal(idmap_get(&m, 1), IDMAP_NONE);
	assert_int_equal(idmap_del(&m, 1), IDMAP_NONE);
	assert_int_equal(idmap_count(&m), 0);
	idmap_clear(&m);
	idmap_fini(&m);
}

static void
test_put_get_replace(void **state)
{
	struct idmap m;

	(void)state;
	idmap_init(&m);
	idmap_put(&m, 0, 10);
	idmap_put(&m, -1, 11);
	idmap_put(&m, 1234, 12);
	idmap_put(&m, INT32_MAX, 13);
	assert_int_equal(idmap_count(&m), 4);
	assert_int_equal(idmap_get(&m, 0), 10);
	assert_int_equal(idmap_get(&m, -1), 11);
	assert_int_equal(idmap_get(&m, 1234), 12);
	assert_int_equal(idmap_get(&m, INT32_MAX), 13);
	assert_int_equal(idmap_get(&m, 5), IDMAP_NONE);
	idmap_put(&m, 1234, 99);
	assert_int_equal(idmap_count(&m), 4);
	assert_int_equal(idmap_get(&m, 1234), 99);
	assert_int_equal(idmap_del(&m, 1234), 99);
	assert_int_equal(idmap_get(&m, 1234), IDMAP_NONE);
	assert_int_equal(idmap_count(&m), 3);
	idmap_clear(&m);
	assert_int_equal(idmap_count(&m), 0);
	assert_int_equal(idmap_get(&m, 0), IDMAP_NONE);
	idmap_fini(&m);
}

/* Keys that collide in a small table: deleting from the middle of a run keeps the rest found. */
static void
test_delete_in_runs(void **state)
{
	struct idmap m;
	int32_t keys[24];

	(void)state;
	idmap_init(&m);
	/* Multiples of 64 share few home slots in a 64-slot table once hashed; many probe. */
	for (int i = 0; i < 24; i++) {
		keys[i] = i * 64;
		idmap_put(&m, keys[i], (uint32_t)i);
	}
	for (int i = 0; i < 24; i += 3)
		assert_int_equal(idmap_del(&m, keys[i]), (uint32_t)i);
	for (int i = 0; i < 24; i++)
		assert_int_equal(idmap_get(&m, keys[i]), i % 3 == 0 ? IDMAP_NONE : (uint32_t)i);
	assert_int_equal(idmap_count(&m), 16);
	idmap_fini(&m);
}

static void
test_walk(void **state)
{
	struct idmap m;
	unsigned seen = 0;
	size_t pos = 0;
	int32_t k;
	uint32_t v;

	(void)state;
	idmap_init(&m);
	for (int i = 0; i < 10; i++)
		idmap_put(&m, 100 + i, (uint32_t)i);
	while (idmap_next(&m, &pos, &k, &v)) {
		assert_int_equal(k, 100 + (int32_t)v);
		assert_false(seen & (1u << v));
		seen |= 1u << v;
	}
	assert_int_equal(seen, 0x3ff);
	idmap_fini(&m);
}

/* A long random mix of puts and deletes over a small key range, against a plain array. */
static void
test_random_against_array(void **state)
{
	enum { KEYS = 3000, STEPS = 200000 };
	uint32_t *ref = malloc(KEYS * sizeof(*ref));
	struct idmap m;
	size_t n = 0;
	unsigned seed = 12345;

	(void)state;
	assert_non_null(ref);
	memset(ref, 0xff, KEYS * sizeof(*ref));
	idmap_init(&m);
	for (int step = 0; step < STEPS; step++) {
		int32_t key;
		uint32_t r;

		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		key = (int32_t)(r % KEYS) - 10; /* a few negative keys too */
		if ((r >> 20) % 3) {
			if (ref[key + 10] == IDMAP_NONE)
				n++;
			ref[key + 10] = (uint32_t)step;
			idmap_put(&m, key, (uint32_t)step);
		} else {
			assert_int_equal(idmap_del(&m, key), ref[key + 10]);
			if (ref[key + 10] != IDMAP_NONE)
				n--;
			ref[key + 10] = IDMAP_NONE;
		}
		assert_int_equal(idmap_count(&m), n);
		if (step % 997 == 0)
			for (int k = 0; k < KEYS; k++)
				assert_int_equal(idmap_get(&m, k - 10), ref[k]);
	}
	for (int k = 0; k < KEYS; k++)
		assert_int_equal(idmap_get(&m, k - 10), ref[k]);
	idmap_fini(&m);
	free(ref);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_put_get_replace),
		cmocka_unit_test(test_delete_in_runs),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_random_against_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
