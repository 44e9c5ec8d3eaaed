// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for util/byterd: LEB128 numbers as the DWARF standard's tables of examples give them
 * (unsigned and signed, one to three bytes, and a ten-byte 64-bit one), little-endian numbers of
 * each width, and reads off the end: 0 or what was read, the cursor at the end, the reader bad.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ringside/util/byterd.h"

struct leb_case {
	uint8_t bytes[10];
	size_t n;
	int64_t value;
};

static void
test_uleb(void **state)
{
	static const struct leb_case cases[] = {
		{ { 0x02 }, 1, 2 },
		{ { 0x7f }, 1, 127 },
		{ { 0x80, 0x01 }, 2, 128 },
		{ { 0x81, 0x01 }, 2, 129 },
		{ { 0x82, 0x01 }, 2, 130 },
		{ { 0xb9, 0x64 }, 2, 12857 },
		{ { 0xe5, 0x8e, 0x26 }, 3, 624485 },
	};
	static const uint8_t max[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	struct byterd r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* a byte after it, which must be left unread */
		uint8_t buf[11] = { 0 };

		memcpy(buf, cases[i].bytes, cases[i].n);
		buf[cases[i].n] = 0x55;
		r = byterd_at(buf, cases[i].n + 1);
		assert_int_equal(byterd_uleb(&r), (uint64_t)cases[i].value);
		assert_false(r.bad);
		assert_int_equal(byterd_left(&r), 1);
	}
	r = byterd_at(max, sizeof(max));
	assert_true(byterd_uleb(&r) == UINT64_MAX);
	assert_false(r.bad);
	assert_int_equal(byterd_left(&r), 0);
}

static void
test_sleb(void **state)
{
	static const struct leb_case cases[] = {
		{ { 0x02 }, 1, 2 },
		{ { 0x7e }, 1, -2 },
		{ { 0xff, 0x00 }, 2, 127 },
		{ { 0x81, 0x7f }, 2, -127 },
		{ { 0x80, 0x01 }, 2, 128 },
		{ { 0x80, 0x7f }, 2, -128 },
		{ { 0x81, 0x01 }, 2, 129 },
		{ { 0xff, 0x7e }, 2, -129 },
		{ { 0xc0, 0xbb, 0x78 }, 3, -123456 },
	};
	static const uint8_t min[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f };
	struct byterd r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = byterd_at(cases[i].bytes, cases[i].n);
		assert_true(byterd_sleb(&r) == cases[i].value);
		assert_false(r.bad);
		assert_int_equal(byterd_left(&r), 0);
	}
	r = byterd_at(min, sizeof(min));
	assert_true(byterd_sleb(&r) == INT64_MIN);
	assert_false(r.bad);
}

static void
test_little_endian(void **state)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xff };
	struct byterd r = byterd_at(b, sizeof(b));

	(void)state;
	assert_int_equal(byterd_un(&r, 1), 0x01);
	assert_int_equal(byterd_un(&r, 2), 0x0302);
	assert_int_equal(byterd_un(&r, 4), 0x07060504);
	assert_false(r.bad);
	r = byterd_at(b, sizeof(b));
	assert_true(byterd_un(&r, 8) == 0x0807060504030201ull);
	assert_int_equal(byterd_un(&r, 1), 0xff);
	assert_false(r.bad);
	assert_int_equal(byterd_left(&r), 0);
}

/* A read past the end: 0 (un) or the bits read (LEB), the cursor at the end, bad from then on. */
static void
test_past_the_end(void **state)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03 };
	static const uint8_t open_leb[] = { 0x81, 0x82 };
	struct byterd r = byterd_at(b, sizeof(b));

	(void)state;
	assert_int_equal(byterd_un(&r, 4), 0);
	assert_true(r.bad);
	assert_int_equal(byterd_left(&r), 0);
	assert_int_equal(byterd_un(&r, 1), 0);
	assert_true(r.bad);

	r = byterd_at(open_leb, sizeof(open_leb));
	assert_int_equal(byterd_uleb(&r), 0x01 | 0x02 << 7);
	assert_true(r.bad);
	r = byterd_at(open_leb, sizeof(open_leb));
	/* no sign taken from a byte that said more was to come */
	assert_true(byterd_sleb(&r) == (0x01 | 0x02 << 7));
	assert_true(r.bad);
	r = byterd_at(b, 0);
	assert_int_equal(byterd_uleb(&r), 0);
	assert_true(r.bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uleb),
		cmocka_unit_test(test_sleb),
		cmocka_unit_test(test_little_endian),
		cmocka_unit_test(test_past_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
