// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the stream writer's hold (stream_writer_hold, what record --stream does unless
 * --stream-detail): a stack path under the share is not written (no frame, no node) but counted in
 * an "[other]" node under its parent, so the reader's totals are the sender's at every interval; a
 * path that grows past the share is written then, [other] giving its samples back; new samples of
 * a node written, fewer than the share, wait; a last interval
 * written without the hold makes the reader's tree the sender's exactly (folded output equal).
 * Version 4's compact node lines (implicit ids, "." for the previous node, ids of s and x lines as
 * gaps) read back into the sender's tree through relabelling (ids given up and taken again), and
 * a stream of explicit ids under a version 3 header still reads as before. A task of the timeline
 * that ran little and tops no summary bucket waits for the last interval, which sends it.
 * A last interval written with stream_writer_final (what record --stream does) keeps the hold for
 * what was never sent ([other], tasks unsent) but gives what was sent its exact counts, and
 * stream_writer_bucket widens the summary buckets without changing any CPU's busy or known time.
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
#include "stream_profile.h"

static struct profile *
make_profile(void)
{
	return stream_profile_new();
}

/* weight samples of process comm (pid) in main;leaf. */
static void
add(struct profile *p, const char *comm, int pid, const char *leaf, uint64_t weight)
{
	uint32_t path[4];

	path[0] = frametab_intern(p->frames, comm, NULL, NULL, (uint32_t)pid, FRAME_PROCESS, false);
	path[1] = frametab_intern(p->frames, comm, NULL, NULL, (uint32_t)pid, FRAME_THREAD, false);
	path[2] = frametab_intern(p->frames, "main", "/bin/app", NULL, 0, FRAME_USER, false);
	path[3] = frametab_intern(p->frames, leaf, "/bin/app", NULL, 0, FRAME_USER, false);
	stacktree_insert(p->stacks, path, 4, weight, 0);
	p->sampling.samples += weight;
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

/* What a reader makes of the first len bytes of buf: its folded output. */
static char *
read_folded(const char *buf, size_t len, size_t intervals, uint64_t total)
{
	struct profile *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	FILE *fp = fmemopen((void *)buf, len, "r");
	char *f;

	assert_int_equal(stream_read(fp, "mem", &back, &st, &err), 0);
	fclose(fp);
	assert_int_equal(st.intervals, intervals);
	assert_int_equal(stacktree_node(back->stacks, STACKTREE_ROOT)->total, total);
	f = folded_of(back);
	profile_free(back);
	return f;
}

static void
test_hold(void **state)
{
	struct profile *p = make_profile();
	struct errbuf err = { 0 };
	char *buf = NULL, *f, *want, leaf[16];
	size_t len = 0, at1, at2;
	FILE *fp = open_memstream(&buf, &len);
	struct stream_writer *w = stream_writer_new(fp);

	(void)state;
	stream_writer_hold(w, 100); /* 10 %: a path under 10 of 100 samples waits */
	assert_int_equal(stream_write_header(w, p, &err), 0);
	add(p, "big", 10, "work", 90);
	for (int i = 0; i < 10; i++) {
		snprintf(leaf, sizeof(leaf), "leaf_%d", i);
		add(p, "tiny", 20 + i, leaf, 1);
	}
	assert_int_equal(stream_write_interval(w, p, 100, &err), 0);
	fflush(fp);
	at1 = len;
	/* Held: no frame of the tiny processes went out; their 10 samples are in [other]. */
	assert_null(strstr(buf, "tiny"));
	assert_null(strstr(buf, "leaf_"));
	f = read_folded(buf, at1, 1, 100);
	assert_non_null(strstr(f, "[other] 10\n"));
	assert_non_null(strstr(f, "work 90\n"));
	free(f);
	/* tiny 20 grows past 10 % of 130: written now, [other] gives its sample back. */
	add(p, "tiny", 20, "leaf_0", 30);
	assert_int_equal(stream_write_interval(w, p, 200, &err), 0);
	fflush(fp);
	at2 = len;
	assert_non_null(strstr(buf + at1, "tiny"));
	assert_null(strstr(buf + at1, "leaf_1"));
	f = read_folded(buf, at2, 2, 130);
	assert_non_null(strstr(f, "[other] 9\n"));
	assert_non_null(strstr(f, "leaf_0 31\n"));
	free(f);
	/* One more sample of big's work: fewer than the share, it waits. */
	add(p, "big", 10, "work", 1);
	assert_int_equal(stream_write_interval(w, p, 300, &err), 0);
	fflush(fp);
	f = read_folded(buf, len, 3, 130);
	assert_non_null(strstr(f, "work 90\n"));
	free(f);
	/* The last interval without the hold: the reader's tree is the sender's. */
	stream_writer_hold(w, 0);
	assert_int_equal(stream_write_interval(w, p, 400, &err), 0);
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	f = read_folded(buf, len, 4, 131);
	assert_non_null(strstr(f, "work 91\n"));
	want = folded_of(p);
	assert_string_equal(f, want);
	assert_null(strstr(f, "[other]"));
	free(f);
	free(want);
	free(buf);
	profile_free(p);
}

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

/* Five intervals (one relabelling the tree) by a writer; compact: version 4's lines. */
static char *
write_relabelled(struct profile *p, bool compact, size_t *len)
{
	struct errbuf err = { 0 };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct stream_writer *w = stream_writer_new(fp);

	if (compact)
		stream_writer_summarize(w); /* no timeline here: only the version it sets */
	assert_int_equal(stream_write_header(w, p, &err), 0);
	add(p, "app", 10, "work", 5);
	add(p, "app", 11, "work", 3);
	assert_int_equal(stream_write_interval(w, p, 100, &err), 0);
	add(p, "app", 11, "rest", 2);
	add(p, "sh", 12, "rest", 1);
	assert_int_equal(stream_write_interval(w, p, 200, &err), 0);
	stacktree_relabel(p->stacks, fold_pids, p);
	assert_int_equal(stream_write_interval(w, p, 300, &err), 0);
	add(p, "app", 13, "work", 4);
	add(p, "cc", 14, "leaf", 2);
	assert_int_equal(stream_write_interval(w, p, 400, &err), 0);
	add(p, "cc", 14, "leaf", 1);
	assert_int_equal(stream_write_interval(w, p, 500, &err), 0);
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	return buf;
}

static void
test_compact(void **state)
{
	struct profile *p = make_profile(), *q = make_profile();
	size_t len = 0, len2 = 0;
	char *buf = write_relabelled(p, true, &len), *old = write_relabelled(q, false, &len2);
	char *f, *want = folded_of(p);

	(void)state;
	assert_non_null(strstr(buf, "ringside-stream 4 "));
	assert_non_null(strstr(buf, "\nn . "));
	assert_non_null(strstr(buf, "\nx "));
	assert_true(len < len2);
	f = read_folded(buf, len, 5, 18);
	assert_string_equal(f, want);
	free(f);
	/* Explicit ids (as version 2 writes them) under a version 3 header: read as before. */
	assert_non_null(strstr(old, "ringside-stream 2 "));
	old[strlen("ringside-stream ")] = '3';
	f = read_folded(old, len2, 5, 18);
	assert_string_equal(f, want);
	free(f);
	/* The same lines under a version 4 header are corrupt (an n line has 3 fields there). */
	old[strlen("ringside-stream ")] = '4';
	{
		struct profile *back = NULL;
		struct stream_stats st;
		struct errbuf err = { 0 };
		FILE *fp = fmemopen(old, len2, "r");

		assert_int_equal(stream_read(fp, "mem", &back, &st, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "is corrupt"));
		fclose(fp);
	}
	free(want);
	free(buf);
	free(old);
	profile_free(p);
	profile_free(q);
}

#define MS     1000000ull
#define ORIGIN (5000 * MS)

static void
sched_switch(struct schedmap *m, uint64_t t, int cpu, int prev, int next)
{
	struct sched_event ev = { .type = SCHED_SWITCH, .time = ORIGIN + t, .cpu = cpu };

	ev.prev_pid = prev;
	ev.next_pid = next;
	snprintf(ev.prev_comm, sizeof(ev.prev_comm), "task%d", prev);
	snprintf(ev.next_comm, sizeof(ev.next_comm), "task%d", next);
	schedmap_event(m, &ev);
}

static void
test_hold_tasks(void **state)
{
	struct profile *p = make_profile(), *back = NULL;
	struct errbuf err = { 0 };
	struct stream_stats st;
	char *buf = NULL;
	size_t len = 0, at1;
	FILE *fp = open_memstream(&buf, &len);
	struct stream_writer *w = stream_writer_new(fp);
	bool found = false;

	(void)state;
	stream_writer_summarize(w);
	stream_writer_hold(w, 100);
	p->sched = schedmap_new(2, 0, 0);
	p->sched_origin = ORIGIN;
	assert_int_equal(stream_write_header(w, p, &err), 0);
	/* 100 on CPU 0 and 200 on CPU 1 all along; 400 runs 1 ms of CPU 1's first bucket. */
	sched_switch(p->sched, 1 * MS, 0, 0, 100);
	sched_switch(p->sched, 1 * MS, 1, 0, 200);
	sched_switch(p->sched, 50 * MS, 1, 200, 400);
	sched_switch(p->sched, 51 * MS, 1, 400, 200);
	schedmap_advance(p->sched, ORIGIN + 400 * MS);
	assert_int_equal(stream_write_interval(w, p, 400 * MS, &err), 0);
	fflush(fp);
	at1 = len;
	assert_non_null(strstr(buf, " task100 "));
	assert_non_null(strstr(buf, " task200 "));
	assert_null(strstr(buf, "task400"));
	stream_writer_hold(w, 0);
	schedmap_advance(p->sched, ORIGIN + 800 * MS);
	assert_int_equal(stream_write_interval(w, p, 800 * MS, &err), 0);
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	assert_non_null(strstr(buf + at1, " task400 "));
	fp = fmemopen(buf, len, "r");
	assert_int_equal(stream_read(fp, "mem", &back, &st, &err), 0);
	fclose(fp);
	assert_int_equal(st.intervals, 2);
	assert_non_null(back->sched);
	for (size_t i = 0; i < schedmap_ntasks(back->sched); i++) {
		struct schedmap_task_stats ts;

		if (schedmap_task_stats(back->sched, (uint32_t)i, &ts) == 0 && ts.tid == 400) {
			found = true;
			assert_int_equal(ts.runtime_ns, 1 * MS);
		}
	}
	assert_true(found);
	free(buf);
	profile_free(p);
	profile_free(back);
}

/* The last interval as record --stream writes it: held paths stay in [other], lags are settled. */
static void
test_final(void **state)
{
	struct profile *p = make_profile();
	struct errbuf err = { 0 };
	char *buf = NULL, *f, leaf[16];
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct stream_writer *w = stream_writer_new(fp);

	(void)state;
	stream_writer_hold(w, 100);
	assert_int_equal(stream_write_header(w, p, &err), 0);
	add(p, "big", 10, "work", 90);
	for (int i = 0; i < 10; i++) {
		snprintf(leaf, sizeof(leaf), "leaf_%d", i);
		add(p, "tiny", 20 + i, leaf, 1);
	}
	assert_int_equal(stream_write_interval(w, p, 100, &err), 0);
	/* One more sample of work: under the share, it would wait. */
	add(p, "big", 10, "work", 1);
	stream_writer_final(w);
	assert_int_equal(stream_write_interval(w, p, 200, &err), 0);
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	/* The tiny processes never crossed the link; the root and work are exact. */
	assert_null(strstr(buf, "tiny"));
	assert_null(strstr(buf, "leaf_"));
	f = read_folded(buf, len, 2, 101);
	assert_non_null(strstr(f, "work 91\n"));
	assert_non_null(strstr(f, "[other] 10\n"));
	free(f);
	free(buf);
	profile_free(p);
}

/* The runtime the reader of buf (len bytes) has for tid, or -1 when it has no such task. */
static int64_t
runtime_read(const char *buf, size_t len, int32_t tid)
{
	struct profile *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	FILE *fp = fmemopen((void *)buf, len, "r");
	int64_t r = -1;

	assert_int_equal(stream_read(fp, "mem", &back, &st, &err), 0);
	fclose(fp);
	assert_non_null(back->sched);
	for (size_t i = 0; i < schedmap_ntasks(back->sched); i++) {
		struct schedmap_task_stats ts;

		if (schedmap_task_stats(back->sched, (uint32_t)i, &ts) == 0 && ts.tid == tid)
			r = (int64_t)ts.runtime_ns;
	}
	profile_free(back);
	return r;
}

/*
 * Two intervals of a timeline under a hold of 10 %, the second written as the last (final) or
 * not: 300 runs 199 ms (sent), then 1 ms more (a change under the share); 400 runs 1 ms twice.
 */
static char *
write_final_tasks(bool final, size_t *len)
{
	struct profile *p = make_profile();
	struct errbuf err = { 0 };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct stream_writer *w = stream_writer_new(fp);

	stream_writer_summarize(w);
	stream_writer_hold(w, 100);
	p->sched = schedmap_new(2, 0, 0);
	p->sched_origin = ORIGIN;
	assert_int_equal(stream_write_header(w, p, &err), 0);
	sched_switch(p->sched, 1 * MS, 0, 0, 300);
	sched_switch(p->sched, 200 * MS, 0, 300, 100);
	sched_switch(p->sched, 1 * MS, 1, 0, 200);
	sched_switch(p->sched, 50 * MS, 1, 200, 400);
	sched_switch(p->sched, 51 * MS, 1, 400, 200);
	schedmap_advance(p->sched, ORIGIN + 400 * MS);
	assert_int_equal(stream_write_interval(w, p, 400 * MS, &err), 0);
	sched_switch(p->sched, 600 * MS, 0, 100, 300);
	sched_switch(p->sched, 601 * MS, 0, 300, 100);
	sched_switch(p->sched, 650 * MS, 1, 200, 400);
	sched_switch(p->sched, 651 * MS, 1, 400, 200);
	schedmap_advance(p->sched, ORIGIN + 800 * MS);
	if (final)
		stream_writer_final(w);
	assert_int_equal(stream_write_interval(w, p, 800 * MS, &err), 0);
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	profile_free(p);
	return buf;
}

static void
test_final_tasks(void **state)
{
	size_t len = 0, len2 = 0;
	char *held = write_final_tasks(false, &len), *fin = write_final_tasks(true, &len2);

	(void)state;
	/* Not the last: 300's 1 ms more waits; the last interval sends its exact run time. */
	assert_int_equal(runtime_read(held, len, 300), 199 * MS);
	assert_int_equal(runtime_read(fin, len2, 300), 200 * MS);
	assert_int_equal(runtime_read(fin, len2, 100), 599 * MS);
	/* 400 ran 2 ms of 1.6 s, topping no bucket: never sent, not even by the last interval. */
	assert_null(strstr(fin, "task400"));
	assert_int_equal(runtime_read(fin, len2, 400), -1);
	free(held);
	free(fin);
}

/* A timeline of 1.25 s (runs of 30 ms on CPU 0, idle and a task on CPU 1), buckets of width. */
static char *
write_buckets(uint64_t width, size_t *len, struct profile **out)
{
	struct profile *p = make_profile();
	struct errbuf err = { 0 };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct stream_writer *w = stream_writer_new(fp);
	int prev = 0;

	stream_writer_summarize(w);
	stream_writer_bucket(w, width);
	p->sched = schedmap_new(2, 0, 0);
	p->sched_origin = ORIGIN;
	assert_int_equal(stream_write_header(w, p, &err), 0);
	sched_switch(p->sched, 5 * MS, 1, 0, 700);
	sched_switch(p->sched, 905 * MS, 1, 700, 0);
	for (uint64_t t = 1; t < 1250; t += 30) {
		int next = prev == 500 ? 600 : 500;

		sched_switch(p->sched, t * MS, 0, prev, next);
		prev = next;
		if (t % 500 < 30) {
			schedmap_advance(p->sched, ORIGIN + t * MS);
			assert_int_equal(stream_write_interval(w, p, t * MS, &err), 0);
		}
	}
	schedmap_advance(p->sched, ORIGIN + 1250 * MS);
	assert_int_equal(stream_write_interval(w, p, 1250 * MS, &err), 0);
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	*out = p;
	return buf;
}

static size_t
count_lines(const char *buf, const char *prefix)
{
	size_t n = 0;

	for (const char *s = buf; (s = strstr(s, prefix)); s++)
		n++;
	return n;
}

/* Wider buckets: fewer b lines; each CPU's busy and known time as with the map's. */
static void
test_bucket_width(void **state)
{
	size_t len = 0, len2 = 0, len3 = 0;
	struct profile *p, *q, *a = NULL, *b = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	char *narrow = write_buckets(0, &len, &p), *wide = write_buckets(500 * MS, &len2, &q);
	char *fine;
	FILE *fp;

	(void)state;
	assert_non_null(strstr(narrow, "\nS 2 100000000 "));
	assert_non_null(strstr(wide, "\nS 2 500000000 "));
	assert_true(count_lines(wide, "\nb ") * 2 < count_lines(narrow, "\nb "));
	profile_free(q);
	/* Never finer than the map's buckets, never wider than the cap. */
	fine = write_buckets(10 * MS, &len3, &q);
	assert_non_null(strstr(fine, "\nS 2 100000000 "));
	free(fine);
	profile_free(q);
	fine = write_buckets(60000 * MS, &len3, &q);
	assert_non_null(strstr(fine, "\nS 2 4000000000 "));
	free(fine);
	profile_free(q);
	fp = fmemopen(narrow, len, "r");
	assert_int_equal(stream_read(fp, "mem", &a, &st, &err), 0);
	fclose(fp);
	fp = fmemopen(wide, len2, "r");
	assert_int_equal(stream_read(fp, "mem", &b, &st, &err), 0);
	fclose(fp);
	assert_int_equal(schedmap_bucket_ns(b->sched), 500 * MS);
	for (unsigned c = 0; c < 2; c++) {
		uint64_t ba, ka, bb, kb;

		assert_int_equal(schedmap_busy_ns(a->sched, c, 0, UINT64_MAX / 4, &ba, &ka), 0);
		assert_int_equal(schedmap_busy_ns(b->sched, c, 0, UINT64_MAX / 4, &bb, &kb), 0);
		assert_true(ba > 0 && ka >= ba);
		assert_int_equal(ba, bb);
		assert_int_equal(ka, kb);
	}
	free(narrow);
	free(wide);
	profile_free(p);
	profile_free(a);
	profile_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold),	    cmocka_unit_test(test_compact),
		cmocka_unit_test(test_hold_tasks),  cmocka_unit_test(test_final),
		cmocka_unit_test(test_final_tasks), cmocka_unit_test(test_bucket_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
