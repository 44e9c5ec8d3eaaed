// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream format (export/stream): a profile written interval by interval reads back with the
 * same counters and the same stack tree (folded output compared), names with spaces, '%' and
 * "-" included; a tree relabelled between intervals (negative changes) still adds up; a stream
 * cut at every byte recovers whole intervals only, never fewer as the cut moves on; corrupt lines
 * are refused with their number; other versions and non-streams are refused. The scheduler
 * timeline (version 2) reads back into the same "sched" object the recording's snapshot has
 * (tasks, runs, busy and known time, the map), with tasks that exit and a run in progress; a
 * version 1 stream still reads, and refuses the timeline's lines. An event added while recording
 * (and removed) reads back with its span and points, from the commit of its interval on. The
 * compressed form (version 3) reads back the same, each interval whole at its own flush point
 * and a cut anywhere losing only the intervals after it; damaged compressed data is refused with
 * the line of the text it cut. Streams of churn (compactions, ids given up and taken again, folded
 * tasks, the hold) keep their bytes, pinned by hash, and the writer keeps at most 34 bytes per
 * node id and 48 per task of the map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/folded.h"
#include "ringside/export/snapshot.h"
#include "ringside/export/stream.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"
#include "stream_profile.h"

static struct profile *
make_profile(void)
{
	struct profile *p = stream_profile_new();
	struct counter_track *t = profile_add_track(p);

	t->name = xstrdup("page-faults");
	t->canonical = xstrdup("page-faults");
	t->pmu = xstrdup("software");
	t->kind = xstrdup("software");
	t->supported = true;
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

/* back's folded output, asserted equal to orig's (the caller frees it). */
static char *
folded_same(const struct profile *orig, const struct profile *back)
{
	char *f1 = folded_of(orig), *f2 = folded_of(back);

	assert_string_equal(f1, f2);
	free(f1);
	return f2;
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
	char *buf = write_stream(&len, &orig, relabel), *f;
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
	f = folded_same(orig, back);
	assert_non_null(strstr(f, "odd name %1 -"));
	free(f);
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

/*
 * A frame id the frame table gives up (an exited pid's, once its nodes folded) and gives to another
 * frame: the writer sees the id name another frame and writes it anew, so the stream reads back
 * with the new pid's name, not the old one's.
 */
static void
test_frame_id_taken_again(void **state)
{
	static const char *const a[] = { "main", "work", NULL };
	struct profile *p = make_profile(), *back = NULL;
	struct errbuf err = { 0 };
	struct stream_stats st;
	char *buf = NULL, *f;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct stream_writer *w = stream_writer_new(fp);
	uint32_t proc, thread;

	(void)state;
	assert_int_equal(stream_write_header(w, p, &err), 0);
	add(p, "old", 10, a, 3);
	tick(p, w, 250, 100);
	proc = frametab_intern(p->frames, "old", NULL, NULL, 10, FRAME_PROCESS, false);
	thread = frametab_intern(p->frames, "old", NULL, NULL, 10, FRAME_THREAD, false);
	stacktree_relabel(p->stacks, fold_pids, p);
	tick(p, w, 500, 200);
	frametab_release(p->frames, proc);
	frametab_release(p->frames, thread);
	add(p, "new", 20, a, 2);
	/* The new pid's frames took the ids given up (else this test shows nothing). */
	assert_true(
		frametab_intern(p->frames, "new", NULL, NULL, 20, FRAME_PROCESS, false) == proc ||
		frametab_intern(p->frames, "new", NULL, NULL, 20, FRAME_PROCESS, false) == thread);
	tick(p, w, 750, 300);
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	assert_int_equal(read_mem(buf, len, &back, &st, &err), 0);
	assert_int_equal(st.intervals, 3);
	f = folded_same(p, back);
	assert_non_null(strstr(f, "new"));
	free(f);
	free(buf);
	profile_free(p);
	profile_free(back);
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
		"ringside-stream 3 {}\n",
		"ringside-stream 4 {}\n",
		"ringside-stream 0 {}\n",
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

/* ---- the scheduler timeline ---- */

#define MS     1000000ull
#define ORIGIN (5000 * MS)

static void
sched_switch(struct schedmap *m, uint64_t t, int cpu, int prev, int64_t state, int next)
{
	struct sched_event ev = { .type = SCHED_SWITCH, .time = ORIGIN + t, .cpu = cpu };

	ev.prev_pid = prev;
	ev.next_pid = next;
	ev.prev_state = state;
	snprintf(ev.prev_comm, sizeof(ev.prev_comm), prev == 300 ? "short one" : "task%d", prev);
	snprintf(ev.next_comm, sizeof(ev.next_comm), next == 300 ? "short one" : "task%d", next);
	schedmap_event(m, &ev);
}

static void
sched_other(struct schedmap *m, enum sched_event_type type, uint64_t t, int cpu, int pid)
{
	struct sched_event ev = { .type = type, .time = ORIGIN + t, .cpu = cpu, .pid = pid };

	snprintf(ev.comm, sizeof(ev.comm), "task%d", pid);
	ev.target_cpu = cpu;
	schedmap_event(m, &ev);
}

/*
 * Four intervals of 250 ms on 2 CPUs: 100 and idle take turns on CPU 0 (woken each time), 200
 * and 300 on CPU 1 until 300 exits at 400 ms; CPU 1 starts late; 200 runs on at the end.
 */
static char *
write_sched_stream_as(size_t *len, struct profile **orig, bool buckets)
{
	struct profile *p = make_profile();
	struct errbuf err = { 0 };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct stream_writer *w = stream_writer_new(fp);
	uint64_t t = 1 * MS;

	if (buckets)
		stream_writer_summarize(w);
	p->sched = schedmap_new(2, 0, 0);
	p->sched_origin = ORIGIN;
	assert_int_equal(stream_write_header(w, p, &err), 0);
	for (uint64_t end = 250 * MS; end <= 1000 * MS; end += 250 * MS) {
		for (; t + 10 * MS < end; t += 10 * MS) {
			sched_other(p->sched, SCHED_WAKEUP, t, 0, 100);
			sched_switch(p->sched, t + 50000, 0, 0, 0, 100);
			sched_switch(p->sched, t + 6 * MS, 0, 100, 1, 0);
			if (t >= 30 * MS && t < 400 * MS) {
				sched_switch(p->sched, t, 1, 200, 0, 300);
				sched_switch(p->sched, t + 3 * MS, 1, 300, 1, 200);
			}
			p->sched_switches += 4;
		}
		if (end == 500 * MS)
			sched_other(p->sched, SCHED_EXIT, 420 * MS, 1, 300);
		schedmap_advance(p->sched, ORIGIN + end - 2 * MS);
		tick(p, w, end, 10);
	}
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	p->meta.duration_ns = 1000 * MS;
	*orig = p;
	return buf;
}

static char *
write_sched_stream(size_t *len, struct profile **orig)
{
	return write_sched_stream_as(len, orig, false);
}

/* The "sched" object of p's snapshot (the caller's). */
static json_t *
sched_of(const struct profile *p)
{
	struct errbuf err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	json_t *root, *sched;

	assert_int_equal(snapshot_write(p, fp, &err), 0);
	fclose(fp);
	root = json_loadb(buf, len, 0, NULL);
	assert_non_null(root);
	sched = json_incref(json_object_get(root, "sched"));
	json_decref(root);
	free(buf);
	return sched;
}

static void
test_sched_round_trip(void **state)
{
	struct profile *orig, *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	size_t len;
	char *buf = write_sched_stream(&len, &orig);
	json_t *a, *b;

	(void)state;
	assert_non_null(strstr(buf, "ringside-stream 2 "));
	assert_non_null(strstr(buf, "\nS 2 "));
	assert_non_null(strstr(buf, " short%20one "));
	assert_non_null(strstr(buf, "\no 1 "));
	assert_int_equal(read_mem(buf, len, &back, &st, &err), 0);
	assert_int_equal(st.intervals, 4);
	assert_non_null(back->sched);
	a = sched_of(orig);
	b = sched_of(back);
	assert_int_equal(json_array_size(json_object_get(a, "tasks")), 3);
	if (!json_equal(a, b)) {
		char *x = json_dumps(a, JSON_COMPACT), *y = json_dumps(b, JSON_COMPACT);

		fprintf(stderr, "recording: %s\nstream:    %s\n", x, y);
		free(x);
		free(y);
		fail();
	}
	assert_int_equal(json_integer_value(json_object_get(b, "switches")), orig->sched_switches);
	json_decref(a);
	json_decref(b);
	free(buf);
	profile_free(orig);
	profile_free(back);
}

/* Cut anywhere, the timeline holds the whole intervals: its switches never go back. */
static void
test_sched_every_cut(void **state)
{
	struct profile *orig;
	size_t len, header;
	char *buf = write_sched_stream(&len, &orig);
	json_int_t last = 0;

	(void)state;
	header = (size_t)(strchr(buf, '\n') - buf) + 1;
	for (size_t cut = header; cut <= len; cut += 7) {
		struct profile *back = NULL;
		struct stream_stats st;
		struct errbuf err = { 0 };
		json_t *s;
		json_int_t n;

		assert_int_equal(read_mem(buf, cut, &back, &st, &err), 0);
		assert_true((back->sched != NULL) == (st.intervals > 0));
		s = back->sched ? sched_of(back) : NULL;
		n = s ? json_integer_value(json_object_get(s, "switches")) : 0;
		assert_true(n >= last);
		last = n;
		json_decref(s);
		profile_free(back);
	}
	assert_int_equal(last, orig->sched_switches);
	free(buf);
	profile_free(orig);
}

/* The 1-based number of the first line of buf that starts with prefix. */
static size_t
line_of(const char *buf, const char *prefix)
{
	size_t no = 1;

	for (const char *s = buf; *s; s = strchr(s, '\n') + 1, no++)
		if (strncmp(s, prefix, strlen(prefix)) == 0 || !strchr(s, '\n'))
			break;
	return no;
}

/*
 * The timeline as summary buckets (b lines, version 3 on): no runs in the stream; each CPU's busy
 * and known time and every task's statistics read back as the recording had them, and the map
 * has a summary per CPU and 100 ms of the second.
 */
static void
test_sched_buckets(void **state)
{
	struct profile *orig, *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	size_t len, i;
	char *buf = write_sched_stream_as(&len, &orig, true);
	json_t *a, *b, *ca, *cb;

	(void)state;
	assert_non_null(strstr(buf, "ringside-stream 4 "));
	assert_non_null(strstr(buf, "\nb 0 0 "));
	assert_null(strstr(buf, "\nr "));
	assert_null(strstr(buf, "\no "));
	assert_int_equal(read_mem(buf, len, &back, &st, &err), 0);
	assert_int_equal(st.intervals, 4);
	a = sched_of(orig);
	b = sched_of(back);
	assert_true(json_equal(json_object_get(a, "tasks"), json_object_get(b, "tasks")));
	json_array_foreach (json_object_get(a, "cpus"), i, ca) {
		cb = json_array_get(json_object_get(b, "cpus"), i);
		assert_non_null(cb);
		assert_true(json_integer_value(json_object_get(ca, "known_ns")) > 0);
		assert_int_equal(json_integer_value(json_object_get(ca, "busy_ns")),
				 json_integer_value(json_object_get(cb, "busy_ns")));
		assert_int_equal(json_integer_value(json_object_get(ca, "known_ns")),
				 json_integer_value(json_object_get(cb, "known_ns")));
		assert_int_equal(json_array_size(json_object_get(cb, "summaries")), 10);
	}
	json_decref(a);
	json_decref(b);
	free(buf);
	profile_free(orig);
	profile_free(back);
}

/* A b line out of order, with figures that cannot be, or in a stream of runs: corrupt. */
static void
test_sched_buckets_corrupt(void **state)
{
	static const char *const bad[] = {
		"b 0 0 1 10 5 5",		     /* the task's time above the busy time */
		"b 0 0 . 0 5 4",		     /* busy above known */
		"b 0 0 . 0 0 100000001",	     /* more than the bucket */
		"b 9 0 . 0 0 0",		     /* no such CPU */
		"b 0 0 ? 0 0 0",		     /* unknown is no bucket's task */
		"b 0 0 7 0 0 0",		     /* no such task */
		"b 0 0 . 0 0",		 "r 0 10 .", /* runs on a CPU of buckets */
	};
	struct profile *orig, *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	size_t len, no;
	char *buf = write_sched_stream_as(&len, &orig, true), *b, *want;

	(void)state;
	no = line_of(buf, "b 0 0 ");
	want = xasprintf("line %zu ", no);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = with_line(buf, no, bad[i]);
		assert_int_equal(read_mem(b, strlen(b), &back, &st, &err), -EINVAL);
		assert_null(back);
		if (!strstr(err.msg, want))
			fail_msg("%s: %s, not %s", bad[i], err.msg, want);
		free(b);
	}
	free(want);
	/* An index past the next one (a bucket skipped). */
	no = line_of(buf, "b 0 1 ");
	b = with_line(buf, no, "b 0 3 . 0 0 0");
	assert_int_equal(read_mem(b, strlen(b), &back, &st, &err), -EINVAL);
	free(b);
	/* In a stream of runs, buckets are corrupt too (and in version 2). */
	free(buf);
	profile_free(orig);
	buf = write_sched_stream(&len, &orig);
	no = line_of(buf, "r 0 ");
	b = with_line(buf, no, "b 0 0 . 0 0 0");
	assert_int_equal(read_mem(b, strlen(b), &back, &st, &err), -EINVAL);
	free(b);
	free(buf);
	profile_free(orig);
}

static void
test_sched_corrupt(void **state)
{
	static const char *const bad[] = {
		"T 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 a -", /* before the S line */
		"r 0 10 .",
		"S 0 100000000 0 0 0",
		"S 2 0 0 0 0",
	};
	static const char *const after_s[] = {
		"T 5 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 a -",
		"T 1 1 1 2 0 0 0 0 0 0 0 0 0 0 0 0 a -",
		"T 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 a%zz -",
		"T 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 sixteen_chars_xx -",
		"r 2 10 .",
		"r 0 10 9",
		"r 0 -10 .",
		"r 0 10",
		"o 0 x .",
		"S 2 100000000 0 0 0",
	};
	struct profile *orig;
	size_t len;
	char *buf = write_sched_stream(&len, &orig);
	const char *s2 = strstr(buf, "\nS 2 ");
	size_t sline = 2;

	(void)state;
	for (const char *c = buf; c < s2; c++)
		sline += *c == '\n';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) + sizeof(after_s) / sizeof(after_s[0]);
	     i++) {
		bool after = i >= sizeof(bad) / sizeof(bad[0]);
		const char *text = after ? after_s[i - sizeof(bad) / sizeof(bad[0])] : bad[i];
		size_t no = after ? sline + 1 : sline;
		char *b = with_line(buf, no, text), *msg = xasprintf("line %zu ", no);
		struct profile *back = NULL;
		struct stream_stats st;
		struct errbuf err = { 0 };

		assert_int_equal(read_mem(b, strlen(b), &back, &st, &err), -EINVAL);
		assert_null(back);
		assert_non_null(strstr(err.msg, msg));
		free(msg);
		free(b);
	}
	free(buf);
	profile_free(orig);
}

/*
 * An event added after the second interval (a name with a space) and removed after the third:
 * it reads back with its span and its points; cut before the commit of its interval, it is not
 * there; an e line naming an event twice and an E line of no event are corrupt.
 */
static void
test_event_added(void **state)
{
	struct profile *p = make_profile(), *back = NULL;
	struct errbuf err = { 0 };
	struct stream_stats st;
	char *buf = NULL, *e, *bad;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct stream_writer *w = stream_writer_new(fp);
	struct counter_track *t;
	uint64_t c = 0;

	(void)state;
	assert_int_equal(stream_write_header(w, p, &err), 0);
	tick(p, w, 250, 10);
	tick(p, w, 500, 20);
	t = profile_add_track(p);
	t->name = xstrdup("sched:sched wakeup");
	t->canonical = xstrdup("sched:sched_wakeup");
	t->pmu = xstrdup("tracepoint");
	t->kind = xstrdup("tracepoint");
	t->supported = true;
	t->added_ns = 500;
	counter_series_append(counter_track_series(t, -1), 750, 33, 250, 250);
	tick(p, w, 750, 30);
	p->tracks[1].removed_ns = 800;
	tick(p, w, 1000, 40);
	stream_writer_free(w);
	fclose(fp);
	e = strstr(buf, "\ne ");
	assert_non_null(e);
	assert_non_null(strstr(buf, "\nE 1 500 800\n"));
	assert_int_equal(read_mem(buf, len, &back, &st, &err), 0);
	assert_int_equal(back->ntracks, 2);
	assert_string_equal(back->tracks[1].name, "sched:sched wakeup");
	assert_int_equal(back->tracks[1].added_ns, 500);
	assert_int_equal(back->tracks[1].removed_ns, 800);
	assert_int_equal(back->tracks[1].nseries, 1);
	counter_series_totals(&back->tracks[1].series[0], &c, NULL, NULL);
	assert_int_equal(c, 33);
	profile_free(back);
	back = NULL;
	/* cut just after the e line: the interval that added it is not whole */
	assert_int_equal(read_mem(buf, (size_t)(strchr(e + 1, '\n') - buf) + 1, &back, &st, &err),
			 0);
	assert_int_equal(st.intervals, 2);
	assert_int_equal(back->ntracks, 1);
	profile_free(back);
	back = NULL;
	/* the same event twice */
	bad = xasprintf("%.*s%.*s", (int)(strchr(e + 1, '\n') + 1 - buf), buf,
			(int)(strchr(e + 1, '\n') - e), e + 1);
	assert_int_equal(read_mem(bad, strlen(bad), &back, &st, &err), -EINVAL);
	free(bad);
	bad = with_line(buf, 3, "E 7 0 0");
	errbuf_clear(&err);
	assert_int_equal(read_mem(bad, strlen(bad), &back, &st, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 3 "));
	free(bad);
	free(buf);
	profile_free(p);
}

/* A version 1 stream (no timeline) reads as before; the timeline's lines are not version 1's. */
static void
test_version1(void **state)
{
	struct profile *orig, *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	size_t len;
	char *buf = write_stream(&len, &orig, false), *v1, *bad;

	(void)state;
	v1 = xstrdup(buf);
	memcpy(v1, "ringside-stream 1 ", 18);
	assert_int_equal(read_mem(v1, len, &back, &st, &err), 0);
	assert_int_equal(st.intervals, 3);
	assert_int_equal(back->sampling.samples, 12);
	assert_null(back->sched);
	profile_free(back);
	back = NULL;
	bad = with_line(v1, 3, "S 2 100000000 0 0 0");
	assert_int_equal(read_mem(bad, strlen(bad), &back, &st, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 3 "));
	free(bad);
	free(v1);
	free(buf);
	profile_free(orig);
}

/* ---- the compressed form ---- */

/* The small profile's three intervals, compressed; at[k]: the bytes through interval k's flush. */
static char *
write_gz(size_t *len, struct profile **orig, size_t at[4])
{
	static const char *const a[] = { "main", "work", NULL };
	static const char *const b[] = { "main", "odd name %1 -", NULL };
	struct profile *p = make_profile();
	struct errbuf err = { 0 };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct stream_writer *w = stream_writer_new_gz(fp);

	assert_non_null(w);
	assert_int_equal(stream_write_header(w, p, &err), 0);
	fflush(fp);
	at[0] = *len;
	add(p, "app", 10, a, 5);
	tick(p, w, 250, 100);
	fflush(fp);
	at[1] = *len;
	add(p, "app", 10, b, 2);
	tick(p, w, 500, 200);
	fflush(fp);
	at[2] = *len;
	add(p, "app", 11, a, 4);
	tick(p, w, 750, 300);
	fflush(fp);
	at[3] = *len;
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	*orig = p;
	return buf;
}

static void
test_gz_round_trip(void **state)
{
	struct profile *orig, *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	size_t len, at[4], text_len = 0, last = 0;
	char *buf = write_gz(&len, &orig, at), *text;

	(void)state;
	/* gzip's magic, and far fewer bytes than the text form. */
	assert_true((unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b);
	text = write_stream(&text_len, &back, false);
	profile_free(back);
	back = NULL;
	free(text);
	assert_true(len < text_len);
	/* A file's start tells it: gzip whose text is a stream's, not any gzip or the text. */
	assert_true(stream_sniff_gz(buf, len < 4096 ? len : 4096));
	assert_false(stream_sniff_gz("ringside-stream 3 {}", 20));
	assert_false(stream_sniff_gz("\x1f\x8b\x08\0\0\0\0\0\0\x03\x03\0", 12));
	assert_int_equal(read_mem(buf, len, &back, &st, &err), 0);
	assert_int_equal(st.intervals, 3);
	assert_true(st.ended);
	assert_string_equal(back->meta.end_reason, "duration");
	free(folded_same(orig, back));
	profile_free(back);
	/* Every interval is whole at its flush point; a cut anywhere loses only what follows. */
	for (size_t cut = at[0]; cut <= len; cut++) {
		back = NULL;
		assert_int_equal(read_mem(buf, cut, &back, &st, &err), 0);
		assert_true(st.intervals >= last);
		for (size_t k = 1; k < 4; k++)
			if (cut == at[k])
				assert_int_equal(st.intervals, k);
		last = st.intervals;
		profile_free(back);
	}
	assert_int_equal(last, 3);
	free(buf);
	profile_free(orig);
}

static void
test_gz_corrupt(void **state)
{
	struct profile *orig, *back = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	size_t len, at[4], lines = 0;
	char *buf = write_gz(&len, &orig, at), *bad = xmalloc(len + 1), *want;

	(void)state;
	/* The lines through interval 2: what its flush point reads as. */
	assert_int_equal(read_mem(buf, at[2], &back, &st, &err), 0);
	assert_int_equal(st.intervals, 2);
	lines = st.lines;
	profile_free(back);
	back = NULL;
	/* After interval 2's flush, a deflate block of the reserved type (11). */
	memcpy(bad, buf, at[2]);
	bad[at[2]] = 0x06;
	memcpy(bad + at[2] + 1, buf + at[2], len - at[2]);
	assert_int_equal(read_mem(bad, len + 1, &back, &st, &err), -EINVAL);
	assert_null(back);
	want = xasprintf("line %zu is corrupt: the compressed stream is damaged", lines + 1);
	if (!strstr(err.msg, want))
		fail_msg("%s: not \"%s\"", err.msg, want);
	assert_int_equal(err.class, ERRBUF_INPUT);
	free(want);
	/* A damaged gzip header: line 1. */
	memcpy(bad, buf, len);
	bad[3] = (char)0xe0;
	assert_int_equal(read_mem(bad, len, &back, &st, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 1 is corrupt"));
	free(bad);
	free(buf);
	profile_free(orig);
}

/* FNV-1a of the len bytes of buf: a stream's bytes pinned in one number. */
static uint64_t
fnv64(const char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
	return h;
}

static uint32_t
lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*x >> 33);
}

/*
 * Forty intervals of 100 ms of churn: random paths in a tree capped at 300 nodes (compactions),
 * the processes folded together every ninth interval (their ids given up through x lines, then
 * taken again), and short-lived tasks in a map that folds them (renumbering its tasks).
 * compact: version 4's lines; hold: the hold's per mille, the last interval final.
 */
static char *
write_churn(size_t *len, bool compact, unsigned hold)
{
	static const char *const names[] = { "main",  "work", "odd name %1", "-",
					     "parse", "emit", "lock",	     "wait" };
	struct profile *p = make_profile();
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct stream_writer *w = stream_writer_new(fp);
	struct errbuf err = { 0 };
	uint64_t x = 42;
	int pid = 1000;

	stacktree_free(p->stacks);
	p->stacks = stacktree_new(p->frame_root, p->frame_other, 300, 0);
	p->sched = schedmap_new(2, 200 * MS, 10 * MS);
	p->sched_origin = ORIGIN;
	/* Summary buckets hold map tasks across intervals: the folds renumber them under them. */
	if (compact)
		stream_writer_summarize(w);
	schedmap_set_fold_min(p->sched, 4);
	stream_writer_hold(w, hold);
	assert_int_equal(stream_write_header(w, p, &err), 0);
	for (uint64_t i = 1; i <= 40; i++) {
		uint64_t t0 = (i - 1) * 100 * MS;

		for (int k = 0; k < 40; k++) {
			const char *path[6];
			size_t n = 1 + lcg(&x) % 5;

			for (size_t d = 0; d < n; d++)
				path[d] = names[lcg(&x) % 8];
			path[n] = NULL;
			add(p, "app", 10 + (int)(lcg(&x) % 12), path, 1 + lcg(&x) % 4);
		}
		if (i % 9 == 0)
			stacktree_relabel(p->stacks, fold_pids, p);
		/* Three tasks live 30 ms each on CPU 1 and exit; 100 runs on CPU 0 throughout. */
		for (int k = 0; k < 3; k++, pid++) {
			uint64_t t = t0 + (uint64_t)k * 30 * MS + MS;

			sched_other(p->sched, SCHED_WAKEUP, t, 0, 100);
			sched_switch(p->sched, t, 0, 0, 0, 100);
			sched_switch(p->sched, t + MS * (1 + lcg(&x) % 9), 0, 100, 1, 0);
			sched_switch(p->sched, t, 1, 0, 0, pid);
			sched_switch(p->sched, t + 20 * MS, 1, pid, 0, 0);
			sched_other(p->sched, SCHED_EXIT, t + 21 * MS, 1, pid);
			p->sched_switches += 4;
		}
		schedmap_advance(p->sched, ORIGIN + t0 + 100 * MS);
		if (i == 40) {
			struct schedmap_counts sc;

			schedmap_get_counts(p->sched, &sc);
			assert_true(sc.folded_tasks > 0);
		}
		if (i == 40 && hold)
			stream_writer_final(w);
		tick(p, w, t0 + 100 * MS, i);
	}
	assert_int_equal(stream_write_end(w, "duration", &err), 0);
	stream_writer_free(w);
	fclose(fp);
	profile_free(p);
	return buf;
}

/*
 * The writer's bytes stay the same however it keeps what it wrote: streams of churn (ids given
 * up and taken again, compactions, folded tasks), pinned by their hashes, read back.
 */
static void
test_churn_bytes(void **state)
{
	static const struct {
		bool compact;
		unsigned hold;
		uint64_t hash;
	} cases[] = {
		{ false, 0, 0x575f9e188cd5f8aeULL },
		{ true, 0, 0xc4ef7221e0becc6aULL },
		{ false, 50, 0xb1ce3e20bb2a4635ULL },
		{ true, 50, 0x802f539f059e3bd8ULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct profile *back = NULL;
		struct stream_stats st;
		struct errbuf err = { 0 };
		size_t len;
		char *buf = write_churn(&len, cases[i].compact, cases[i].hold);

		assert_int_equal(read_mem(buf, len, &back, &st, &err), 0);
		assert_int_equal(st.intervals, 40);
		assert_non_null(strstr(buf, "\nx "));
		assert_non_null(strstr(buf, "\nT "));
		assert_true(fnv64(buf, len) == cases[i].hash);
		profile_free(back);
		free(buf);
	}
}

/* A sched event of a short-lived "job" (pid) on CPU 0 at t: its switch in, out, or exit. */
static void
job_event(struct schedmap *m, enum sched_event_type type, uint64_t t, int pid, bool in)
{
	struct sched_event ev = { .type = type, .time = ORIGIN + t, .cpu = 0, .pid = pid };

	ev.prev_pid = in ? 0 : pid;
	ev.next_pid = in ? pid : 0;
	snprintf(ev.prev_comm, sizeof(ev.prev_comm), "%s", in ? "swapper" : "job");
	snprintf(ev.next_comm, sizeof(ev.next_comm), "%s", in ? "job" : "swapper");
	snprintf(ev.comm, sizeof(ev.comm), "job");
	schedmap_event(m, &ev);
}

/*
 * What the writer keeps per stream node id and per task written: a tree of 33,827 nodes written
 * once, at most 34 bytes per id (30 without a hold, the growth by a quarter, and 12 per frame id
 * written: 32 here; 36 when the writer kept s_at without a hold and a copy of each frame); 600
 * short-lived tasks of one name, which the map folds as they go, at most 48 bytes per task (the
 * writer keeps the map's tasks, 40 bytes each, not every task it wrote). Before: 124 and 188.
 */
static void
test_writer_memory(void **state)
{
	struct profile *p = make_profile();
	char *buf = NULL;
	size_t len, nodes, before, per_id, per_task;
	FILE *fp = open_memstream(&buf, &len);
	struct stream_writer *w = stream_writer_new(fp);
	struct errbuf err = { 0 };
	char a[8], b[8], c[8];
	const char *path[4] = { a, b, c, NULL };
	int pid = 1000;

	(void)state;
	for (int i = 0; i < 32; i++)
		for (int j = 0; j < 32; j++)
			for (int k = 0; k < 32; k++) {
				snprintf(a, sizeof(a), "a%d", i);
				snprintf(b, sizeof(b), "b%d", j);
				snprintf(c, sizeof(c), "c%d", k);
				add(p, "app", 10, path, 1);
			}
	nodes = stacktree_nnodes(p->stacks);
	assert_int_equal(stream_write_header(w, p, &err), 0);
	tick(p, w, 100 * MS, 1);
	per_id = stream_writer_memory(w) / nodes;
	printf("stream writer: %zu bytes for %zu node ids: %zu per id\n", stream_writer_memory(w),
	       nodes, per_id);
	assert_true(per_id <= 34);

	p->sched = schedmap_new(1, 100 * MS, 10 * MS);
	schedmap_set_fold_min(p->sched, 16);
	p->sched_origin = ORIGIN;
	before = stream_writer_sched_memory(w);
	for (uint64_t i = 2; i <= 61; i++) {
		for (int k = 0; k < 10; k++, pid++) {
			uint64_t t = (i - 1) * 100 * MS + (uint64_t)k * 10 * MS;

			job_event(p->sched, SCHED_SWITCH, t, pid, true);
			job_event(p->sched, SCHED_SWITCH, t + 5 * MS, pid, false);
			job_event(p->sched, SCHED_EXIT, t + 6 * MS, pid, false);
		}
		schedmap_advance(p->sched, ORIGIN + i * 100 * MS);
		tick(p, w, i * 100 * MS, i);
	}
	per_task = (stream_writer_sched_memory(w) - before) / (size_t)(pid - 1000);
	printf("sched writer: %zu bytes after %d tasks (map: %zu): %zu per task\n",
	       stream_writer_sched_memory(w), pid - 1000, schedmap_ntasks(p->sched), per_task);
	fflush(fp);
	assert_non_null(strstr(buf, "\nT 600 "));
	assert_true(per_task <= 48);
	stream_writer_free(w);
	fclose(fp);
	free(buf);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_relabelled),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_not_a_stream),
		cmocka_unit_test(test_sched_round_trip),
		cmocka_unit_test(test_sched_every_cut),
		cmocka_unit_test(test_sched_corrupt),
		cmocka_unit_test(test_version1),
		cmocka_unit_test(test_event_added),
		cmocka_unit_test(test_gz_round_trip),
		cmocka_unit_test(test_gz_corrupt),
		cmocka_unit_test(test_sched_buckets),
		cmocka_unit_test(test_sched_buckets_corrupt),
		cmocka_unit_test(test_churn_bytes),
		cmocka_unit_test(test_writer_memory),
		cmocka_unit_test(test_frame_id_taken_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
