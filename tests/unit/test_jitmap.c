// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/jitmap: parsing perf map lines (names with spaces, 0x prefixes, malformed
 * lines), lookups, rereading only when the file changed, appended lines picked up, a half
 * written last line completed later, a replaced (shorter) file read from scratch, and a file
 * removed after it was read still read through the descriptor held.
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
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/sym/jitmap.h"

static char tmpdir[] = "/tmp/ringside-test-jitmap-XXXXXX";
static char mappath[300];

static int
setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(mappath, sizeof(mappath), "%s/perf-1234.map", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write (mode "w") or append (mode "a") text to the map file. */
static void
put(const char *mode, const char *text)
{
	FILE *f = fopen(mappath, mode);

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Expect addr to resolve to name (NULL: to nothing). */
static void
check(const struct jitmap *jm, uint64_t addr, const char *name)
{
	struct jitmap_sym sym;
	bool found = jitmap_find(jm, addr, &sym);

	if (!name) {
		if (found)
			print_message("# %#lx found '%s'\n", (unsigned long)addr, sym.name);
		assert_false(found);
		return;
	}
	if (!found || strcmp(sym.name, name) != 0)
		print_message("# %#lx: got '%s', want '%s'\n", (unsigned long)addr,
			      found ? sym.name : "-", name);
	assert_true(found);
	assert_string_equal(sym.name, name);
}

static void
test_parse(void **state)
{
	struct jitmap *jm;

	(void)state;
	put("w", "7f0000001000 40 py::fib:/tmp/fib.py\n"
		 "7f0000001100 20 LazyCompile:*foo /srv/app.js:12:3\n"
		 "0x7f0000001200 0x10 with_prefix\n"
		 "7f0000001300 0 zero_size\n"
		 "garbage\n"
		 "7f0000001400\n"
		 "7f0000001500 10\n"
		 "\n"
		 "7f0000001000 8 crlf_line\r\n"
		 "7f0000000f00 10 unsorted_first\n");
	jm = jitmap_new(mappath);
	assert_string_equal(jitmap_path(jm), mappath);
	assert_int_equal(jitmap_count(jm), 0);
	assert_int_equal(jitmap_generation(jm), 0);
	assert_int_equal(jitmap_refresh(jm), 1);
	assert_int_equal(jitmap_generation(jm), 1);
	assert_int_equal(jitmap_count(jm), 5);
	check(jm, 0x7f0000000eff, NULL);
	check(jm, 0x7f0000000f00, "unsorted_first");
	/* a later line at the same start wins */
	check(jm, 0x7f0000001000, "crlf_line");
	check(jm, 0x7f0000001007, "crlf_line");
	check(jm, 0x7f0000001008, NULL);
	check(jm, 0x7f0000001100, "LazyCompile:*foo /srv/app.js:12:3");
	check(jm, 0x7f000000111f, "LazyCompile:*foo /srv/app.js:12:3");
	check(jm, 0x7f0000001120, NULL);
	check(jm, 0x7f000000120f, "with_prefix");
	check(jm, 0x7f0000001300, NULL);
	assert_true(jitmap_memory(jm) > 0);
	jitmap_free(jm);
	jitmap_free(NULL);
}

static void
test_growth(void **state)
{
	struct jitmap *jm;

	(void)state;
	put("w", "1000 100 first\n");
	jm = jitmap_new(mappath);
	assert_int_equal(jitmap_refresh(jm), 1);
	check(jm, 0x1050, "first");
	check(jm, 0x2050, NULL);
	/* unchanged: nothing reread */
	assert_int_equal(jitmap_refresh(jm), 0);
	assert_int_equal(jitmap_generation(jm), 1);

	/* appended, with a half-written last line */
	put("a", "2000 100 second\n3000 100 thi");
	assert_int_equal(jitmap_refresh(jm), 1);
	assert_int_equal(jitmap_generation(jm), 2);
	check(jm, 0x1050, "first");
	check(jm, 0x2050, "second");
	check(jm, 0x3050, "thi");
	/* the line completed: the full name wins */
	put("a", "rd one\n4000 100 fourth\n");
	assert_int_equal(jitmap_refresh(jm), 1);
	check(jm, 0x3050, "third one");
	check(jm, 0x4050, "fourth");
	check(jm, 0x1050, "first");

	/* replaced by a shorter file: read from scratch, old names gone */
	unlink(mappath);
	put("w", "5000 10 new\n");
	assert_int_equal(jitmap_refresh(jm), 1);
	check(jm, 0x5000, "new");
	check(jm, 0x1050, NULL);
	assert_int_equal(jitmap_count(jm), 1);

	/* a line appended, then the file removed (a runtime exiting) before the next refresh: the
	 * descriptor held since the last read still reads it */
	put("a", "6000 10 last\n");
	unlink(mappath);
	assert_int_equal(jitmap_refresh(jm), 1);
	check(jm, 0x5000, "new");
	check(jm, 0x6000, "last");
	assert_int_equal(jitmap_refresh(jm), 0);
	jitmap_free(jm);

	/* a map never read before it was removed: an error, nothing named */
	put("w", "7000 10 gone\n");
	jm = jitmap_new(mappath);
	unlink(mappath);
	assert_int_equal(jitmap_refresh(jm), -ENOENT);
	check(jm, 0x7000, NULL);
	jitmap_free(jm);
}

static void
test_missing(void **state)
{
	char path[400];
	struct jitmap *jm;

	(void)state;
	snprintf(path, sizeof(path), "%s/perf-999999.map", tmpdir);
	jm = jitmap_new(path);
	assert_int_equal(jitmap_refresh(jm), -ENOENT);
	check(jm, 0x1000, NULL);
	assert_int_equal(jitmap_count(jm), 0);
	/* it appears later */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("1000 10 late\n", f);
	fclose(f);
	assert_int_equal(jitmap_refresh(jm), 1);
	check(jm, 0x1000, "late");
	jitmap_free(jm);
}

/* A FIFO at the map's path is not read (nor waited on): the map stays empty. */
static void
test_not_regular(void **state)
{
	char path[400];
	struct jitmap *jm;

	(void)state;
	snprintf(path, sizeof(path), "%s/perf-999998.map", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	jm = jitmap_new(path);
	assert_int_equal(jitmap_refresh(jm), -ESPIPE);
	assert_int_equal(jitmap_count(jm), 0);
	jitmap_free(jm);
	unlink(path);
	jm = jitmap_new("/dev/zero");
	assert_int_equal(jitmap_refresh(jm), -ESPIPE);
	assert_int_equal(jitmap_count(jm), 0);
	jitmap_free(jm);
}

static void
test_many(void **state)
{
	struct jitmap *jm;
	FILE *f;

	(void)state;
	f = fopen(mappath, "w");
	assert_non_null(f);
	/* written in reverse order, as a runtime reusing freed code space might */
	for (int i = 9999; i >= 0; i--)
		fprintf(f, "%x %x fn_%d\n", 0x100000 + i * 0x40, 0x40, i);
	fclose(f);
	jm = jitmap_new(mappath);
	assert_int_equal(jitmap_refresh(jm), 1);
	assert_int_equal(jitmap_count(jm), 10000);
	for (int i = 0; i < 10000; i += 997) {
		char want[32];

		snprintf(want, sizeof(want), "fn_%d", i);
		check(jm, (uint64_t)(0x100000 + i * 0x40 + 0x3f), want);
	}
	check(jm, 0x100000 + 10000 * 0x40, NULL);
	jitmap_free(jm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	cmocka_unit_test(test_growth),
		cmocka_unit_test(test_missing), cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
