// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for export/stream_live, the reader behind `view -`: a real journal (tests/data/fuzz/
 * stream/calltree.journal, 11 intervals) written into a pipe 7 bytes at a time is rebuilt, while
 * it arrives, into the intervals committed so far (a rebuild is due once a commit line is whole),
 * and at its end into what stream_read makes of the whole file; a line longer than the
 * stream's limit is refused with its number. The same journal gzip-compressed with a sync flush
 * after each commit line (the compressed form) is rebuilt, 7 bytes at a time, into every interval
 * whose flush has arrived; damaged compressed data is refused with the line of the text it cut.
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
#include <zlib.h>

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

/* buf gzip-compressed with a sync flush after the header and each commit line; *at the offset of
 * each flush's end (at[0] the header's, at[k] interval k's). */
static unsigned char *
gzip_flushed(const char *buf, size_t len, size_t *out_len, size_t *at, size_t nat)
{
	unsigned char *out = xmalloc(len + 65536);
	z_stream z = { 0 };
	size_t k = 0, start = 0;

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)(len + 65536);
	for (size_t i = 0; i < len; i++) {
		bool flush;

		if (buf[i] != '\n')
			continue;
		flush = start == 0 || strncmp(buf + start, "i ", 2) == 0;
		z.next_in = (Bytef *)(uintptr_t)(buf + start);
		z.avail_in = (uInt)(i + 1 - start);
		assert_int_equal(deflate(&z, flush ? Z_SYNC_FLUSH : Z_NO_FLUSH), Z_OK);
		if (flush && k < nat)
			at[k++] = z.total_out;
		start = i + 1;
	}
	z.avail_in = 0;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static void
test_compressed(void **state)
{
	struct stream_live *l = stream_live_new("-");
	struct stream_stats st;
	struct errbuf err = { 0 };
	size_t len = 0, zlen = 0, at[12] = { 0 }, off = 0, k = 0;
	char *buf = load_journal(&len), *want;
	unsigned char *z;
	int fds[2];

	(void)state;
	if (!buf)
		unit_skip("tests/data/fuzz/stream/calltree.journal not found (TESTDATA)");
	z = gzip_flushed(buf, len, &zlen, at, 12);
	assert_true(at[11] > 0);
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	while (off < zlen) {
		size_t n = zlen - off < 7 ? zlen - off : 7;

		assert_int_equal(write(fds[1], z + off, n), (ssize_t)n);
		off += n;
		assert_int_equal(stream_live_read(l, fds[0], &err), 0);
		/* Interval k's flush has arrived: a rebuild holds it. */
		for (; k < 12 && off >= at[k]; k++)
			if (off < at[k] + 7 && (k == 11 || off < at[k + 1]))
				assert_int_equal(build_intervals(l, &st), k);
	}
	close(fds[1]);
	assert_int_equal(stream_live_read(l, fds[0], &err), 0);
	assert_true(stream_live_eof(l));
	assert_int_equal(build_intervals(l, &st), 11);
	stream_live_free(l);
	close(fds[0]);
	/* Damaged after interval 3's flush (a block of the reserved type): named by its line. */
	l = stream_live_new("-");
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	z[at[3]] = 0x06;
	assert_int_equal(write(fds[1], z, at[3] + 1), (ssize_t)(at[3] + 1));
	assert_int_equal(stream_live_read(l, fds[0], &err), -EINVAL);
	/* The lines through interval 3's commit, and the next one named. */
	off = 0;
	for (size_t i = 0, start = 0, commits = 0; i < len && commits < 3; i++) {
		if (buf[i] != '\n')
			continue;
		off++;
		commits += strncmp(buf + start, "i ", 2) == 0;
		start = i + 1;
	}
	want = xasprintf("'-' line %zu is corrupt: the compressed stream is damaged", off + 1);
	if (!strstr(err.msg, want))
		fail_msg("%s: not \"%s\"", err.msg, want);
	free(want);
	stream_live_free(l);
	close(fds[0]);
	close(fds[1]);
	free(z);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_while_arriving),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_compressed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
