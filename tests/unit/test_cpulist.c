// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for util/cpulist: parsing the kernel's CPU list notation (sorted, deduplicated,
 * strict about malformed input), formatting it back, and reading the sysfs files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/util/cpulist.h"
#include "ringside/util/errbuf.h"

/* Parse text and check the result is exactly the n CPUs in want. */
static void
check_parse(const char *text, const int *want, size_t n)
{
	struct cpulist l = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	int rc = cpulist_parse(&l, text, &err);
	if (rc != 0)
		print_message("# cpulist_parse(\"%s\") failed: %s\n", text, err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(l.n, n);
	assert_non_null(l.cpus);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(l.cpus[i], want[i]);
	cpulist_fini(&l);
}

/* Parse text and expect -EINVAL with a message. */
static void
check_parse_fails(const char *text)
{
	struct cpulist l = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	int rc = cpulist_parse(&l, text, &err);
	if (rc != -EINVAL)
		print_message("# cpulist_parse(\"%s\") returned %d, expected -EINVAL\n", text, rc);
	assert_int_equal(rc, -EINVAL);
	assert_true(errbuf_isset(&err));
	assert_true(strlen(err.msg) > 0);
	cpulist_fini(&l);
}

static void
test_parse_single(void **state)
{
	(void)state;
	static const int want[] = { 0 };
	check_parse("0", want, 1);
	static const int want7[] = { 7 };
	check_parse("7", want7, 1);
}

static void
test_parse_ranges(void **state)
{
	(void)state;
	static const int want[] = { 0, 1, 2, 3, 8 };
	check_parse("0-3,8", want, 5);
	static const int want2[] = { 0, 1, 4, 5, 6, 10 };
	check_parse("0-1,4-6,10", want2, 6);
	static const int want3[] = { 2 };
	check_parse("2-2", want3, 1);
}

static void
test_parse_sorts_and_dedups(void **state)
{
	(void)state;
	static const int want[] = { 1, 2, 3 };
	check_parse("3,1,1-2", want, 3);
	static const int want2[] = { 0, 1, 2, 5, 9 };
	check_parse("9,5,0-2,1,2,9", want2, 5);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	check_parse_fails("");
	check_parse_fails("a");
	check_parse_fails("3-1");
	check_parse_fails("1,,2");
	check_parse_fails("-1");
	check_parse_fails("1-");
	check_parse_fails("0-3x");
	check_parse_fails("99999999999999999999");
	check_parse_fails("0-99999999999999999999");
	check_parse_fails("4294967296");
	check_parse_fails("2147483648");
}

static void
test_parse_reuse_after_fini(void **state)
{
	(void)state;
	struct cpulist l = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_equal(cpulist_parse(&l, "0-63", &err), 0);
	assert_int_equal(l.n, 64);
	cpulist_fini(&l);
	assert_int_equal(cpulist_parse(&l, "5", &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.cpus[0], 5);
	cpulist_fini(&l);
}

static void
test_contains(void **state)
{
	(void)state;
	struct cpulist l = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_equal(cpulist_parse(&l, "0-3,8", &err), 0);
	assert_true(cpulist_contains(&l, 0));
	assert_true(cpulist_contains(&l, 3));
	assert_true(cpulist_contains(&l, 8));
	assert_false(cpulist_contains(&l, 4));
	assert_false(cpulist_contains(&l, 9));
	assert_false(cpulist_contains(&l, -1));
	cpulist_fini(&l);
	/* An empty list, with no array at all: no CPU (and no null pointer to bsearch for UBSan). */
	assert_null(l.cpus);
	assert_false(cpulist_contains(&l, 0));
}

static void
test_add(void **state)
{
	(void)state;
	static const int adds[] = { 3, 1, 7, 1, 0, 3, 5 }, want[] = { 0, 1, 3, 5, 7 };
	struct cpulist l = { 0 };

	for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++)
		cpulist_add(&l, adds[i]);
	/* In order and once each, so contains (a binary search) finds every one. */
	assert_int_equal(l.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.cpus[i], want[i]);
		assert_true(cpulist_contains(&l, want[i]));
	}
	assert_false(cpulist_contains(&l, 2));
	cpulist_fini(&l);
}

/* Parse text, format it, compare with want, and parse the formatted text again. */
static void
check_format(const char *text, const char *want)
{
	struct cpulist l = { 0 }, again = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_equal(cpulist_parse(&l, text, &err), 0);
	char *s = cpulist_format(&l);
	assert_non_null(s);
	assert_string_equal(s, want);
	assert_int_equal(cpulist_parse(&again, s, &err), 0);
	assert_int_equal(again.n, l.n);
	assert_memory_equal(again.cpus, l.cpus, l.n * sizeof(*l.cpus));
	free(s);
	cpulist_fini(&again);
	cpulist_fini(&l);
}

static void
test_format_round_trip(void **state)
{
	(void)state;
	check_format("0", "0");
	check_format("0-3,8", "0-3,8");
	check_format("3,1,1-2", "1-3");
	check_format("0,2,4", "0,2,4");
	check_format("0,1", "0-1");
	check_format("10-11,0-1,5", "0-1,5,10-11");
}

/* Write content into a fresh temporary file; returns its path (the caller's). */
static char *
write_temp(const char *content)
{
	char *path = strdup("/tmp/ringside-test-cpulist-XXXXXX");
	assert_non_null(path);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

static void
test_read_file(void **state)
{
	(void)state;
	char *path = write_temp("0-3,8\n");
	struct cpulist l = { 0 };

	assert_int_equal(cpulist_read_file(&l, path), 0);
	static const int want[] = { 0, 1, 2, 3, 8 };
	assert_int_equal(l.n, 5);
	assert_memory_equal(l.cpus, want, sizeof(want));
	cpulist_fini(&l);
	unlink(path);
	free(path);

	/* a file that does not exist is -ENOENT */
	assert_int_equal(cpulist_read_file(&l, "/nonexistent/ringside/online"), -ENOENT);
	cpulist_fini(&l);

	/* garbage in the file is an error, not a partial list */
	path = write_temp("zero\n");
	assert_true(cpulist_read_file(&l, path) < 0);
	cpulist_fini(&l);
	unlink(path);
	free(path);
}

static void
test_online(void **state)
{
	(void)state;
	struct cpulist l = { 0 };

	assert_int_equal(cpulist_online(&l), 0);
	assert_true(l.n > 0);
	assert_true(cpulist_contains(&l, 0));
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n > 0)
		assert_int_equal(l.n, (size_t)n);
	for (size_t i = 1; i < l.n; i++)
		assert_true(l.cpus[i - 1] < l.cpus[i]);

	/* the same as the kernel's own file */
	struct cpulist sys = { 0 };
	if (cpulist_read_file(&sys, "/sys/devices/system/cpu/online") == 0) {
		assert_int_equal(sys.n, l.n);
		assert_memory_equal(sys.cpus, l.cpus, l.n * sizeof(*l.cpus));
	}
	cpulist_fini(&sys);
	cpulist_fini(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_single),
		cmocka_unit_test(test_parse_ranges),
		cmocka_unit_test(test_parse_sorts_and_dedups),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_reuse_after_fini),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_online),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
