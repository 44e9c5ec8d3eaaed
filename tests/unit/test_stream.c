// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream format (export/stream): a profile written interval by interval reads back with the
 * same counters and the same stack tree (folded output compared), names with spaces, '%' and
 * "-" included; a tree relabelled between intervals (negative changes) still adds up; a stream
 * cut at every byte recovers whole intervals only, never fewer as the cut moves on; corrupt lines
 * are refused with their number; other versions and non-streams are refused.
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

#include "ringside/export/folded.h"
#include "ringside/export/stream.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

static struct profile *
make_profile(void)
{
	struct profile *p = profile_new();
	struct counter_track *t;

	p->meta.ringside_version = xstrdup("0.1.0");
	p->meta.host = xstrdup("test-host");
	p->meta.kernel = xstrdup("6.1.0");
	p->meta.arch = xstrdup("x86_64");
	p->meta.ncpus = 2;
	p->meta.cmdline = xcalloc(1, sizeof(char *));
	p->meta.cmdline[0] = xstrdup("ringside");
	p->meta.ncmdline = 1;
	p->meta.target_kind = xstrdup("system");
	p->meta.target_desc = xstrdup("system-wide");
	p->meta.interval_ns = 250000000;
	t = profile_add_track(p);
	t->name = xstrdup("page-faults");
	t->canonical = xstrdup("page-faults");
	t->pmu = xstrdup("software");
	t->kind = xstrdup("software");
	t->supported = true;
	profile_enable_stacks(p, 0, 0);
	p->sampling.event = xstrdup("cpu-clock");
	p->sampling.callgraph = xstrdup("fp");
	p->sampling.freq = 999;
	return p;
}

static void
add(struct profile *p, const char *comm, int pid, const char *const *frames, uint64_t weight)
{
	uint32_t path[16];
	size_t n = 0;

	path[n++] =
		frametab_intern(p->frames, comm, NULL, NULL, (uint32_t)pid, FRAME_PROCESS, false);
	path[n++] =
		frametab_intern(p->frames, comm, NULL, NULL, (uint32_t)pid, FRAME_THREAD, false);
	for (; *frames; frames++)
		path[n++] = frametab_intern(p->frames, *frames, "/bin/x y", "a.c", 7, FRAME_USER,
					    false);
	stacktree_insert(p->stacks, path, n, weight, 0);
	p->sampling.samples += weight;
}

static void
tick(struct profile *p, struct stream_writer *w, uint64_t t, uint64_t count)
{
	struct errbuf err = { 0 };

	counter_series_append(counter_track_series(&p->tracks[0], 0), t, count, t, t);
	counter_series_append(counter_track_series(&p->tracks[0], 1), t, count + 1, t, t);
	assert_int_equal(stream_write_interval(w, p, t, &err), 0);
}

static char *
folded_of(const struct profile *p)
{
	struct errbuf err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_int_equal(folded_write(p, fp, &err), 0);
	fclose(fp);
	return buf;
}

/* Three intervals of a small profile, written; the original kept in *orig. */
static char *write_stream(size_t *len, struct profile **orig, bool relabel);

static uint32_t
fold_pids(void *ctx, const struct stacktree_node *node, uint32_t parent_frame)
{
	struct profile *p = ctx;
	const struct frame *f = frametab_get(p->frames, node->frame);

	(void)parent_frame;
	if (f->kind == FRAME_PROCESS || f->kind == FRAME_THREAD)
		return frametab_intern(p->frames, frametab_str(p->frames, f->name), NULL, NULL, 0,
				       (enum frame_kind)f->kind, false);
	return node->frame;
}

/* Three intervals of a small profile, written; the original kept in *orig. */
static char *
write_stream(size_t *len, struct profile **orig, bool relabel)
{
	static const char *const a[] = { "main", "work", NULL };
	static const char *const b[] = { "main", "odd name %1 -", NULL };
	static const char *const c[] = { "main", "-", NULL };
	struct profile *p = make_profile();
	struct errbuf err = { 0 };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct stream_writer *w = stream_writer_new(fp);

	assert_int_equal(stream_write_header(w, p, &err), 0);
	add(p, "app", 10, a, 5);
	tick(p, w, 250, 100);
	add(p, "app", 10, b, 2);
	add(p, "app", 11, a, 4);
	tick(p, w, 500, 200);
	if (relabel) {
		/* An interval that gives up the relabelled nodes' ids, one that takes them again.
		 */
		stacktree_relabel(p->stacks, fold_pids, p);
		tick(p, w, 600, 300);
	}
	add(p, "app", 12, c, 1);
	tick(p, w, 750, 300);
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	*orig = p;
	return buf;
}

static int
read_mem(const char *buf, size_t len, struct profile **out, struct stream_stats *st,
	 struct errbuf *err)
{
	FILE *fp = fmemopen((void *)buf, len ? len : 1, "r");
	int r;

	if (!len) {
		fclose(fp);
		fp = fopen("/dev/null", "r");
	}
	r = stream_read(fp, "mem", out, st, err);
	fclose(fp);
	return r;
}

static void
check_round_trip(bool relabel)
{
	struct profile *orig, *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	size_t len;
	char *buf = write_stream(&len, &orig, relabel), *f1, *f2;
	uint64_t c = 0;

	/* Relabelling leaves nodes behind: their ids are given up (x) and taken again (n). */
	if (relabel) {
		assert_non_null(strstr(buf, "\nx "));
		assert_non_null(strstr(strstr(buf, "\nx "), "\nn "));
	} else {
		assert_null(strstr(buf, "\nx "));
	}
	assert_int_equal(read_mem(buf, len, &back, &st, &err), 0);
	assert_int_equal(st.intervals, relabel ? 4 : 3);
	assert_true(st.ended);
	assert_int_equal(st.lost_bytes, 0);
	assert_int_equal(st.duration_ns, 750);
	assert_string_equal(back->meta.end_reason, "duration");
	assert_int_equal(back->sampling.samples, 12);
	assert_int_equal(back->tracks[0].nseries, 2);
	counter_series_totals(&back->tracks[0].series[1], &c, NULL, NULL);
	assert_int_equal(c, relabel ? 904 : 603);
	f1 = folded_of(orig);
	f2 = folded_of(back);
	assert_string_equal(f1, f2);
	assert_non_null(strstr(f2, "odd name %1 -"));
	free(f1);
	free(f2);
	free(buf);
	profile_free(orig);
	profile_free(back);
}

static void
test_round_trip(void **state)
{
	(void)state;
	check_round_trip(false);
}

static void
test_relabelled(void **state)
{
	(void)state;
	check_round_trip(true);
}

static void
test_every_cut(void **state)
{
	struct profile *orig;
	size_t len, last = 0, header = 0;
	char *buf = write_stream(&len, &orig, false);

	(void)state;
	header = (size_t)(strchr(buf, '\n') - buf) + 1;
	for (size_t cut = 0; cut <= len; cut++) {
		struct profile *back = NULL;
		struct stream_stats st;
		struct errbuf err = { 0 };
		int r = read_mem(buf, cut, &back, &st, &err);

		if (cut < header) {
			assert_int_equal(r, -EINVAL);
			continue;
		}
		assert_int_equal(r, 0);
		assert_true(st.intervals >= last);
		assert_true(st.lost_bytes <= cut);
		last = st.intervals;
		if (st.intervals == 3)
			assert_int_equal(back->sampling.samples, 12);
		profile_free(back);
	}
	assert_int_equal(last, 3);
	free(buf);
	profile_free(orig);
}

/* Replace line no (1-based) of buf with text; returns a new buffer. */
static char *
with_line(const char *buf, size_t no, const char *text)
{
	const char *s = buf;
	char *out;

	for (size_t i = 1; i < no; i++)
		s = strchr(s, '\n') + 1;
	out = xasprintf("%.*s%s%s", (int)(s - buf), buf, text, strchr(s, '\n'));
	return out;
}

static void
test_corrupt(void **state)
{
	static const char *const bad[] = {
		"x 1 2",
		"c 9 -1 1 1 1 1",
		"c 0 -1 1 1 1",
		"n 99 0 1",
		"s 999 1",
		"i 7 1 1 1 1 1",
		"f 1 nokind 0 0 a b c",
		"c 0 -1 1 1 1 x",
		"s 1 --3",
		"",
		"x 0",
		"x 999",
		"n 1 0 1",
	};
	struct profile *orig;
	size_t len;
	char *buf = write_stream(&len, &orig, false);

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *b = with_line(buf, 3, bad[i]);
		struct profile *back = NULL;
		struct stream_stats st;
		struct errbuf err = { 0 };

		assert_int_equal(read_mem(b, strlen(b), &back, &st, &err), -EINVAL);
		assert_null(back);
		assert_non_null(strstr(err.msg, "line 3"));
		assert_int_equal(err.class, ERRBUF_INPUT);
		free(b);
	}
	free(buf);
	profile_free(orig);
}

static void
test_not_a_stream(void **state)
{
	static const char *const bad[] = {
		"",
		"hello\n",
		"ringside-stream 2 {}\n",
		"ringside-stream 1 {\"format\":1}\n",
		"ringside-stream 1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct profile *back = NULL;
		struct stream_stats st;
		struct errbuf err = { 0 };

		assert_int_equal(read_mem(bad[i], strlen(bad[i]), &back, &st, &err), -EINVAL);
		assert_null(back);
		assert_true(err.msg[0] != '\0');
	}
	assert_true(stream_sniff("ringside-stream 1 {}", 20));
	assert_false(stream_sniff("{\"format\"", 9));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_relabelled),
		cmocka_unit_test(test_every_cut),    cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_not_a_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
