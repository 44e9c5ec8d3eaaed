// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for app/command_log: the relay keeps a command's stdout and stderr apart in the kept
 * format (a long line in pieces, the last piece without its newline), and the reading of that
 * format: an older file without the header is all stdout, invalid UTF-8 and NUL become '?', a
 * bounded read keeps the last whole records and counts those it left out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/app/command_log.h"

/* A new empty file; its path is the caller's. */
static char *
new_file(int *fd)
{
	char *path = strdup("/tmp/ringside-test-cmdlog-XXXXXX");

	assert_non_null(path);
	*fd = mkstemp(path);
	assert_true(*fd >= 0);
	return path;
}

static void
put(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	fclose(f);
}

/* The text of stream s, rebuilt from kept-format records. */
static char *
stream_of(const char *text, char s)
{
	struct command_log_line l;
	const char *pos = text;
	char *out = calloc(1, strlen(text) + 1);
	size_t n = 0;

	while (command_log_next(&pos, &l)) {
		if (l.stream != s)
			continue;
		memcpy(out + n, l.text, l.len);
		n += l.len;
		if (l.newline)
			out[n++] = '\n';
	}
	return out;
}

static void
test_relay_keeps_streams_apart(void **state)
{
	char *path, *text, *o, *e, big[5001];
	int fd, out, err, pid;
	size_t dropped;

	(void)state;
	path = new_file(&fd);
	pid = command_log_tee_start(fd, false, &out, &err);
	assert_true(pid > 0);
	memset(big, 'x', 5000);
	big[5000] = '\0';
	assert_int_equal(write(out, "one\ntwo ", 8), 8);
	assert_int_equal(write(err, "bad\n", 4), 4);
	assert_int_equal(write(out, "halves\n", 7), 7);
	assert_int_equal(write(out, big, 5000), 5000);
	assert_int_equal(write(out, "\nlast", 5), 5);
	command_log_tee_finish(pid, out, err);
	text = command_log_load(path, COMMAND_LOG_MAX, &dropped);
	assert_non_null(text);
	assert_int_equal(dropped, 0);
	o = stream_of(text, 'o');
	e = stream_of(text, 'e');
	assert_int_equal(strncmp(o, "one\ntwo halves\n", 15), 0);
	assert_int_equal(strspn(o + 15, "x"), 5000);
	assert_string_equal(o + 15 + 5000, "\nlast");
	assert_string_equal(e, "bad\n");
	/* The long line in pieces of COMMAND_LOG_LINE_MAX, the last line without its newline. */
	assert_non_null(strstr(text, "\nO xxxx"));
	assert_non_null(strstr(text, "\nO last\n"));
	assert_non_null(strstr(text, "e bad\n"));
	free(o);
	free(e);
	free(text);
	close(fd);
	unlink(path);
	free(path);
}

static void
test_load_old_file_is_stdout(void **state)
{
	char *path, *text;
	size_t dropped;
	int fd;

	(void)state;
	path = new_file(&fd);
	put(path, "plain\nno newline", 16);
	text = command_log_load(path, COMMAND_LOG_MAX, &dropped);
	assert_string_equal(text, "o plain\nO no newline\n");
	free(text);
	close(fd);
	unlink(path);
	free(path);
}

static void
test_load_sanitizes(void **state)
{
	static const char raw[] = "# h\no caf\xc3\xa9 \xff\xc3 nul\0end\ne \xed\xa0\x80!\n";
	char *path, *text;
	size_t dropped;
	int fd;

	(void)state;
	path = new_file(&fd);
	put(path, raw, sizeof(raw) - 1);
	text = command_log_load(path, COMMAND_LOG_MAX, &dropped);
	assert_string_equal(text, "o caf\xc3\xa9 ?? nul?end\ne ???"
				  "!\n");
	free(text);
	close(fd);
	unlink(path);
	free(path);
}

static void
test_load_tail(void **state)
{
	char *path, *text;
	size_t dropped;
	int fd;

	(void)state;
	path = new_file(&fd);
	put(path, "# h\no 1\ne 2\no 3\no 4\n", 20);
	text = command_log_load(path, 8, &dropped);
	assert_string_equal(text, "o 3\no 4\n");
	assert_int_equal(dropped, 2);
	free(text);
	put(path, "# h\n", 4);
	assert_null(command_log_load(path, 8, &dropped));
	assert_null(command_log_load("/nonexistent/ringside", 8, &dropped));
	close(fd);
	unlink(path);
	free(path);
}

static void
test_next_skips_non_records(void **state)
{
	struct command_log_line l;
	const char *pos = "junk\no a\nx y\nE b";

	(void)state;
	assert_true(command_log_next(&pos, &l));
	assert_int_equal(l.stream, 'o');
	assert_true(l.newline);
	assert_int_equal(l.len, 1);
	assert_true(command_log_next(&pos, &l));
	assert_int_equal(l.stream, 'e');
	assert_false(l.newline);
	assert_memory_equal(l.text, "b", 1);
	assert_false(command_log_next(&pos, &l));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay_keeps_streams_apart),
		cmocka_unit_test(test_load_old_file_is_stdout),
		cmocka_unit_test(test_load_sanitizes),
		cmocka_unit_test(test_load_tail),
		cmocka_unit_test(test_next_skips_non_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
