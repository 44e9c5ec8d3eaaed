// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for export/stream_live, the reader behind `view -`: a real journal (tests/data/fuzz/
 * stream/calltree.journal, 11 intervals) written into a pipe 7 bytes at a time is rebuilt, while
 * it arrives, into the intervals committed so far (a rebuild is due once a commit line is whole),
 * and at its end into what stream_read makes of the whole file; a line longer than the
 * stream's limit is refused with its number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/export/stream.h"
#include "ringside/export/stream_live.h"
#include "ringside/model/profile.h"
#include "ringside/util/xalloc.h"
#include "unit.h"

/* The fixture's bytes (the caller frees them). */
static char *
load_journal(size_t *len)
{
	const char *d = getenv("TESTDATA");
	char *path = xasprintf("%s/fuzz/stream/calltree.journal", d ? d : "tests/data");
	FILE *fp = fopen(path, "r");
	char *buf;

	free(path);
	if (!fp)
		return NULL;
	buf = xmalloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	return buf;
}

/* Rebuild l (a rebuild must be due) and return its intervals. */
static size_t
build_intervals(struct stream_live *l, struct stream_stats *st)
{
	struct profile *p = NULL;
	struct errbuf err = { 0 };

	assert_int_not_equal(stream_live_due(l), UINT64_MAX);
	assert_int_equal(stream_live_build(l, &p, st, &err), 0);
	profile_free(p);
	return st->intervals;
}

static void
test_chunks_while_arriving(void **state)
{
	struct stream_live *l = stream_live_new("-");
	struct stream_stats st, whole;
	struct profile *p = NULL;
	struct errbuf err = { 0 };
	size_t len = 0, off = 0, commits = 0, lines = 0;
	char *buf = load_journal(&len);
	int fds[2];
	FILE *fp;

	(void)state;
	if (!buf)
		unit_skip("tests/data/fuzz/stream/calltree.journal not found (TESTDATA)");
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	while (off < len) {
		size_t n = len - off < 7 ? len - off : 7;
		size_t before = commits, lines_before = lines;

		assert_int_equal(write(fds[1], buf + off, n), (ssize_t)n);
		for (size_t k = off; k < off + n; k++)
			if (buf[k] == '\n') {
				lines++;
				/* the line that just ended: a commit line? */
				size_t s = k;
				while (s > 0 && buf[s - 1] != '\n')
					s--;
				commits += strncmp(buf + s, "i ", 2) == 0;
			}
		off += n;
		assert_int_equal(stream_live_read(l, fds[0], &err), 0);
		assert_true(stream_live_started(l) == (lines > 0));
		/* A rebuild is due once a new commit line (or the header) is whole: it holds
		 * every interval committed so far. */
		if (commits != before || (lines_before == 0 && lines > 0))
			assert_int_equal(build_intervals(l, &st), commits);
	}
	assert_int_equal(commits, 11);
	assert_false(stream_live_eof(l));
	close(fds[1]);
	assert_int_equal(stream_live_read(l, fds[0], &err), 0);
	assert_true(stream_live_eof(l));
	assert_int_equal(build_intervals(l, &st), 11);
	assert_int_equal(stream_live_due(l), UINT64_MAX);
	fp = fmemopen(buf, len, "r");
	assert_int_equal(stream_read(fp, "-", &p, &whole, &err), 0);
	fclose(fp);
	assert_int_equal(st.intervals, whole.intervals);
	assert_int_equal(st.samples, whole.samples);
	assert_int_equal(st.lines, whole.lines);
	profile_free(p);
	close(fds[0]);
	stream_live_free(l);
	free(buf);
}

static void
test_line_too_long(void **state)
{
	struct stream_live *l = stream_live_new("-");
	struct errbuf err = { 0 };
	char *junk = xmalloc(65536);
	int fds[2], rc = 0;
	size_t sent = 0;

	(void)state;
	memset(junk, 'x', 65536);
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	assert_int_equal(write(fds[1], "ringside-stream 2 {}\n", 21), 21);
	while (rc == 0 && sent <= STREAM_MAX_LINE + 65536) {
		ssize_t w = write(fds[1], junk, 65536);

		sent += w > 0 ? (size_t)w : 0;
		rc = stream_live_read(l, fds[0], &err);
	}
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err.msg, "'-' line 2 is longer than"));
	close(fds[0]);
	close(fds[1]);
	stream_live_free(l);
	free(junk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_while_arriving),
		cmocka_unit_test(test_line_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
